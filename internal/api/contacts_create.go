package api

import (
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// contactsCreate is POST /v2/{account}/contacts with DNSimple's contact
// fields. first_name, last_name, address1, city, state_province,
// postal_code, country (ISO 3166 code), email and phone (+<country
// code><number>) are required.
func (a *API) contactsCreate(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	var in contactRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := a.store.CreateContact(r.Context(), actor(r), acc, in.apply(store.Contact{}))
	if err != nil {
		return fmt.Errorf("create contact in account %d: %w", acc, err)
	}
	return data(w, http.StatusCreated, toContact(c))
}
