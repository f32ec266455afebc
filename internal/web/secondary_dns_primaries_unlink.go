package web

import "net/http"

// secondaryDNSPrimariesUnlink is POST
// /a/{account}/secondary-dns/primaries/{primary}/unlink with the zone's
// name: the zone is no longer pulled from the server. It keeps the records
// last pulled, and is pulled from the other servers it is linked to.
func (wb *Web) secondaryDNSPrimariesUnlink(w http.ResponseWriter, r *http.Request) error {
	return wb.secondaryDNSLink(w, r, false)
}
