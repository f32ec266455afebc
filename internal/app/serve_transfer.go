package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/transfer"
	"github.com/zonewarden/zonewarden/internal/tsig"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// DefaultCatalog is the name of the catalog zone unless --catalog says
// otherwise: under .invalid (RFC 6761), so that it can never be a real
// zone.
const DefaultCatalog = "catalog.zonewarden.invalid."

// TransferConfig is how `serve` distributes zones to secondaries.
type TransferConfig struct {
	// Allow is who may transfer zones: TSIG key names, "*" (every key in
	// the store), IP addresses and CIDR prefixes.
	Allow []string
	// Edges are the edge nodes, "host:port": they get NOTIFY, and a zone
	// is distributed once every one of them serves its current serial.
	Edges []string
	// Notify are more secondaries told of changes ("host:port"), whose
	// serials are not waited for.
	Notify []string
	// NotifyKey names the TSIG key that signs NOTIFY; empty sends them
	// unsigned.
	NotifyKey string
	// Catalog is the name of the catalog zone (RFC 9432) listing every
	// hosted zone.
	Catalog string
}

func (c TransferConfig) validate() []error {
	var errs []error
	if _, err := transfer.ParseACL(c.Allow); err != nil {
		errs = append(errs, fmt.Errorf("--transfer-allow: %w", err))
	}
	for _, l := range []struct {
		flag  string
		addrs []string
	}{{"--edges", c.Edges}, {"--notify", c.Notify}} {
		for _, a := range l.addrs {
			if err := checkHostPort(a); err != nil {
				errs = append(errs, fmt.Errorf("%s %q: %w", l.flag, a, err))
			}
		}
	}
	if c.NotifyKey != "" {
		if _, ok := dnsName(c.NotifyKey); !ok {
			errs = append(errs, fmt.Errorf("--notify-key %q is not a key name", c.NotifyKey))
		}
	}
	if _, ok := dnsName(c.Catalog); !ok {
		errs = append(errs, fmt.Errorf("--catalog %q is not a domain name", c.Catalog))
	}
	return errs
}

func transferFlags(fs *flag.FlagSet, c *TransferConfig) {
	fs.Var((*nameList)(&c.Allow), "transfer-allow", "comma-separated `list` of who may transfer zones (AXFR, IXFR): TSIG key names, * for every key made with `zonewarden tsig add`, IP addresses and CIDR prefixes")
	fs.Var((*nameList)(&c.Edges), "edges", "comma-separated `host:port`s of the edge nodes: they are sent NOTIFY, and a zone counts as distributed once all of them serve its serial")
	fs.Var((*nameList)(&c.Notify), "notify", "comma-separated `host:port`s of other secondaries to send NOTIFY to on every change")
	fs.StringVar(&c.NotifyKey, "notify-key", c.NotifyKey, "`name` of the TSIG key that signs NOTIFY messages (empty: unsigned)")
	fs.StringVar(&c.Catalog, "catalog", c.Catalog, "`name` of the catalog zone (RFC 9432) that lists every hosted zone")
}

// storeSource is the store as the transfer handler reads it. The handler is
// built before the store is opened, so st is set in Start.
type storeSource struct{ st *store.Store }

func (s *storeSource) ZoneData(ctx context.Context, n string) (*zone.Zone, error) {
	return s.st.ZoneData(ctx, n)
}

func (s *storeSource) ChangesSince(ctx context.Context, n string, serial uint32) ([]transfer.Change, error) {
	cs, err := s.st.ChangesSince(ctx, n, serial)
	out := make([]transfer.Change, len(cs))
	for i, c := range cs {
		out[i] = transfer.Change{ID: c.ID, Kind: c.Kind, PrevSerial: c.PrevSerial, Serial: c.Serial, Removed: c.Removed, Added: c.Added}
	}
	return out, err
}

func (s *storeSource) TSIGKey(ctx context.Context, n string) (tsig.Key, error) {
	k, err := s.st.TSIGKey(ctx, n)
	return tsig.Key{Name: k.Name, Algorithm: k.Algorithm, Secret: k.Secret}, err
}

func (s *storeSource) Catalog(ctx context.Context) ([]transfer.CatalogMember, int64, error) {
	ms, last, err := s.st.Catalog(ctx)
	out := make([]transfer.CatalogMember, len(ms))
	for i, m := range ms {
		out[i] = transfer.CatalogMember{Name: m.Name, Created: m.Created}
	}
	return out, last, err
}

func (s *storeSource) CatalogEvents(ctx context.Context, from int64) ([]transfer.CatalogEvent, error) {
	es, err := s.st.CatalogEvents(ctx, from)
	out := make([]transfer.CatalogEvent, len(es))
	for i, e := range es {
		out[i] = transfer.CatalogEvent{ID: e.ID, Deleted: e.Deleted, CatalogMember: transfer.CatalogMember{Name: e.Name, Created: e.Created}}
	}
	return out, err
}

// startTransfers loads the catalog into the engine, prepares NOTIFY and
// hooks both to the propagator. Called by Start once the zones are loaded.
func (s *Serve) startTransfers(ctx context.Context) error {
	s.source.st = s.store
	tc := s.cfg.Transfer
	nc := transfer.NotifyConfig{Targets: append(append([]string(nil), tc.Edges...), tc.Notify...), Logger: s.log.With("component", "notify")}
	if tc.NotifyKey != "" {
		k, err := s.source.TSIGKey(ctx, tc.NotifyKey)
		if err != nil {
			return fmt.Errorf("--notify-key: %w (create it with `zonewarden tsig add`)", err)
		}
		nc.Key = k
	}
	var err error
	if s.notifier, err = transfer.NewNotifier(nc); err != nil {
		return err
	}
	s.registry.MustRegister(append(s.xfr.Collectors(), s.notifier.Collectors()...)...)
	if err := s.refreshCatalog(ctx); err != nil {
		return err
	}
	s.aliases = &aliasWatch{
		flattening: s.xfr.Flattening, bump: s.store.BumpSerial, changed: s.changed,
		interval: aliasRefresh, log: s.log.With("component", "alias-refresh"), zones: map[string]*aliasState{},
	}
	s.prop.applied = s.zonesApplied
	return nil
}

// zonesApplied tells secondaries of the zones the engine now serves, and
// updates the catalog when zones came or went.
func (s *Serve) zonesApplied(ctx context.Context, c engineChange) {
	s.aliases.applied(c.put, c.removed)
	if !s.loaded {
		// The first load: secondaries have these zones already or will
		// ask; the catalog was notified at start.
		return
	}
	names := slices.Clone(c.patched)
	for _, z := range c.put {
		names = append(names, z.Origin)
	}
	s.notifier.Notify(names...)
	if len(c.created)+len(c.removed) > 0 {
		if err := s.refreshCatalog(ctx); err != nil {
			s.log.Error("update catalog zone", "err", err)
		}
	}
}

// refreshCatalog rebuilds the catalog zone from the store, serves it and
// notifies secondaries.
func (s *Serve) refreshCatalog(ctx context.Context) error {
	members, last, err := s.source.Catalog(ctx)
	if err != nil {
		return err
	}
	cat := transfer.CatalogZone(s.cfg.Transfer.Catalog, members, last)
	if err := s.engine.Update([]*zone.Zone{cat}, nil); err != nil {
		return fmt.Errorf("serve catalog zone %s: %w", cat.Origin, err)
	}
	s.notifier.Notify(cat.Origin)
	return nil
}

// edgeCheck answers the API's distribution checks from what the edges
// serve: a zone is distributed when this process and every edge serve its
// current serial or a newer one.
type edgeCheck struct {
	src interface { // *store.Store
		ZoneSerial(ctx context.Context, zoneName string) (uint32, error)
	}
	local   func(ctx context.Context, zone string) (bool, error)
	edges   []string
	timeout time.Duration
	log     *slog.Logger
}

func (e *edgeCheck) Distributed(ctx context.Context, name string) (bool, error) {
	ok, err := e.local(ctx, name)
	if err != nil || !ok || len(e.edges) == 0 {
		return ok, err
	}
	// The serial alone: reading a large zone whole takes seconds.
	want, err := e.src.ZoneSerial(ctx, name)
	if err != nil {
		return false, err
	}
	origin := zone.CanonicalName(name)
	results := make([]bool, len(e.edges))
	var wg sync.WaitGroup
	for i, edge := range e.edges {
		wg.Go(func() {
			serial, err := edgeSerial(ctx, edge, origin, e.timeout)
			if err != nil {
				e.log.Debug("edge serial", "edge", edge, "zone", origin, "err", err)
				return
			}
			results[i] = !zone.SerialLess(serial, want)
		})
	}
	wg.Wait()
	for _, r := range results {
		if !r {
			return false, nil
		}
	}
	return true, nil
}

// edgeSerial asks edge for the SOA of origin.
func edgeSerial(ctx context.Context, edge, origin string, timeout time.Duration) (uint32, error) {
	q := new(dns.Msg)
	q.SetQuestion(origin, dns.TypeSOA)
	c := &dns.Client{Net: "udp", Timeout: timeout}
	r, _, err := c.ExchangeContext(ctx, q, edge)
	if err == nil && r.Truncated {
		c.Net = "tcp"
		r, _, err = c.ExchangeContext(ctx, q, edge)
	}
	if err != nil {
		return 0, err
	}
	if r.Rcode != dns.RcodeSuccess {
		return 0, fmt.Errorf("rcode %s", dns.RcodeToString[r.Rcode])
	}
	for _, rr := range r.Answer {
		if soa, ok := rr.(*dns.SOA); ok && strings.EqualFold(soa.Hdr.Name, origin) {
			return soa.Serial, nil
		}
	}
	return 0, errors.New("no SOA in the answer")
}

// distributed is the API's distribution check: the engine's own serial,
// and with --edges, every edge's.
func (s *Serve) distributed() func(ctx context.Context, zone string) (bool, error) {
	if len(s.cfg.Transfer.Edges) == 0 {
		return s.prop.Distributed
	}
	e := &edgeCheck{src: s.store, local: s.prop.Distributed, edges: s.cfg.Transfer.Edges, timeout: time.Second, log: s.log.With("component", "distribution")}
	return e.Distributed
}

// aliasRefresh is how often the addresses behind ALIAS records are compared
// with what secondaries were last sent.
const aliasRefresh = 30 * time.Second

// aliasWatch keeps secondaries' copies of zones with ALIAS records right
// when the addresses behind them change without a write, which would leave
// the serial, and so the secondaries, where they were: every interval it
// flattens each such zone again, and when the addresses differ from the
// last time the zone was written or bumped, it gives the zone a new serial
// (store.BumpSerial), which notifies the secondaries; their IXFR of a zone
// with ALIAS records sends it whole.
//
// A zone whose targets did not all resolve (at start, before the alias
// resolver has answered) is not compared: its next complete flattening
// becomes the reference. Each serve process sharing a database bumps on
// its own, so N processes may bump N times for one change.
type aliasWatch struct {
	flattening func(*zone.Zone) (string, bool)
	bump       func(ctx context.Context, zone, reason string) (uint32, error)
	changed    func(zones ...string)
	interval   time.Duration
	log        *slog.Logger

	mu    sync.Mutex
	zones map[string]*aliasState // by origin, the zones holding ALIAS records
}

type aliasState struct {
	aliases     *zone.Zone // the zone's ALIAS records alone
	fingerprint string
	complete    bool
}

// applied takes the zones the engine now serves: their flattening now is
// what their secondaries are about to be sent.
func (a *aliasWatch) applied(put []*zone.Zone, removed []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, origin := range removed {
		delete(a.zones, origin)
	}
	for _, z := range put {
		only := &zone.Zone{Origin: z.Origin}
		for _, rr := range z.Records {
			if rr.Header().Rrtype == zone.TypeALIAS {
				only.Records = append(only.Records, rr)
			}
		}
		if len(only.Records) == 0 {
			delete(a.zones, z.Origin)
			continue
		}
		fp, complete := a.flattening(only)
		a.zones[z.Origin] = &aliasState{aliases: only, fingerprint: fp, complete: complete}
	}
}

// Run checks every interval until ctx ends.
func (a *aliasWatch) Run(ctx context.Context) error {
	t := time.NewTicker(a.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			a.check(ctx)
		}
	}
}

// check bumps the serial of each zone whose ALIAS addresses changed.
func (a *aliasWatch) check(ctx context.Context) {
	a.mu.Lock()
	var due []string
	for origin, st := range a.zones {
		fp, complete := a.flattening(st.aliases)
		switch {
		case !complete:
		case !st.complete:
			st.fingerprint, st.complete = fp, true
		case fp != st.fingerprint:
			st.fingerprint = fp
			due = append(due, origin)
		}
	}
	a.mu.Unlock()
	for _, origin := range due {
		serial, err := a.bump(ctx, origin, "alias refresh")
		if err != nil {
			a.log.Error("bump serial after alias addresses changed", "zone", origin, "err", err)
			continue
		}
		a.log.Info("alias addresses changed: new serial for secondaries", "zone", origin, "serial", serial)
	}
	if len(due) > 0 {
		a.changed(due...)
	}
}
