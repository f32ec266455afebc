package api

import (
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

type contactJSON struct {
	ID               int64     `json:"id"`
	AccountID        int64     `json:"account_id"`
	Label            string    `json:"label"`
	FirstName        string    `json:"first_name"`
	LastName         string    `json:"last_name"`
	JobTitle         string    `json:"job_title"`
	OrganizationName string    `json:"organization_name"`
	Email            string    `json:"email"`
	Phone            string    `json:"phone"`
	Fax              string    `json:"fax"`
	Address1         string    `json:"address1"`
	Address2         string    `json:"address2"`
	City             string    `json:"city"`
	StateProvince    string    `json:"state_province"`
	PostalCode       string    `json:"postal_code"`
	Country          string    `json:"country"`
	CreatedAt        timestamp `json:"created_at"`
	UpdatedAt        timestamp `json:"updated_at"`
}

func toContact(c store.Contact) contactJSON {
	return contactJSON{ID: c.ID, AccountID: c.AccountID, Label: c.Label, FirstName: c.FirstName, LastName: c.LastName,
		JobTitle: c.JobTitle, OrganizationName: c.OrganizationName, Email: c.Email, Phone: c.Phone, Fax: c.Fax,
		Address1: c.Address1, Address2: c.Address2, City: c.City, StateProvince: c.StateProvince,
		PostalCode: c.PostalCode, Country: c.Country,
		CreatedAt: timestamp(c.CreatedAt), UpdatedAt: timestamp(c.UpdatedAt)}
}

// contactRequest is the body of a contact create or update; absent fields
// are nil.
type contactRequest struct {
	Label            *string `json:"label"`
	FirstName        *string `json:"first_name"`
	LastName         *string `json:"last_name"`
	JobTitle         *string `json:"job_title"`
	OrganizationName *string `json:"organization_name"`
	Email            *string `json:"email"`
	Phone            *string `json:"phone"`
	Fax              *string `json:"fax"`
	Address1         *string `json:"address1"`
	Address2         *string `json:"address2"`
	City             *string `json:"city"`
	StateProvince    *string `json:"state_province"`
	PostalCode       *string `json:"postal_code"`
	Country          *string `json:"country"`
}

// apply sets c's fields to those the request gives, trimmed; the country
// code in capitals.
func (q contactRequest) apply(c store.Contact) store.Contact {
	for _, f := range []struct {
		in  *string
		out *string
	}{
		{q.Label, &c.Label}, {q.FirstName, &c.FirstName}, {q.LastName, &c.LastName}, {q.JobTitle, &c.JobTitle},
		{q.OrganizationName, &c.OrganizationName}, {q.Email, &c.Email}, {q.Phone, &c.Phone}, {q.Fax, &c.Fax},
		{q.Address1, &c.Address1}, {q.Address2, &c.Address2}, {q.City, &c.City},
		{q.StateProvince, &c.StateProvince}, {q.PostalCode, &c.PostalCode}, {q.Country, &c.Country},
	} {
		if f.in != nil {
			*f.out = strings.TrimSpace(*f.in)
		}
	}
	c.Country = strings.ToUpper(c.Country)
	return c
}
