package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// nameServersPage is the data of a domain's name servers page.
type nameServersPage struct {
	Domain store.Domain
	Zone   store.Zone
	// Current are the apex NS records Zonewarden manages, which the form
	// replaces; ByHand are the ones a user added, which it leaves alone.
	Current, ByHand []string
	// Defaults are this installation's name servers (--nameservers), and
	// IsDefault whether Current is them.
	Defaults  []string
	IsDefault bool
	Text      string // the form's text, as entered
	Error     string // what is wrong with it, in plain words
	Max       int
}

// domainsNameServers is GET /a/{account}/domains/{domain}/name-servers:
// the zone's name servers, and for members a form to replace them.
// Read-only members see them without the form.
func (wb *Web) domainsNameServers(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Name servers")
	if err != nil {
		return err
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	p, err := wb.nameServersPage(r.Context(), v.Account.ID, d)
	if err != nil {
		return err
	}
	p.Text = strings.Join(p.Current, "\n")
	v.Title = fmt.Sprintf("Name servers of %s", d.UnicodeName)
	v.Data = p
	wb.render(w, r, http.StatusOK, "domain_name_servers", v)
	return nil
}

// nameServersPage reads what the name servers page shows of a domain.
func (wb *Web) nameServersPage(ctx context.Context, accountID int64, d store.Domain) (nameServersPage, error) {
	z, err := wb.store.Zone(ctx, accountID, d.Name)
	if err != nil {
		return nameServersPage{}, err
	}
	p := nameServersPage{Domain: d, Zone: z, Max: store.MaxNameServers}
	// Hand-added NS records are not limited in number; 100, the most a
	// page holds, is more than any zone has at its apex.
	recs, _, err := wb.store.Records(ctx, accountID, d.Name, store.RecordFilter{Name: new(""), Type: "NS"}, store.ListOptions{PerPage: 100})
	if err != nil {
		return p, err
	}
	for _, rec := range recs {
		host := strings.TrimSuffix(rec.Content, ".")
		if rec.SystemRecord {
			p.Current = append(p.Current, host)
		} else {
			p.ByHand = append(p.ByHand, host)
		}
	}
	for _, ns := range wb.store.NameServers() {
		p.Defaults = append(p.Defaults, strings.TrimSuffix(ns, "."))
	}
	p.IsDefault = sameNames(p.Current, p.Defaults)
	return p, nil
}

// sameNames is whether a and b hold the same names, in any order.
func sameNames(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
