package web

import (
	"context"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// secondaryDNSStore is what the Secondary DNS pages need: the account's
// primary servers, their links to its secondary zones, and those zones.
type secondaryDNSStore interface {
	CreatePrimaryServer(ctx context.Context, a store.Actor, accountID int64, in store.PrimaryServerInput) (store.PrimaryServer, error)
	PrimaryServers(ctx context.Context, accountID int64, o store.ListOptions) ([]store.PrimaryServer, store.Page, error)
	PrimaryServer(ctx context.Context, accountID int64, idOrName string) (store.PrimaryServer, error)
	DeletePrimaryServer(ctx context.Context, a store.Actor, accountID int64, idOrName string) error
	LinkPrimaryServer(ctx context.Context, a store.Actor, accountID int64, idOrName, zoneName string) (store.PrimaryServer, error)
	UnlinkPrimaryServer(ctx context.Context, a store.Actor, accountID int64, idOrName, zoneName string) (store.PrimaryServer, error)
	CreateSecondaryZone(ctx context.Context, a store.Actor, accountID int64, name string) (store.Zone, error)
	Zones(ctx context.Context, accountID int64, nameLike string, o store.ListOptions) ([]store.Zone, store.Page, error)
}

// secondaryDNSRoutes registers the Secondary DNS pages: an account's own
// primary name servers, from which Zonewarden pulls its secondary zones by
// zone transfer (DNSimple's Secondary DNS).
func (wb *Web) secondaryDNSRoutes(mux *http.ServeMux) {
	mux.Handle("GET /a/{account}/secondary-dns", wb.signedIn(wb.secondaryDNSList))
	mux.Handle("POST /a/{account}/secondary-dns/primaries", wb.signedIn(wb.secondaryDNSPrimariesCreate))
	mux.Handle("GET /a/{account}/secondary-dns/primaries/{primary}/delete", wb.signedIn(wb.secondaryDNSPrimariesDeletePage))
	mux.Handle("POST /a/{account}/secondary-dns/primaries/{primary}/delete", wb.signedIn(wb.secondaryDNSPrimariesDelete))
	mux.Handle("POST /a/{account}/secondary-dns/primaries/{primary}/link", wb.signedIn(wb.secondaryDNSPrimariesLink))
	mux.Handle("POST /a/{account}/secondary-dns/primaries/{primary}/unlink", wb.signedIn(wb.secondaryDNSPrimariesUnlink))
	mux.Handle("POST /a/{account}/secondary-dns/zones", wb.signedIn(wb.secondaryDNSZonesCreate))
}

// linksChanged tells the process that which secondary zones are pulled
// from which primary servers may have changed.
func (wb *Web) linksChanged() {
	if wb.cfg.LinksChanged != nil {
		wb.cfg.LinksChanged()
	}
}
