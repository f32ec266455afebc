// Package web is Zonewarden's dashboard: server-rendered pages for people
// to sign up and in, manage their domains and records, and their API
// tokens, in a browser and without JavaScript.
//
//	h := web.New(web.Config{Store: st, Logger: log, Changed: p.Kick})
//	mux.Handle("/", h) // beside the API's /v2/
//
// The route table is in routes.go and each page or action in a file of its
// own (records_update.go). Handlers return errors; one adapter (errors.go)
// renders the HTML error page and logs the cause. Templates and the
// stylesheet are embedded (templates/, static/).
//
// Security, in the order the middleware runs (chain): headers (a
// Content-Security-Policy that allows scripts only from the dashboard's
// own files, never inline, and no framing), the standard library's
// cross-origin protection (Sec-Fetch-Site/Origin), a size limit on request
// bodies, the session (a cookie holding 32 random bytes whose SHA-256 the
// store keeps; HttpOnly, SameSite=Lax, Secure over TLS or when configured)
// and a CSRF token derived from the session id, required on every POST.
// Session ids are new at sign-in and after the two-factor step. Every
// account page checks membership (anything else is 404, as in the API) and
// role (read-only members get 403 on writes).
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// SignUp says who may create a user from the sign-up page. Whatever it says,
// the first user of a fresh installation may, and becomes its administrator.
type SignUp string

const (
	// SignUpClosed: after the first user, users are created by an
	// administrator (zonewarden admin create-user). The default.
	SignUpClosed SignUp = "closed"
	// SignUpOpen: anyone who reaches the dashboard may sign up.
	SignUpOpen SignUp = "open"
	// SignUpInvite: only people invited to a team, from the link of their
	// invitation (/invitation?token=…); the sign-up page is closed.
	SignUpInvite SignUp = "invite"
)

// Config configures the dashboard. Store is required.
type Config struct {
	Store Store
	// Logger receives the causes of failed requests. Default: discard.
	Logger *slog.Logger
	// Changed, when set, is called after every committed write that
	// changed zones, with their names. It must not block.
	Changed func(zones ...string)
	// LinksChanged, when set, is called after a write that may have
	// changed which secondary zones are pulled from which primary servers
	// (a link, an unlink, a domain deleted). It must not block.
	LinksChanged func()
	// SignUp is who may sign up after the first user; default closed.
	SignUp SignUp
	// SecureCookies marks cookies Secure even on plain HTTP, for a
	// dashboard behind a TLS-terminating proxy. Over TLS they always are.
	SecureCookies bool
	// SessionIdle is how long an unused session lasts; default 14 days.
	SessionIdle time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Mail sends password resets, verifications and invitations. Default:
	// written to Logger.
	Mail mail.Sender
	// PublicURL is the dashboard's address as people reach it
	// (https://dns.example.com), for links in mails. Default: the Host of
	// the request that causes the mail.
	PublicURL string
	// Distributed reports whether the DNS servers answer with the zone's
	// latest version, as for the API's distribution check. Nil: the
	// domain's delegation page does not say.
	Distributed func(ctx context.Context, zone string) (bool, error)
	// Resolvers are the recursive resolvers (host:port) that the
	// delegation check asks for a domain's NS records, the first that
	// answers. Empty: the check is not made.
	Resolvers []string
	// ResolverTimeout bounds the delegation check; default 3 seconds.
	ResolverTimeout time.Duration
}

// Store is what the dashboard reads and writes: *store.Store. The methods
// of each area of the dashboard are listed beside it (authStore,
// teamStore, domainToolStore, attemptStore, secondaryDNSStore).
type Store interface {
	authStore
	teamStore
	domainToolStore
	attemptStore
	secondaryDNSStore

	SignUp(ctx context.Context, a store.Actor, email, password string, policy store.SignUpPolicy) (store.User, store.Account, error)
	UserCount(ctx context.Context) (int, error)
	UserByPassword(ctx context.Context, email, password string) (store.User, error)
	CreateSession(ctx context.Context, ns store.NewSession) (string, store.Session, error)
	SessionUser(ctx context.Context, id string, idleSince time.Time) (store.Session, store.User, error)
	RotateSession(ctx context.Context, old string, secondFactor bool) (string, store.Session, error)
	Sessions(ctx context.Context, userID int64) ([]store.Session, error)
	RevokeSession(ctx context.Context, userID, sessionID int64) error

	Accounts(ctx context.Context, userID int64) ([]store.Account, error)
	Role(ctx context.Context, accountID, userID int64) (store.Role, error)

	CreateDomain(ctx context.Context, a store.Actor, accountID int64, name string) (store.Domain, error)
	Domains(ctx context.Context, accountID int64, nameLike string, o store.ListOptions) ([]store.Domain, store.Page, error)
	Domain(ctx context.Context, accountID int64, nameOrID string) (store.Domain, error)
	DeleteDomain(ctx context.Context, a store.Actor, accountID int64, nameOrID string) error
	Zone(ctx context.Context, accountID int64, name string) (store.Zone, error)
	ZoneContents(ctx context.Context, zoneName string) (*zone.Zone, error)
	ActivateZone(ctx context.Context, a store.Actor, accountID int64, name string) (store.Zone, error)
	DeactivateZone(ctx context.Context, a store.Actor, accountID int64, name string) (store.Zone, error)

	Records(ctx context.Context, accountID int64, zoneName string, f store.RecordFilter, o store.ListOptions) ([]store.Record, store.Page, error)
	Record(ctx context.Context, accountID int64, zoneName string, id int64) (store.Record, error)
	CreateRecord(ctx context.Context, a store.Actor, accountID int64, zoneName string, in store.RecordInput) (store.Record, error)
	UpdateRecord(ctx context.Context, a store.Actor, accountID int64, zoneName string, id int64, p store.RecordPatch) (store.Record, error)
	DeleteRecord(ctx context.Context, a store.Actor, accountID int64, zoneName string, id int64) error

	CreateToken(ctx context.Context, nt store.NewToken) (string, store.Token, error)
	Tokens(ctx context.Context, accountID int64) ([]store.Token, error)
	RevokeToken(ctx context.Context, accountID, tokenID int64) error
}

// Web is the dashboard's http.Handler.
type Web struct {
	cfg      Config
	store    Store
	log      *slog.Logger
	now      func() time.Time
	pages    *pages
	throttle *throttle
	handler  http.Handler
}

// New returns the dashboard's handler. It starts nothing.
func New(cfg Config) *Web {
	wb := &Web{cfg: cfg, store: cfg.Store, log: cfg.Logger, now: cfg.Now}
	if wb.log == nil {
		wb.log = slog.New(slog.DiscardHandler)
	}
	if wb.now == nil {
		wb.now = time.Now
	}
	if wb.cfg.SignUp == "" {
		wb.cfg.SignUp = SignUpClosed
	}
	if wb.cfg.Mail == nil {
		wb.cfg.Mail = mail.Log{Logger: wb.log}
	}
	if wb.cfg.ResolverTimeout <= 0 {
		wb.cfg.ResolverTimeout = 3 * time.Second
	}
	if wb.cfg.SessionIdle <= 0 {
		wb.cfg.SessionIdle = 14 * 24 * time.Hour
	}
	wb.pages = loadPages()
	wb.throttle = &throttle{st: cfg.Store, now: wb.now, log: wb.log}
	wb.handler = wb.chain(wb.routes())
	return wb
}

func (wb *Web) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	wb.handler.ServeHTTP(w, r)
}

// chain wraps the routes in the middleware, in the order it runs: security
// headers, cross-origin protection, the body size limit, the session
// (which also checks the CSRF token of POSTs), then the recovery of a
// panicking handler.
func (wb *Web) chain(routes http.Handler) http.Handler {
	h := wb.session(wb.recoverPanics(routes))
	h = wb.limitBody(h)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wb.renderError(w, r, &Error{Status: http.StatusForbidden, Message: "This form was sent from another site, and was refused."})
	}))
	h = cop.Handler(h)
	h = headers(h)
	return h
}

// recoverPanics turns a panicking handler into the 500 page, with the
// panic and its stack in the log, rather than a connection closed without
// an answer.
func (wb *Web) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				wb.renderError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// maxBody is the largest request body the dashboard reads: a zone file to
// import and the rest of its form. Forms are read whole into memory.
const maxBody = maxZoneFile + 64<<10

// limitBody refuses larger bodies, before anything reads them.
func (wb *Web) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			w.Header().Set("Connection", "close")
			wb.renderError(w, r, &Error{Status: http.StatusRequestEntityTooLarge,
				Message: fmt.Sprintf("What you sent is larger than the %d KB this site accepts. A zone file to import may have at most %d KB: import a larger one in parts.", maxBody>>10, maxZoneFile>>10)})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// headers sets the security headers of every response.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// changed tells the process which zones a committed write changed.
func (wb *Web) changed(zones ...string) {
	if wb.cfg.Changed != nil && len(zones) > 0 {
		wb.cfg.Changed(zones...)
	}
}
