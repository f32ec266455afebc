package api

import (
	"fmt"
	"net/http"
)

// zonesList is GET /v2/{account}/zones: filter name_like, sort by id or
// name, paginated.
func (a *API) zonesList(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	zones, page, err := a.store.Zones(r.Context(), acc, r.URL.Query().Get("name_like"), o)
	if err != nil {
		return fmt.Errorf("list zones of account %d: %w", acc, err)
	}
	return list(w, zones, page, toZone)
}
