package web

import (
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// templateChoice is a template and its records, as the domain's template
// page offers it.
type templateChoice struct {
	Template store.Template
	Records  []store.TemplateRecord
}

// domainTemplatesPage is the data of a domain's template page.
type domainTemplatesPage struct {
	Domain    store.Domain
	Templates []templateChoice
	Problem   string // why the template was not applied
}

// domainsTemplates is GET /a/{account}/domains/{domain}/templates: the
// account's templates, each with its records and a button to apply it.
func (wb *Web) domainsTemplates(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Apply a template")
	if err != nil {
		return err
	}
	if !v.CanWrite() {
		return forbidden("You are a read-only member of this account.")
	}
	p, err := wb.domainTemplates(r, v)
	if err != nil {
		return err
	}
	v.Data = p
	wb.render(w, r, http.StatusOK, "domain_templates", v)
	return nil
}

// templatesShown is how many templates the page lists: an account has few.
const templatesShown = 100

func (wb *Web) domainTemplates(r *http.Request, v view) (domainTemplatesPage, error) {
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return domainTemplatesPage{}, err
	}
	p := domainTemplatesPage{Domain: d}
	ts, _, err := wb.store.Templates(r.Context(), v.Account.ID, store.ListOptions{PerPage: templatesShown, Sort: "name:asc"})
	if err != nil {
		return p, err
	}
	for _, t := range ts {
		recs, _, err := wb.store.TemplateRecords(r.Context(), v.Account.ID, t.SID, store.ListOptions{PerPage: 100})
		if err != nil {
			return p, err
		}
		p.Templates = append(p.Templates, templateChoice{Template: t, Records: recs})
	}
	return p, nil
}
