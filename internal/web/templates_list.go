package web

import (
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// templateForm is the form that creates or edits a template.
type templateForm struct {
	SID, Name, Description string
	Errors                 map[string]string
}

// templatesPage is the data of the account's templates page.
type templatesPage struct {
	Templates []store.Template
	Pager     pager
	Form      templateForm
}

// templatesList is GET /a/{account}/templates: the account's templates, and
// the form that creates one.
func (wb *Web) templatesList(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Templates")
	if err != nil {
		return err
	}
	p, err := wb.templatesPage(r, v)
	if err != nil {
		return err
	}
	v.Data = p
	wb.render(w, r, http.StatusOK, "templates", v)
	return nil
}

func (wb *Web) templatesPage(r *http.Request, v view) (templatesPage, error) {
	q := r.URL.Query()
	list, page, err := wb.store.Templates(r.Context(), v.Account.ID, store.ListOptions{Page: pageNumber(q), PerPage: 50, Sort: "name:asc"})
	if err != nil {
		return templatesPage{}, err
	}
	return templatesPage{Templates: list, Pager: newPager(page, nil)}, nil
}
