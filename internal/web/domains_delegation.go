package web

import (
	"context"
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
// domain delegated to the name servers its zone lists (a live NS lookup),
// and do they answer with its latest change? The zone's list, not the
// installation's defaults, is the reference: a zone moved to other name
// servers on its name servers page is delegated right when the parent
// agrees with it.
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
	ours, err := wb.apexNameServers(r.Context(), v.Account.ID, d.Name)
	if err != nil {
		return err
	}
	p := delegationPage{Domain: d, Zone: z, Delegation: wb.checkDelegation(r.Context(), d.Name, ours)}
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

// apexNameServers are the NS records at the zone's apex, the ones
// Zonewarden manages and any added by hand, as the zone answers them; a
// zone without any falls back to this installation's name servers.
func (wb *Web) apexNameServers(ctx context.Context, accountID int64, zoneName string) ([]string, error) {
	recs, _, err := wb.store.Records(ctx, accountID, zoneName, store.RecordFilter{Name: new(""), Type: "NS"}, store.ListOptions{PerPage: 100})
	if err != nil {
		return nil, fmt.Errorf("list name servers of %s: %w", zoneName, err)
	}
	var names []string
	for _, rec := range recs {
		names = append(names, rec.Content)
	}
	if len(names) == 0 {
		return wb.store.NameServers(), nil
	}
	return names, nil
}
