package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// Contact is a person or organization an account keeps on file, with
// DNSimple's contact fields.
type Contact struct {
	ID               int64
	AccountID        int64
	Label            string
	FirstName        string
	LastName         string
	JobTitle         string
	OrganizationName string
	Email            string
	Phone            string
	Fax              string
	Address1         string
	Address2         string
	City             string
	StateProvince    string
	PostalCode       string
	Country          string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

const contactCols = "id, account_id, label, first_name, last_name, job_title, organization_name, email, phone, fax, address1, address2, city, state_province, postal_code, country, created_at, updated_at"

func (c *Contact) fields() []any {
	return []any{&c.Label, &c.FirstName, &c.LastName, &c.JobTitle, &c.OrganizationName, &c.Email, &c.Phone, &c.Fax,
		&c.Address1, &c.Address2, &c.City, &c.StateProvince, &c.PostalCode, &c.Country}
}

func (c Contact) values() []any {
	return []any{c.Label, c.FirstName, c.LastName, c.JobTitle, c.OrganizationName, c.Email, c.Phone, c.Fax,
		c.Address1, c.Address2, c.City, c.StateProvince, c.PostalCode, c.Country}
}

func scanContact(r interface{ Scan(...any) error }) (Contact, error) {
	var c Contact
	err := r.Scan(append(append([]any{&c.ID, &c.AccountID}, c.fields()...), &c.CreatedAt, &c.UpdatedAt)...)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// checkContact requires the fields DNSimple requires.
func checkContact(c Contact) error {
	ve := &ValidationError{}
	checkText(ve, textField{"label", c.Label, 255, false}, textField{"first_name", c.FirstName, 255, false},
		textField{"last_name", c.LastName, 255, false}, textField{"organization_name", c.OrganizationName, 255, false},
		textField{"job_title", c.JobTitle, 255, false}, textField{"address1", c.Address1, 255, false},
		textField{"address2", c.Address2, 255, false}, textField{"city", c.City, 255, false},
		textField{"state_province", c.StateProvince, 255, false}, textField{"postal_code", c.PostalCode, 64, false},
		textField{"country", c.Country, 2, false}, textField{"email", c.Email, 254, false},
		textField{"phone", c.Phone, 64, false}, textField{"fax", c.Fax, 64, false})
	for _, f := range []struct{ name, v string }{
		{"first_name", c.FirstName}, {"last_name", c.LastName}, {"address1", c.Address1}, {"city", c.City},
		{"state_province", c.StateProvince}, {"postal_code", c.PostalCode}, {"country", c.Country},
		{"email", c.Email}, {"phone", c.Phone},
	} {
		if strings.TrimSpace(f.v) == "" {
			ve.Fields = append(ve.Fields, FieldError{f.name, "can't be blank"})
		}
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || !strings.Contains(c.Email, "@") {
			ve.Fields = append(ve.Fields, FieldError{"email", fmt.Sprintf("%q is not an email address", c.Email)})
		}
	}
	for _, f := range []struct{ name, v string }{{"phone", c.Phone}, {"fax", c.Fax}} {
		if strings.TrimSpace(f.v) != "" && !isPhone(f.v) {
			ve.Fields = append(ve.Fields, FieldError{f.name, fmt.Sprintf("%q is probably not a phone number: write it with its country code, e.g. +18001234567", f.v)})
		}
	}
	if c.Country != "" && !isCountry(c.Country) {
		ve.Fields = append(ve.Fields, FieldError{"country", fmt.Sprintf("%q is not an ISO 3166 country code (two capital letters, e.g. IT)", c.Country)})
	}
	if len(ve.Fields) > 0 {
		return ve
	}
	return nil
}

// isPhone accepts international numbers as registries take them: "+",
// a country code and the number, 7 to 15 digits in all, with spaces, dots,
// dashes or parentheses between them ("+1.8001234567", "+39 06 1234567").
func isPhone(s string) bool {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, "+")
	if !ok {
		return false
	}
	digits := 0
	for _, c := range rest {
		switch {
		case '0' <= c && c <= '9':
			digits++
		case c == ' ' || c == '.' || c == '-' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return 7 <= digits && digits <= 15
}

func (c Contact) audit() map[string]any {
	return map[string]any{"id": c.ID, "label": c.Label, "first_name": c.FirstName, "last_name": c.LastName, "email": c.Email}
}

// CreateContact adds a contact to an account.
func (s *Store) CreateContact(ctx context.Context, a Actor, accountID int64, c Contact) (Contact, error) {
	if err := checkContact(c); err != nil {
		return Contact{}, err
	}
	n := now()
	c.AccountID, c.CreatedAt, c.UpdatedAt = accountID, n, n
	err := s.tx(ctx, func(d db) error {
		if _, err := s.account(ctx, d, accountID); err != nil {
			return err
		}
		args := append(append([]any{accountID}, c.values()...), n, n)
		if err := d.row(ctx, "INSERT INTO contacts ("+strings.TrimPrefix(contactCols, "id, ")+") VALUES "+inList(len(args))+" RETURNING id", args...).Scan(&c.ID); err != nil {
			return err
		}
		if err := audit(ctx, d, a, accountID, "contact.create", "contact", c.ID, nil, c.audit()); err != nil {
			return err
		}
		return s.emit(ctx, d, a, accountID, event{"contact.create", contactData(c)})
	})
	if err != nil {
		return Contact{}, fmt.Errorf("create contact: %w", err)
	}
	return c, nil
}

var contactSort = map[string]string{"id": "id", "label": "label", "email": "email"}

// Contacts returns one page of an account's contacts. Sort keys: id, label,
// email.
func (s *Store) Contacts(ctx context.Context, accountID int64, o ListOptions) ([]Contact, Page, error) {
	out, p, err := list(ctx, s, o, contactSort, contactCols, "FROM contacts WHERE account_id = ?", []any{accountID},
		func(r *sql.Rows) (Contact, error) { return scanContact(r) })
	if err != nil {
		return nil, Page{}, fmt.Errorf("list contacts of account %d: %w", accountID, err)
	}
	return out, p, nil
}

// Contact returns one of an account's contacts.
func (s *Store) Contact(ctx context.Context, accountID, id int64) (Contact, error) {
	return s.contact(ctx, s.read(), accountID, id)
}

func (s *Store) contact(ctx context.Context, d db, accountID, id int64) (Contact, error) {
	c, err := scanContact(d.row(ctx, "SELECT "+contactCols+" FROM contacts WHERE account_id = ? AND id = ?", accountID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, fmt.Errorf("find contact %d: %w", id, zone.ErrNotFound)
	}
	if err != nil {
		return Contact{}, fmt.Errorf("find contact %d: %w", id, err)
	}
	return c, nil
}

// UpdateContact replaces the fields of the contact c.ID with c's. Callers
// that patch read the contact, change it and write it back.
func (s *Store) UpdateContact(ctx context.Context, a Actor, accountID int64, c Contact) (Contact, error) {
	if err := checkContact(c); err != nil {
		return Contact{}, err
	}
	err := s.tx(ctx, func(d db) error {
		old, err := s.contact(ctx, d, accountID, c.ID)
		if err != nil {
			return err
		}
		c.AccountID, c.CreatedAt, c.UpdatedAt = accountID, old.CreatedAt, now()
		sets := "label = ?, first_name = ?, last_name = ?, job_title = ?, organization_name = ?, email = ?, phone = ?, fax = ?, address1 = ?, address2 = ?, city = ?, state_province = ?, postal_code = ?, country = ?, updated_at = ?"
		if _, err := d.exec(ctx, "UPDATE contacts SET "+sets+" WHERE id = ?", append(c.values(), c.UpdatedAt, c.ID)...); err != nil {
			return fmt.Errorf("update contact %d: %w", c.ID, err)
		}
		if err := audit(ctx, d, a, accountID, "contact.update", "contact", c.ID, old.audit(), c.audit()); err != nil {
			return err
		}
		return s.emit(ctx, d, a, accountID, event{"contact.update", contactData(c)})
	})
	if err != nil {
		return Contact{}, err
	}
	return c, nil
}

// DeleteContact deletes one of an account's contacts.
func (s *Store) DeleteContact(ctx context.Context, a Actor, accountID, id int64) error {
	return s.tx(ctx, func(d db) error {
		c, err := s.contact(ctx, d, accountID, id)
		if err != nil {
			return err
		}
		if _, err := d.exec(ctx, "DELETE FROM contacts WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete contact %d: %w", id, err)
		}
		if err := audit(ctx, d, a, accountID, "contact.delete", "contact", id, c.audit(), nil); err != nil {
			return err
		}
		return s.emit(ctx, d, a, accountID, event{"contact.delete", contactData(c)})
	})
}
