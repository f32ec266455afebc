package secondary

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// errDropped: the zone left the catalog while it was being transferred.
var errDropped = errors.New("zone no longer a member")

// refresh brings z up to date with its primaries, or counts a failure.
//
// The primaries are asked in turn (order) until one answers: the first
// that answers decides, whether the zone held is up to date or it sends a
// newer version. A version that does not validate or cannot be installed
// is not a reason to ask the next: a zone's primaries serve the same data,
// and the failure is retried like any other.
func (s *Secondary) refresh(ctx context.Context, z *zoneState) {
	s.mu.Lock()
	origin, have, serial, reset, notified := z.origin, z.have, z.serial, z.reset, z.notified
	order := s.order(z)
	z.notified, z.notifier = false, netip.Addr{}
	s.mu.Unlock()

	var (
		t    *transferred
		err  error
		errs refreshError
	)
	used := -1
	for _, i := range order {
		addr := s.cfg.Primaries[i]
		t, err = s.refreshFrom(ctx, addr, origin, have, serial, reset, z.catalog || notified)
		if err == nil {
			used = i
			break
		}
		errs = append(errs, fmt.Errorf("primary %s: %w", addr, err))
		if ctx.Err() != nil {
			break // shutting down: not the primary's failure
		}
		s.metrics.primaryFailures.WithLabelValues(addr).Inc()
		if len(errs) < len(order) {
			s.log.Info("primary failed: trying the next", "zone", origin, "primary", addr, "err", err)
		}
	}
	if used < 0 {
		s.finish(z, nil, errs)
		return
	}
	s.mu.Lock()
	if used != order[0] {
		z.stats.failovers++
	}
	z.primary = used
	s.mu.Unlock()

	var members []member
	if t != nil && t.zone != nil {
		members, err = s.install(z, t)
	} else {
		s.confirmed(z)
	}
	s.finish(z, t, err)
	if err == nil && z.catalog && t != nil && t.zone != nil {
		s.applyCatalog(members)
	}
}

// refreshFrom asks the primary at addr about origin, held at serial when
// have is set: nil, or a transferred without a zone, when the version held
// is up to date; the new version otherwise. direct skips the SOA query.
func (s *Secondary) refreshFrom(ctx context.Context, addr, origin string, have bool, serial uint32, reset, direct bool) (*transferred, error) {
	switch {
	case have && reset:
		t, err := s.transfer(ctx, addr, origin, nil)
		if err == nil && t.zone != nil {
			t.reset = true
		}
		return t, err
	case have && direct:
		// An IXFR from the serial held is the check, answered by the SOA
		// alone when nothing changed: after a NOTIFY, which says there
		// is news, it saves the SOA query's round trip; and primaries
		// refuse queries to catalog zones (RFC 9432 §7; Knot does).
		return s.transfer(ctx, addr, origin, &serial)
	case have:
		primary, err := s.querySerial(ctx, addr, origin)
		if err != nil {
			return nil, err
		}
		if !zone.SerialLess(serial, primary) {
			return nil, nil
		}
		return s.transfer(ctx, addr, origin, &serial)
	default:
		return s.transfer(ctx, addr, origin, nil)
	}
}

// refreshError is a refresh that no primary served: the error of each
// primary asked, which names it, in the order asked.
type refreshError []error

func (e refreshError) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e refreshError) Unwrap() []error { return e }

// confirmed records on disk that the primary confirmed the serial held:
// the zone's expire starts again from now, after a restart too.
func (s *Secondary) confirmed(z *zoneState) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.dropped {
		return
	}
	s.mu.Lock()
	st := stateFile{Origin: z.origin, Serial: z.serial, Verified: time.Now(), Catalog: z.catalog}
	s.mu.Unlock()
	if err := s.writeState(z.origin, st); err != nil {
		s.log.Error("persist zone state", "zone", z.origin, "err", err)
	}
}

// finish records the outcome of a refresh and schedules the next.
func (s *Secondary) finish(z *zoneState, t *transferred, err error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.wakeScheduler()
	z.queued = false
	if errors.Is(err, errDropped) {
		return
	}
	if err != nil {
		z.failures++
		z.stats.failures++
		retry := s.cfg.MinRefresh << min(z.failures-1, 8) // a zone never held: back off
		if z.have {
			retry = s.clampTimer(z.soa.retry)
		}
		z.next = now.Add(retry)
		if z.again {
			z.again, z.next = false, now
		}
		s.log.Warn("zone refresh failed", "zone", z.origin, "err", err,
			"serial", z.serial, "held", z.have, "retry_in", retry.String())
		return
	}
	z.failures = 0
	z.verified = now
	if t != nil && t.reset {
		z.reset = false
	}
	if t == nil || t.zone == nil {
		z.stats.upToDate++
		if z.expired {
			z.expired = false
			if !z.catalog {
				if err := s.cfg.Engine.SetExpired(z.origin, false); err != nil {
					s.log.Error("serve zone again", "zone", z.origin, "err", err)
				}
			}
			s.log.Info("zone refreshed after it expired: serving it again", "zone", z.origin, "serial", z.serial)
		}
	}
	z.next = now.Add(s.clampTimer(z.soa.refresh))
	if z.reset {
		// The catalog reset the member while this refresh, which did
		// not see it, was under way: the AXFR it asks for is due now.
		z.next = now
	}
	if z.again {
		z.again, z.next = false, now
	}
}

// transferred is the outcome of a transfer: the zone's new version, or nil
// when the primary had nothing newer.
type transferred struct {
	zone *zone.Zone
	// change is how zone differs from the version held, when it came by
	// IXFR: the engine can patch that rather than compile the zone.
	change  *difference
	reset   bool   // transferred afresh after a catalog member reset
	kind    string // "ixfr" or "axfr"
	primary string // the address it came from
	bytes   int64  // received on the wire
	took    time.Duration
}

// transfer fetches origin from the primary at addr: by IXFR from *from
// when it is set, by AXFR otherwise or when IXFR fails.
func (s *Secondary) transfer(ctx context.Context, addr, origin string, from *uint32) (*transferred, error) {
	start := time.Now()
	if from != nil {
		rrs, n, err := s.xfr(ctx, addr, origin, dns.TypeIXFR, *from)
		if err == nil {
			z, d, aerr := s.applyIXFR(origin, *from, rrs)
			kind := "axfr" // a primary may answer IXFR with the whole zone (RFC 1995 §4)
			if d != nil {
				kind = "ixfr"
			}
			if aerr == nil {
				return &transferred{zone: z, change: d, kind: kind, primary: addr, bytes: n, took: time.Since(start)}, nil
			}
			err = aerr
		}
		if ctx.Err() != nil || errors.Is(err, errUnreachable) {
			// Not the IXFR's fault: an AXFR from there would fail alike,
			// and the next primary is waiting.
			return nil, err
		}
		s.log.Info("IXFR failed: trying AXFR", "zone", origin, "serial", *from, "err", err)
	}
	rrs, n, err := s.xfr(ctx, addr, origin, dns.TypeAXFR, 0)
	if err != nil {
		return nil, err
	}
	z, err := axfrZone(origin, rrs)
	if err != nil {
		return nil, err
	}
	return &transferred{zone: z, kind: "axfr", primary: addr, bytes: n, took: time.Since(start)}, nil
}

// errUnreachable: no connection to the primary could be made.
var errUnreachable = errors.New("primary unreachable")

// xfr runs one AXFR or IXFR from the primary at addr and returns every
// record of the answer, or an error if it did not complete: a transfer cut
// off midway is an error, never a short zone.
func (s *Secondary) xfr(ctx context.Context, addr, origin string, qtype uint16, serial uint32) ([]dns.RR, int64, error) {
	what := dns.TypeToString[qtype]
	d := net.Dialer{Timeout: s.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w: %w", what, origin, errUnreachable, err)
	}
	cc := &countingConn{Conn: conn}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	tr := &dns.Transfer{Conn: &dns.Conn{Conn: cc}, ReadTimeout: s.cfg.Timeout, WriteTimeout: s.cfg.Timeout}
	m := new(dns.Msg)
	if qtype == dns.TypeIXFR {
		m.SetIxfr(origin, serial, ".", ".")
	} else {
		m.SetAxfr(origin)
	}
	if k := s.cfg.Key; k != nil {
		tr.TsigSecret = k.Prepare(m)
	}
	ch, err := tr.In(m, addr)
	if err != nil {
		conn.Close()
		return nil, cc.n.Load(), fmt.Errorf("%s %s: %w", what, origin, err)
	}
	var rrs []dns.RR
	var xerr error
	for env := range ch {
		if env.Error != nil && xerr == nil {
			xerr = env.Error
		}
		rrs = append(rrs, env.RR...)
	}
	n := cc.n.Load()
	if xerr != nil {
		return nil, n, fmt.Errorf("%s %s after %d records: %w", what, origin, len(rrs), describe(xerr))
	}
	return rrs, n, nil
}

// describe turns miekg's "bad xfr rcode: 5" into words.
func describe(err error) error {
	if errors.Is(err, dns.ErrAuth) || errors.Is(err, dns.ErrSig) || errors.Is(err, dns.ErrNoSig) {
		// A primary that rejects our key answers NOTAUTH unsigned, which
		// miekg/dns reports as an answer that does not verify.
		return fmt.Errorf("the answer's TSIG does not verify with our key: the primary refuses the key (NOTAUTH) or does not know it: %w", err)
	}
	var de *dns.Error
	if errors.As(err, &de) {
		var code int
		if _, serr := fmt.Sscanf(err.Error(), "dns: bad xfr rcode: %d", &code); serr == nil {
			return fmt.Errorf("primary answered %s", dns.RcodeToString[code])
		}
	}
	return err
}

// axfrZone checks an AXFR answer (the SOA, the zone, the SOA again) and
// returns the zone.
func axfrZone(origin string, rrs []dns.RR) (*zone.Zone, error) {
	if len(rrs) < 2 {
		return nil, fmt.Errorf("AXFR %s: %d records, not a whole zone", origin, len(rrs))
	}
	first, ok1 := rrs[0].(*dns.SOA)
	last, ok2 := rrs[len(rrs)-1].(*dns.SOA)
	if !ok1 || !ok2 || first.Serial != last.Serial || !strings.EqualFold(first.Hdr.Name, origin) {
		return nil, fmt.Errorf("AXFR %s: does not begin and end with the zone's SOA", origin)
	}
	return &zone.Zone{Origin: origin, Records: rrs[:len(rrs)-1]}, nil
}

// difference is a change of a zone as authority.Engine.Patch takes it: the
// records of the version held that go, and those of the new version that
// come, SOAs included.
type difference struct {
	removed, added []dns.RR
}

// applyIXFR turns an IXFR answer into the zone's new version: the
// differences (RFC 1995 §4) applied to the version held on disk, or the
// whole zone when the primary sent that instead. d is the net change from
// the version held when the answer was differences, nil when it was the
// whole zone. A single SOA (nothing newer) gives a nil zone.
func (s *Secondary) applyIXFR(origin string, from uint32, rrs []dns.RR) (z *zone.Zone, d *difference, err error) {
	if len(rrs) == 0 {
		return nil, nil, fmt.Errorf("IXFR %s: empty answer", origin)
	}
	newest, ok := rrs[0].(*dns.SOA)
	if !ok {
		return nil, nil, fmt.Errorf("IXFR %s: answer does not begin with a SOA", origin)
	}
	if len(rrs) == 1 {
		if zone.SerialLess(from, newest.Serial) {
			return nil, nil, fmt.Errorf("IXFR %s: primary has serial %d and sent nothing", origin, newest.Serial)
		}
		return nil, nil, nil
	}
	if _, ok := rrs[1].(*dns.SOA); !ok {
		z, err := axfrZone(origin, rrs)
		return z, nil, err
	}
	// Failures from here on are of differences: an empty, non-nil d says so.
	d = &difference{}
	last, ok := rrs[len(rrs)-1].(*dns.SOA)
	if !ok || last.Serial != newest.Serial {
		return nil, d, fmt.Errorf("IXFR %s: does not end with the new SOA", origin)
	}
	cur, err := s.readZone(origin)
	if err != nil {
		return nil, d, fmt.Errorf("IXFR %s: read the zone held: %w", origin, err)
	}
	heldSOA := cur.SOA()
	if heldSOA == nil || heldSOA.Serial != from {
		// The file is behind what was served (its write failed): the
		// differences from the serial served do not apply to it.
		return nil, d, fmt.Errorf("IXFR %s: the zone file does not hold serial %d", origin, from)
	}
	set := make(map[string]dns.RR, len(cur.Records))
	var order []string
	for _, rr := range cur.Records {
		if _, ok := rr.(*dns.SOA); ok {
			continue
		}
		k := rrKey(rr)
		if _, dup := set[k]; !dup {
			order = append(order, k)
		}
		set[k] = rr
	}
	// held keeps the record each key had in the version held (nil: none)
	// before the differences first touched it; touched lists the keys in
	// that order, so the change is the same from run to run.
	held := map[string]dns.RR{}
	var touched []string
	touch := func(k string) {
		if _, ok := held[k]; !ok {
			held[k] = set[k]
			touched = append(touched, k)
		}
	}
	serial := from
	var soa *dns.SOA
	body := rrs[1 : len(rrs)-1]
	for i := 0; i < len(body); {
		old, ok := body[i].(*dns.SOA)
		if !ok || old.Serial != serial {
			return nil, d, fmt.Errorf("IXFR %s: a difference does not start from serial %d", origin, serial)
		}
		i++
		for ; i < len(body); i++ {
			if _, ok := body[i].(*dns.SOA); ok {
				break
			}
			k := rrKey(body[i])
			touch(k)
			delete(set, k)
		}
		if i == len(body) {
			return nil, d, fmt.Errorf("IXFR %s: a difference deletes but adds nothing, not even its SOA", origin)
		}
		soa = body[i].(*dns.SOA)
		i++
		for ; i < len(body); i++ {
			if _, ok := body[i].(*dns.SOA); ok {
				break
			}
			k := rrKey(body[i])
			touch(k)
			if _, dup := set[k]; !dup {
				order = append(order, k)
			}
			set[k] = body[i]
		}
		serial = soa.Serial
	}
	if soa == nil || serial != newest.Serial {
		return nil, d, fmt.Errorf("IXFR %s: the differences end at serial %d, not %d", origin, serial, newest.Serial)
	}
	// One net change rather than one per difference: Patch applies it at
	// once or not at all, so a refusal half-way cannot leave the engine
	// at a version between the two.
	d.removed, d.added = []dns.RR{heldSOA}, []dns.RR{newest}
	for _, k := range touched {
		was, now := held[k], set[k]
		if was != nil && now != nil && was.String() == now.String() {
			continue // deleted and added back as it was
		}
		if was != nil {
			d.removed = append(d.removed, was)
		}
		if now != nil {
			d.added = append(d.added, now)
		}
	}
	out := &zone.Zone{Origin: origin, Records: make([]dns.RR, 0, len(set)+1)}
	out.Records = append(out.Records, newest)
	for _, k := range order {
		if rr, ok := set[k]; ok {
			out.Records = append(out.Records, rr)
			delete(set, k) // once, whatever the order held
		}
	}
	return out, d, nil
}

// rrKey identifies a record within its zone, TTL aside: IXFR deletes
// records whatever their TTL.
func rrKey(rr dns.RR) string {
	h := rr.Header()
	body := strings.TrimPrefix(rr.String(), h.String())
	return fmt.Sprintf("%s %d %d %s", strings.ToLower(h.Name), h.Class, h.Rrtype, body)
}

// querySerial asks the primary at addr for origin's SOA serial, over UDP
// and then TCP when the answer is truncated or none came.
func (s *Secondary) querySerial(ctx context.Context, addr, origin string) (uint32, error) {
	c := &dns.Client{Net: "udp", Timeout: s.cfg.Timeout}
	m := new(dns.Msg)
	m.SetQuestion(origin, dns.TypeSOA)
	m.RecursionDesired = false
	if k := s.cfg.Key; k != nil {
		c.TsigSecret = k.Prepare(m)
	}
	r, _, err := c.ExchangeContext(ctx, m, addr)
	var ne net.Error
	if (err == nil && r.Truncated) || (errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil) {
		// Truncated, or UDP lost or filtered on the way: TCP, which the
		// transfers need anyway.
		c.Net = "tcp"
		r, _, err = c.ExchangeContext(ctx, m, addr)
	}
	if r != nil && r.Rcode != dns.RcodeSuccess {
		return 0, fmt.Errorf("SOA %s: primary answered %s%s", origin, dns.RcodeToString[r.Rcode], tsigError(r))
	}
	if err != nil {
		return 0, fmt.Errorf("SOA %s: %w", origin, err)
	}
	for _, rr := range r.Answer {
		if soa, ok := rr.(*dns.SOA); ok && strings.EqualFold(soa.Hdr.Name, origin) {
			return soa.Serial, nil
		}
	}
	return 0, fmt.Errorf("SOA %s: primary answered without the zone's SOA (aa=%t)", origin, r.Authoritative)
}

// tsigError names the TSIG error of an answer, if any.
func tsigError(r *dns.Msg) string {
	if t := r.IsTsig(); t != nil && t.Error != 0 {
		return " (TSIG " + dns.RcodeToString[int(t.Error)] + ")"
	}
	return ""
}

// countingConn counts the bytes read, for the transfer metrics.
type countingConn struct {
	net.Conn
	n atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}
