package api

import (
	"fmt"
	"net/http"
)

// contactsList is GET /v2/{account}/contacts: sort by id, label or email,
// paginated.
func (a *API) contactsList(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	cs, page, err := a.store.Contacts(r.Context(), acc, o)
	if err != nil {
		return fmt.Errorf("list contacts of account %d: %w", acc, err)
	}
	return list(w, cs, page, toContact)
}
