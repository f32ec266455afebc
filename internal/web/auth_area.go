package web

import "net/http"

// authStore is what the sign-in and account-security pages need beyond
// Store's core: two-factor enrollment, recovery codes, password reset and
// email verification.
type authStore interface{}

// authRoutes registers the account-security pages.
func (wb *Web) authRoutes(mux *http.ServeMux) {}
