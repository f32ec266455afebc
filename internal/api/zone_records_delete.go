package api

import (
	"fmt"
	"net/http"
)

// zoneRecordsDelete is DELETE /v2/{account}/zones/{zone}/records/{record}.
func (a *API) zoneRecordsDelete(w http.ResponseWriter, r *http.Request) error {
	acc, zoneName, id, err := a.record(r)
	if err != nil {
		return err
	}
	if err := a.store.DeleteRecord(r.Context(), actor(r), acc, zoneName, id); err != nil {
		return a.recordErr(r, acc, fmt.Errorf("delete record %d of zone %q: %w", id, zoneName, err))
	}
	a.changed(zoneName)
	return noContent(w)
}
