package api

import (
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// secondaryDNSPrimariesCreate is POST /v2/{account}/secondary_dns/primaries
// {"name": "ns1", "ip": "192.0.2.1", "port": 53}; port defaults to 53.
func (a *API) secondaryDNSPrimariesCreate(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
		IP   string `json:"ip"`
		Port int    `json:"port"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := a.store.CreatePrimaryServer(r.Context(), actor(r), acc, store.PrimaryServerInput{Name: in.Name, IP: in.IP, Port: in.Port})
	if err != nil {
		return fmt.Errorf("create primary server in account %d: %w", acc, err)
	}
	return data(w, http.StatusCreated, toPrimaryServer(p))
}
