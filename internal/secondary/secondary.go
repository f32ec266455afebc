// Package secondary keeps zones transferred from primary name servers: the
// secondary side of RFC 1034 §4.3.5, RFC 1995 (IXFR), RFC 1996 (NOTIFY),
// RFC 5936 (AXFR), RFC 8945 (TSIG) and RFC 9432 (catalog zones). It is what
// `zonewarden edge` runs.
//
//	s, err := secondary.New(secondary.Config{
//		Primaries: []string{"192.0.2.1:53", "192.0.2.2:53"}, Key: &key, Catalog: "catalog.invalid.",
//		Dir: "/var/lib/zonewarden/edge", Engine: engine,
//	})
//	err = s.Load()                              // serve what DIR holds, at once
//	srv, _ := dnsserver.New(dnsserver.Config{Handler: s.Handler(engine), ...})
//	err = s.Run(ctx)                            // transfer, refresh, expire
//
// Each zone is checked against the primary every SOA refresh (at once on a
// NOTIFY), transferred by IXFR when its serial moved (AXFR when the primary
// cannot give the difference), compiled into the engine and written to Dir
// atomically before it is counted as held. A zone that cannot be refreshed
// for its SOA expire answers SERVFAIL until it can. With a catalog, the
// member zones come and go with the catalog's PTR records.
//
// With several primaries a refresh fails over: the primaries are asked in
// turn, starting with the one that last answered for the zone, until one
// answers; only when none does is the refresh a failure.
package secondary

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/tsig"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// Engine serves the zones; internal/authority's Engine is one.
type Engine interface {
	Update(put []*zone.Zone, remove []string) error
	SetExpired(origin string, expired bool) error
}

// patcher is an Engine that applies a change of a zone it serves without
// compiling the rest (authority.Engine.Patch). It returns an error when it
// cannot, and then serves the zone as before.
type patcher interface {
	Patch(origin string, removed, added []dns.RR) error
}

// Config configures a Secondary.
type Config struct {
	// Primaries are the primaries' addresses, host:port, in the order
	// they are preferred; at least one. A refresh that cannot reach one
	// (no answer, REFUSED, NOTAUTH, SERVFAIL, a transfer cut off) goes on
	// to the next. NOTIFY is accepted from the addresses of every one.
	Primaries []string
	// Key signs every request to the primary and authorizes NOTIFY from
	// anywhere; nil sends unsigned requests.
	Key *tsig.Key
	// Catalog is a catalog zone (RFC 9432, version 2) whose member zones
	// are transferred. "" uses only Zones.
	Catalog string
	// Zones are transferred whatever the catalog says: for a primary
	// without a catalog zone.
	Zones []string
	// Dir holds the zones as last transferred, read back by Load.
	Dir string
	// Engine serves the zones.
	Engine Engine
	// Transfers is how many zones are refreshed at a time. Default 16.
	Transfers int
	// Timeout bounds each exchange with the primary, and each message of a
	// transfer. Default 10s.
	Timeout time.Duration
	// MinRefresh and MaxRefresh bound the SOA refresh and retry intervals
	// used, so that a zone with refresh 0 does not spin and one with a
	// year does not go unchecked. Defaults 2s and 24h. Expire is honoured
	// as it is.
	MinRefresh, MaxRefresh time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Secondary keeps the zones of one primary, or of several serving the
// same zones. Its methods are safe for concurrent use.
type Secondary struct {
	cfg       Config
	log       *slog.Logger
	primaries []netip.Addr   // the addresses of every primary: NOTIFY from them is accepted
	addrsOf   [][]netip.Addr // by index in cfg.Primaries: the addresses of that primary
	catalog   string
	metrics   *Metrics

	mu      sync.Mutex
	zones   map[string]*zoneState // by origin, the catalog zone included
	queue   []*zoneState          // due for a refresh, not yet taken by a worker
	kick    chan struct{}         // wakes the scheduler
	ready   chan struct{}         // wakes a worker
	loaded  bool
	running bool

	inflight atomic.Int64 // refreshes under way

	syncMu   sync.Mutex // the directory syncs, see syncDir
	syncCond *sync.Cond
	syncing  bool
	syncGen  uint64 // syncs started
	syncDone uint64 // the last sync finished
	syncErr  error  // its error

	putMu    sync.Mutex
	puts     []*putRequest // waiting for the engine
	flushing bool          // a caller of put is handing puts to the engine
}

// putRequest is a zone waiting to be compiled into the engine.
type putRequest struct {
	zone *zone.Zone
	done chan error
}

// put compiles z into the engine. Concurrent puts are handed to the engine
// together: each Update copies the engine's table of zones, so a fresh edge
// transferring thousands of zones one Update each would spend its time
// copying tables.
func (s *Secondary) put(z *zone.Zone) error {
	req := &putRequest{zone: z, done: make(chan error, 1)}
	s.putMu.Lock()
	s.puts = append(s.puts, req)
	if s.flushing {
		s.putMu.Unlock()
		return <-req.done
	}
	s.flushing = true
	s.putMu.Unlock()
	for {
		if s.inflight.Load() > 1 {
			// Other transfers are under way (a fresh edge loading, a
			// burst of changes): a moment's wait lets their zones join
			// this Update rather than each copy the table again.
			time.Sleep(2 * time.Millisecond)
		}
		s.putMu.Lock()
		batch := s.puts
		s.puts = nil
		if len(batch) == 0 {
			s.flushing = false
			s.putMu.Unlock()
			break
		}
		s.putMu.Unlock()
		zs := make([]*zone.Zone, len(batch))
		for i, r := range batch {
			zs[i] = r.zone
		}
		err := s.cfg.Engine.Update(zs, nil)
		for _, r := range batch {
			if err != nil && len(batch) > 1 {
				// One bad zone must not keep the others out.
				r.done <- s.cfg.Engine.Update([]*zone.Zone{r.zone}, nil)
				continue
			}
			r.done <- err
		}
	}
	return <-req.done
}

// patch applies an IXFR's net change to the zone the engine serves and
// reports whether it did; when it did not, the engine serves the zone as
// before and the caller compiles the new version whole. Patch refuses
// what changes other names' answers (an NS, a target of other records...)
// and zones compiled below authority.Config.PatchableRecords.
func (s *Secondary) patch(origin string, d *difference) bool {
	e, ok := s.cfg.Engine.(patcher)
	if !ok || d == nil {
		return false
	}
	if err := e.Patch(origin, d.removed, d.added); err != nil {
		s.log.Debug("IXFR not patched: compiling the zone whole", "zone", origin, "err", err)
		return false
	}
	return true
}

// zoneState is what the secondary knows of one zone. Fields are under
// Secondary.mu, except that install and drop also hold z.mu so that a zone
// dropped from the catalog is never written back by a transfer finishing.
type zoneState struct {
	origin  string
	catalog bool // the catalog zone: transferred and kept, not served
	listed  bool // in Config.Zones
	have    bool // a version is being served (or kept, for the catalog)
	serial  uint32
	soa     soaTimers
	// verified is when the primary last confirmed the serial held, by a
	// transfer or a SOA answer; the zone expires soa.expire later.
	verified time.Time
	next     time.Time // the next refresh
	expired  bool
	memberID string // the label of its catalog member node
	reset    bool   // the member node changed: transfer by AXFR, whatever the serials
	queued   bool   // in Secondary.queue or being refreshed
	again    bool   // NOTIFY arrived while queued: refresh once more after
	notified bool   // the next refresh answers a NOTIFY
	// notifier is the address the NOTIFY came from (zero when signed from
	// elsewhere, or by Notify): a primary there has the news, and is asked
	// first.
	notifier netip.Addr
	// primary is the index in Config.Primaries of the primary that last
	// answered for the zone, asked first by the next refresh: a primary
	// that is down costs a timeout once, not on every refresh.
	primary  int
	failures int // consecutive
	stats    zoneStats

	mu      sync.Mutex
	dropped bool // under mu: removed from the catalog
}

type soaTimers struct {
	refresh, retry, expire time.Duration
}

func timersOf(soa *dns.SOA) soaTimers {
	return soaTimers{
		refresh: time.Duration(soa.Refresh) * time.Second,
		retry:   time.Duration(soa.Retry) * time.Second,
		expire:  time.Duration(soa.Expire) * time.Second,
	}
}

// New checks cfg and builds a Secondary. It resolves the primary's host
// name, and opens nothing.
func New(cfg Config) (*Secondary, error) {
	if cfg.Engine == nil {
		return nil, errors.New("secondary: no engine")
	}
	if cfg.Dir == "" {
		return nil, errors.New("secondary: no data directory")
	}
	if len(cfg.Primaries) == 0 {
		return nil, errors.New("secondary: no primary")
	}
	var primaries []netip.Addr
	addrsOf := make([][]netip.Addr, len(cfg.Primaries))
	for i, p := range cfg.Primaries {
		if slices.Index(cfg.Primaries, p) != i {
			return nil, fmt.Errorf("secondary: primary %s listed twice", p)
		}
		addrs, err := resolvePrimary(p)
		if err != nil {
			return nil, err
		}
		addrsOf[i] = addrs
		for _, a := range addrs {
			if !slices.Contains(primaries, a) {
				primaries = append(primaries, a)
			}
		}
	}
	if cfg.Catalog == "" && len(cfg.Zones) == 0 {
		return nil, errors.New("secondary: neither a catalog zone nor zones to transfer")
	}
	if cfg.Transfers <= 0 {
		cfg.Transfers = 16
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MinRefresh <= 0 {
		cfg.MinRefresh = 2 * time.Second
	}
	if cfg.MaxRefresh <= 0 {
		cfg.MaxRefresh = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Secondary{
		cfg:       cfg,
		log:       cfg.Logger,
		primaries: primaries,
		addrsOf:   addrsOf,
		zones:     map[string]*zoneState{},
		kick:      make(chan struct{}, 1),
		ready:     make(chan struct{}, 1),
	}
	s.syncCond = sync.NewCond(&s.syncMu)
	s.metrics = newMetrics(s)
	now := time.Now()
	if cfg.Catalog != "" {
		s.catalog = zone.CanonicalName(cfg.Catalog)
		if _, ok := dns.IsDomainName(s.catalog); !ok {
			return nil, fmt.Errorf("secondary: catalog %q is not a domain name", cfg.Catalog)
		}
		s.zones[s.catalog] = &zoneState{origin: s.catalog, catalog: true, next: now}
	}
	for _, name := range cfg.Zones {
		origin := zone.CanonicalName(name)
		if _, ok := dns.IsDomainName(origin); !ok {
			return nil, fmt.Errorf("secondary: zone %q is not a domain name", name)
		}
		if origin == s.catalog {
			return nil, fmt.Errorf("secondary: zone %s is the catalog zone", origin)
		}
		s.zones[origin] = &zoneState{origin: origin, listed: true, next: now}
	}
	return s, nil
}

// resolvePrimary returns the addresses of a primary, host:port: the host
// itself when it is an address, else what it resolves to now.
func resolvePrimary(hostport string) ([]netip.Addr, error) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, fmt.Errorf("secondary: primary address %q: %w", hostport, err)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
	if err != nil {
		return nil, fmt.Errorf("secondary: resolve primary %s: %w", host, err)
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = a.Unmap()
	}
	return out, nil
}

// Metrics returns the Prometheus collector of per-zone serials, timers and
// transfer counters.
func (s *Secondary) Metrics() *Metrics { return s.metrics }

// ZoneStatus is what the secondary holds of one zone.
type ZoneStatus struct {
	Origin   string
	Serial   uint32
	Held     bool // a version is held and served
	Expired  bool
	Verified time.Time // when the primary last confirmed the serial
}

// Zones returns the status of every zone to serve (the catalog zone not
// included), sorted by origin.
func (s *Secondary) Zones() []ZoneStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ZoneStatus, 0, len(s.zones))
	for _, z := range s.zones {
		if z.catalog {
			continue
		}
		out = append(out, ZoneStatus{Origin: z.origin, Serial: z.serial, Held: z.have, Expired: z.expired, Verified: z.verified})
	}
	slices.SortFunc(out, func(a, b ZoneStatus) int { return cmp.Compare(a.Origin, b.Origin) })
	return out
}

// Run refreshes the zones until ctx ends, and returns nil then. Load should
// have been called first, so that what Dir holds is served meanwhile.
func (s *Secondary) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("secondary already running")
	}
	s.running = true
	s.mu.Unlock()
	var wg sync.WaitGroup
	for range s.cfg.Transfers {
		wg.Go(func() { s.work(ctx) })
	}
	s.schedule(ctx)
	wg.Wait()
	return nil
}

// schedule queues the zones whose refresh is due and expires those past
// their SOA expire, sleeping until the next such moment or a NOTIFY.
func (s *Secondary) schedule(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.kick:
		}
		now := time.Now()
		wake := now.Add(time.Hour)
		s.mu.Lock()
		queued := false
		for _, z := range s.zones {
			if z.have && !z.expired && z.soa.expire > 0 {
				end := z.verified.Add(z.soa.expire)
				if !now.Before(end) {
					s.expire(z)
				} else if end.Before(wake) {
					wake = end
				}
			}
			if z.queued {
				continue
			}
			if !now.Before(z.next) {
				z.queued = true
				s.queue = append(s.queue, z)
				queued = true
				continue
			}
			if z.next.Before(wake) {
				wake = z.next
			}
		}
		s.mu.Unlock()
		if queued {
			s.wakeWorker()
		}
		timer.Reset(time.Until(wake))
	}
}

// expire stops serving z: past its SOA expire without a refresh, its data
// can no longer be trusted (RFC 1035 §4.3.5). Under s.mu.
func (s *Secondary) expire(z *zoneState) {
	z.expired = true
	if z.catalog {
		s.log.Warn("catalog zone expired: its member zones stay as they are until it can be transferred again",
			"zone", z.origin, "serial", z.serial, "verified", z.verified.Format(time.RFC3339))
		return
	}
	if err := s.cfg.Engine.SetExpired(z.origin, true); err != nil {
		s.log.Error("expire zone", "zone", z.origin, "err", err)
	}
	s.log.Warn("zone expired: answering SERVFAIL until the primary can be reached",
		"zone", z.origin, "serial", z.serial, "verified", z.verified.Format(time.RFC3339), "expire", z.soa.expire)
}

func (s *Secondary) wakeWorker() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

func (s *Secondary) wakeScheduler() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// work refreshes queued zones one at a time until ctx ends.
func (s *Secondary) work(ctx context.Context) {
	for {
		s.mu.Lock()
		var z *zoneState
		if len(s.queue) > 0 {
			z = s.queue[0]
			s.queue[0] = nil
			s.queue = s.queue[1:]
		}
		more := len(s.queue) > 0
		s.mu.Unlock()
		if more {
			s.wakeWorker() // pass the baton on
		}
		if z == nil {
			select {
			case <-ctx.Done():
				return
			case <-s.ready:
			}
			continue
		}
		s.inflight.Add(1)
		s.refresh(ctx, z)
		s.inflight.Add(-1)
		if ctx.Err() != nil {
			return
		}
	}
}

// Notify schedules origin for a refresh at once, as a NOTIFY does. It
// reports whether origin is a zone of this secondary.
func (s *Secondary) Notify(origin string) bool {
	return s.NotifyFrom(origin, netip.Addr{})
}

// NotifyFrom is Notify for a NOTIFY that came from the address from: the
// refresh asks a primary at that address first, since it is the one that
// has the news (the others may not have it yet).
func (s *Secondary) NotifyFrom(origin string, from netip.Addr) bool {
	origin = zone.CanonicalName(origin)
	s.mu.Lock()
	z := s.zones[origin]
	if z == nil {
		s.mu.Unlock()
		return false
	}
	z.notified = true
	z.notifier = from.Unmap()
	if z.queued {
		z.again = true
		s.mu.Unlock()
		return true
	}
	// Ahead of refreshes that are merely due: someone is waiting for this one.
	z.queued = true
	s.queue = slices.Insert(s.queue, 0, z)
	s.mu.Unlock()
	s.wakeWorker()
	return true
}

// order is the indexes in Config.Primaries in the order a refresh of z
// asks them: those at the address a NOTIFY came from, then the primary
// that last answered, then the others in the order configured. Under s.mu.
func (s *Secondary) order(z *zoneState) []int {
	out := make([]int, 0, len(s.addrsOf))
	if z.notifier.IsValid() {
		for i, addrs := range s.addrsOf {
			if slices.Contains(addrs, z.notifier) {
				out = append(out, i)
			}
		}
	}
	if !slices.Contains(out, z.primary) {
		out = append(out, z.primary)
	}
	for i := range s.addrsOf {
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out
}

// clampTimer bounds a refresh or retry interval.
func (s *Secondary) clampTimer(d time.Duration) time.Duration {
	return min(max(d, s.cfg.MinRefresh), s.cfg.MaxRefresh)
}
