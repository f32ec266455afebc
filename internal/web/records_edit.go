package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/store"
)

// recordOf reads the {domain} and {record} of the path, in the view's
// account.
func (wb *Web) recordOf(r *http.Request, v view) (store.Domain, store.Record, error) {
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return store.Domain{}, store.Record{}, err
	}
	id, err := strconv.ParseInt(r.PathValue("record"), 10, 64)
	if err != nil {
		return store.Domain{}, store.Record{}, notFound(fmt.Errorf("record %q", r.PathValue("record")))
	}
	rec, err := wb.store.Record(r.Context(), v.Account.ID, d.Name, id)
	if err != nil {
		return store.Domain{}, store.Record{}, err
	}
	return d, rec, nil
}

// recordsEdit is GET /a/{account}/domains/{domain}/records/{record}/edit.
func (wb *Web) recordsEdit(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Edit a record")
	if err != nil {
		return err
	}
	if !v.CanWrite() {
		return forbidden("You are a read-only member of this account.")
	}
	d, rec, err := wb.recordOf(r, v)
	if err != nil {
		return err
	}
	if rec.SystemRecord {
		return forbidden("This record is managed by Zonewarden (the SOA and the apex NS records) and cannot be edited.")
	}
	v.Data = recordPage{Domain: d, Form: formFromRecord(rec)}
	wb.render(w, r, http.StatusOK, "record_form", v)
	return nil
}
