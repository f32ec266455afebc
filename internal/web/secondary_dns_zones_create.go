package web

import (
	"fmt"
	"net/http"
	"strings"
)

// secondaryDNSZonesCreate is POST /a/{account}/secondary-dns/zones: add a
// domain whose zone is secondary, its records pulled from the primary
// servers it is then linked to. The name is checked as for any domain.
func (wb *Web) secondaryDNSZonesCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Secondary DNS")
	if err != nil {
		return err
	}
	f := secondaryZoneForm{Name: strings.TrimSpace(r.PostFormValue("name"))}
	z, err := wb.store.CreateSecondaryZone(r.Context(), actor(r), v.Account.ID, f.Name)
	if err == nil {
		wb.changed(z.Name)
		wb.flash(w, r, fmt.Sprintf("%s is added as a secondary zone. Link it to one of your primary servers so that Zonewarden pulls its records.", z.Name))
		http.Redirect(w, r, v.accountPath("/secondary-dns"), http.StatusSeeOther)
		return nil
	}
	if f.Error, err = domainRefused(err); err != nil {
		return err
	}
	if f.Name == "" {
		f.Error = "Enter the zone's domain name, for example example.com."
	}
	p, err := wb.secondaryDNSPage(r, v)
	if err != nil {
		return err
	}
	p.Zone = f
	v.Data = p
	wb.render(w, r, http.StatusUnprocessableEntity, "secondary_dns", v)
	return nil
}
