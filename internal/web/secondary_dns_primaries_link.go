package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// secondaryDNSPrimariesLink is POST
// /a/{account}/secondary-dns/primaries/{primary}/link with the zone's name:
// the secondary zone is pulled from the server from now on.
func (wb *Web) secondaryDNSPrimariesLink(w http.ResponseWriter, r *http.Request) error {
	return wb.secondaryDNSLink(w, r, true)
}

// secondaryDNSLink links (or unlinks) the zone of the form and the
// {primary} of the path. A refusal is said beside the zone field of the
// server's row.
func (wb *Web) secondaryDNSLink(w http.ResponseWriter, r *http.Request, link bool) error {
	v, err := wb.accountView(r, "Secondary DNS")
	if err != nil {
		return err
	}
	p, err := wb.primaryOfPath(r, v)
	if err != nil {
		return err
	}
	f := linkForm{PrimaryID: p.ID, Zone: strings.TrimSuffix(strings.ToLower(strings.TrimSpace(r.PostFormValue("zone"))), ".")}
	do := wb.store.LinkPrimaryServer
	if !link {
		do = wb.store.UnlinkPrimaryServer
	}
	_, err = do(r.Context(), actor(r), v.Account.ID, strconv.FormatInt(p.ID, 10), f.Zone)
	var ve *store.ValidationError
	switch {
	case err == nil:
		wb.changed(f.Zone)
		wb.linksChanged()
		msg := fmt.Sprintf("%s is linked to %s (%s). Zonewarden pulls it by zone transfer and takes NOTIFY for it from that address.", f.Zone, p.Name, p.Addr())
		if !link {
			msg = fmt.Sprintf("%s is unlinked from %s: Zonewarden no longer pulls it from there.", f.Zone, p.Name)
		}
		wb.flash(w, r, msg)
		http.Redirect(w, r, v.accountPath("/secondary-dns"), http.StatusSeeOther)
		return nil
	case f.Zone == "":
		f.Error = "Choose the secondary zone to link."
	case errors.Is(err, zone.ErrNotFound):
		f.Error = fmt.Sprintf("This account has no zone %s. Add it as a secondary zone first.", f.Zone)
	case errors.As(err, &ve):
		// The store's words start with the zone's name, which keeps its
		// case.
		var msgs []string
		for _, fe := range ve.Fields {
			msgs = append(msgs, strings.TrimSuffix(fe.Msg, ".")+".")
		}
		f.Error = strings.Join(msgs, " ")
		if strings.HasSuffix(f.Error, " is not a secondary zone.") {
			f.Error += " Its records are kept here, not pulled from a primary server."
		}
	default:
		return err
	}
	page, err := wb.secondaryDNSPage(r, v)
	if err != nil {
		return err
	}
	page.Link = f
	v.Data = page
	wb.render(w, r, http.StatusUnprocessableEntity, "secondary_dns", v)
	return nil
}
