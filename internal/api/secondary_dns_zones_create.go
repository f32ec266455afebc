package api

import (
	"fmt"
	"net/http"
)

// secondaryDNSZonesCreate is POST /v2/{account}/secondary_dns/zones
// {"name": "example.com"}: a domain whose zone is secondary ("secondary":
// true), served as pulled from the primary servers it is then linked to.
func (a *API) secondaryDNSZonesCreate(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := a.hostable(in.Name); err != nil {
		return err
	}
	z, err := a.store.CreateSecondaryZone(r.Context(), actor(r), acc, in.Name)
	if err != nil {
		return fmt.Errorf("create secondary zone %q in account %d: %w", in.Name, acc, err)
	}
	a.changed(z.Name)
	return data(w, http.StatusCreated, toZone(z))
}
