package api

import (
	"fmt"
	"net/http"
)

// domainsGet is GET /v2/{account}/domains/{domain}, by name or id.
func (a *API) domainsGet(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	id := r.PathValue("domain")
	d, err := a.store.Domain(r.Context(), acc, id)
	if err != nil {
		return notFound(fmt.Errorf("get domain %q of account %d: %w", id, acc, err), "Domain", id)
	}
	return data(w, http.StatusOK, toDomain(d))
}
