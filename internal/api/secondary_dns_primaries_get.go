package api

import (
	"fmt"
	"net/http"
)

// secondaryDNSPrimariesGet is GET /v2/{account}/secondary_dns/primaries/{primaryserver},
// by id or name.
func (a *API) secondaryDNSPrimariesGet(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	id := r.PathValue("primaryserver")
	p, err := a.store.PrimaryServer(r.Context(), acc, id)
	if err != nil {
		return notFound(fmt.Errorf("get primary server %q of account %d: %w", id, acc, err), "Primary server", id)
	}
	return data(w, http.StatusOK, toPrimaryServer(p))
}
