package web

import (
	"net/http"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/store"
)

// templateRecordForm is the form that adds a record to a template. Its
// fields are the same for every type: the type is chosen in the same form.
type templateRecordForm struct {
	Name, Type, Content, TTL, Priority string
	Errors                             map[string]string
}

// templatePage is the data of a template's page.
type templatePage struct {
	Template store.Template
	Records  []store.TemplateRecord
	Form     templateForm
	Record   templateRecordForm
	Types    []string
}

// templatesShow is GET /a/{account}/templates/{template}: the template, its
// records, and the forms that edit them.
func (wb *Web) templatesShow(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Template")
	if err != nil {
		return err
	}
	p, err := wb.templatePage(r, v)
	if err != nil {
		return err
	}
	v.Data = p
	wb.render(w, r, http.StatusOK, "template", v)
	return nil
}

// templatePage reads the {template} of the path in the view's account.
func (wb *Web) templatePage(r *http.Request, v view) (templatePage, error) {
	t, err := wb.store.Template(r.Context(), v.Account.ID, r.PathValue("template"))
	if err != nil {
		return templatePage{}, err
	}
	recs, _, err := wb.store.TemplateRecords(r.Context(), v.Account.ID, strconv.FormatInt(t.ID, 10), store.ListOptions{PerPage: 100})
	if err != nil {
		return templatePage{}, err
	}
	return templatePage{Template: t, Records: recs, Types: recordTypes,
		Form:   templateForm{SID: t.SID, Name: t.Name, Description: t.Description},
		Record: templateRecordForm{Type: "A", TTL: "3600"}}, nil
}
