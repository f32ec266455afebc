package api

import (
	"fmt"
	"net/http"
)

// zonesDistribution is GET /v2/{account}/zones/{zone}/distribution:
// {"data": {"distributed": true}} once the DNS servers answer with the
// zone's current version.
func (a *API) zonesDistribution(w http.ResponseWriter, r *http.Request) error {
	z, err := a.zone(r)
	if err != nil {
		return err
	}
	return a.distribution(w, r, z.Name)
}

// distribution answers a distribution check of zone.
func (a *API) distribution(w http.ResponseWriter, r *http.Request, zone string) error {
	ok := true
	if a.cfg.Distributed != nil {
		var err error
		ok, err = a.cfg.Distributed(r.Context(), zone)
		if err != nil {
			return fmt.Errorf("check distribution of %s: %w", zone, err)
		}
	}
	return data(w, http.StatusOK, struct {
		Distributed bool `json:"distributed"`
	}{ok})
}
