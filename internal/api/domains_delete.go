package api

import (
	"fmt"
	"net/http"
)

// domainsDelete is DELETE /v2/{account}/domains/{domain}, by name or id: the
// domain, its zone and its records. The DNS servers stop answering for it.
func (a *API) domainsDelete(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	id := r.PathValue("domain")
	// The zone's name is needed to tell the DNS engine, and an id does not
	// say it.
	d, err := a.store.Domain(r.Context(), acc, id)
	if err != nil {
		return notFound(fmt.Errorf("get domain %q of account %d: %w", id, acc, err), "Domain", id)
	}
	if err := a.store.DeleteDomain(r.Context(), actor(r), acc, id); err != nil {
		return notFound(fmt.Errorf("delete domain %q of account %d: %w", id, acc, err), "Domain", id)
	}
	a.changed(d.Name)
	a.linksChanged() // it may have been a secondary zone
	return noContent(w)
}
