package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
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
	// Each change is decoded alone, so that a value of the wrong type is
	// reported on its change (deletes[1].id), as other errors are.
	var in struct {
		Creates []json.RawMessage `json:"creates"`
		Updates []json.RawMessage `json:"updates"`
		Deletes []json.RawMessage `json:"deletes"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	var b store.Batch
	var errs []store.FieldError
	for i, raw := range in.Creates {
		prefix := fmt.Sprintf("creates[%d]", i)
		c, ok := batchChange(raw, prefix, &errs)
		if !ok {
			continue
		}
		errs = append(errs, c.check(prefix+".")...)
		b.Creates = append(b.Creates, c.input())
	}
	for i, raw := range in.Updates {
		prefix := fmt.Sprintf("updates[%d]", i)
		u, ok := batchChange(raw, prefix, &errs)
		if !ok {
			continue
		}
		id, ok := u.id(prefix, &errs)
		errs = append(errs, u.check(prefix+".")...)
		if ok {
			b.Updates = append(b.Updates, store.BatchUpdate{ID: id, RecordPatch: u.patch()})
		}
	}
	for i, raw := range in.Deletes {
		prefix := fmt.Sprintf("deletes[%d]", i)
		d, ok := batchChange(raw, prefix, &errs)
		if !ok {
			continue
		}
		if id, ok := d.id(prefix, &errs); ok {
			b.Deletes = append(b.Deletes, id)
		}
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

// batchChange decodes one change of a batch; when it cannot, it adds the
// error, on the change named by prefix (creates[1]), to errs.
func batchChange(raw json.RawMessage, prefix string, errs *[]store.FieldError) (recordRequest, bool) {
	var it recordRequest
	if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		*errs = append(*errs, store.FieldError{Field: prefix, Msg: fmt.Sprintf("%s must be an object, not %s", prefix, jsonKind(raw))})
		return it, false
	}
	if err := json.Unmarshal(raw, &it); err != nil {
		field, msg := prefix, prefix+" is not a change: "+err.Error()
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
			field, msg = prefix+"."+te.Field, mustBe(te.Type.Kind().String())
		}
		*errs = append(*errs, store.FieldError{Field: field, Msg: msg})
		return it, false
	}
	return it, true
}

// id is the record id of an update or a delete: a positive whole number.
func (it recordRequest) id(prefix string, errs *[]store.FieldError) (int64, bool) {
	raw := bytes.TrimSpace(it.ID)
	fail := func(msg string) (int64, bool) {
		*errs = append(*errs, store.FieldError{Field: prefix + ".id", Msg: msg})
		return 0, false
	}
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return fail("is required")
	case raw[0] != '-' && (raw[0] < '0' || raw[0] > '9'):
		return fail("must be a number")
	}
	id, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || id < 1 {
		return fail(fmt.Sprintf("%s is not a record id", raw))
	}
	return id, true
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
