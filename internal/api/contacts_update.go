package api

import (
	"fmt"
	"net/http"
)

// contactsUpdate is PATCH /v2/{account}/contacts/{contact}: the fields
// given change, and the contact must still be complete and valid.
func (a *API) contactsUpdate(w http.ResponseWriter, r *http.Request) error {
	acc, id, err := a.contact(r)
	if err != nil {
		return err
	}
	var in contactRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	old, err := a.store.Contact(r.Context(), acc, id)
	if err != nil {
		return notFound(fmt.Errorf("get contact %d of account %d: %w", id, acc, err), "Contact", r.PathValue("contact"))
	}
	c, err := a.store.UpdateContact(r.Context(), actor(r), acc, in.apply(old))
	if err != nil {
		return notFound(fmt.Errorf("update contact %d of account %d: %w", id, acc, err), "Contact", r.PathValue("contact"))
	}
	return data(w, http.StatusOK, toContact(c))
}
