package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/zonewarden/zonewarden/internal/store"
)

// recordDeletePage is the data of the delete confirmation.
type recordDeletePage struct {
	Domain store.Domain
	Record store.Record
}

// recordsDeletePage is GET .../records/{record}/delete: are you sure?
func (wb *Web) recordsDeletePage(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Delete a record")
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
		return forbidden("This record is managed by Zonewarden (the SOA and the apex NS records) and cannot be deleted.")
	}
	v.Data = recordDeletePage{Domain: d, Record: rec}
	wb.render(w, r, http.StatusOK, "record_delete", v)
	return nil
}

// recordsDelete is POST .../records/{record}/delete.
func (wb *Web) recordsDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Delete a record")
	if err != nil {
		return err
	}
	d, rec, err := wb.recordOf(r, v)
	if err != nil {
		return err
	}
	if err := wb.store.DeleteRecord(r.Context(), actor(r), v.Account.ID, d.Name, rec.ID); err != nil {
		return err
	}
	wb.changed(d.Name)
	wb.flash(w, r, fmt.Sprintf("The %s record %s is deleted.", rec.Type, recordName(rec.Name)))
	http.Redirect(w, r, v.accountPath("/domains/"+url.PathEscape(d.Name)), http.StatusSeeOther)
	return nil
}
