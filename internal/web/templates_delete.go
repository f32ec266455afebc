package web

import (
	"fmt"
	"net/http"
	"strconv"
)

// templatesDeletePage is GET /a/{account}/templates/{template}/delete: are
// you sure?
func (wb *Web) templatesDeletePage(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Delete a template")
	if err != nil {
		return err
	}
	if !v.CanWrite() {
		return forbidden("You are a read-only member of this account.")
	}
	p, err := wb.templatePage(r, v)
	if err != nil {
		return err
	}
	v.Data = p
	wb.render(w, r, http.StatusOK, "template_delete", v)
	return nil
}

// templatesDelete is POST /a/{account}/templates/{template}/delete. The
// domains it was applied to keep their records.
func (wb *Web) templatesDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Delete a template")
	if err != nil {
		return err
	}
	t, err := wb.store.Template(r.Context(), v.Account.ID, r.PathValue("template"))
	if err != nil {
		return err
	}
	if err := wb.store.DeleteTemplate(r.Context(), actor(r), v.Account.ID, strconv.FormatInt(t.ID, 10)); err != nil {
		return err
	}
	wb.flash(w, r, fmt.Sprintf("The template %s is deleted. The domains it was applied to keep its records.", t.Name))
	http.Redirect(w, r, v.accountPath("/templates"), http.StatusSeeOther)
	return nil
}
