package app

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/zonewarden/zonewarden/internal/alias"
	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// runDNS is `zonewarden dns`: parse the configuration, start, serve until
// ctx ends, reloading the zone directory on SIGHUP.
func runDNS(ctx context.Context, args []string, stderr io.Writer) int {
	cfg, err := parseDNSConfig(args, os.Getenv, stderr)
	if exit, stop := flagsOutcome(stderr, "dns", err); stop {
		return exit
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)

	// Catch SIGHUP before anything is served: its default action ends the
	// process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	d, err := NewDNS(*cfg, log)
	if err != nil {
		log.Error("configure dns", "err", err)
		return exitError
	}
	if err := d.Start(); err != nil {
		log.Error("start dns", "err", err)
		return exitError
	}

	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading zones", "dir", cfg.Zones)
				if err := d.Reload(); err != nil {
					log.Error("reload zones", "err", err)
				}
			}
		}
	}()

	if err := d.Run(ctx); err != nil {
		log.Error("serve dns", "err", err)
		return exitError
	}
	log.Info("stopped")
	return exitOK
}

// newLogger returns the process logger: text or JSON on w.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// DNS is the `zonewarden dns` role: an authority.Engine serving a directory
// of zone files through a dnsserver.Server, an alias.Resolver for ALIAS
// targets served elsewhere and, with --metrics, an HTTP listener.
//
//	d, err := app.NewDNS(cfg, log) // builds, starts nothing
//	err = d.Start()                // loads the zones, binds the sockets
//	err = d.Run(ctx)               // serves until ctx ends
//	err = d.Reload()               // from any goroutine, e.g. on SIGHUP
type DNS struct {
	cfg      DNSConfig
	log      *slog.Logger
	engine   *authority.Engine
	resolver *alias.Resolver // nil without upstreams
	server   *dnsserver.Server
	registry *prometheus.Registry
	stats    loadStats

	httpLn  net.Listener // bound by Start when cfg.Metrics is set
	httpSrv *http.Server

	reloadMu sync.Mutex // one load at a time
	// served summarizes, by origin, each zone as last given to the engine;
	// under reloadMu. Only a digest is kept: the parsed records would cost
	// more memory than the compiled zone.
	served  map[string]servedZone
	started bool
}

// loadStats are the zone-loading metrics, exported with the server's.
type loadStats struct {
	zones, records, fileErrors prometheus.Gauge
	lastLoad                   prometheus.Gauge
	loads                      *prometheus.CounterVec
}

func newLoadStats() loadStats {
	return loadStats{
		zones: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zonewarden_zones", Help: "Zones being served."}),
		records: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zonewarden_records", Help: "Records in the zones being served."}),
		fileErrors: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zonewarden_zone_file_errors", Help: "Zone files that failed to load at the last (re)load."}),
		lastLoad: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "zonewarden_zones_loaded_timestamp_seconds", Help: "When the zone directory was last loaded, successfully or partly."}),
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zonewarden_zone_loads_total", Help: "Loads of the zone directory, by result: ok, partial (some files bad) or error (nothing changed)."},
			[]string{"result"}),
	}
}

func (s loadStats) collectors() []prometheus.Collector {
	return []prometheus.Collector{s.zones, s.records, s.fileErrors, s.lastLoad, s.loads}
}

// NewDNS builds the role from cfg, which it validates. It opens nothing.
func NewDNS(cfg DNSConfig, log *slog.Logger) (*DNS, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &DNS{cfg: cfg, log: log, stats: newLoadStats()}

	d.engine, d.resolver = cfg.newEngine(log, 0)
	var err error
	if d.server, d.registry, err = cfg.newServer(d.engine, log); err != nil {
		return nil, err
	}
	d.registry.MustRegister(d.stats.collectors()...)
	return d, nil
}

// Start loads the zone directory and binds the DNS sockets and the metrics
// listener. Bad zone files are logged and their zones not served; a
// directory that can't be read is an error.
func (d *DNS) Start() error {
	if d.started {
		return errors.New("dns already started")
	}
	if err := d.Reload(); err != nil {
		return err
	}
	if err := d.server.Start(); err != nil {
		return fmt.Errorf("listen on %s: %w", d.cfg.Listen, err)
	}
	if d.cfg.Metrics != "" {
		ln, srv, err := listenMetrics(d.cfg.Metrics, d.registry, d.log)
		if err != nil {
			return err
		}
		d.httpLn, d.httpSrv = ln, srv
	}
	d.started = true
	attrs := []any{"udp", d.server.UDPAddr().String(), "tcp", d.server.TCPAddr().String(), "zones", len(d.engine.Zones())}
	if d.httpLn != nil {
		attrs = append(attrs, "metrics", "http://"+d.httpLn.Addr().String()+"/metrics")
	}
	d.log.Info("serving DNS", attrs...)
	return nil
}

// UDPAddr and TCPAddr are the bound DNS addresses, valid after Start.
func (d *DNS) UDPAddr() netip.AddrPort { return d.server.UDPAddr() }
func (d *DNS) TCPAddr() netip.AddrPort { return d.server.TCPAddr() }

// MetricsAddr is the bound metrics address, or "" without --metrics.
func (d *DNS) MetricsAddr() string {
	if d.httpLn == nil {
		return ""
	}
	return d.httpLn.Addr().String()
}

// Run serves until ctx ends and returns nil then, or returns the first error
// of a part that stopped on its own (the others are stopped first). Start must
// have succeeded.
func (d *DNS) Run(ctx context.Context) error {
	if !d.started {
		return errors.New("dns not started")
	}
	parts := []part{{"dns server", d.server.Run}}
	if d.resolver != nil {
		parts = append(parts, part{"alias resolver", d.resolver.Run})
	}
	if d.httpSrv != nil {
		parts = append(parts, httpPart("metrics server", d.httpSrv, d.httpLn))
	}
	return runParts(ctx, parts...)
}

// Reload reads the zone directory again and serves what it holds: zones of
// new files are added, changed zones recompiled, zones whose files are gone
// dropped, and a zone whose file is now bad keeps being served as it was.
// The engine swaps all of it in at once, so no query sees half a reload. If
// the directory can't be read, nothing changes and the error is returned.
func (d *DNS) Reload() error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	start := time.Now()

	entries, err := os.ReadDir(d.cfg.Zones)
	if err != nil {
		d.stats.loads.WithLabelValues("error").Inc()
		return fmt.Errorf("read zone directory: %w", err)
	}
	// Parsing and compiling a large zone makes short-lived garbage at a
	// great rate: let the heap grow during the load rather than collect
	// all along (a 200,000-record zone loads 15 % faster). Many small
	// zones gain little from it and would leave a more fragmented heap.
	if hasLargeFile(entries) {
		defer debug.SetGCPercent(debug.SetGCPercent(800))
	}
	loaded, loadErrs := zone.LoadDir(d.cfg.Zones)

	next := map[string]servedZone{} // what is served after this reload
	parsed := map[string]*zone.Zone{}
	for _, z := range loaded {
		next[z.Origin] = summarize(z)
		parsed[z.Origin] = z
	}
	kept := map[string]bool{} // origins served as before because their file is bad
	for _, le := range loadErrs {
		d.log.Error("zone file not loaded", "file", le.File, "origin", le.Origin, "err", le.Err)
		if le.Origin == "" || parsed[le.Origin] != nil {
			continue
		}
		if old, ok := d.served[le.Origin]; ok {
			next[le.Origin] = old
			kept[le.Origin] = true
		}
	}

	// Compile only what changed; the engine keeps the rest as it is.
	var put []*zone.Zone
	for _, origin := range slices.Sorted(maps.Keys(parsed)) {
		old, ok := d.served[origin]
		if !ok || old.digest != next[origin].digest {
			put = append(put, parsed[origin])
		}
	}
	var remove []string
	for _, origin := range slices.Sorted(maps.Keys(d.served)) {
		if _, ok := next[origin]; !ok {
			remove = append(remove, origin)
		}
	}
	if err := d.engine.Update(put, remove); err != nil {
		// A zone parsed but does not compile. Find it by compiling each
		// alone, and serve its previous version instead, if any.
		d.log.Error("compile zones", "err", err)
		put = d.compilable(put, next, kept)
		if err := d.engine.Update(put, remove); err != nil {
			d.stats.loads.WithLabelValues("error").Inc()
			return fmt.Errorf("compile zones: %w", err)
		}
	}

	d.logChanges(d.served, next, kept)
	d.served = next
	records := 0
	for _, z := range next {
		records += z.records
	}
	result := "ok"
	if len(loadErrs) > 0 {
		result = "partial"
	}
	d.stats.loads.WithLabelValues(result).Inc()
	d.stats.zones.Set(float64(len(next)))
	d.stats.records.Set(float64(records))
	d.stats.fileErrors.Set(float64(len(loadErrs)))
	d.stats.lastLoad.SetToCurrentTime()
	d.log.Info("zones loaded", "dir", d.cfg.Zones, "zones", len(next), "records", records,
		"compiled", len(put), "removed", len(remove), "file_errors", len(loadErrs),
		"kept_previous", len(kept), "took", time.Since(start).Round(time.Microsecond))
	if len(next) == 0 {
		d.log.Warn("no zones to serve: every query will be refused", "dir", d.cfg.Zones)
	}
	// Parsing leaves garbage several times the size of the compiled zones;
	// hand it back rather than carry it in the resident set, a moment after
	// the caller has the new zones in service: the collection it takes
	// would otherwise delay the first answers on a one-core server.
	loaded, put = nil, nil
	time.AfterFunc(250*time.Millisecond, debug.FreeOSMemory) // out of the way of the first answers
	return nil
}

// compilable compiles each zone of put on its own and returns those that
// compile. For one that does not, next gets the version served before
// (marked kept), or loses the origin when there is none.
func (d *DNS) compilable(put []*zone.Zone, next map[string]servedZone, kept map[string]bool) []*zone.Zone {
	var out []*zone.Zone
	for _, z := range put {
		scratch := authority.New(authority.Config{MaxUDPSize: uint16(d.cfg.MaxUDPSize)})
		err := scratch.Replace([]*zone.Zone{z})
		if err == nil {
			out = append(out, z)
			continue
		}
		old, ok := d.served[z.Origin]
		d.log.Error("zone not compiled", "origin", z.Origin, "err", err, "kept_previous", ok)
		if ok {
			next[z.Origin] = old
			kept[z.Origin] = true
		} else {
			delete(next, z.Origin)
		}
	}
	return out
}

// servedZone is what a reload needs to know of a zone being served.
type servedZone struct {
	serial  uint32
	records int
	digest  [sha256.Size]byte // of the records in wire form, in order
}

func summarize(z *zone.Zone) servedZone {
	s := servedZone{records: len(z.Records)}
	if soa := z.SOA(); soa != nil {
		s.serial = soa.Serial
	}
	h := sha256.New()
	buf := make([]byte, 65535+512)
	for _, rr := range z.Records {
		// ALIAS is a private type that packs through its own code; every
		// record has a wire form, which is what the digest covers.
		n, err := dns.PackRR(rr, buf, 0, nil, false)
		if err != nil {
			fmt.Fprintf(h, "unpackable %s\n", rr) // still a change when it changes
			continue
		}
		var ttl [4]byte
		binary.BigEndian.PutUint32(ttl[:], rr.Header().Ttl)
		h.Write(buf[:n])
		h.Write(ttl[:])
	}
	h.Sum(s.digest[:0])
	return s
}

// logChanges logs each zone added, removed, changed or kept at its old
// version.
func (d *DNS) logChanges(before, after map[string]servedZone, kept map[string]bool) {
	for _, origin := range slices.Sorted(maps.Keys(after)) {
		z := after[origin]
		old, existed := before[origin]
		switch {
		case kept[origin]:
			d.log.Warn("zone file bad: serving the previous version", "origin", origin, "serial", z.serial)
		case !existed:
			d.log.Info("zone added", "origin", origin, "serial", z.serial, "records", z.records)
		case old.digest != z.digest:
			d.log.Info("zone changed", "origin", origin, "old_serial", old.serial, "serial", z.serial, "records", z.records)
			if old.serial == z.serial {
				d.log.Warn("zone changed but its SOA serial did not: secondaries will not notice", "origin", origin, "serial", z.serial)
			}
		default:
			d.log.Debug("zone unchanged", "origin", origin, "serial", z.serial)
		}
	}
	for _, origin := range slices.Sorted(maps.Keys(before)) {
		if _, ok := after[origin]; !ok {
			d.log.Info("zone removed", "origin", origin)
		}
	}
}

// hasLargeFile reports whether a zone directory holds a zone file of a
// megabyte or more.
func hasLargeFile(entries []os.DirEntry) bool {
	for _, e := range entries {
		if !zone.IsZoneFileName(e.Name()) {
			continue
		}
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() && info.Size() >= 1<<20 {
			return true
		}
	}
	return false
}
