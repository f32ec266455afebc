package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// zonesGet is GET /v2/{account}/zones/{zone}.
func (a *API) zonesGet(w http.ResponseWriter, r *http.Request) error {
	z, err := a.zone(r)
	if err != nil {
		return err
	}
	return data(w, http.StatusOK, toZone(z))
}

// zone returns the zone named by the {zone} path segment in the caller's
// account, written with or without the final dot, in any case.
func (a *API) zone(r *http.Request) (store.Zone, error) {
	acc, err := a.account(r)
	if err != nil {
		return store.Zone{}, err
	}
	name := zoneName(r)
	z, err := a.store.Zone(r.Context(), acc, name)
	if err != nil {
		return store.Zone{}, notFound(fmt.Errorf("get zone %q of account %d: %w", name, acc, err), "Zone", r.PathValue("zone"))
	}
	return z, nil
}

// zoneName is the {zone} path segment as the store names zones: lower case,
// no final dot.
func zoneName(r *http.Request) string {
	return strings.TrimSuffix(strings.ToLower(r.PathValue("zone")), ".")
}
