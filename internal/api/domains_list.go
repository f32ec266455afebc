package api

import (
	"fmt"
	"net/http"
)

// domainsList is GET /v2/{account}/domains: filter name_like, sort by id,
// name or expiration, paginated.
func (a *API) domainsList(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	domains, page, err := a.store.Domains(r.Context(), acc, r.URL.Query().Get("name_like"), o)
	if err != nil {
		return fmt.Errorf("list domains of account %d: %w", acc, err)
	}
	return list(w, domains, page, toDomain)
}
