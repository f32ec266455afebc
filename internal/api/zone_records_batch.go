package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// zoneRecordsBatch is POST (or PATCH) /v2/{account}/zones/{zone}/batch:
// deletes, then updates, then creates, all applied or none.
//
//	{"creates": [{"name": "ab", "type": "A", "content": "192.0.2.1"}],
//	 "updates": [{"id": 67622534, "content": "192.0.2.2"}],
//	 "deletes": [{"id": 67622509}]}
//
// A refused batch is a 400 that names each failed change by its list and
// index, as DNSimple does.
func (a *API) zoneRecordsBatch(w http.ResponseWriter, r *http.Request) error {
	z, err := a.zone(r)
	if err != nil {
		return err
	}
	var in struct {
		Creates []recordRequest `json:"creates"`
		Updates []recordRequest `json:"updates"`
		Deletes []recordRequest `json:"deletes"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var b store.Batch
	var errs []store.FieldError
	for i, c := range in.Creates {
		errs = append(errs, c.check(fmt.Sprintf("creates[%d].", i))...)
		b.Creates = append(b.Creates, c.input())
	}
	for i, u := range in.Updates {
		errs = append(errs, u.check(fmt.Sprintf("updates[%d].", i))...)
		b.Updates = append(b.Updates, store.BatchUpdate{ID: u.ID, RecordPatch: u.patch()})
	}
	for _, d := range in.Deletes {
		b.Deletes = append(b.Deletes, d.ID)
	}
	if len(errs) > 0 {
		return batchError(&store.ValidationError{Fields: errs})
	}
	res, err := a.store.BatchChange(r.Context(), actor(r), z.AccountID, z.Name, b)
	if errors.Is(err, zone.ErrNotFound) {
		// A record to update or delete is missing: say which.
		err = a.missingRecords(r, z, b, err)
	}
	if err != nil {
		return batchError(fmt.Errorf("batch change of zone %s: %w", z.Name, err))
	}
	a.changed(z.Name)
	out := struct {
		Creates []recordJSON `json:"creates"`
		Updates []recordJSON `json:"updates"`
		Deletes []batchID    `json:"deletes"`
	}{Creates: []recordJSON{}, Updates: []recordJSON{}, Deletes: []batchID{}}
	for _, rec := range res.Created {
		out.Creates = append(out.Creates, toRecord(rec))
	}
	for _, rec := range res.Updated {
		out.Updates = append(out.Updates, toRecord(rec))
	}
	for _, id := range res.Deleted {
		out.Deletes = append(out.Deletes, batchID{id})
	}
	return data(w, http.StatusOK, out)
}

type batchID struct {
	ID int64 `json:"id"`
}

// missingRecords turns the store's not-found of a batch into field errors of
// the changes whose records are missing.
func (a *API) missingRecords(r *http.Request, z store.Zone, b store.Batch, cause error) error {
	var errs []store.FieldError
	check := func(field string, id int64) {
		if _, err := a.store.Record(r.Context(), z.AccountID, z.Name, id); errors.Is(err, zone.ErrNotFound) {
			errs = append(errs, store.FieldError{Field: field, Msg: fmt.Sprintf("Record not found ID=%d", id)})
		}
	}
	for i, u := range b.Updates {
		check(fmt.Sprintf("updates[%d].", i), u.ID)
	}
	for i, id := range b.Deletes {
		check(fmt.Sprintf("deletes[%d].", i), id)
	}
	if len(errs) == 0 {
		return cause
	}
	return fmt.Errorf("%w (%w)", &store.ValidationError{Fields: errs}, cause)
}

// batchError renders a refused batch's field errors in DNSimple's batch
// shape; other errors pass unchanged.
func batchError(err error) error {
	lists, other := batchErrors(err)
	if lists == nil {
		return err
	}
	e := &Error{Status: http.StatusBadRequest, Message: "Validation failed", Err: err}
	if len(lists) > 0 {
		e.Errors = lists
	}
	if len(other) > 0 {
		e.Message = "Validation failed: " + strings.Join(other, "; ")
	}
	return e
}
