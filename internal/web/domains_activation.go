package web

import (
	"fmt"
	"net/http"
	"net/url"
)

// domainsActivate is POST /a/{account}/domains/{domain}/activate: the
// domain's zone is served again, with the changes made while it was not.
func (wb *Web) domainsActivate(w http.ResponseWriter, r *http.Request) error {
	return wb.domainActivation(w, r, true)
}

// domainsDeactivate is POST /a/{account}/domains/{domain}/deactivate: the
// zone and its records are kept, but the name servers stop answering for
// it and secondaries drop it.
func (wb *Web) domainsDeactivate(w http.ResponseWriter, r *http.Request) error {
	return wb.domainActivation(w, r, false)
}

func (wb *Web) domainActivation(w http.ResponseWriter, r *http.Request, active bool) error {
	v, err := wb.accountView(r, "")
	if err != nil {
		return err
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	do, msg := wb.store.ActivateZone, "DNS for %s is active: the name servers answer for it."
	if !active {
		do, msg = wb.store.DeactivateZone, "DNS for %s is deactivated: the name servers no longer answer for it. Its records are kept."
	}
	if _, err := do(r.Context(), actor(r), v.Account.ID, d.Name); err != nil {
		return err
	}
	wb.changed(d.Name)
	wb.flash(w, r, fmt.Sprintf(msg, d.UnicodeName))
	http.Redirect(w, r, v.accountPath("/domains/"+url.PathEscape(d.Name)), http.StatusSeeOther)
	return nil
}
