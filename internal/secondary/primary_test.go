package secondary

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/tsig"
)

// fakePrimary is a primary name server on loopback whose zones the test
// edits: it answers SOA, AXFR and IXFR (from the versions it kept), signed
// with the test key, and can be told to cut a transfer off midway.
type fakePrimary struct {
	t    testing.TB
	addr string
	key  tsig.Key
	udp  *dns.Server
	tcp  *dns.Server

	mu       sync.Mutex
	versions map[string][]zoneVersion // by origin, oldest first
	cut      bool                     // cut transfers after the first message
	xfrs     []string                 // "AXFR example.com." as asked
}

type zoneVersion struct {
	serial  uint32
	records []dns.RR // SOA first
	// removed and added, when set, are how the version differs from the
	// one before, SOAs aside: working that out from the records of a large
	// zone would take longer than what a benchmark measures.
	removed, added []dns.RR
}

var testKey = tsig.Key{Name: "edge-key.", Algorithm: dns.HmacSHA256, Secret: "c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IQ=="}

func startPrimary(t testing.TB) *fakePrimary {
	t.Helper()
	return startPrimaryOn(t, "127.0.0.1")
}

// startPrimaryOn starts a primary on a port of the loopback address host
// (127.0.0.2 is another address than 127.0.0.1, for NOTIFY's sake).
func startPrimaryOn(t testing.TB, host string) *fakePrimary {
	t.Helper()
	p := &fakePrimary{t: t, key: testKey, versions: map[string][]zoneVersion{}}
	for range 20 { // the UDP port may be taken for TCP
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatal(err)
		}
		p.addr = pc.LocalAddr().String()
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			pc.Close()
			continue
		}
		p.serveOn(pc, ln)
		return p
	}
	t.Fatal("no port free for UDP and TCP")
	return nil
}

// serveOn serves on the given sockets (again, after stop).
func (p *fakePrimary) serveOn(pc net.PacketConn, ln net.Listener) {
	secrets := map[string]string{p.key.Name: p.key.Secret}
	p.udp = &dns.Server{PacketConn: pc, Handler: p, TsigSecret: secrets}
	p.tcp = &dns.Server{Listener: ln, Handler: p, TsigSecret: secrets}
	started := make(chan struct{}, 2)
	p.udp.NotifyStartedFunc = func() { started <- struct{}{} }
	p.tcp.NotifyStartedFunc = func() { started <- struct{}{} }
	go p.udp.ActivateAndServe()
	go p.tcp.ActivateAndServe()
	<-started
	<-started
	p.t.Cleanup(p.stop)
}

func (p *fakePrimary) stop() {
	p.udp.Shutdown()
	p.tcp.Shutdown()
}

// restart serves again on the same address.
func (p *fakePrimary) restart() {
	pc, err := net.ListenPacket("udp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serveOn(pc, ln)
}

// startPrimaryAt starts a primary on addr, a port closedPort gave or a
// server stopped since: a primary that comes back.
func startPrimaryAt(t testing.TB, addr string) *fakePrimary {
	t.Helper()
	p := &fakePrimary{t: t, addr: addr, key: testKey, versions: map[string][]zoneVersion{}}
	p.restart()
	return p
}

// closedPort is an address of 127.0.0.1 where nothing listens, on UDP or
// TCP: a primary that is down (connection refused).
func closedPort(t testing.TB) string {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := pc.LocalAddr().String()
		ln, err := net.Listen("tcp", addr)
		pc.Close()
		if err != nil {
			continue
		}
		ln.Close()
		return addr
	}
	t.Fatal("no port free for UDP and TCP")
	return ""
}

// startRefusing starts a server on 127.0.0.1 that answers every question
// REFUSED, unsigned, over UDP and TCP: a primary that does not know the
// zone or us. It returns its address and what stops it.
func startRefusing(t testing.TB) (addr string, stop func()) {
	t.Helper()
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeRefused)
		w.WriteMsg(m)
	})
	addr = closedPort(t)
	var servers []*dns.Server
	for _, n := range []string{"udp", "tcp"} {
		srv := &dns.Server{Addr: addr, Net: n, Handler: h}
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ListenAndServe()
		<-started
		servers = append(servers, srv)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			for _, srv := range servers {
				srv.Shutdown()
			}
		})
	}
	t.Cleanup(stop)
	return addr, stop
}

// set makes text (master file lines, relative to origin) the zone's newest
// version.
func (p *fakePrimary) set(origin, text string) {
	p.t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(text), origin, "")
	zp.SetDefaultTTL(300)
	var v zoneVersion
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		if soa, ok := rr.(*dns.SOA); ok {
			v.serial = soa.Serial
			v.records = append([]dns.RR{rr}, v.records...)
			continue
		}
		v.records = append(v.records, rr)
	}
	if err := zp.Err(); err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.versions[origin] = append(p.versions[origin], v)
	p.mu.Unlock()
}

func (p *fakePrimary) remove(origin string) {
	p.mu.Lock()
	delete(p.versions, origin)
	p.mu.Unlock()
}

func (p *fakePrimary) setCut(cut bool) {
	p.mu.Lock()
	p.cut = cut
	p.mu.Unlock()
}

func (p *fakePrimary) transfers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.xfrs...)
}

func (p *fakePrimary) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	reply := func(m *dns.Msg) {
		if t := r.IsTsig(); t != nil {
			m.SetTsig(t.Hdr.Name, t.Algorithm, 300, time.Now().Unix())
		}
		w.WriteMsg(m)
	}
	m := new(dns.Msg)
	m.SetReply(r)
	if r.IsTsig() == nil || w.TsigStatus() != nil {
		m.Rcode = dns.RcodeRefused
		w.WriteMsg(m)
		return
	}
	q := r.Question[0]
	origin := dns.CanonicalName(q.Name)
	p.mu.Lock()
	versions := append([]zoneVersion(nil), p.versions[origin]...)
	cut := p.cut
	if q.Qtype == dns.TypeAXFR || q.Qtype == dns.TypeIXFR {
		p.xfrs = append(p.xfrs, dns.TypeToString[q.Qtype]+" "+origin)
	}
	p.mu.Unlock()
	if len(versions) == 0 {
		m.Rcode = dns.RcodeNotAuth
		reply(m)
		return
	}
	cur := versions[len(versions)-1]
	m.Authoritative = true
	var rrs []dns.RR
	switch q.Qtype {
	case dns.TypeSOA:
		m.Answer = []dns.RR{cur.records[0]}
		reply(m)
		return
	case dns.TypeIXFR:
		from := r.Ns[0].(*dns.SOA).Serial
		if from == cur.serial {
			rrs = []dns.RR{cur.records[0]}
			break
		}
		for i, v := range versions[:len(versions)-1] {
			if v.serial == from {
				rrs = ixfr(versions[i:])
			}
		}
		if rrs == nil {
			rrs = append(append([]dns.RR{}, cur.records...), cur.records[0])
		}
	case dns.TypeAXFR:
		rrs = append(append([]dns.RR{}, cur.records...), cur.records[0])
	default:
		reply(m)
		return
	}
	// Several messages, as a large zone would be sent; each one signed.
	chunks := [][]dns.RR{rrs}
	if len(rrs) > 2 {
		// At most 500 records a message, which fits in 64 KiB.
		chunks = [][]dns.RR{rrs[:2]}
		for rest := rrs[2:]; len(rest) > 0; {
			n := min(len(rest), 500)
			chunks, rest = append(chunks, rest[:n]), rest[n:]
		}
	}
	mac := r.IsTsig().MAC
	for i, c := range chunks {
		out := new(dns.Msg)
		out.SetReply(r)
		out.Authoritative = true
		out.Answer = c
		out.SetTsig(p.key.Name, p.key.Algorithm, 300, time.Now().Unix())
		b, m2, err := dns.TsigGenerate(out, p.key.Secret, mac, i > 0)
		if err != nil {
			p.t.Error(err)
			return
		}
		mac = m2
		w.Write(b)
		if cut {
			w.Close()
			return
		}
	}
}

// ixfr is the condensed differences from vs[0] to the last version.
func ixfr(vs []zoneVersion) []dns.RR {
	out := []dns.RR{vs[len(vs)-1].records[0]}
	for i := 1; i < len(vs); i++ {
		old, cur := vs[i-1], vs[i]
		out = append(out, old.records[0])
		if cur.removed != nil || cur.added != nil {
			out = append(out, cur.removed...)
			out = append(out, cur.records[0])
			out = append(out, cur.added...)
			continue
		}
		out = append(out, minus(old.records[1:], cur.records[1:])...)
		out = append(out, cur.records[0])
		out = append(out, minus(cur.records[1:], old.records[1:])...)
	}
	return append(out, vs[len(vs)-1].records[0])
}

func minus(a, b []dns.RR) []dns.RR {
	in := map[string]bool{}
	for _, rr := range b {
		in[rr.String()] = true
	}
	var out []dns.RR
	for _, rr := range a {
		if !in[rr.String()] {
			out = append(out, rr)
		}
	}
	return out
}

// soaText is a SOA line with the given serial and timers.
func soaText(serial uint32, refresh, retry, expire int) string {
	return fmt.Sprintf("@ SOA ns1 hostmaster %d %d %d %d 60\n@ NS ns1\nns1 A 192.0.2.53\n", serial, refresh, retry, expire)
}

// catalogText is a catalog zone (RFC 9432 version 2) listing members.
func catalogText(serial uint32, members ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "@ SOA invalid. invalid. %d 3600 600 86400 0\n@ NS invalid.\nversion TXT \"2\"\n", serial)
	for i, m := range members {
		fmt.Fprintf(&b, "m%d.zones PTR %s\n", i, m)
	}
	return b.String()
}
