package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// contactsGet is GET /v2/{account}/contacts/{contact}.
func (a *API) contactsGet(w http.ResponseWriter, r *http.Request) error {
	acc, id, err := a.contact(r)
	if err != nil {
		return err
	}
	c, err := a.store.Contact(r.Context(), acc, id)
	if err != nil {
		return notFound(fmt.Errorf("get contact %d of account %d: %w", id, acc, err), "Contact", r.PathValue("contact"))
	}
	return data(w, http.StatusOK, toContact(c))
}

// contact reads the account and contact id of a contact's path.
func (a *API) contact(r *http.Request) (acc, id int64, err error) {
	acc, err = a.account(r)
	if err != nil {
		return 0, 0, err
	}
	s := r.PathValue("contact")
	id, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil || id <= 0 {
		return 0, 0, notFound(fmt.Errorf("contact id %q: %w", s, zone.ErrNotFound), "Contact", s)
	}
	return acc, id, nil
}
