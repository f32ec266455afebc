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
	"os"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/zonewarden/zonewarden/internal/alias"
	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/secondary"
	"github.com/zonewarden/zonewarden/internal/tsig"
)

// EdgeConfig is the configuration of `zonewarden edge`: a secondary name
// server of a primary (`zonewarden serve`, Knot, NSD, BIND), or of several
// serving the same zones, failed over in turn.
type EdgeConfig struct {
	// Primaries are the primaries' addresses, host:port, in the order
	// they are preferred (the flag adds port 53 where none is given).
	Primaries []string
	// TSIG is NAME:ALGORITHM:SECRET (as `zonewarden tsig add` prints it);
	// empty sends unsigned requests.
	TSIG string
	// Catalog is the catalog zone (RFC 9432) listing the zones to keep.
	Catalog string
	// Zones are kept whatever the catalog says; for a primary without a
	// catalog zone.
	Zones []string
	// Data is the directory where transferred zones are kept.
	Data string
	// Listen is the address served on UDP and TCP.
	Listen string
	// Metrics, when set, is the address of the HTTP listener for /metrics
	// and /healthz.
	Metrics string
	// Transfers is how many zones are refreshed at a time.
	Transfers int
	// Timeout bounds each exchange with the primary.
	Timeout time.Duration
	// ServerConfig is how DNS is answered, as for `zonewarden dns`.
	ServerConfig
}

// DefaultEdgeConfig returns the defaults of `zonewarden edge`.
func DefaultEdgeConfig() EdgeConfig {
	return EdgeConfig{
		Data:         "./edge-data",
		Listen:       "127.0.0.1:5353",
		Transfers:    16,
		Timeout:      10 * time.Second,
		ServerConfig: DefaultServerConfig(),
	}
}

// Validate reports every problem in c at once.
func (c *EdgeConfig) Validate() error {
	d := c.dnsConfig()
	d.Zones = "-" // no zone directory
	errs := []error{d.Validate()}
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(c.Primaries) == 0 {
		bad("--primary is required: the address of the primary name server, or a comma-separated list of them")
	}
	for i, p := range c.Primaries {
		if err := checkPrimary(p); err != nil {
			bad("--primary: %q: %w", p, err)
		} else if slices.Index(c.Primaries, p) != i {
			bad("--primary: %q is listed twice", p)
		}
	}
	if c.TSIG != "" {
		if _, err := tsig.ParseKey(c.TSIG); err != nil {
			bad("--tsig: %w", err)
		}
	}
	if c.Catalog == "" && len(c.Zones) == 0 {
		bad("--catalog or --zones is required: which zones to transfer")
	}
	if c.Catalog != "" {
		if _, ok := dnsName(c.Catalog); !ok {
			bad("--catalog %q is not a domain name", c.Catalog)
		}
	}
	for _, z := range c.Zones {
		if _, ok := dnsName(z); !ok {
			bad("--zones: %q is not a domain name", z)
		}
	}
	if c.Data == "" {
		bad("--data is required: the directory where transferred zones are kept")
	}
	if c.Transfers < 1 {
		bad("--transfers %d must be at least 1", c.Transfers)
	}
	if c.Timeout <= 0 {
		bad("--timeout %s must be positive", c.Timeout)
	}
	return errors.Join(errs...)
}

// checkPrimary checks the address of a primary, host:port: an IP address or
// a host name, and a port that is not 0.
func checkPrimary(addr string) error {
	if err := checkHostPort(addr); err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(addr)
	if port == "0" {
		return errors.New("port 0 is not a port a primary answers on")
	}
	if _, err := netip.ParseAddr(host); err != nil {
		if _, ok := dnsName(host); !ok {
			return fmt.Errorf("%q is neither an IP address nor a host name", host)
		}
	}
	return nil
}

func (c *EdgeConfig) dnsConfig() DNSConfig {
	return DNSConfig{Listen: c.Listen, Metrics: c.Metrics, ServerConfig: c.ServerConfig}
}

func edgeFlags(output io.Writer) (*flag.FlagSet, *EdgeConfig) {
	c := DefaultEdgeConfig()
	fs := flag.NewFlagSet("zonewarden edge", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Var((*addrList)(&c.Primaries), "primary", "`addresses` of the primary name servers, comma-separated, in the order tried (port 53 when none is given)")
	fs.StringVar(&c.TSIG, "tsig", c.TSIG, "TSIG key `NAME:ALGORITHM:SECRET` (hmac-sha256 or hmac-sha512) signing transfers and authorizing NOTIFY")
	fs.StringVar(&c.Catalog, "catalog", c.Catalog, "catalog `zone` (RFC 9432) whose member zones are transferred")
	fs.Var((*nameList)(&c.Zones), "zones", "comma-separated `zones` to transfer besides the catalog's (for a primary without one)")
	fs.StringVar(&c.Data, "data", c.Data, "`directory` where transferred zones are kept, served at once on restart")
	fs.StringVar(&c.Listen, "listen", c.Listen, "`address` to serve DNS on, UDP and TCP (port 0 picks one)")
	fs.StringVar(&c.Metrics, "metrics", c.Metrics, "`address` for HTTP /metrics and /healthz (off when empty)")
	fs.IntVar(&c.Transfers, "transfers", c.Transfers, "zones refreshed at a time")
	fs.DurationVar(&c.Timeout, "timeout", c.Timeout, "bound on each exchange with the primary")
	serverFlags(fs, &c.ServerConfig)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: zonewarden edge --primary ADDR[,ADDR...] (--catalog ZONE | --zones LIST) [flags]\n\n"+
			"Serve the zones of a primary name server as its secondary: transfer them\n"+
			"(IXFR, AXFR), follow NOTIFY and the SOA timers, keep them in --data so a\n"+
			"restart answers at once. With several primaries, one that does not answer\n"+
			"is passed over for the next. SIGINT or SIGTERM stops. Each flag can be set in\n"+
			"the environment as ZONEWARDEN_<FLAG> (--tsig is ZONEWARDEN_TSIG).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs, &c
}

func parseEdgeConfig(args []string, getenv func(string) string, output io.Writer) (*EdgeConfig, error) {
	fs, c := edgeFlags(output)
	if err := parseFlags(fs, args, getenv, output); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// runEdge is `zonewarden edge`.
func runEdge(ctx context.Context, args []string, stderr io.Writer) int {
	cfg, err := parseEdgeConfig(args, os.Getenv, stderr)
	if exit, stop := flagsOutcome(stderr, "edge", err); stop {
		return exit
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	e, err := NewEdge(*cfg, log)
	if err != nil {
		log.Error("configure edge", "err", err)
		return exitError
	}
	if err := e.Start(); err != nil {
		log.Error("start edge", "err", err)
		return exitError
	}
	if err := e.Run(ctx); err != nil {
		log.Error("serve edge", "err", err)
		return exitError
	}
	log.Info("stopped")
	return exitOK
}

// Edge is the `zonewarden edge` role: a secondary.Secondary feeding an
// authority.Engine served by a dnsserver.Server, NOTIFY answered in front of
// the engine, and with --metrics an HTTP listener.
//
//	e, err := app.NewEdge(cfg, log) // builds, opens nothing
//	err = e.Start()                 // serves the zones kept in --data, binds
//	err = e.Run(ctx)                // transfers and serves until ctx ends
type Edge struct {
	cfg       EdgeConfig
	log       *slog.Logger
	engine    *authority.Engine
	resolver  *alias.Resolver
	secondary *secondary.Secondary
	server    *dnsserver.Server
	registry  *prometheus.Registry
	httpLn    net.Listener
	httpSrv   *http.Server
	started   bool
}

// NewEdge builds the role from cfg, which it validates.
func NewEdge(cfg EdgeConfig, log *slog.Logger) (*Edge, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Edge{cfg: cfg, log: log}
	dcfg := cfg.dnsConfig()
	// An IXFR of a large zone patches it (secondary's install) rather
	// than compiling it whole.
	e.engine, e.resolver = dcfg.newEngine(log, patchableRecords)
	scfg := secondary.Config{
		Primaries: cfg.Primaries,
		Catalog:   cfg.Catalog,
		Zones:     cfg.Zones,
		Dir:       cfg.Data,
		Engine:    e.engine,
		Transfers: cfg.Transfers,
		Timeout:   cfg.Timeout,
		Logger:    log.With("component", "secondary"),
	}
	if cfg.TSIG != "" {
		k, err := tsig.ParseKey(cfg.TSIG)
		if err != nil {
			return nil, err
		}
		scfg.Key = &k
	}
	sec, err := secondary.New(scfg)
	if err != nil {
		return nil, err
	}
	e.secondary = sec
	if e.server, e.registry, err = dcfg.newServer(sec.Handler(e.engine), log); err != nil {
		return nil, err
	}
	e.registry.MustRegister(sec.Metrics())
	return e, nil
}

// Start serves the zones kept in --data, then binds the DNS sockets and the
// metrics listener. Nothing is asked of the primary before Run.
func (e *Edge) Start() error {
	if e.started {
		return errors.New("edge already started")
	}
	if err := e.secondary.Load(); err != nil {
		return err
	}
	if err := e.server.Start(); err != nil {
		return fmt.Errorf("listen on %s: %w", e.cfg.Listen, err)
	}
	if e.cfg.Metrics != "" {
		ln, srv, err := listenMetrics(e.cfg.Metrics, e.registry, e.log)
		if err != nil {
			return err
		}
		e.httpLn, e.httpSrv = ln, srv
	}
	e.started = true
	attrs := []any{"udp", e.server.UDPAddr().String(), "tcp", e.server.TCPAddr().String(),
		"primaries", e.cfg.Primaries, "zones", len(e.engine.Zones())}
	if e.httpLn != nil {
		attrs = append(attrs, "metrics", "http://"+e.httpLn.Addr().String()+"/metrics")
	}
	e.log.Info("serving DNS", attrs...)
	return nil
}

// UDPAddr and TCPAddr are the bound DNS addresses, valid after Start.
func (e *Edge) UDPAddr() netip.AddrPort { return e.server.UDPAddr() }
func (e *Edge) TCPAddr() netip.AddrPort { return e.server.TCPAddr() }

// Run serves and keeps the zones up to date until ctx ends.
func (e *Edge) Run(ctx context.Context) error {
	if !e.started {
		return errors.New("edge not started")
	}
	parts := []part{{"dns server", e.server.Run}, {"secondary", e.secondary.Run}}
	if e.resolver != nil {
		parts = append(parts, part{"alias resolver", e.resolver.Run})
	}
	if e.httpSrv != nil {
		parts = append(parts, httpPart("metrics server", e.httpSrv, e.httpLn))
	}
	return runParts(ctx, parts...)
}
