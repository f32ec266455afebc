package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// readTemplateForm reads the template form as posted.
func readTemplateForm(r *http.Request) templateForm {
	return templateForm{SID: strings.TrimSpace(r.PostFormValue("sid")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Description: strings.TrimSpace(r.PostFormValue("description")), Errors: map[string]string{}}
}

// refused puts the store's refusal of a template on the form's fields.
// It returns err when it is not a refusal.
func (f *templateForm) refused(err error) error {
	var ve *store.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, fe := range ve.Fields {
			switch fe.Field {
			case "name":
				f.Errors["name"] = "Name the template, for example “Google Workspace mail”."
			case "sid":
				f.Errors["sid"] = sentence("The short name " + fe.Msg)
			default:
				f.Errors["name"] = sentence(fe.Msg)
			}
		}
	case errors.Is(err, zone.ErrConflict):
		f.Errors["sid"] = fmt.Sprintf("Another template of this account has the short name %q. Choose another.", f.SID)
	default:
		return err
	}
	return nil
}

// templatesCreate is POST /a/{account}/templates.
func (wb *Web) templatesCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Templates")
	if err != nil {
		return err
	}
	f := readTemplateForm(r)
	t, err := wb.store.CreateTemplate(r.Context(), actor(r), v.Account.ID, store.Template{SID: f.SID, Name: f.Name, Description: f.Description})
	if err == nil {
		wb.flash(w, r, fmt.Sprintf("The template %s is created. Add its records below.", t.Name))
		http.Redirect(w, r, v.accountPath(fmt.Sprintf("/templates/%d", t.ID)), http.StatusSeeOther)
		return nil
	}
	if err := f.refused(err); err != nil {
		return err
	}
	p, err := wb.templatesPage(r, v)
	if err != nil {
		return err
	}
	p.Form = f
	v.Data = p
	wb.render(w, r, http.StatusUnprocessableEntity, "templates", v)
	return nil
}
