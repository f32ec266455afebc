package api

import (
	"fmt"
	"net/http"
)

// secondaryDNSPrimariesList is GET /v2/{account}/secondary_dns/primaries:
// the account's primary servers, sort by id or name, paginated.
func (a *API) secondaryDNSPrimariesList(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	ps, page, err := a.store.PrimaryServers(r.Context(), acc, o)
	if err != nil {
		return fmt.Errorf("list primary servers of account %d: %w", acc, err)
	}
	return list(w, ps, page, toPrimaryServer)
}
