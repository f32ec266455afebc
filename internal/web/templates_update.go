package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/store"
)

// templatesUpdate is POST /a/{account}/templates/{template}: its name,
// short name and description.
func (wb *Web) templatesUpdate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Template")
	if err != nil {
		return err
	}
	p, err := wb.templatePage(r, v)
	if err != nil {
		return err
	}
	f := readTemplateForm(r)
	t, err := wb.store.UpdateTemplate(r.Context(), actor(r), v.Account.ID, strconv.FormatInt(p.Template.ID, 10),
		store.Template{SID: f.SID, Name: f.Name, Description: f.Description})
	if err == nil {
		wb.flash(w, r, fmt.Sprintf("The template %s is saved.", t.Name))
		http.Redirect(w, r, v.accountPath(fmt.Sprintf("/templates/%d", t.ID)), http.StatusSeeOther)
		return nil
	}
	if err := f.refused(err); err != nil {
		return err
	}
	p.Form = f
	v.Data = p
	wb.render(w, r, http.StatusUnprocessableEntity, "template", v)
	return nil
}
