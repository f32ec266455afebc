package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// zoneRecordsGet is GET /v2/{account}/zones/{zone}/records/{record}.
func (a *API) zoneRecordsGet(w http.ResponseWriter, r *http.Request) error {
	acc, zoneName, id, err := a.record(r)
	if err != nil {
		return err
	}
	rec, err := a.store.Record(r.Context(), acc, zoneName, id)
	if err != nil {
		return a.recordErr(r, acc, fmt.Errorf("get record %d of zone %q: %w", id, zoneName, err))
	}
	return data(w, http.StatusOK, toRecord(rec))
}

// record reads the account, zone and record id of a record's path.
func (a *API) record(r *http.Request) (acc int64, zname string, id int64, err error) {
	acc, err = a.account(r)
	if err != nil {
		return 0, "", 0, err
	}
	s := r.PathValue("record")
	id, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil || id <= 0 {
		return 0, "", 0, notFound(fmt.Errorf("record id %q: %w", s, zone.ErrNotFound), "Record", s)
	}
	return acc, zoneName(r), id, nil
}

// recordErr names what was not found when a record's zone or the record is
// missing: DNSimple says which.
func (a *API) recordErr(r *http.Request, acc int64, err error) error {
	if _, zerr := a.store.Zone(r.Context(), acc, zoneName(r)); zerr != nil {
		return notFound(err, "Zone", r.PathValue("zone"))
	}
	return notFound(err, "Record", r.PathValue("record"))
}
