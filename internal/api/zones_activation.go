package api

import (
	"fmt"
	"net/http"
)

// zonesActivate is PUT /v2/{account}/zones/{zone}/activation: the zone is
// served again. An active zone stays so (200).
func (a *API) zonesActivate(w http.ResponseWriter, r *http.Request) error {
	return a.zoneActivation(w, r, true)
}

// zonesDeactivate is DELETE /v2/{account}/zones/{zone}/activation: the zone
// and its records are kept, but the DNS servers answer for it as for a zone
// not hosted here, and secondaries drop it. DNSimple answers 200 with the
// zone, not 204.
func (a *API) zonesDeactivate(w http.ResponseWriter, r *http.Request) error {
	return a.zoneActivation(w, r, false)
}

func (a *API) zoneActivation(w http.ResponseWriter, r *http.Request, active bool) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	name := zoneName(r)
	do, verb := a.store.ActivateZone, "activate"
	if !active {
		do, verb = a.store.DeactivateZone, "deactivate"
	}
	z, err := do(r.Context(), actor(r), acc, name)
	if err != nil {
		return notFound(fmt.Errorf("%s zone %q of account %d: %w", verb, name, acc, err), "Zone", r.PathValue("zone"))
	}
	a.changed(z.Name)
	return data(w, http.StatusOK, toZone(z))
}
