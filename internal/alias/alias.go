// Package alias keeps the addresses of ALIAS targets resolved, so that an A or
// AAAA query at an ALIAS owner (apex CNAME flattening) is answered from memory.
//
//	r := alias.New(alias.Config{Upstream: []string{"127.0.0.1:53"}})
//	go r.Run(ctx)                       // resolves and refreshes in the background
//	r.Watch([]string{"foo.herokuapp.com."})
//	rdata, ttl, ok := r.Addresses("foo.herokuapp.com.", dns.TypeA)
//
// A Resolver implements authority.AliasSource. Addresses reads an immutable
// snapshot with one atomic load and never blocks, allocates or touches the
// network; Run asks the upstream recursive resolvers for A and AAAA of every
// watched target and swaps in new snapshots, refreshing each answer at 80-90%
// of its TTL.
//
// When the upstream fails, the last answer is served stale (RFC 8767) with a
// 30 second TTL for up to Config.StaleFor after it expired, while Run retries
// with backoff. NXDOMAIN and NODATA are cached as an empty answer for the
// negative TTL of the SOA (RFC 2308).
//
// Addresses for a target that is not watched returns ok=false and asks Run,
// without waiting, to resolve that target and type once. The answer is served
// until it expires and is then forgotten, not refreshed. This covers the
// moment between a zone being served and its targets being watched, and lets
// a target dropped from Watch fade out on its own if a query still asks for
// it.
package alias

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Resolver.
type Config struct {
	// Upstream lists the recursive resolvers ("host:port") to ask, in order
	// of preference. Required.
	Upstream []string
	// Timeout bounds each query to an upstream. Default 2s.
	Timeout time.Duration
	// MinTTL is the shortest time an answer is cached, so that a target
	// with TTL 0 doesn't hammer the upstream. Default 30s.
	MinTTL time.Duration
	// MaxTTL is the longest time an answer is cached. Default 1h.
	MaxTTL time.Duration
	// StaleFor is how long an expired answer is still served while the
	// upstream fails. Default 24h.
	StaleFor time.Duration
	// Logger receives resolution failures. Default discards.
	Logger *slog.Logger
}

// Validate reports whether c can be used, after defaults are applied.
func (c Config) Validate() error {
	c = c.withDefaults()
	if len(c.Upstream) == 0 {
		return errors.New("no upstream resolver")
	}
	for _, u := range c.Upstream {
		if _, _, err := net.SplitHostPort(u); err != nil {
			return fmt.Errorf("upstream %q: %w", u, err)
		}
	}
	if c.Timeout < 0 || c.MinTTL < 0 || c.MaxTTL < 0 || c.StaleFor < 0 {
		return errors.New("negative duration")
	}
	if c.MinTTL > c.MaxTTL {
		return fmt.Errorf("min TTL %s above max TTL %s", c.MinTTL, c.MaxTTL)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = 2 * time.Second
	}
	if c.MinTTL == 0 {
		c.MinTTL = 30 * time.Second
	}
	if c.MaxTTL == 0 {
		c.MaxTTL = time.Hour
	}
	if c.StaleFor == 0 {
		c.StaleFor = 24 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

const (
	typeA    uint16 = 1
	typeAAAA uint16 = 28

	// staleTTL is the TTL of a stale answer, as RFC 8767 recommends.
	staleTTL = 30
)

// Resolver resolves ALIAS targets through upstream recursive resolvers. It
// implements authority.AliasSource.
type Resolver struct {
	cfg Config

	table atomic.Pointer[table]

	mu      sync.Mutex // serializes writers of table and watched
	watched map[string]bool

	changed chan struct{} // Watch was called; capacity 1
	demand  chan key      // Addresses missed an unwatched target
	running atomic.Bool
}

// table is one immutable snapshot of what is known.
type table struct {
	m map[string]*entry
}

// entry holds what is known about one target; a nil rrset is not known yet.
// An entry is never modified once published.
type entry struct {
	a, aaaa *rrset
}

func (e *entry) get(qtype uint16) *rrset {
	if qtype == typeA {
		return e.a
	}
	return e.aaaa
}

func (e *entry) with(qtype uint16, s *rrset) *entry {
	n := *e
	if qtype == typeA {
		n.a = s
	} else {
		n.aaaa = s
	}
	return &n
}

// rrset is one answer: the rdata of the addresses (none for NXDOMAIN or
// NODATA), when it expires and until when it may be served stale.
type rrset struct {
	rdata      [][]byte
	expires    time.Time
	staleUntil time.Time
}

// key names one resolution: a target and a query type.
type key struct {
	name  string
	qtype uint16
}

// New returns a Resolver for cfg. It resolves nothing until Run is called.
func New(cfg Config) *Resolver {
	r := &Resolver{
		cfg:     cfg.withDefaults(),
		watched: map[string]bool{},
		changed: make(chan struct{}, 1),
		demand:  make(chan key, 64),
	}
	r.table.Store(&table{m: map[string]*entry{}})
	return r
}

// Addresses returns the A (qtype 1) or AAAA (qtype 28) rdata of target and
// the TTL to serve them with: the time left until the answer expires, or 30
// seconds for a stale answer. ok is false when nothing is known about target;
// an answer known to be empty (NXDOMAIN, NODATA) has ok true and no rdata.
// The result is shared and must not be modified.
func (r *Resolver) Addresses(target string, qtype uint16) (rdata [][]byte, ttl uint32, ok bool) {
	if qtype != typeA && qtype != typeAAAA {
		return nil, 0, false
	}
	var s *rrset
	if e := r.table.Load().m[target]; e != nil {
		s = e.get(qtype)
	}
	if s == nil {
		// Run dedups and bounds these; when it is busy, a later query asks again.
		select {
		case r.demand <- key{target, qtype}:
		default:
		}
		return nil, 0, false
	}
	now := time.Now()
	if left := s.expires.Sub(now); left > 0 {
		return s.rdata, uint32((left + time.Second - 1) / time.Second), true
	}
	if now.Before(s.staleUntil) {
		return s.rdata, staleTTL, true
	}
	return nil, 0, false
}

// Watch sets the targets to keep resolved, replacing the previous set.
// Targets no longer watched are forgotten at once; new ones are resolved by
// Run in the background. Targets are lower-case FQDNs.
func (r *Resolver) Watch(targets []string) {
	watched := make(map[string]bool, len(targets))
	for _, t := range targets {
		watched[t] = true
	}
	r.mu.Lock()
	r.watched = watched
	old := r.table.Load().m
	m := make(map[string]*entry, len(old))
	for name, e := range old {
		if watched[name] {
			m[name] = e
		}
	}
	r.table.Store(&table{m: m})
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}
