package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// recordsCreate is POST /a/{account}/domains/{domain}/records. A refused
// record shows the form again with the problems beside their fields.
func (wb *Web) recordsCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Add a record")
	if err != nil {
		return err
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	t := strings.ToUpper(r.PostFormValue("type"))
	if !slices.Contains(recordTypes, t) {
		return &Error{Status: http.StatusBadRequest, Message: "Choose one of the record types offered."}
	}
	f := readRecordForm(r, t)
	ttl, prio := f.numbers()
	if len(f.Errors) == 0 {
		in := store.RecordInput{Name: f.Name, Type: t, Content: f.content(), Priority: prio}
		if ttl != nil {
			in.TTL = *ttl
		}
		rec, err := wb.store.CreateRecord(r.Context(), actor(r), v.Account.ID, d.Name, in)
		if err == nil {
			wb.changed(d.Name)
			wb.flash(w, r, fmt.Sprintf("The %s record %s is added and served.", rec.Type, recordName(rec.Name)))
			http.Redirect(w, r, v.accountPath("/domains/"+url.PathEscape(d.Name)), http.StatusSeeOther)
			return nil
		}
		if err := f.refused(err); err != nil {
			return err
		}
	}
	v.Data = recordPage{Domain: d, Types: recordTypes, Form: f}
	wb.render(w, r, http.StatusUnprocessableEntity, "record_form", v)
	return nil
}
