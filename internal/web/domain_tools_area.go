package web

import "net/http"

// domainToolStore is what the domain tools need: zone import, templates,
// delegation and distribution checks.
type domainToolStore interface{}

// domainToolRoutes registers the domain tools' pages.
func (wb *Web) domainToolRoutes(mux *http.ServeMux) {}
