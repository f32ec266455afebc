package web

import (
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// delegationPage is the data of a domain's delegation page.
type delegationPage struct {
	Domain      store.Domain
	Zone        store.Zone
	Delegation  delegation
	Distributed *bool  // nil when not known
	Problem     string // why distribution is not known
}

// domainsDelegation is GET /a/{account}/domains/{domain}/delegation: is the
// domain delegated to this installation's name servers (a live NS lookup),
// and do they answer with its latest change?
func (wb *Web) domainsDelegation(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Delegation")
	if err != nil {
		return err
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	z, err := wb.store.Zone(r.Context(), v.Account.ID, d.Name)
	if err != nil {
		return err
	}
	p := delegationPage{Domain: d, Zone: z, Delegation: wb.checkDelegation(r.Context(), d.Name)}
	if wb.cfg.Distributed != nil {
		ok, err := wb.cfg.Distributed(r.Context(), d.Name)
		if err != nil {
			wb.log.Warn("check distribution", "zone", d.Name, "err", err)
			p.Problem = "Whether the name servers answer with the latest change could not be checked. Try again in a moment."
		} else {
			p.Distributed = &ok
		}
	}
	v.Title = fmt.Sprintf("Delegation of %s", d.UnicodeName)
	v.Data = p
	wb.render(w, r, http.StatusOK, "domain_delegation", v)
	return nil
}
