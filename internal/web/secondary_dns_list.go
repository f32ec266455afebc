package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// secondaryDNSPage is the data of an account's Secondary DNS page: its
// primary servers, a page at a time, its secondary zones, and the forms
// that change them, as sent when one was refused.
type secondaryDNSPage struct {
	Primaries []store.PrimaryServer
	Pager     pager
	// Zones are the account's secondary zones, by name; AllZones says
	// whether they are all there (an account with very many zones has
	// only the first maxZonePages pages read), and so whether the link
	// forms offer a choice of them or a field to type the name in.
	Zones       []store.Zone
	AllZones    bool
	NameServers []string

	Primary primaryForm
	Zone    secondaryZoneForm
	Link    linkForm
}

// primaryForm is the form that adds a primary server.
type primaryForm struct {
	Name, IP, Port string
	Errors         map[string]string
}

// secondaryZoneForm is the form that adds a secondary zone.
type secondaryZoneForm struct {
	Name  string
	Error string
}

// linkForm is a refused link or unlink: which server's row it was sent
// from, the zone, and what was wrong, in words.
type linkForm struct {
	PrimaryID int64
	Zone      string
	Error     string
}

// Linkable are the secondary zones the link form of p offers: those not
// linked to it yet.
func (sp secondaryDNSPage) Linkable(p store.PrimaryServer) []string {
	var out []string
	for _, z := range sp.Zones {
		if !slices.Contains(p.LinkedZones, z.Name) {
			out = append(out, z.Name)
		}
	}
	return out
}

const (
	primariesPerPage = 25
	// maxZonePages bounds the pages of zones read to list the secondary
	// ones: past 2,000 zones the link forms take a typed name.
	maxZonePages = 20
)

// secondaryDNSList is GET /a/{account}/secondary-dns: the account's primary
// servers with the zones linked to each, its secondary zones, and what
// secondary DNS is.
func (wb *Web) secondaryDNSList(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Secondary DNS")
	if err != nil {
		return err
	}
	p, err := wb.secondaryDNSPage(r, v)
	if err != nil {
		return err
	}
	keep := r.URL.Query()
	keep.Del("page")
	if last := pastTheEnd(p.Pager.Page, keep); last != "" {
		http.Redirect(w, r, r.URL.Path+last, http.StatusSeeOther)
		return nil
	}
	v.Data = p
	wb.render(w, r, http.StatusOK, "secondary_dns", v)
	return nil
}

// secondaryDNSPage reads the page's data, the forms empty.
func (wb *Web) secondaryDNSPage(r *http.Request, v view) (secondaryDNSPage, error) {
	q := r.URL.Query()
	ps, page, err := wb.store.PrimaryServers(r.Context(), v.Account.ID,
		store.ListOptions{Page: pageNumber(q), PerPage: primariesPerPage, Sort: "name:asc"})
	if err != nil {
		return secondaryDNSPage{}, err
	}
	zs, all, err := wb.secondaryZones(r.Context(), v.Account.ID)
	if err != nil {
		return secondaryDNSPage{}, err
	}
	var ns []string
	for _, n := range wb.store.NameServers() {
		ns = append(ns, strings.TrimSuffix(n, "."))
	}
	// The page links name the page's path: a refused form is shown again
	// at the path it was posted to.
	pg := newPager(page, nil)
	for _, l := range []*string{&pg.Prev, &pg.Next} {
		if *l != "" {
			*l = v.accountPath("/secondary-dns") + *l
		}
	}
	return secondaryDNSPage{Primaries: ps, Pager: pg, Zones: zs, AllZones: all,
		NameServers: ns, Primary: primaryForm{Port: "53"}}, nil
}

// secondaryZones returns the account's secondary zones by name, and
// whether they are all of them.
func (wb *Web) secondaryZones(ctx context.Context, accountID int64) ([]store.Zone, bool, error) {
	var out []store.Zone
	for n := 1; ; n++ {
		zs, page, err := wb.store.Zones(ctx, accountID, "", store.ListOptions{Page: n, PerPage: 100, Sort: "name:asc"})
		if err != nil {
			return nil, false, err
		}
		for _, z := range zs {
			if z.Secondary {
				out = append(out, z)
			}
		}
		switch {
		case n >= page.TotalPages:
			return out, true, nil
		case n == maxZonePages:
			return out, false, nil
		}
	}
}
