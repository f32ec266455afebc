package web

import (
	"net/http"
)

// domainsImportPreview is POST /a/{account}/domains/{domain}/import: read
// the zone file and show what importing it would add, change and skip. It
// writes nothing.
func (wb *Web) domainsImportPreview(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Import a zone file")
	if err != nil {
		return err
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	p := importPage{Domain: d}
	text, problem, err := zoneText(r)
	if err != nil {
		return err
	}
	p.Text, p.Error = text, problem
	if p.Error == "" {
		p.Plan, err = wb.planImport(r.Context(), v.Account.ID, d, text)
		if err != nil && !p.syntaxProblem(err) {
			return err
		}
	}
	v.Data = p
	if p.Error != "" {
		wb.render(w, r, http.StatusUnprocessableEntity, "domain_import", v)
		return nil
	}
	p.Digest = p.Plan.Digest()
	v.Data = p
	v.Title = "Preview the import"
	wb.render(w, r, http.StatusOK, "domain_import_preview", v)
	return nil
}
