// Package authority is the authoritative answer engine. Zones are compiled
// into an immutable form whose answers are pre-rendered wire bytes; the set of
// compiled zones is swapped atomically, so a query does one atomic load and
// never waits for a writer.
//
//	e := authority.New(authority.Config{})
//	err := e.Replace([]*zone.Zone{z})   // compile and swap in
//	srv := dnsserver.New(dnsserver.Config{Handler: e, ...})
package authority

import (
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
}

// Engine answers queries from the zones it holds. It implements
// dnsserver.Handler.
type Engine struct {
	cfg  Config
	mu   sync.Mutex // serializes writers; readers never take it
	snap atomic.Pointer[snapshot]
}

var _ dnsserver.Handler = (*Engine)(nil)

// Zones returns the origins of the zones being served, sorted.
func (e *Engine) Zones() []string { return e.snap.Load().origins() }

// Replace compiles zs and serves exactly them from now on. On error nothing
// changes.
// func (e *Engine) Replace(zs []*zone.Zone) error

// Put compiles z and adds it, replacing a zone of the same origin.
// func (e *Engine) Put(z *zone.Zone) error

// Delete stops serving origin.
// func (e *Engine) Delete(origin string)

var _ = zone.TypeALIAS
