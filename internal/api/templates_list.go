package api

import (
	"fmt"
	"net/http"
)

// templatesList is GET /v2/{account}/templates: sort by id, name or sid,
// paginated.
func (a *API) templatesList(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	ts, page, err := a.store.Templates(r.Context(), acc, o)
	if err != nil {
		return fmt.Errorf("list templates of account %d: %w", acc, err)
	}
	return list(w, ts, page, toTemplate)
}
