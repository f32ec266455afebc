package api

import (
	"fmt"
	"net/http"
)

// zoneRecordsDistribution is GET
// /v2/{account}/zones/{zone}/records/{record}/distribution: whether the DNS
// servers answer with the zone's current version, which has the record.
func (a *API) zoneRecordsDistribution(w http.ResponseWriter, r *http.Request) error {
	acc, zoneName, id, err := a.record(r)
	if err != nil {
		return err
	}
	rec, err := a.store.Record(r.Context(), acc, zoneName, id)
	if err != nil {
		return a.recordErr(r, acc, fmt.Errorf("get record %d of zone %q: %w", id, zoneName, err))
	}
	return a.distribution(w, r, rec.ZoneName)
}
