package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// zoneSource is what the propagator reads of the store: every zone and where
// the change journal stands, the zones changed since a point of the journal,
// and a zone's data.
type zoneSource interface {
	ZoneNames(ctx context.Context) (names []string, lastChangeID int64, err error)
	ChangedZones(ctx context.Context, afterChangeID int64) (names []string, lastID int64, deleted []string, err error)
	ZoneData(ctx context.Context, zoneName string) (*zone.Zone, error)
}

// zoneSink is the DNS engine.
type zoneSink interface {
	Update(put []*zone.Zone, remove []string) error
}

// zoneJournal is what the propagator reads of the store to apply a write to
// the engine without reloading its zone: the journal, and the current
// serial.
type zoneJournal interface {
	Changes(ctx context.Context, zoneName string, afterID int64) ([]store.Change, error)
	ZoneSerial(ctx context.Context, zoneName string) (uint32, error)
}

// patchableRecords is authority.Config.PatchableRecords for serve's and
// edge's engines: a smaller zone compiles whole in a few milliseconds, so
// keeping its records for Patch would cost memory for little time saved.
const patchableRecords = 1000

// zonePatcher is an engine that applies a zone's change by itself
// (authority.Engine.Patch); it returns an error wrapping
// authority.ErrNotPatchable when it wants the whole zone.
type zonePatcher interface {
	Patchable(origin string) bool
	Patch(origin string, removed, added []dns.RR) error
}

// propagator carries committed writes from the store to the DNS engine. It
// follows the store's change journal: each sync reads the zones changed
// since the last change it saw, loads them and swaps them into the engine.
// A sync runs at once when Kick is called (after each write through this
// process's API, so that the DNS answers within milliseconds) and every
// interval (for writes made by other processes on the same database).
//
//	p := newPropagator(st, engine, time.Second, log)
//	err := p.load(ctx)  // every zone, before DNS is served
//	go p.Run(ctx)
//	p.Kick()            // from the API, after a write
type propagator struct {
	src      zoneSource
	sink     zoneSink
	interval time.Duration
	log      *slog.Logger
	kick     chan struct{}
	stats    propagateStats

	// applied, when set, is told of what each load or sync changed in the
	// engine, patched zones included. It runs under mu, so calls come in
	// order.
	applied func(ctx context.Context, c engineChange)

	mu      sync.Mutex // one sync at a time; guards what follows
	lastID  int64
	serials map[string]uint32 // SOA serial served, by zone origin
}

type propagateStats struct {
	zones   prometheus.Gauge
	syncs   *prometheus.CounterVec
	latency prometheus.Histogram
}

func newPropagator(src zoneSource, sink zoneSink, interval time.Duration, log *slog.Logger) *propagator {
	return &propagator{
		src: src, sink: sink, interval: interval, log: log,
		kick:    make(chan struct{}, 1),
		serials: map[string]uint32{},
		stats: propagateStats{
			zones: prometheus.NewGauge(prometheus.GaugeOpts{
				Name: "zonewarden_zones", Help: "Zones being served."}),
			syncs: prometheus.NewCounterVec(prometheus.CounterOpts{
				Name: "zonewarden_zone_syncs_total", Help: "Syncs of the DNS engine with the database, by result: ok or error."},
				[]string{"result"}),
			latency: prometheus.NewHistogram(prometheus.HistogramOpts{
				Name:    "zonewarden_zone_sync_seconds",
				Help:    "Time to read changed zones from the database and swap them into the DNS engine.",
				Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5}}),
		},
	}
}

// engineChange is what one load or sync changed in the engine.
type engineChange struct {
	put     []*zone.Zone // loaded whole
	created []string     // the new zones among put
	patched []string     // changed in place from the journal (never an ALIAS record)
	removed []string
}

func (c engineChange) empty() bool { return len(c.put)+len(c.patched)+len(c.removed) == 0 }

// tell hands c to the applied hook. Under p.mu.
func (p *propagator) tell(ctx context.Context, c engineChange) {
	if p.applied != nil && !c.empty() {
		p.applied(ctx, c)
	}
}

func (p *propagator) collectors() []prometheus.Collector {
	return []prometheus.Collector{p.stats.zones, p.stats.syncs, p.stats.latency}
}

// Kick asks for a sync now. It never blocks; kicks during a sync make one
// more sync after it. The names are only for the log: the journal says what
// changed.
func (p *propagator) Kick(zones ...string) {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// load serves every zone of the store and the journal's position, from
// which Run follows it. A zone that does not compile is logged and left out.
func (p *propagator) load(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	names, lastID, err := p.src.ZoneNames(ctx)
	if err != nil {
		return err
	}
	c, err := p.apply(ctx, names, lastID)
	if err != nil {
		return err
	}
	p.tell(ctx, c)
	return nil
}

// Run syncs on every kick and every interval until ctx ends. A failed sync
// is logged and retried at the next tick: the database may come back.
func (p *propagator) Run(ctx context.Context) error {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.kick:
		case <-t.C:
		}
		if err := p.sync(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("sync zones from the database", "err", err)
		}
	}
}

// sync reads the zones changed since the last sync and hands them to the
// engine: changed zones are put, zones gone from the store removed.
func (p *propagator) sync(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := time.Now()
	names, lastID, deleted, err := p.src.ChangedZones(ctx, p.lastID)
	if err != nil {
		p.stats.syncs.WithLabelValues("error").Inc()
		return fmt.Errorf("read change journal after %d: %w", p.lastID, err)
	}
	if lastID == p.lastID && len(names) == 0 && len(deleted) == 0 {
		return nil
	}
	// A zone the engine serves at the serial the journal starts from takes
	// the journal's changes; reloading a large zone for each write would
	// cost time in proportion to the zone.
	var reload, patched []string
	for _, name := range names {
		if p.patch(ctx, name, lastID) {
			patched = append(patched, zone.CanonicalName(name))
		} else {
			reload = append(reload, name)
		}
	}
	c, err := p.apply(ctx, dedupe(reload, deleted), lastID)
	if err != nil {
		p.stats.syncs.WithLabelValues("error").Inc()
		return err
	}
	c.patched = patched
	p.tell(ctx, c)
	p.stats.syncs.WithLabelValues("ok").Inc()
	took := time.Since(start)
	p.stats.latency.Observe(took.Seconds())
	p.log.Debug("zones synced", "zones", len(names)+len(deleted), "change_id", lastID, "took", took)
	return nil
}

// apply loads each named zone from the store and swaps it into the engine,
// or removes it from the engine when the store has it no more; then it
// records lastID as the journal position served, and returns what it
// changed. Under p.mu.
func (p *propagator) apply(ctx context.Context, zones []string, lastID int64) (engineChange, error) {
	var put []*zone.Zone
	var remove []string
	for _, name := range zones {
		z, err := p.src.ZoneData(ctx, name)
		switch {
		case errors.Is(err, zone.ErrNotFound):
			origin := zone.CanonicalName(name)
			if _, ok := p.serials[origin]; ok {
				remove = append(remove, origin)
			}
		case err != nil:
			return engineChange{}, fmt.Errorf("load zone %s: %w", name, err)
		default:
			put = append(put, z)
		}
	}
	if err := p.sink.Update(put, remove); err != nil {
		// One zone does not compile: put the others, one by one, and keep
		// serving the previous version of that one.
		p.log.Error("update dns engine", "err", err)
		var ok []*zone.Zone
		for _, z := range put {
			if err := p.sink.Update([]*zone.Zone{z}, nil); err != nil {
				p.log.Error("zone not served: it does not compile", "zone", z.Origin, "err", err)
				continue
			}
			ok = append(ok, z)
		}
		put = ok
		if err := p.sink.Update(nil, remove); err != nil {
			return engineChange{}, fmt.Errorf("remove zones %q: %w", remove, err)
		}
	}
	var created []string
	for _, z := range put {
		if _, ok := p.serials[z.Origin]; !ok {
			created = append(created, z.Origin)
		}
	}
	for _, z := range put {
		var serial uint32
		if soa := z.SOA(); soa != nil {
			serial = soa.Serial
		}
		p.serials[z.Origin] = serial
	}
	for _, origin := range remove {
		delete(p.serials, origin)
	}
	p.lastID = lastID
	p.stats.zones.Set(float64(len(p.serials)))
	return engineChange{put: put, created: created, removed: remove}, nil
}

// patch applies the journal's changes of a zone after p.lastID, up to
// lastID, to the engine, and reports whether it did; when it did not, the
// zone must be reloaded (it may be half-way: reloading puts it right).
// Changes after lastID, committed since the journal was read, are left to
// the next sync, which starts from lastID. Under p.mu.
func (p *propagator) patch(ctx context.Context, name string, lastID int64) bool {
	j, jok := p.src.(zoneJournal)
	e, eok := p.sink.(zonePatcher)
	origin := zone.CanonicalName(name)
	served, ok := p.serials[origin]
	// A zone too small to be kept for patching is reloaded without
	// reading its journal first.
	if !jok || !eok || !ok || !e.Patchable(origin) {
		return false
	}
	changes, err := j.Changes(ctx, name, p.lastID)
	if err != nil || len(changes) == 0 {
		return false
	}
	for _, c := range changes {
		if c.ID > lastID {
			break
		}
		if c.Kind != "update" || c.PrevSerial != served {
			return false
		}
		removed, err1 := zone.ParseLines(c.Removed)
		added, err2 := zone.ParseLines(c.Added)
		if err1 != nil || err2 != nil {
			return false
		}
		if err := e.Patch(origin, removed, added); err != nil {
			if !errors.Is(err, authority.ErrNotPatchable) {
				p.log.Warn("patch zone", "zone", origin, "err", err)
			}
			return false
		}
		served = c.Serial
		p.serials[origin] = served
	}
	return true
}

// Distributed reports whether the engine serves the zone's current SOA
// serial, for the API's distribution checks.
func (p *propagator) Distributed(ctx context.Context, name string) (bool, error) {
	var current uint32
	if j, ok := p.src.(zoneJournal); ok {
		// The serial alone: reading a large zone whole takes seconds.
		s, err := j.ZoneSerial(ctx, name)
		if err != nil {
			return false, err
		}
		current = s
	} else {
		z, err := p.src.ZoneData(ctx, name)
		if err != nil {
			return false, err
		}
		soa := z.SOA()
		if soa == nil {
			return false, nil
		}
		current = soa.Serial
	}
	p.mu.Lock()
	served, ok := p.serials[zone.CanonicalName(name)]
	p.mu.Unlock()
	return ok && served == current, nil
}

// dedupe returns the names of a and b once each, in order.
func dedupe(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}
