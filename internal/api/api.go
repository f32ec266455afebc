// Package api serves Zonewarden's control plane over HTTP, wire-compatible
// with DNSimple's API v2: the same paths under /v2, methods, status codes,
// JSON field names and types, data envelope, pagination, error bodies and
// rate-limit headers, so that DNSimple's clients work by changing only the
// base URL and the token.
//
//	h := api.New(api.Config{Store: st, Logger: log, Changed: p.Kick})
//	http.Handle("/v2/", h)
//
// The route table is in routes.go and each resource action in a file of its
// own (zone_records_update.go). Handlers return errors; one adapter renders
// them in DNSimple's shape and logs the cause. The package holds the wire
// types and maps the store's values to them; the store knows nothing of
// HTTP.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// DefaultRateLimit is requests per hour per token (or per user, for HTTP
// Basic, or per client address before authentication), as at DNSimple.
const DefaultRateLimit = 2400

// Config configures the API handler. Store is required.
type Config struct {
	Store Store
	// Logger receives one line per failed request with its cause, and the
	// causes of 5xx answers. Default: discard.
	Logger *slog.Logger
	// RateLimit is the number of requests per hour per token. 0 is
	// DefaultRateLimit; negative turns limiting off.
	RateLimit int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Changed, when set, is called after every committed write that
	// changed zones, with their names (fully qualified). It must not block:
	// it is how the process hands writes to the DNS engine without waiting
	// for its poll.
	Changed func(zones ...string)
	// LinksChanged, when set, is called after a write that may have
	// changed which secondary zones are pulled from which primary servers
	// (a link, an unlink, a domain deleted). It must not block.
	LinksChanged func()
	// Distributed reports whether the DNS servers answer with the zone's
	// current data, for the distribution checks. Nil answers true.
	Distributed func(ctx context.Context, zone string) (bool, error)
	// NewRequestID returns the X-Request-Id of a request; default random
	// UUIDv4-shaped. Tests set it for stable golden files.
	NewRequestID func() string
	// TLDs are the top-level domains under which domains can be hosted
	// ("com", "org"); other domains are refused. Empty: any. The TLD
	// endpoints list these, or the root zone's TLDs when it is empty.
	TLDs []string
}

// Store is what the API reads and writes: *store.Store.
type Store interface {
	Authenticate(ctx context.Context, token string) (store.Principal, error)
	UserByPassword(ctx context.Context, email, password string) (store.User, error)
	SignInWait(ctx context.Context, email, addr string, now time.Time) (time.Duration, error)
	SignInFailed(ctx context.Context, email, addr string, now time.Time) error
	SignInSucceeded(ctx context.Context, email string) error
	UseTOTPStep(ctx context.Context, userID, step int64) error
	Accounts(ctx context.Context, userID int64) ([]store.Account, error)
	Role(ctx context.Context, accountID, userID int64) (store.Role, error)

	CreateDomain(ctx context.Context, a store.Actor, accountID int64, name string) (store.Domain, error)
	Domains(ctx context.Context, accountID int64, nameLike string, o store.ListOptions) ([]store.Domain, store.Page, error)
	Domain(ctx context.Context, accountID int64, nameOrID string) (store.Domain, error)
	DeleteDomain(ctx context.Context, a store.Actor, accountID int64, nameOrID string) error

	Zones(ctx context.Context, accountID int64, nameLike string, o store.ListOptions) ([]store.Zone, store.Page, error)
	Zone(ctx context.Context, accountID int64, name string) (store.Zone, error)
	ZoneContents(ctx context.Context, zoneName string) (*zone.Zone, error)
	ActivateZone(ctx context.Context, a store.Actor, accountID int64, name string) (store.Zone, error)
	DeactivateZone(ctx context.Context, a store.Actor, accountID int64, name string) (store.Zone, error)
	SetZoneNameServers(ctx context.Context, a store.Actor, accountID int64, zoneName string, names []string) ([]store.Record, error)

	Records(ctx context.Context, accountID int64, zoneName string, f store.RecordFilter, o store.ListOptions) ([]store.Record, store.Page, error)
	Record(ctx context.Context, accountID int64, zoneName string, id int64) (store.Record, error)
	CreateRecord(ctx context.Context, a store.Actor, accountID int64, zoneName string, in store.RecordInput) (store.Record, error)
	UpdateRecord(ctx context.Context, a store.Actor, accountID int64, zoneName string, id int64, p store.RecordPatch) (store.Record, error)
	DeleteRecord(ctx context.Context, a store.Actor, accountID int64, zoneName string, id int64) error
	BatchChange(ctx context.Context, a store.Actor, accountID int64, zoneName string, b store.Batch) (store.BatchResult, error)

	CreateWebhook(ctx context.Context, a store.Actor, accountID int64, url string) (store.Webhook, error)
	Webhooks(ctx context.Context, accountID int64) ([]store.Webhook, error)
	Webhook(ctx context.Context, accountID, id int64) (store.Webhook, error)
	DeleteWebhook(ctx context.Context, a store.Actor, accountID, id int64) error

	CreateTemplate(ctx context.Context, a store.Actor, accountID int64, t store.Template) (store.Template, error)
	Templates(ctx context.Context, accountID int64, o store.ListOptions) ([]store.Template, store.Page, error)
	Template(ctx context.Context, accountID int64, idOrSID string) (store.Template, error)
	UpdateTemplate(ctx context.Context, a store.Actor, accountID int64, idOrSID string, t store.Template) (store.Template, error)
	DeleteTemplate(ctx context.Context, a store.Actor, accountID int64, idOrSID string) error
	CreateTemplateRecord(ctx context.Context, a store.Actor, accountID int64, templateIDOrSID string, in store.RecordInput) (store.TemplateRecord, error)
	TemplateRecords(ctx context.Context, accountID int64, templateIDOrSID string, o store.ListOptions) ([]store.TemplateRecord, store.Page, error)
	TemplateRecord(ctx context.Context, accountID int64, templateIDOrSID string, id int64) (store.TemplateRecord, error)
	DeleteTemplateRecord(ctx context.Context, a store.Actor, accountID int64, templateIDOrSID string, id int64) error
	ApplyTemplate(ctx context.Context, a store.Actor, accountID int64, domainNameOrID, templateIDOrSID string) (store.BatchResult, error)

	CreateContact(ctx context.Context, a store.Actor, accountID int64, c store.Contact) (store.Contact, error)
	Contacts(ctx context.Context, accountID int64, o store.ListOptions) ([]store.Contact, store.Page, error)
	Contact(ctx context.Context, accountID, id int64) (store.Contact, error)
	UpdateContact(ctx context.Context, a store.Actor, accountID int64, c store.Contact) (store.Contact, error)
	DeleteContact(ctx context.Context, a store.Actor, accountID, id int64) error

	Audit(ctx context.Context, accountID int64, f store.AuditFilter, o store.ListOptions) ([]store.AuditEntry, store.Page, error)

	CreatePrimaryServer(ctx context.Context, a store.Actor, accountID int64, in store.PrimaryServerInput) (store.PrimaryServer, error)
	PrimaryServers(ctx context.Context, accountID int64, o store.ListOptions) ([]store.PrimaryServer, store.Page, error)
	PrimaryServer(ctx context.Context, accountID int64, idOrName string) (store.PrimaryServer, error)
	DeletePrimaryServer(ctx context.Context, a store.Actor, accountID int64, idOrName string) error
	LinkPrimaryServer(ctx context.Context, a store.Actor, accountID int64, idOrName, zoneName string) (store.PrimaryServer, error)
	UnlinkPrimaryServer(ctx context.Context, a store.Actor, accountID int64, idOrName, zoneName string) (store.PrimaryServer, error)
	CreateSecondaryZone(ctx context.Context, a store.Actor, accountID int64, name string) (store.Zone, error)
}

// API is the http.Handler that New returns.
type API struct {
	cfg     Config
	store   Store
	log     *slog.Logger
	now     func() time.Time
	limiter *limiter
	tldList []string // Config.TLDs, normalized
	handler http.Handler
}

// New returns the handler of the API. It starts nothing: rate-limit windows
// are kept in memory and expire as requests come.
func New(cfg Config) *API {
	a := &API{cfg: cfg, store: cfg.Store, log: cfg.Logger, now: cfg.Now, tldList: normalTLDs(cfg.TLDs)}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.cfg.NewRequestID == nil {
		a.cfg.NewRequestID = newRequestID
	}
	limit := cfg.RateLimit
	if limit == 0 {
		limit = DefaultRateLimit
	}
	if limit > 0 {
		a.limiter = newLimiter(limit, time.Hour, a.now)
	}
	a.handler = a.chain(a.routes())
	return a
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.handler.ServeHTTP(w, r)
}

// chain wraps the routes in the middleware, in the order it runs: a request
// id, authentication (which only identifies the caller), the rate limit,
// which counts per caller, then the requirement to be authenticated.
func (a *API) chain(routes http.Handler) http.Handler {
	h := a.requireAuth(routes)
	h = a.rateLimit(h)
	h = a.authenticate(h)
	h = a.requestID(h)
	return h
}

// changed tells the process which zones a committed write changed.
func (a *API) changed(zones ...string) {
	if a.cfg.Changed != nil && len(zones) > 0 {
		a.cfg.Changed(zones...)
	}
}

// linksChanged tells the process that secondary zones' links may have
// changed.
func (a *API) linksChanged() {
	if a.cfg.LinksChanged != nil {
		a.cfg.LinksChanged()
	}
}
