package web

import (
	"fmt"
	"net/http"
	"strconv"
)

// templateRecordsDelete is POST
// /a/{account}/templates/{template}/records/{record}/delete.
func (wb *Web) templateRecordsDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Template")
	if err != nil {
		return err
	}
	t, err := wb.store.Template(r.Context(), v.Account.ID, r.PathValue("template"))
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("record"), 10, 64)
	if err != nil {
		return notFound(fmt.Errorf("template record %q", r.PathValue("record")))
	}
	tid := strconv.FormatInt(t.ID, 10)
	rec, err := wb.store.TemplateRecord(r.Context(), v.Account.ID, tid, id)
	if err != nil {
		return err
	}
	if err := wb.store.DeleteTemplateRecord(r.Context(), actor(r), v.Account.ID, tid, id); err != nil {
		return err
	}
	wb.flash(w, r, fmt.Sprintf("The %s record %s is removed from the template.", rec.Type, recordName(rec.Name)))
	http.Redirect(w, r, v.accountPath(fmt.Sprintf("/templates/%d", t.ID)), http.StatusSeeOther)
	return nil
}
