package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/zonewarden/zonewarden/internal/alias"
	"github.com/zonewarden/zonewarden/internal/api"
	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/jobs"
	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/seal"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/transfer"
	"github.com/zonewarden/zonewarden/internal/web"
	"github.com/zonewarden/zonewarden/internal/webhook"
)

// StoreConfig says where the control plane's database is; serve, migrate
// and admin share it.
type StoreConfig struct {
	// Data is the data directory; the SQLite database is Data/zonewarden.db.
	Data string
	// Database, when set, is a postgres:// URL used instead of SQLite.
	Database string
	// SecretKeyFile holds the key that seals stored secrets (TSIG keys,
	// webhook and TOTP secrets); empty is Data/secret.key. It is created
	// on first start. ZONEWARDEN_SECRET_KEY, when set, is used instead.
	// Every process sharing a database needs the same key.
	SecretKeyFile string
}

// secretKeyFile is where the sealing key is read from.
func (c StoreConfig) secretKeyFile() string {
	if c.SecretKeyFile != "" {
		return c.SecretKeyFile
	}
	return filepath.Join(c.Data, "secret.key")
}

// url is what store.Open takes.
func (c StoreConfig) url() string {
	if c.Database != "" {
		return c.Database
	}
	return filepath.Join(c.Data, "zonewarden.db")
}

func (c StoreConfig) validate() error {
	if c.Database != "" {
		if !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") {
			return errors.New("--database must be a postgres:// URL (leave it empty for SQLite in --data)")
		}
		return nil
	}
	if c.Data == "" {
		return errors.New("--data is empty: it is where the SQLite database is kept")
	}
	return nil
}

// storeFlags binds --data and --database to c.
func storeFlags(fs *flag.FlagSet, c *StoreConfig) {
	fs.StringVar(&c.Data, "data", c.Data, "data `directory`; the SQLite database is zonewarden.db in it")
	fs.StringVar(&c.Database, "database", c.Database, "PostgreSQL `URL` (postgres://…) to use instead of SQLite; also ZONEWARDEN_DATABASE_URL")
	fs.StringVar(&c.SecretKeyFile, "secret-key-file", c.SecretKeyFile, "`file` of the key that seals stored secrets, created when missing (default DATA/secret.key); ZONEWARDEN_SECRET_KEY overrides it")
}

// ServeConfig is the configuration of `zonewarden serve`.
type ServeConfig struct {
	StoreConfig
	// HTTP is the address of the API, /metrics and /healthz.
	HTTP string
	// DNS is the address served on UDP and TCP. Port 0 picks a free one.
	DNS string
	// NameServers are the name servers of new zones: their NS records and
	// the SOA's primary.
	NameServers []string
	// RateLimit is API requests per hour per token.
	RateLimit int
	// TLDs are the top-level domains under which domains can be hosted;
	// empty: any.
	TLDs []string
	// Poll is how often the database's change journal is read for writes
	// made by other processes; this process's own writes are served at once.
	Poll time.Duration
	// SignUp is who may sign up on the dashboard after its first user (who
	// always may, and administers the installation): closed (the
	// default), open, or invite (only from a team invitation's link).
	SignUp string
	// SecureCookies marks the dashboard's cookies Secure on plain HTTP, for
	// a TLS-terminating proxy in front.
	SecureCookies bool
	// RecordLimit is how many records a zone may hold.
	RecordLimit int
	// PublicURL is the dashboard's address as people reach it, for links
	// in mails; empty uses the Host of the request.
	PublicURL string
	// SMTP is the relay that sends mail (password resets, invitations);
	// with no address, mails are written to the log.
	SMTP mail.SMTPConfig
	// WebhookAllowPrivate lets webhooks reach loopback, private and
	// link-local addresses, which are refused by default (SSRF).
	WebhookAllowPrivate bool
	// SecondaryAllowPrivate lets customers' primary servers (Secondary
	// DNS) be loopback, private and link-local addresses, refused by
	// default: zone transfers from inside the installation's network
	// would read its internal zones into a customer's account.
	SecondaryAllowPrivate bool
	// WebhookHistory is how long ended webhook deliveries and their events
	// are kept; older ones are pruned every hour.
	WebhookHistory time.Duration

	// Transfer is how zones are distributed to secondaries.
	Transfer TransferConfig

	// ServerConfig is how DNS is answered, as for `zonewarden dns`.
	ServerConfig
}

// DefaultNameServers are the name servers of new zones when --nameservers is
// not given. They are in .test (RFC 6761), which exists nowhere: fine on a
// laptop, and plainly wrong in a delegation, so production sets its own.
var DefaultNameServers = []string{"ns1.zonewarden.test.", "ns2.zonewarden.test."}

// DefaultServeConfig returns the laptop-friendly defaults.
func DefaultServeConfig() ServeConfig {
	return ServeConfig{
		StoreConfig:    StoreConfig{Data: "./data"},
		HTTP:           "127.0.0.1:8080",
		DNS:            "127.0.0.1:5353",
		NameServers:    DefaultNameServers,
		RateLimit:      api.DefaultRateLimit,
		Poll:           time.Second,
		SignUp:         string(web.SignUpClosed),
		RecordLimit:    store.DefaultRecordLimit,
		Transfer:       TransferConfig{Allow: []string{"*"}, Catalog: DefaultCatalog},
		ServerConfig:   DefaultServerConfig(),
		WebhookHistory: 30 * 24 * time.Hour,
	}
}

// Validate reports every problem in c at once.
func (c *ServeConfig) Validate() error {
	// The DNS knobs are checked as `zonewarden dns` checks them, but for
	// the address, which serve names --dns.
	d := c.dnsConfig()
	d.Zones = "-" // serve has no zone directory
	d.Listen = "127.0.0.1:0"
	errs := []error{c.StoreConfig.validate(), d.Validate()}
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := checkHostPort(c.DNS); err != nil {
		bad("--dns %q: %w", c.DNS, err)
	}
	if err := checkHostPort(c.HTTP); err != nil {
		bad("--http %q: %w", c.HTTP, err)
	}
	if len(c.NameServers) == 0 {
		bad("--nameservers is empty: new zones need name servers")
	}
	for _, ns := range c.NameServers {
		if _, ok := dnsName(ns); !ok {
			bad("--nameservers: %q is not a host name", ns)
		}
	}
	for _, tld := range c.TLDs {
		if t := strings.Trim(tld, "."); t == "" || strings.Contains(t, ".") || strings.ContainsAny(t, " /:@") {
			bad("--tlds: %q is not a top-level domain", tld)
		}
	}
	if c.Poll <= 0 {
		bad("--poll %s must be positive", c.Poll)
	}
	if c.SMTP.Addr != "" {
		if err := checkHostPort(c.SMTP.Addr); err != nil {
			bad("--smtp-addr %q: %w", c.SMTP.Addr, err)
		}
		if c.SMTP.From == "" {
			bad("--smtp-from is required with --smtp-addr")
		}
		if c.PublicURL == "" {
			// Without it, links in mails take the Host of the request that
			// asked for them, which anyone can set: a password-reset link
			// for someone else would then point at the asker's site.
			bad("--public-url is required with --smtp-addr: links in mails (password resets, invitations) must not take their address from a request's Host header")
		}
	}
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "https://") && !strings.HasPrefix(c.PublicURL, "http://") {
		bad("--public-url %q is not an http(s):// URL", c.PublicURL)
	}
	if c.WebhookHistory < time.Hour {
		bad("--webhook-history %s must be at least 1h", c.WebhookHistory)
	}
	errs = append(errs, c.Transfer.validate()...)
	if c.RecordLimit < 1 {
		bad("--record-limit %d must be at least 1", c.RecordLimit)
	}
	switch web.SignUp(c.SignUp) {
	case web.SignUpClosed, web.SignUpOpen, web.SignUpInvite:
	default:
		bad("--signup %q is not closed, open or invite", c.SignUp)
	}
	return errors.Join(errs...)
}

// dnsConfig is c's DNS part in the form `zonewarden dns` takes it.
func (c *ServeConfig) dnsConfig() DNSConfig {
	return DNSConfig{Listen: c.DNS, ServerConfig: c.ServerConfig}
}

// dnsName reads a host name given on the command line (a name server, the
// catalog zone, a key): labels of 1 to 63 letters, digits, '-' and '_',
// at most 253 characters, a final dot or none. It returns it fully
// qualified.
func dnsName(s string) (string, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" || len(s) > 253 {
		return "", false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 {
			return "", false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", false
			}
		}
	}
	return s + ".", true
}

// nameList is a comma-separated list of host names.
type nameList []string

func (l *nameList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

func (l *nameList) Set(s string) error {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	*l = out
	return nil
}

func serveFlags(output io.Writer) (*flag.FlagSet, *ServeConfig) {
	c := DefaultServeConfig()
	fs := flag.NewFlagSet("zonewarden serve", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&c.HTTP, "http", c.HTTP, "`address` of the HTTP API (/v2), /metrics and /healthz (port 0 picks one)")
	fs.StringVar(&c.DNS, "dns", c.DNS, "`address` to serve DNS on, UDP and TCP (port 0 picks one)")
	storeFlags(fs, &c.StoreConfig)
	fs.Var((*nameList)(&c.NameServers), "nameservers", "comma-separated host `names` of the name servers of new zones (NS records, SOA primary)")
	fs.Var((*nameList)(&c.TLDs), "tlds", "comma-separated top-level `domains` under which domains can be hosted (empty: any)")
	fs.IntVar(&c.RateLimit, "rate-limit", c.RateLimit, "API `requests` per hour per token; negative turns limiting off")
	fs.DurationVar(&c.Poll, "poll", c.Poll, "how often to read the database for writes made by other processes")
	fs.IntVar(&c.RecordLimit, "record-limit", c.RecordLimit, "most `records` a zone may hold")
	fs.StringVar(&c.SignUp, "signup", c.SignUp, "who may sign up on the dashboard after its first user: closed, open or invite")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", c.SecureCookies, "mark dashboard cookies Secure on plain HTTP (behind a TLS proxy)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "`URL` people reach the dashboard at (https://dns.example.com), for links in mails")
	fs.StringVar(&c.SMTP.Addr, "smtp-addr", c.SMTP.Addr, "SMTP relay `host:port` for mail; empty writes mails to the log")
	fs.StringVar(&c.SMTP.From, "smtp-from", c.SMTP.From, "sender `address` of mails")
	fs.StringVar(&c.SMTP.Username, "smtp-user", c.SMTP.Username, "SMTP `user name`; the password is read from ZONEWARDEN_SMTP_PASSWORD")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", c.WebhookAllowPrivate, "let webhooks reach loopback, private and link-local addresses (refused by default)")
	fs.BoolVar(&c.SecondaryAllowPrivate, "secondary-allow-private", c.SecondaryAllowPrivate, "let customers' primary servers (Secondary DNS) be loopback, private and link-local addresses (refused by default)")
	fs.DurationVar(&c.WebhookHistory, "webhook-history", c.WebhookHistory, "how long ended webhook deliveries are kept")
	transferFlags(fs, &c.Transfer)
	serverFlags(fs, &c.ServerConfig)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: zonewarden serve [flags]\n\n"+
			"Run the control plane and the DNS server in one process: the DNSimple-\n"+
			"compatible API on --http, DNS on --dns, data in SQLite under --data or in\n"+
			"PostgreSQL (--database). Writes through the API are served by DNS within\n"+
			"milliseconds. SIGINT or SIGTERM stops. Each flag can be set in the\n"+
			"environment as ZONEWARDEN_<FLAG> (--rate-limit is ZONEWARDEN_RATE_LIMIT).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs, &c
}

// parseFlags reads fs's flags from the environment (getenv) and then args;
// flags win. ZONEWARDEN_DATABASE_URL is read for --database too. Every error
// is a usage error (exit 2); flag.ErrHelp after printing the usage for -h.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string, output io.Writer) error {
	var errs []error
	set := func(flagName, env string) {
		if v := getenv(env); v != "" {
			if err := fs.Set(flagName, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", env, v, err))
			}
		}
	}
	if fs.Lookup("database") != nil {
		set("database", "ZONEWARDEN_DATABASE_URL")
	}
	fs.VisitAll(func(f *flag.Flag) { set(f.Name, envName(f.Name)) })
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(output)
			fs.Usage()
		}
		return err
	}
	if fs.NArg() > 0 {
		return &unexpectedArgError{fs.Arg(0)}
	}
	return nil
}

// unexpectedArgError is parseFlags' refusal of a positional argument,
// which parseFlagsArgs takes for one of its own; every other error stands.
type unexpectedArgError struct{ arg string }

func (e *unexpectedArgError) Error() string { return fmt.Sprintf("unexpected argument %q", e.arg) }

func parseServeConfig(args []string, getenv func(string) string, output io.Writer) (*ServeConfig, error) {
	fs, c := serveFlags(output)
	if err := parseFlags(fs, args, getenv, output); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// runServe is `zonewarden serve`.
func runServe(ctx context.Context, args []string, stderr io.Writer) int {
	cfg, err := parseServeConfig(args, os.Getenv, stderr)
	if exit, stop := flagsOutcome(stderr, "serve", err); stop {
		return exit
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	s, err := NewServe(*cfg, log)
	if err != nil {
		log.Error("configure serve", "err", err)
		return exitError
	}
	if err := s.Start(ctx); err != nil {
		s.Close()
		if ctx.Err() != nil {
			// Stopped by a signal while starting (migrating, loading
			// zones): a stop, as after serving.
			log.Info("stopped before serving", "err", err)
			return exitOK
		}
		log.Error("start", "err", err)
		return exitError
	}
	if err := s.Run(ctx); err != nil {
		log.Error("serve", "err", err)
		return exitError
	}
	log.Info("stopped")
	return exitOK
}

// Serve is the `zonewarden serve` role: the store, the API over HTTP, the DNS
// engine and server, the propagator that carries committed writes from the
// one to the other, and the workers of the store's background jobs (webhook
// deliveries), which processes sharing a database share out.
//
//	s, err := app.NewServe(cfg, log) // builds, opens nothing
//	err = s.Start(ctx)               // opens and migrates the database, loads every zone, binds
//	err = s.Run(ctx)                 // serves until ctx ends, then closes the database
type Serve struct {
	cfg      ServeConfig
	log      *slog.Logger
	store    *store.Store
	engine   *authority.Engine
	resolver *alias.Resolver
	dns      *dnsserver.Server
	prop     *propagator
	source   *storeSource       // the store, for the transfer handler
	xfr      *transfer.Handler  // zone transfers, in front of the engine
	notifier *transfer.Notifier // NOTIFY to secondaries
	secdns   *secondaryDNS      // customers' secondary zones, pulled from their primaries
	aliases  *aliasWatch        // bumps serials when ALIAS addresses change
	loaded   bool               // every zone loaded: changes are notified from now on
	jobs     *jobs.Runner
	registry *prometheus.Registry
	httpLn   net.Listener
	httpSrv  *http.Server
	started  bool
}

// NewServe builds the role from cfg, which it validates.
func NewServe(cfg ServeConfig, log *slog.Logger) (*Serve, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Serve{cfg: cfg, log: log}
	dcfg := cfg.dnsConfig()
	// A write to a large zone patches it (propagate.go) rather than
	// compiling it whole.
	s.engine, s.resolver = dcfg.newEngine(log, patchableRecords)
	acl, err := transfer.ParseACL(cfg.Transfer.Allow)
	if err != nil {
		return nil, err
	}
	s.source = &storeSource{}
	s.xfr, err = transfer.New(transfer.Config{Next: s.engine, Source: s.source, Allow: acl, Catalog: cfg.Transfer.Catalog, Logger: log.With("component", "transfer")})
	if err != nil {
		return nil, err
	}
	s.secdns = newSecondaryDNS(filepath.Join(cfg.Data, "secondary-dns"), s.engine,
		func(zones ...string) { s.prop.Kick(zones...) }, cfg.Poll, log.With("component", "secondary-dns"))
	s.secdns.allowPrivate = cfg.SecondaryAllowPrivate
	if s.dns, s.registry, err = dcfg.newServer(s.secdns.Handler(s.xfr), log); err != nil {
		return nil, err
	}
	return s, nil
}

// Start opens and migrates the database, loads every zone into the DNS
// engine and binds the DNS and HTTP listeners. On error, Close releases
// what was opened.
func (s *Serve) Start(ctx context.Context) error {
	if s.started {
		return errors.New("serve already started")
	}
	guard := webhook.Guard{AllowPrivate: s.cfg.WebhookAllowPrivate}
	st, err := openStore(ctx, s.cfg.StoreConfig, s.log, store.WithNameServers(s.cfg.NameServers), store.WithRecordLimit(s.cfg.RecordLimit),
		store.WithWebhookURLCheck(guard.CheckURL), store.WithPrimaryServerCheck(s.secdns.checkPrimary), store.WithReservedZones(reservedZones(s.cfg.Transfer.Catalog)...))
	if err != nil {
		return err
	}
	s.store = st
	s.secdns.st = st
	s.prop = newPropagator(st, s.engine, s.cfg.Poll, s.log.With("component", "propagate"))
	s.registry.MustRegister(s.prop.collectors()...)
	deliverer, err := webhook.New(webhook.Config{Store: st, Client: guard.Client(), Logger: s.log.With("component", "webhook")})
	if err != nil {
		return err
	}
	s.jobs, err = jobs.New(jobs.Config{
		Queue:  st,
		Logger: s.log.With("component", "jobs"),
		Kinds: map[string]jobs.Kind{
			store.JobWebhookDelivery: {Handle: deliverer.Deliver, MaxAttempts: 10, Backoff: jobs.Backoff(time.Minute, time.Hour)},
		},
	})
	if err != nil {
		return err
	}
	if err := s.startTransfers(ctx); err != nil {
		return err
	}
	start := time.Now()
	if err := s.prop.load(ctx); err != nil {
		return fmt.Errorf("load zones: %w", err)
	}
	s.loaded = true
	s.log.Info("zones loaded", "zones", len(s.engine.Zones()), "records", s.engine.Records(), "took", time.Since(start).Round(time.Millisecond))
	if slices.Equal(s.cfg.NameServers, DefaultNameServers) {
		s.log.Warn("new zones get the placeholder name servers ns1/ns2.zonewarden.test.: set --nameservers to yours")
	}

	if err := s.dns.Start(); err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.DNS, err)
	}
	ln, err := net.Listen("tcp", s.cfg.HTTP)
	if err != nil {
		return fmt.Errorf("listen for http: %w", err)
	}
	s.httpLn = ln
	s.httpSrv = &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.started = true
	s.log.Info("serving", "http", "http://"+ln.Addr().String(), "udp", s.dns.UDPAddr().String(), "tcp", s.dns.TCPAddr().String(),
		"database", s.cfg.StoreConfig.describe())
	return nil
}

// handler is the HTTP surface: the API under /v2/, /metrics, /healthz and
// the dashboard (everything else).
func (s *Serve) handler() http.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "zonewarden_http_requests_total", Help: "HTTP requests, by method and status code."},
		[]string{"method", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "zonewarden_http_request_duration_seconds", Help: "Time to answer HTTP requests, by method and status code.",
		Buckets: prometheus.DefBuckets}, []string{"method", "code"})
	s.registry.MustRegister(requests, duration)

	a := api.New(api.Config{
		Store:     s.store,
		Logger:    s.log.With("component", "api"),
		RateLimit: s.cfg.RateLimit,
		TLDs:      s.cfg.TLDs,
		Changed:   s.changed,
		// Record writes, the hot path, cannot change links: only these
		// wake the follower before its poll.
		LinksChanged: s.secdns.Kick,
		Distributed:  s.distributed(),
	})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError),
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		// A read of the journal's tail: one indexed query, no rows.
		if _, _, _, err := s.store.ChangedZones(r.Context(), 1<<62); err != nil {
			s.log.Error("health check: database", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database unavailable")
			return
		}
		fmt.Fprintln(w, "ok")
	})
	dash := web.New(web.Config{
		Store:         s.store,
		Logger:        s.log.With("component", "web"),
		Changed:       s.changed,
		LinksChanged:  s.secdns.Kick,
		SignUp:        web.SignUp(s.cfg.SignUp),
		SecureCookies: s.cfg.SecureCookies,
		Mail:          s.mailer(),
		PublicURL:     strings.TrimSuffix(s.cfg.PublicURL, "/"),
		Distributed:   s.distributed(),
		Resolvers:     s.cfg.AliasUpstream,
	})
	mux.Handle("/v2/", promhttp.InstrumentHandlerDuration(duration, promhttp.InstrumentHandlerCounter(requests, a)))
	mux.Handle("/", promhttp.InstrumentHandlerDuration(duration, promhttp.InstrumentHandlerCounter(requests, dash)))
	return mux
}

// reservedZones are the zones no customer's domain may overlap: the
// catalog zone, when there is one.
func reservedZones(catalog string) []string {
	if catalog == "" {
		return nil
	}
	return []string{dns.Fqdn(strings.ToLower(catalog))}
}

// mailer is the SMTP relay when one is configured, else the log.
func (s *Serve) mailer() mail.Sender {
	if s.cfg.SMTP.Addr == "" {
		return mail.Log{Logger: s.log.With("component", "mail")}
	}
	c := s.cfg.SMTP
	c.Password = os.Getenv("ZONEWARDEN_SMTP_PASSWORD")
	return mail.NewSMTP(c)
}

// changed hands a committed write to the DNS engine and wakes the job
// workers, for the deliveries it enqueued.
func (s *Serve) changed(zones ...string) {
	s.prop.Kick(zones...)
	s.jobs.Kick()
}

// HTTPAddr, UDPAddr and TCPAddr are the bound addresses, valid after Start.
func (s *Serve) HTTPAddr() string        { return s.httpLn.Addr().String() }
func (s *Serve) UDPAddr() netip.AddrPort { return s.dns.UDPAddr() }
func (s *Serve) TCPAddr() netip.AddrPort { return s.dns.TCPAddr() }

// Run serves until ctx ends, or until a part stops on its own (its error is
// returned), then closes the database. Start must have succeeded.
func (s *Serve) Run(ctx context.Context) error {
	if !s.started {
		return errors.New("serve not started")
	}
	defer s.Close()
	parts := []part{
		{"dns server", s.dns.Run},
		{"propagator", s.prop.Run},
		{"jobs", s.jobs.Run},
		{"webhook history pruner", s.pruneWebhookHistory},
		{"notify", s.notifier.Run},
		{"secondary dns", s.secdns.Run},
		{"alias refresh", s.aliases.Run},
	}
	if s.resolver != nil {
		parts = append(parts, part{"alias resolver", s.resolver.Run})
	}
	parts = append(parts, httpPart("http server", s.httpSrv, s.httpLn))
	return runParts(ctx, parts...)
}

// pruneWebhookHistory deletes ended webhook deliveries older than
// --webhook-history, at start and every hour. A failure is logged: the next
// hour tries again.
func (s *Serve) pruneWebhookHistory(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		d, e, j, err := s.store.PruneWebhookHistory(ctx, time.Now().Add(-s.cfg.WebhookHistory))
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("prune webhook history", "err", err)
		case d+e+j > 0:
			s.log.Info("pruned webhook history", "deliveries", d, "events", e, "jobs", j)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Close closes the database; Run does it when it returns.
func (s *Serve) Close() error {
	if s.httpLn != nil && !s.started {
		s.httpLn.Close()
	}
	if s.store == nil {
		return nil
	}
	err := s.store.Close()
	s.store = nil
	return err
}

// openStore opens the database and brings its schema up to date.
func openStore(ctx context.Context, c StoreConfig, log *slog.Logger, opts ...store.Option) (*store.Store, error) {
	key, created, err := seal.KeyFromEnvOrFile(c.secretKeyFile())
	if err != nil {
		return nil, err
	}
	if created {
		log.Info("created the key that seals stored secrets; back it up with the database", "file", c.secretKeyFile())
	}
	box, err := seal.New(key)
	if err != nil {
		return nil, err
	}
	opts = append([]store.Option{store.WithLogger(log.With("component", "store")), store.WithSealer(box)}, opts...)
	st, err := store.Open(ctx, c.url(), opts...)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", c.describe(), err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate database %s: %w", c.describe(), err)
	}
	return st, nil
}

// describe names the database for logs, without a password.
func (c StoreConfig) describe() string {
	if c.Database == "" {
		return "sqlite:" + c.url()
	}
	return redactURL(c.Database)
}

// redactURL is a database URL fit for a log line: without its user's
// password, in the authority or in a password (or passfile) parameter. A
// URL that does not parse shows only its scheme.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		scheme, _, _ := strings.Cut(raw, "://")
		return scheme + "://…"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "…")
	}
	q := u.Query()
	for _, k := range []string{"password", "passfile", "sslpassword"} {
		if q.Has(k) {
			q.Set(k, "…")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
