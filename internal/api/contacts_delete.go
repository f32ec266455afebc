package api

import (
	"fmt"
	"net/http"
)

// contactsDelete is DELETE /v2/{account}/contacts/{contact}.
func (a *API) contactsDelete(w http.ResponseWriter, r *http.Request) error {
	acc, id, err := a.contact(r)
	if err != nil {
		return err
	}
	if err := a.store.DeleteContact(r.Context(), actor(r), acc, id); err != nil {
		return notFound(fmt.Errorf("delete contact %d of account %d: %w", id, acc, err), "Contact", r.PathValue("contact"))
	}
	return noContent(w)
}
