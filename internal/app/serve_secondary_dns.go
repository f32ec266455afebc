package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
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
	"github.com/zonewarden/zonewarden/internal/egress"
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
// internal/secondary.Secondary per distinct list of linked primaries (in
// the order the links were made), for the zones linked to exactly those:
// SOA refresh, retry and expire, IXFR with AXFR fallback, failing over
// from one primary to the next, NOTIFY. Each version transferred is written to the store as one
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
	// allowPrivate lets primaries be non-public addresses; warned are
	// the zones whose refused primaries the log has told of.
	allowPrivate bool
	warned       map[string]bool
	// swept is whether directories no puller uses were removed, which
	// the first sync does.
	swept bool

	mu      sync.RWMutex
	pullers map[string]*puller             // by pullerKey of its primaries
	notify  map[string]map[netip.Addr]bool // by zone origin: addresses NOTIFY is accepted from
}

// puller is one Secondary at work.
type puller struct {
	key       string   // pullerKey(primaries)
	primaries []string // ip:port, in the order tried
	zones     []string
	sec       *secondary.Secondary
	cancel    context.CancelFunc
	done      chan struct{}
}

func newSecondaryDNS(dir string, expirer interface{ SetExpired(string, bool) error }, changed func(...string), poll time.Duration, log *slog.Logger) *secondaryDNS {
	return &secondaryDNS{
		dir: dir, expirer: expirer, changed: changed, poll: poll, log: log,
		kick:    make(chan struct{}, 1),
		pullers: map[string]*puller{},
		notify:  map[string]map[netip.Addr]bool{},
	}
}

// checkPrimary is the store's check of a new primary server's address.
func (p *secondaryDNS) checkPrimary(ip netip.Addr) error {
	if p.allowPrivate || egress.Public(ip) {
		return nil
	}
	return fmt.Errorf("%s is not a public address: this installation transfers zones only from public ones", ip.Unmap())
}

// dialable reports whether a linked primary's host:port may be asked.
func (p *secondaryDNS) dialable(addr string) bool {
	ap, err := netip.ParseAddrPort(addr)
	return err == nil && p.checkPrimary(ap.Addr()) == nil
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

// sync starts, restarts and stops pullers so that each list of primaries
// pulls exactly the zones linked to those primaries.
func (p *secondaryDNS) sync(ctx context.Context) error {
	zones, err := p.st.SecondaryZones(ctx)
	if err != nil {
		return err
	}
	want := map[string][]string{}        // by pullerKey: zones
	primariesOf := map[string][]string{} // by pullerKey
	notify := map[string]map[netip.Addr]bool{}
	refused := map[string]bool{}
	for _, z := range zones {
		// Two servers of an account may have one address: it is asked
		// once. An address the check refuses (one linked before
		// --secondary-allow-private was turned off) is not asked at all.
		var primaries []string
		for _, a := range z.Primaries {
			if !p.dialable(a) {
				refused[z.Name] = true
				continue
			}
			if !slices.Contains(primaries, a) {
				primaries = append(primaries, a)
			}
		}
		if len(primaries) == 0 {
			continue
		}
		key := pullerKey(primaries)
		want[key] = append(want[key], z.Name)
		primariesOf[key] = primaries
		allowed := map[netip.Addr]bool{}
		for _, a := range z.Primaries {
			if ap, err := netip.ParseAddrPort(a); err == nil {
				allowed[ap.Addr().Unmap()] = true
			}
		}
		notify[z.Name] = allowed
	}
	for name := range refused {
		if !p.warned[name] {
			p.log.Warn("a primary server of the zone is not a public address: it is not asked (serve --secondary-allow-private allows it)", "zone", name)
		}
	}
	p.warned = refused
	p.mu.Lock()
	var stop []*puller
	for key, pl := range p.pullers {
		if !slices.Equal(pl.zones, want[key]) {
			stop = append(stop, pl)
			delete(p.pullers, key)
		}
	}
	p.notify = notify
	p.mu.Unlock()
	for _, pl := range stop {
		pl.cancel()
		<-pl.done
		if want[pl.key] == nil {
			// No zone is pulled from these any more: a copy left on
			// disk would come back as the zone's version if it were
			// linked again.
			if err := os.RemoveAll(p.dirOf(pl.primaries)); err != nil {
				p.log.Error("remove the zones of primaries no longer linked", "primaries", pl.primaries, "err", err)
			}
		}
	}
	for key, names := range want {
		p.mu.RLock()
		_, running := p.pullers[key]
		p.mu.RUnlock()
		if running {
			continue
		}
		if err := p.start(ctx, primariesOf[key], names); err != nil {
			p.log.Error("pull secondary zones", "primaries", primariesOf[key], "zones", names, "err", err)
		}
	}
	if !p.swept {
		p.swept = true
		p.sweep(want, primariesOf)
	}
	return nil
}

// sweep removes, once the first sync has started the pullers, the
// directories no puller uses: those of links removed while serve was down,
// and the copy a zone linked to several primaries kept under its first
// before failover (each would come back as the zone's version if the same
// primaries were linked again).
func (p *secondaryDNS) sweep(want map[string][]string, primariesOf map[string][]string) {
	entries, err := os.ReadDir(p.dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			p.log.Error("list the directories of primaries", "err", err)
		}
		return
	}
	used := map[string]bool{}
	for key := range want {
		used[filepath.Base(p.dirOf(primariesOf[key]))] = true
	}
	for _, e := range entries {
		if !e.IsDir() || used[e.Name()] {
			continue
		}
		if err := os.RemoveAll(filepath.Join(p.dir, e.Name())); err != nil {
			p.log.Error("remove the zones of primaries no longer linked", "dir", e.Name(), "err", err)
			continue
		}
		p.log.Info("removed the zones of primaries no longer linked", "dir", e.Name())
	}
}

// pullerKey names a list of primaries, in order: [A, B] and [B, A] are two
// pullers, since the first is the one asked first.
func pullerKey(primaries []string) string { return strings.Join(primaries, ",") }

// start runs a Secondary for the zones linked to primaries, as one of
// p.pullers. Its directory keeps the zones as last transferred, which IXFR
// starts from.
func (p *secondaryDNS) start(ctx context.Context, primaries []string, names []string) error {
	ctx, cancel := context.WithCancel(ctx)
	sec, err := secondary.New(secondary.Config{
		Primaries: primaries,
		Zones:     names,
		Dir:       p.dirOf(primaries),
		Engine:    &storeEngine{ctx: ctx, p: p},
		Logger:    p.log, // whose lines name the primary
	})
	if err != nil {
		cancel()
		return err
	}
	if err := sec.Load(); err != nil {
		cancel()
		return err
	}
	pl := &puller{key: pullerKey(primaries), primaries: primaries, zones: names, sec: sec, cancel: cancel, done: make(chan struct{})}
	// Listed before it runs: its first transfer serves the zones at once,
	// and the primary's NOTIFY that may follow must find the puller rather
	// than fall through to the transfer handler's NOTIMP.
	p.mu.Lock()
	p.pullers[pl.key] = pl
	p.mu.Unlock()
	go func() {
		defer close(pl.done)
		sec.Run(ctx) //nolint:errcheck // only "already running"
	}()
	p.log.Info("pulling secondary zones", "primaries", primaries, "zones", names)
	return nil
}

// dirOf is where the zones pulled from primaries are kept. One primary's
// is named after its address ("192.0.2.1_53"), as before there could be
// several, so that an upgrade finds its zones; several primaries' is named
// by a hash of the list ("primaries-…"), which no address escapes to, and
// which a list of any length or content keeps to a safe file name.
func (p *secondaryDNS) dirOf(primaries []string) string {
	if len(primaries) == 1 {
		return filepath.Join(p.dir, strings.NewReplacer(":", "_", "[", "", "]", "").Replace(primaries[0]))
	}
	sum := sha256.Sum256([]byte(pullerKey(primaries)))
	return filepath.Join(p.dir, "primaries-"+hex.EncodeToString(sum[:12]))
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
	if !allowed {
		return h.next.ServeDNS(resp, req)
	}
	r := new(dns.Msg)
	r.SetReply(q)
	switch {
	case q.Question[0].Qtype != dns.TypeSOA:
		r.Rcode = dns.RcodeNotImplemented
	case sec == nil:
		// No puller runs for the zone at this moment: it is being
		// replaced (its primaries' zone list changed), or it failed to
		// start and the next sync tries again. Either way the puller
		// that starts refreshes every zone at once, so the NOTIFY is
		// taken: a NOTIMP would tell the primary we are not its
		// secondary.
		r.Authoritative = true
		h.p.log.Debug("NOTIFY taken while no puller runs for the secondary zone; the next one to start refreshes it", "zone", origin, "from", req.Remote.String())
	default:
		sec.NotifyFrom(origin, from)
		r.Authoritative = true
		h.p.log.Debug("NOTIFY accepted: refreshing the secondary zone", "zone", origin, "from", req.Remote.String())
	}
	b, err := r.Pack()
	if err != nil {
		return nil
	}
	return append(resp, b...)
}
