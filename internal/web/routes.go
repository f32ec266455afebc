package web

import (
	"io/fs"
	"net/http"
)

// routes is the dashboard's route table: every page and action, and who may
// reach it. Pages under /a/{account}/ check membership and role themselves
// (accountView); signedIn sends visitors without a session to sign in.
func (wb *Web) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(http.FileServerFS(static))))

	mux.Handle("GET /{$}", wb.handle(wb.home))
	mux.Handle("GET /sign-up", wb.handle(wb.signUpPage))
	mux.Handle("POST /sign-up", wb.handle(wb.signUp))
	mux.Handle("GET /sign-in", wb.handle(wb.signInPage))
	mux.Handle("POST /sign-in", wb.handle(wb.signIn))
	mux.Handle("GET /sign-in/code", wb.handle(wb.signInCodePage))
	mux.Handle("POST /sign-in/code", wb.handle(wb.signInCode))
	mux.Handle("POST /sign-out", wb.handle(wb.signOut))
	mux.Handle("GET /sessions", wb.signedIn(wb.sessionsList))
	mux.Handle("POST /sessions/{session}/revoke", wb.signedIn(wb.sessionsRevoke))

	mux.Handle("GET /a/{account}/domains", wb.signedIn(wb.domainsList))
	mux.Handle("GET /a/{account}/domains/new", wb.signedIn(wb.domainsNew))
	mux.Handle("POST /a/{account}/domains", wb.signedIn(wb.domainsCreate))
	mux.Handle("GET /a/{account}/domains/{domain}", wb.signedIn(wb.domainsShow))
	mux.Handle("GET /a/{account}/domains/{domain}/delete", wb.signedIn(wb.domainsDeletePage))
	mux.Handle("POST /a/{account}/domains/{domain}/delete", wb.signedIn(wb.domainsDelete))
	mux.Handle("POST /a/{account}/domains/{domain}/activate", wb.signedIn(wb.domainsActivate))
	mux.Handle("POST /a/{account}/domains/{domain}/deactivate", wb.signedIn(wb.domainsDeactivate))
	mux.Handle("GET /a/{account}/domains/{domain}/zone-file", wb.signedIn(wb.zoneFile))
	mux.Handle("GET /a/{account}/domains/{domain}/records/new", wb.signedIn(wb.recordsNew))
	mux.Handle("POST /a/{account}/domains/{domain}/records", wb.signedIn(wb.recordsCreate))
	mux.Handle("GET /a/{account}/domains/{domain}/records/{record}/edit", wb.signedIn(wb.recordsEdit))
	mux.Handle("POST /a/{account}/domains/{domain}/records/{record}", wb.signedIn(wb.recordsUpdate))
	mux.Handle("GET /a/{account}/domains/{domain}/records/{record}/delete", wb.signedIn(wb.recordsDeletePage))
	mux.Handle("POST /a/{account}/domains/{domain}/records/{record}/delete", wb.signedIn(wb.recordsDelete))

	mux.Handle("GET /a/{account}/tokens", wb.signedIn(wb.tokensList))
	mux.Handle("POST /a/{account}/tokens", wb.signedIn(wb.tokensCreate))
	mux.Handle("POST /a/{account}/tokens/{token}/revoke", wb.signedIn(wb.tokensRevoke))

	wb.authRoutes(mux)
	wb.teamRoutes(mux)
	wb.domainToolRoutes(mux)
	wb.secondaryDNSRoutes(mux)

	mux.Handle("/", wb.handle(func(w http.ResponseWriter, r *http.Request) error { return notFound(nil) }))
	return mux
}

// cacheFor lets browsers keep the embedded assets for a day.
func cacheFor(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}
