package web

import "net/http"

// teamStore is what the team, activity and webhook pages need.
type teamStore interface{}

// teamRoutes registers the team, invitation, activity-log and webhook pages.
func (wb *Web) teamRoutes(mux *http.ServeMux) {}
