package store

import (
	"context"
	"errors"
	"testing"

	"github.com/zonewarden/zonewarden/internal/zone"
)

func TestTemplates(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		eve := newFixture(t, s, "eve@example.com", "")

		tpl, err := s.CreateTemplate(ctx, f.actor, f.account.ID, Template{SID: "mail", Name: "Mail", Description: "MX and SPF"})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			t    Template
			want error
		}{
			{"sid taken", Template{SID: "mail", Name: "Again"}, zone.ErrConflict},
			{"numeric sid", Template{SID: "42", Name: "N"}, zone.ErrInvalid},
			{"no name", Template{SID: "x"}, zone.ErrInvalid},
			{"bad sid", Template{SID: "a b", Name: "N"}, zone.ErrInvalid},
		} {
			if _, err := s.CreateTemplate(ctx, f.actor, f.account.ID, tc.t); !errors.Is(err, tc.want) {
				t.Errorf("%s: CreateTemplate = %v, want %v", tc.name, err, tc.want)
			}
		}
		if _, err := s.CreateTemplate(ctx, eve.actor, eve.account.ID, Template{SID: "mail", Name: "Eve's"}); err != nil {
			t.Errorf("same sid in another account: %v", err)
		}
		if got, err := s.Template(ctx, f.account.ID, itoa64(tpl.ID)); err != nil || got.SID != "mail" {
			t.Errorf("Template by id = %+v, %v", got, err)
		}
		if _, err := s.Template(ctx, eve.account.ID, itoa64(tpl.ID)); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("another account's template = %v", err)
		}

		for _, in := range []RecordInput{
			{Type: "MX", Content: "mx.{{domain}}", Priority: u16(10)},
			{Type: "TXT", Content: "v=spf1 include:{{domain}} -all"},
			{Name: "mx", Type: "A", Content: "192.0.2.25"},
		} {
			if _, err := s.CreateTemplateRecord(ctx, f.actor, f.account.ID, "mail", in); err != nil {
				t.Fatalf("CreateTemplateRecord(%+v): %v", in, err)
			}
		}
		if _, err := s.CreateTemplateRecord(ctx, f.actor, f.account.ID, "mail", RecordInput{Type: "A", Content: "nope"}); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("bad template record = %v", err)
		}
		trs, p, err := s.TemplateRecords(ctx, f.account.ID, "mail", ListOptions{})
		if err != nil || len(trs) != 3 || p.TotalEntries != 3 || trs[0].Content != "mx.{{domain}}" {
			t.Fatalf("TemplateRecords = %+v, %v", trs, err)
		}

		res, err := s.ApplyTemplate(ctx, f.actor, f.account.ID, "example.com", "mail")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Created) != 3 || res.Created[0].Content != "mx.example.com" || res.Created[1].Content != "v=spf1 include:example.com -all" {
			t.Errorf("ApplyTemplate = %+v", res.Created)
		}
		// Applied twice, its records are duplicates and nothing is added.
		before := snapshot(t, s, f)
		if _, err := s.ApplyTemplate(ctx, f.actor, f.account.ID, "example.com", "mail"); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("ApplyTemplate again = %v, want ErrInvalid", err)
		}
		if after := snapshot(t, s, f); after != before {
			t.Errorf("a refused apply changed the zone")
		}
		if _, err := s.ApplyTemplate(ctx, eve.actor, eve.account.ID, "example.com", "mail"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("apply to another account's domain = %v", err)
		}

		if err := s.DeleteTemplateRecord(ctx, f.actor, f.account.ID, "mail", trs[2].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TemplateRecord(ctx, f.account.ID, "mail", trs[2].ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("TemplateRecord after delete = %v", err)
		}
		up, err := s.UpdateTemplate(ctx, f.actor, f.account.ID, "mail", Template{SID: "mail2", Name: "Mail 2"})
		if err != nil || up.SID != "mail2" || up.ID != tpl.ID {
			t.Errorf("UpdateTemplate = %+v, %v", up, err)
		}
		if err := s.DeleteTemplate(ctx, f.actor, f.account.ID, "mail2"); err != nil {
			t.Fatal(err)
		}
		if ts, _, _ := s.Templates(ctx, f.account.ID, ListOptions{}); len(ts) != 0 {
			t.Errorf("Templates after delete = %+v", ts)
		}
	})
}

func TestContactsAndWebhooks(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "")
		eve := newFixture(t, s, "eve@example.com", "")
		c := Contact{Label: "main", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Phone: "+44.2000000000",
			Address1: "1 St James's Sq", City: "London", StateProvince: "London", PostalCode: "SW1Y 4JU", Country: "GB"}
		got, err := s.CreateContact(ctx, f.actor, f.account.ID, c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateContact(ctx, f.actor, f.account.ID, Contact{FirstName: "x"}); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("incomplete contact = %v", err)
		}
		got.City = "Marylebone"
		if up, err := s.UpdateContact(ctx, f.actor, f.account.ID, got); err != nil || up.City != "Marylebone" {
			t.Errorf("UpdateContact = %+v, %v", up, err)
		}
		if _, err := s.UpdateContact(ctx, eve.actor, eve.account.ID, got); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("UpdateContact of another account's = %v", err)
		}
		if back, err := s.Contact(ctx, f.account.ID, got.ID); err != nil || back.City != "Marylebone" || back.PostalCode != "SW1Y 4JU" {
			t.Errorf("Contact = %+v, %v", back, err)
		}
		if cs, p, err := s.Contacts(ctx, f.account.ID, ListOptions{Sort: "label"}); err != nil || len(cs) != 1 || p.TotalEntries != 1 {
			t.Errorf("Contacts = %+v, %v", cs, err)
		}
		if err := s.DeleteContact(ctx, eve.actor, eve.account.ID, got.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("DeleteContact of another account's = %v", err)
		}
		if err := s.DeleteContact(ctx, f.actor, f.account.ID, got.ID); err != nil {
			t.Fatal(err)
		}

		for _, bad := range []string{"", "ftp://example.com/", "/relative", "https://"} {
			if _, err := s.CreateWebhook(ctx, f.actor, f.account.ID, bad); !errors.Is(err, zone.ErrInvalid) {
				t.Errorf("CreateWebhook(%q) = %v, want ErrInvalid", bad, err)
			}
		}
		w, err := s.CreateWebhook(ctx, f.actor, f.account.ID, "https://hooks.example.com/dns")
		if err != nil {
			t.Fatal(err)
		}
		if ws, err := s.Webhooks(ctx, f.account.ID); err != nil || len(ws) != 1 || ws[0].URL != w.URL {
			t.Errorf("Webhooks = %+v, %v", ws, err)
		}
		if _, err := s.Webhook(ctx, eve.account.ID, w.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("another account's webhook = %v", err)
		}
		if err := s.DeleteWebhook(ctx, f.actor, f.account.ID, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Webhook(ctx, f.account.ID, w.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("Webhook after delete = %v", err)
		}
	})
}
