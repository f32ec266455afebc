package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/secondary"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// secondaryStore is what the puller reads and writes of the store.
type secondaryStore interface {
	SecondaryZones(ctx context.Context) ([]store.SecondaryZone, error)
	ReplaceSecondaryZone(ctx context.Context, z *zone.Zone) (bool, error)
}

// secondaryDNS pulls the customers' secondary zones (DNSimple's Secondary
// DNS) from their own primary servers into the store. It runs one
// internal/secondary.Secondary per primary address, for the zones whose
// first linked primary it is: SOA refresh, retry and expire, IXFR with AXFR
// fallback, NOTIFY. Each version transferred is written to the store as one
// transaction (store.ReplaceSecondaryZone), from which the propagator, the
// journal, outgoing transfers and the catalog take it like any write.
//
//	p := newSecondaryDNS(dir, engine, changed, log)
//	handler := p.Handler(next) // NOTIFY from customers' primaries
//	p.st = store
//	go p.Run(ctx)              // follows the links in the store
//	p.Kick()                   // after an API write that links or unlinks
type secondaryDNS struct {
	st      secondaryStore
	dir     string
	expirer interface{ SetExpired(string, bool) error }
	changed func(zones ...string) // a zone's version was written
	poll    time.Duration
	log     *slog.Logger
	kick    chan struct{}

	mu      sync.RWMutex
	pullers map[string]*puller             // by primary address
	notify  map[string]map[netip.Addr]bool // by zone origin: addresses NOTIFY is accepted from
}

// puller is one Secondary at work.
type puller struct {
	addr   string
	zones  []string
	sec    *secondary.Secondary
	cancel context.CancelFunc
	done   chan struct{}
}

func newSecondaryDNS(dir string, expirer interface{ SetExpired(string, bool) error }, changed func(...string), poll time.Duration, log *slog.Logger) *secondaryDNS {
	return &secondaryDNS{
		dir: dir, expirer: expirer, changed: changed, poll: poll, log: log,
		kick:    make(chan struct{}, 1),
		pullers: map[string]*puller{},
		notify:  map[string]map[netip.Addr]bool{},
	}
}

// Kick asks for the links to be read again now.
func (p *secondaryDNS) Kick() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Run follows the store's links until ctx ends: at once, on every Kick and
// every poll interval (for links made through another process).
func (p *secondaryDNS) Run(ctx context.Context) error {
	t := time.NewTicker(p.poll)
	defer t.Stop()
	defer p.stopAll()
	for {
		if err := p.sync(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("read secondary zones", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-p.kick:
		case <-t.C:
		}
	}
}

// sync starts, restarts and stops pullers so that each primary address
// pulls exactly the zones linked to it first.
func (p *secondaryDNS) sync(ctx context.Context) error {
	zones, err := p.st.SecondaryZones(ctx)
	if err != nil {
		return err
	}
	want := map[string][]string{}
	notify := map[string]map[netip.Addr]bool{}
	for _, z := range zones {
		want[z.Primaries[0]] = append(want[z.Primaries[0]], z.Name)
		allowed := map[netip.Addr]bool{}
		for _, a := range z.Primaries {
			if ap, err := netip.ParseAddrPort(a); err == nil {
				allowed[ap.Addr().Unmap()] = true
			}
		}
		notify[z.Name] = allowed
	}
	p.mu.Lock()
	var stop []*puller
	for addr, pl := range p.pullers {
		if !slices.Equal(pl.zones, want[addr]) {
			stop = append(stop, pl)
			delete(p.pullers, addr)
		}
	}
	p.notify = notify
	p.mu.Unlock()
	for _, pl := range stop {
		pl.cancel()
		<-pl.done
		if want[pl.addr] == nil {
			// No zone is pulled from it any more: a copy left on disk
			// would come back as the zone's version if it were linked
			// again.
			if err := os.RemoveAll(p.dirOf(pl.addr)); err != nil {
				p.log.Error("remove the zones of a primary no longer linked", "primary", pl.addr, "err", err)
			}
		}
	}
	for addr, names := range want {
		p.mu.RLock()
		_, running := p.pullers[addr]
		p.mu.RUnlock()
		if running {
			continue
		}
		pl, err := p.start(ctx, addr, names)
		if err != nil {
			p.log.Error("pull secondary zones", "primary", addr, "zones", names, "err", err)
			continue
		}
		p.mu.Lock()
		p.pullers[addr] = pl
		p.mu.Unlock()
	}
	return nil
}

// start runs a Secondary for the zones of one primary address. Its
// directory keeps the zones as last transferred, which IXFR starts from.
func (p *secondaryDNS) start(ctx context.Context, addr string, names []string) (*puller, error) {
	ctx, cancel := context.WithCancel(ctx)
	sec, err := secondary.New(secondary.Config{
		Primary: addr,
		Zones:   names,
		Dir:     p.dirOf(addr),
		Engine:  &storeEngine{ctx: ctx, p: p},
		Logger:  p.log, // which names the primary
	})
	if err != nil {
		cancel()
		return nil, err
	}
	if err := sec.Load(); err != nil {
		cancel()
		return nil, err
	}
	pl := &puller{addr: addr, zones: names, sec: sec, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(pl.done)
		sec.Run(ctx) //nolint:errcheck // only "already running"
	}()
	p.log.Info("pulling secondary zones", "primary", addr, "zones", names)
	return pl, nil
}

// dirOf is where the zones pulled from addr are kept.
func (p *secondaryDNS) dirOf(addr string) string {
	return filepath.Join(p.dir, strings.NewReplacer(":", "_", "[", "", "]", "").Replace(addr))
}

func (p *secondaryDNS) stopAll() {
	p.mu.Lock()
	all := p.pullers
	p.pullers = map[string]*puller{}
	p.mu.Unlock()
	for _, pl := range all {
		pl.cancel()
		<-pl.done
	}
}

// storeEngine is the Engine a Secondary serves its zones with: each version
// goes to the store, whence the propagator serves it.
type storeEngine struct {
	ctx context.Context
	p   *secondaryDNS
}

func (e *storeEngine) Update(put []*zone.Zone, remove []string) error {
	for _, z := range put {
		changed, err := e.p.st.ReplaceSecondaryZone(e.ctx, z)
		if err != nil {
			return fmt.Errorf("store secondary zone %s: %w", z.Origin, err)
		}
		if changed {
			e.p.changed(z.Origin)
		}
	}
	return nil
}

// SetExpired stops serving a zone past its SOA expire, on this process's
// engine.
func (e *storeEngine) SetExpired(origin string, expired bool) error {
	return e.p.expirer.SetExpired(origin, expired)
}

// Handler answers NOTIFY for secondary zones from the addresses of the
// primary servers they are linked to, and hands everything else to next.
func (p *secondaryDNS) Handler(next dnsserver.Handler) dnsserver.Handler {
	return &secondaryNotify{p: p, next: next}
}

type secondaryNotify struct {
	p    *secondaryDNS
	next dnsserver.Handler
}

// ServeStream hands zone transfers on to next, which streams them when it
// can (the transfer handler does); the wrapper must not hide that.
func (h *secondaryNotify) ServeStream(req *dnsserver.Request, send func([]byte) error) {
	if st, ok := h.next.(dnsserver.Streamer); ok {
		st.ServeStream(req, send)
		return
	}
	if b := h.next.ServeDNS(make([]byte, 0, 65535), req); b != nil {
		send(b) //nolint:errcheck // the connection is gone; nothing more to send
	}
}

func (h *secondaryNotify) ServeDNS(resp []byte, req *dnsserver.Request) []byte {
	m := req.Msg
	// Queries take the engine's allocation-free path untouched.
	if len(m) < 12 || m[2]&0x80 != 0 || (m[2]>>3)&0xF != dns.OpcodeNotify {
		return h.next.ServeDNS(resp, req)
	}
	q := new(dns.Msg)
	if err := q.Unpack(m); err != nil || len(q.Question) != 1 || q.IsTsig() != nil {
		return h.next.ServeDNS(resp, req)
	}
	origin := dns.CanonicalName(q.Question[0].Name)
	from := req.Remote.Addr().Unmap()
	h.p.mu.RLock()
	allowed := h.p.notify[origin][from]
	var sec *secondary.Secondary
	if allowed {
		for _, pl := range h.p.pullers {
			if slices.Contains(pl.zones, origin) {
				sec = pl.sec
			}
		}
	}
	h.p.mu.RUnlock()
	if sec == nil {
		return h.next.ServeDNS(resp, req)
	}
	r := new(dns.Msg)
	r.SetReply(q)
	if q.Question[0].Qtype != dns.TypeSOA {
		r.Rcode = dns.RcodeNotImplemented
	} else {
		sec.Notify(origin)
		r.Authoritative = true
		h.p.log.Debug("NOTIFY accepted: refreshing the secondary zone", "zone", origin, "from", req.Remote.String())
	}
	b, err := r.Pack()
	if err != nil {
		return nil
	}
	return append(resp, b...)
}
