// Package authority is the authoritative answer engine. Zones are compiled
// into an immutable form whose answers are pre-rendered wire bytes; the set of
// compiled zones is swapped atomically, so a query does one atomic load and
// never waits for a writer, and a reload never mixes two versions of a zone in
// one answer.
//
//	e := authority.New(authority.Config{})
//	err := e.Replace([]*zone.Zone{z})   // compile and swap in
//	srv, err := dnsserver.New(dnsserver.Config{Addr: ":53", Handler: e})
package authority

import (
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// AliasSource supplies the current addresses of ALIAS targets that are not
// served here. It is implemented by internal/alias.
type AliasSource interface {
	// Addresses returns the A (qtype 1) or AAAA (qtype 28) rdata of target,
	// each element one record's rdata in wire form, with the TTL to serve
	// them with. ok is false when nothing is known (yet) about target. It
	// must not block and should not allocate: the result is shared and must
	// not be modified.
	Addresses(target string, qtype uint16) (rdata [][]byte, ttl uint32, ok bool)
	// Watch sets the targets to keep resolved, replacing the previous set.
	Watch(targets []string)
}

// Config configures an Engine. The zero value is usable.
type Config struct {
	// MaxUDPSize caps the UDP payload size of responses whatever the
	// client advertises in EDNS. Default 1232 (the DNS flag day 2020 value).
	MaxUDPSize uint16
	// NSID is returned in the EDNS NSID option (RFC 5001) when asked for.
	NSID []byte
	// Identity answers CH TXT id.server. and hostname.bind.; empty refuses.
	Identity string
	// Aliases resolves ALIAS targets outside the served zones; nil answers
	// such ALIAS owners with SERVFAIL.
	Aliases AliasSource
	// PatchableRecords is the size from which a zone keeps its records
	// beside its answers, so that Patch can apply a change to it without
	// compiling all of it; that costs the memory of the records. A smaller
	// zone compiles whole quickly. 0 keeps none.
	PatchableRecords int
}

// Engine answers queries from the zones it holds. It implements
// dnsserver.Handler. Its methods are safe for concurrent use.
type Engine struct {
	cfg  Config
	mu   sync.Mutex // serializes writers; readers never take it
	snap atomic.Pointer[snapshot]
}

var _ dnsserver.Handler = (*Engine)(nil)

// snapshot is one immutable set of zones.
type snapshot struct {
	zones map[string]*compiledZone // by lower-case wire name of the apex
	// maxLabels is the most labels of any apex: a name's suffixes with
	// more cannot be a zone, so the longest-suffix search starts below.
	maxLabels int
}

// New returns an Engine serving no zones.
func New(cfg Config) *Engine {
	if cfg.MaxUDPSize == 0 {
		cfg.MaxUDPSize = 1232
	}
	cfg.MaxUDPSize = max(cfg.MaxUDPSize, 512)
	if len(cfg.NSID) > 512 {
		cfg.NSID = cfg.NSID[:512]
	}
	if len(cfg.Identity) > 255 {
		cfg.Identity = cfg.Identity[:255]
	}
	e := &Engine{cfg: cfg}
	e.snap.Store(&snapshot{zones: map[string]*compiledZone{}})
	return e
}

// Replace compiles zs and serves exactly them from now on. On error nothing
// changes.
func (e *Engine) Replace(zs []*zone.Zone) error {
	compiled, err := compileAll(zs, e.cfg.PatchableRecords)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	next := &snapshot{zones: make(map[string]*compiledZone, len(compiled)), maxLabels: -1}
	for _, cz := range compiled {
		next.zones[string(cz.apex)] = cz
	}
	e.swap(next)
	return nil
}

// Update compiles and adds (or replaces) the zones in put and stops serving
// the origins in remove; every other zone stays as it is. To keep serving the
// current version of a zone whose new version is unusable, leave it out of
// both. On error nothing changes.
func (e *Engine) Update(put []*zone.Zone, remove []string) error {
	compiled, err := compileAll(put, e.cfg.PatchableRecords)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.snap.Load()
	// Cloned whole: with thousands of zones (an edge node), copying the
	// table is most of the cost of a one-zone update.
	next := &snapshot{zones: maps.Clone(cur.zones), maxLabels: -1}
	if len(remove) == 0 {
		next.maxLabels = cur.maxLabels // only grows: no need to look at every zone
		for _, cz := range compiled {
			next.maxLabels = max(next.maxLabels, labelCount(cz.apex))
		}
	}
	for _, origin := range remove {
		w, err := wireName(zone.CanonicalName(origin))
		if err != nil {
			return fmt.Errorf("remove zone %s: %w", origin, err)
		}
		delete(next.zones, string(w))
	}
	for _, cz := range compiled {
		next.zones[string(cz.apex)] = cz
	}
	e.swap(next)
	return nil
}

// SetExpired marks the zone origin as expired or serving again. An expired
// zone answers every question about its names with SERVFAIL, as a secondary
// past its SOA expire must (RFC 1035 §4.3.5, RFC 1996): it is still the
// closest zone, so the question is neither refused nor passed to a parent
// zone served here. Compiling a new version of the zone (Update, Replace)
// serves it again. An origin not served is an error wrapping
// zone.ErrNotFound.
func (e *Engine) SetExpired(origin string, expired bool) error {
	w, err := wireName(zone.CanonicalName(origin))
	if err != nil {
		return fmt.Errorf("expire zone %s: %w", origin, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.snap.Load()
	cz := cur.zones[string(w)]
	if cz == nil {
		return fmt.Errorf("expire zone %s: %w", origin, zone.ErrNotFound)
	}
	if cz.expired == expired {
		return nil
	}
	// A shallow copy shares the compiled names and answers; snapshots are
	// immutable, so the flag is set on a copy swapped in with the rest.
	flagged := *cz
	flagged.expired = expired
	next := &snapshot{zones: maps.Clone(cur.zones), maxLabels: cur.maxLabels}
	next.zones[string(w)] = &flagged
	e.swap(next)
	return nil
}

// swap serves next. A maxLabels of -1 is computed here.
func (e *Engine) swap(next *snapshot) {
	if next.maxLabels < 0 {
		next.maxLabels = 0
		for _, cz := range next.zones {
			next.maxLabels = max(next.maxLabels, labelCount(cz.apex))
		}
	}
	e.snap.Store(next)
	if e.cfg.Aliases != nil {
		var targets []string
		for _, cz := range next.zones {
			targets = append(targets, cz.aliasTargets...)
		}
		slices.Sort(targets)
		e.cfg.Aliases.Watch(slices.Compact(targets))
	}
}

// Zones returns the origins of the zones being served, sorted.
func (e *Engine) Zones() []string {
	s := e.snap.Load()
	out := make([]string, 0, len(s.zones))
	for _, cz := range s.zones {
		out = append(out, cz.origin)
	}
	slices.Sort(out)
	return out
}

// Records returns the number of records served.
func (e *Engine) Records() int {
	n := 0
	for _, cz := range e.snap.Load().zones {
		n += cz.records
	}
	return n
}

// compileAll compiles zones on every core.
func compileAll(zs []*zone.Zone, patchable int) ([]*compiledZone, error) {
	out := make([]*compiledZone, len(zs))
	errs := make([]error, len(zs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(zs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(zs) {
					return
				}
				out[i], errs[i] = compile(zs[i], patchable > 0 && len(zs[i].Records) >= patchable)
			}
		})
	}
	wg.Wait()
	seen := make(map[string]bool, len(out))
	for i, cz := range out {
		if errs[i] != nil {
			continue
		}
		if seen[cz.origin] {
			errs[i] = fmt.Errorf("zone %s given twice: %w", cz.origin, zone.ErrConflict)
		}
		seen[cz.origin] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// labelCount counts the labels of a wire name, the root not included.
func labelCount(w []byte) int {
	n := 0
	for i := 0; i < len(w) && w[i] != 0; i += int(w[i]) + 1 {
		n++
	}
	return n
}
