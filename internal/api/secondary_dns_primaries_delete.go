package api

import (
	"fmt"
	"net/http"
)

// secondaryDNSPrimariesDelete is DELETE /v2/{account}/secondary_dns/primaries/{primaryserver}.
// A server zones are linked to is refused with a 400: unlink them first.
func (a *API) secondaryDNSPrimariesDelete(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	id := r.PathValue("primaryserver")
	if err := a.store.DeletePrimaryServer(r.Context(), actor(r), acc, id); err != nil {
		return notFound(fmt.Errorf("delete primary server %q of account %d: %w", id, acc, err), "Primary server", id)
	}
	return noContent(w)
}
