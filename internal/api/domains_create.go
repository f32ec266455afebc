package api

import (
	"fmt"
	"net/http"
)

// domainsCreate is POST /v2/{account}/domains {"name": "example.com"}: the
// domain and its zone, with SOA and NS system records.
func (a *API) domainsCreate(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := a.hostable(in.Name); err != nil {
		return err
	}
	d, err := a.store.CreateDomain(r.Context(), actor(r), acc, in.Name)
	if err != nil {
		return fmt.Errorf("create domain %q in account %d: %w", in.Name, acc, err)
	}
	a.changed(d.Name)
	return data(w, http.StatusCreated, toDomain(d))
}
