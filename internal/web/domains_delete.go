package web

import (
	"fmt"
	"net/http"
)

// domainsDeletePage is GET /a/{account}/domains/{domain}/delete: are you
// sure?
func (wb *Web) domainsDeletePage(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Delete a domain")
	if err != nil {
		return err
	}
	if !v.CanWrite() {
		return forbidden("You are a read-only member of this account.")
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	v.Data = d
	wb.render(w, r, http.StatusOK, "domain_delete", v)
	return nil
}

// domainsDelete is POST /a/{account}/domains/{domain}/delete: the domain,
// its zone and records go, and DNS stops answering for it.
func (wb *Web) domainsDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Delete a domain")
	if err != nil {
		return err
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	if err := wb.store.DeleteDomain(r.Context(), actor(r), v.Account.ID, d.Name); err != nil {
		return err
	}
	wb.changed(d.Name)
	wb.linksChanged() // it may have been a secondary zone
	wb.flash(w, r, fmt.Sprintf("%s is deleted; its DNS is no longer served.", d.UnicodeName))
	http.Redirect(w, r, v.accountPath("/domains"), http.StatusSeeOther)
	return nil
}
