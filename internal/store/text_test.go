package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestFreeText: names, descriptions and contact fields that are too long,
// not UTF-8 or hold control characters are refused field by field, on
// both databases (PostgreSQL's text refuses NUL and bad UTF-8 itself,
// which was a 500).
func TestFreeText(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		contact := func(first string) Contact {
			return Contact{Label: "main", FirstName: first, LastName: "Lovelace", Email: "ada@example.com",
				Address1: "1 Main St", City: "London", StateProvince: "London", PostalCode: "N1", Country: "GB", Phone: "+442071234567"}
		}
		refused := []struct {
			name  string
			field string
			do    func() error
		}{
			{"template name with a NUL", "name", func() error {
				_, err := s.CreateTemplate(ctx, ada.actor, ada.account.ID, Template{SID: "t1", Name: "n\x00ul"})
				return err
			}},
			{"template name of 256 characters", "name", func() error {
				_, err := s.CreateTemplate(ctx, ada.actor, ada.account.ID, Template{SID: "t2", Name: strings.Repeat("é", 256)})
				return err
			}},
			{"template description not UTF-8", "description", func() error {
				_, err := s.CreateTemplate(ctx, ada.actor, ada.account.ID, Template{SID: "t3", Name: "ok", Description: "\xff\xfe"})
				return err
			}},
			{"contact name of 1 MB", "first_name", func() error {
				_, err := s.CreateContact(ctx, ada.actor, ada.account.ID, contact(strings.Repeat("a", 1<<20)))
				return err
			}},
			{"contact name with a NUL", "first_name", func() error {
				_, err := s.CreateContact(ctx, ada.actor, ada.account.ID, contact("A\x00da"))
				return err
			}},
			{"primary server named with a number", "name", func() error {
				_, err := s.CreatePrimaryServer(ctx, ada.actor, ada.account.ID, PrimaryServerInput{Name: "7", IP: "192.0.2.1"})
				return err
			}},
			{"primary server name with a NUL", "name", func() error {
				_, err := s.CreatePrimaryServer(ctx, ada.actor, ada.account.ID, PrimaryServerInput{Name: "p\x00", IP: "192.0.2.1"})
				return err
			}},
			{"token name with a NUL", "name", func() error {
				_, _, err := s.CreateToken(ctx, NewToken{AccountID: ada.account.ID, Name: "ci\x00"})
				return err
			}},
			{"webhook URL of 3,000 characters", "url", func() error {
				_, err := s.CreateWebhook(ctx, ada.actor, ada.account.ID, "https://hooks.example.net/"+strings.Repeat("a", 3000))
				return err
			}},
		}
		for _, c := range refused {
			err := c.do()
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 || ve.Fields[0].Field != c.field {
				t.Errorf("%s: %v, want a validation error on %s", c.name, err, c.field)
			}
		}
		// Line breaks are for descriptions only.
		if _, err := s.CreateTemplate(ctx, ada.actor, ada.account.ID, Template{SID: "ok", Name: "Mail", Description: "Two lines,\nas typed."}); err != nil {
			t.Errorf("a description of two lines: %v", err)
		}
		if _, err := s.CreateTemplate(ctx, ada.actor, ada.account.ID, Template{SID: "bad", Name: "Two\nlines"}); err == nil {
			t.Error("a template name of two lines was taken")
		}
	})
}
