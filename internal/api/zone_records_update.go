package api

import (
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// zoneRecordsUpdate is PATCH /v2/{account}/zones/{zone}/records/{record}:
// the fields given change (name, content, ttl, priority, regions); a type
// cannot (the record's own is accepted, as clients may send it back).
func (a *API) zoneRecordsUpdate(w http.ResponseWriter, r *http.Request) error {
	acc, zoneName, id, err := a.record(r)
	if err != nil {
		return err
	}
	var in recordRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	if errs := in.check(""); len(errs) > 0 {
		return &store.ValidationError{Fields: errs}
	}
	rec, err := a.store.UpdateRecord(r.Context(), actor(r), acc, zoneName, id, in.patch())
	if err != nil {
		return a.recordErr(r, acc, fmt.Errorf("update record %d of zone %q: %w", id, zoneName, err))
	}
	a.changed(rec.ZoneName)
	return data(w, http.StatusOK, toRecord(rec))
}
