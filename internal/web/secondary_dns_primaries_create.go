package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// secondaryDNSPrimariesCreate is POST /a/{account}/secondary-dns/primaries:
// add one of the account's own primary name servers. The store checks the
// fields as for the API; what it refuses is said beside each field.
func (wb *Web) secondaryDNSPrimariesCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Secondary DNS")
	if err != nil {
		return err
	}
	g := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := primaryForm{Name: g("name"), IP: g("ip"), Port: g("port"), Errors: map[string]string{}}
	in := store.PrimaryServerInput{Name: f.Name, IP: f.IP, Port: 53}
	if f.Port != "" {
		// A port that is not a number, or 0 (which the store reads as
		// 53), is sent as -1 so that the store checks every field at once
		// and refuses it with the rest.
		n, err := strconv.Atoi(f.Port)
		if err != nil || n == 0 {
			n = -1
		}
		in.Port = n
	}
	p, err := wb.store.CreatePrimaryServer(r.Context(), actor(r), v.Account.ID, in)
	if err == nil {
		wb.flash(w, r, fmt.Sprintf("The primary server %s (%s) is added. Link your secondary zones to it.", p.Name, p.Addr()))
		http.Redirect(w, r, v.accountPath("/secondary-dns"), http.StatusSeeOther)
		return nil
	}
	if err := f.refused(err); err != nil {
		return err
	}
	page, err := wb.secondaryDNSPage(r, v)
	if err != nil {
		return err
	}
	page.Primary = f
	v.Data = page
	wb.render(w, r, http.StatusUnprocessableEntity, "secondary_dns", v)
	return nil
}

// refused puts the store's refusal of a primary server on the form's
// fields, in plain words. It returns err when it is not a refusal.
func (f *primaryForm) refused(err error) error {
	var ve *store.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, fe := range ve.Fields {
			switch fe.Field {
			case "name":
				if f.Name == "" {
					f.Errors["name"] = "Name the server, for example ns1 or “our BIND server”."
				} else {
					f.Errors["name"] = sentence("The name " + fe.Msg)
				}
			case "ip":
				if ip, err := netip.ParseAddr(f.IP); err == nil && ip.Zone() == "" {
					// An address, refused where it is.
					f.Errors["ip"] = sentence(fe.Msg) + " Ask the operator of this Zonewarden if your server must stay on a private network."
					continue
				}
				f.Errors["ip"] = "Enter the server's IPv4 or IPv6 address, for example 192.0.2.1 or 2001:db8::1. A host name will not do: Zonewarden asks the server at this address."
			case "port":
				f.Errors["port"] = "Enter the port the server answers zone transfers on, a number from 1 to 65535. It is 53 unless you changed it."
			default:
				f.Errors["name"] = sentence(fe.Msg)
			}
		}
	case errors.Is(err, zone.ErrConflict):
		f.Errors["name"] = fmt.Sprintf("This account has a primary server named %s already. Choose another name.", f.Name)
	default:
		return err
	}
	return nil
}
