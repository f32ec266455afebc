package web

import (
	"net/http"
)

// domainsImportPreview is POST /a/{account}/domains/{domain}/import: read
// the zone file and show what importing it would add, change and skip. It
// writes nothing.
func (wb *Web) domainsImportPreview(w http.ResponseWriter, r *http.Request) error {
	v, p, done, err := wb.importFromForm(w, r)
	if done || err != nil {
		return err
	}
	v.Data = p
	wb.render(w, r, http.StatusOK, "domain_import_preview", v)
	return nil
}

// importFromForm reads the import form of a domain (the zone file pasted or
// uploaded) and plans it against the zone as it is now. A file that cannot
// be read or parsed is shown again on the import page, and done is true.
func (wb *Web) importFromForm(w http.ResponseWriter, r *http.Request) (v view, p importPage, done bool, err error) {
	v, err = wb.accountView(r, "Import a zone file")
	if err != nil {
		return v, p, true, err
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return v, p, true, err
	}
	p = importPage{Domain: d}
	text, problem, err := zoneText(r)
	if err != nil {
		return v, p, true, err
	}
	p.Text, p.Error = text, problem
	if p.Error == "" {
		p.Plan, err = wb.planImport(r.Context(), v.Account.ID, d, text)
		if err != nil && !p.syntaxProblem(err) {
			return v, p, true, err
		}
	}
	if p.Error != "" {
		v.Data = p
		wb.render(w, r, http.StatusUnprocessableEntity, "domain_import", v)
		return v, p, true, nil
	}
	p.Digest = p.Plan.Digest()
	v.Title = "Preview the import"
	return v, p, false, nil
}
