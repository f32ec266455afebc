package api

import (
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// zoneRecordsCreate is POST /v2/{account}/zones/{zone}/records
// {"name": "www", "type": "A", "content": "192.0.2.1", "ttl": 600}.
func (a *API) zoneRecordsCreate(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
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
	name := zoneName(r)
	rec, err := a.store.CreateRecord(r.Context(), actor(r), acc, name, in.input())
	if err != nil {
		return notFound(fmt.Errorf("create record in zone %q of account %d: %w", name, acc, err), "Zone", r.PathValue("zone"))
	}
	a.changed(rec.ZoneName)
	return data(w, http.StatusCreated, toRecord(rec))
}
