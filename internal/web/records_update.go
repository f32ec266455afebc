package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/zonewarden/zonewarden/internal/store"
)

// recordsUpdate is POST /a/{account}/domains/{domain}/records/{record}.
func (wb *Web) recordsUpdate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Edit a record")
	if err != nil {
		return err
	}
	d, rec, err := wb.recordOf(r, v)
	if err != nil {
		return err
	}
	f := readRecordForm(r, rec.Type)
	f.ID = rec.ID
	ttl, prio := f.numbers()
	if len(f.Errors) == 0 {
		content := f.content()
		p := store.RecordPatch{Name: &f.Name, Content: &content, TTL: ttl, Priority: prio}
		rec, err := wb.store.UpdateRecord(r.Context(), actor(r), v.Account.ID, d.Name, rec.ID, p)
		if err == nil {
			wb.changed(d.Name)
			wb.flash(w, r, fmt.Sprintf("The %s record %s is saved and served.", rec.Type, recordName(rec.Name)))
			http.Redirect(w, r, v.accountPath("/domains/"+url.PathEscape(d.Name)), http.StatusSeeOther)
			return nil
		}
		if err := f.refused(err); err != nil {
			return err
		}
	}
	v.Data = recordPage{Domain: d, Form: f}
	wb.render(w, r, http.StatusUnprocessableEntity, "record_form", v)
	return nil
}
