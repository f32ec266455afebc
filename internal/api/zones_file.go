package api

import (
	"fmt"
	"net/http"
	"strings"
)

// zonesFile is GET /v2/{account}/zones/{zone}/file: the zone as served (or
// as it would be, when deactivated), in master-file form, {"data": {"zone": "$ORIGIN example.com.\n..."}}.
func (a *API) zonesFile(w http.ResponseWriter, r *http.Request) error {
	z, err := a.zone(r)
	if err != nil {
		return err
	}
	zd, err := a.store.ZoneContents(r.Context(), z.Name)
	if err != nil {
		return notFound(fmt.Errorf("read zone %s: %w", z.Name, err), "Zone", r.PathValue("zone"))
	}
	var b strings.Builder
	if _, err := zd.WriteTo(&b); err != nil {
		return fmt.Errorf("write zone file of %s: %w", z.Name, err)
	}
	return data(w, http.StatusOK, struct {
		Zone string `json:"zone"`
	}{b.String()})
}
