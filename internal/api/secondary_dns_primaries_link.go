package api

import (
	"fmt"
	"net/http"
	"strings"
)

// secondaryDNSPrimariesLink is PUT /v2/{account}/secondary_dns/primaries/{primaryserver}/link
// {"zone": "example.com"}: the secondary zone is pulled from the server.
func (a *API) secondaryDNSPrimariesLink(w http.ResponseWriter, r *http.Request) error {
	return a.secondaryDNSLink(w, r, true)
}

// secondaryDNSPrimariesUnlink is PUT …/{primaryserver}/unlink {"zone": "example.com"}.
func (a *API) secondaryDNSPrimariesUnlink(w http.ResponseWriter, r *http.Request) error {
	return a.secondaryDNSLink(w, r, false)
}

func (a *API) secondaryDNSLink(w http.ResponseWriter, r *http.Request, link bool) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	var in struct {
		Zone string `json:"zone"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	id := r.PathValue("primaryserver")
	do, verb := a.store.LinkPrimaryServer, "link"
	if !link {
		do, verb = a.store.UnlinkPrimaryServer, "unlink"
	}
	p, err := do(r.Context(), actor(r), acc, id, in.Zone)
	if err != nil {
		err = fmt.Errorf("%s primary server %q and zone %q of account %d: %w", verb, id, in.Zone, acc, err)
		if _, perr := a.store.PrimaryServer(r.Context(), acc, id); perr != nil {
			return notFound(err, "Primary server", id)
		}
		return notFound(err, "Zone", in.Zone)
	}
	a.changed(strings.TrimSuffix(strings.ToLower(strings.TrimSpace(in.Zone)), "."))
	a.linksChanged()
	return data(w, http.StatusOK, toPrimaryServer(p))
}
