package secondary

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/tsig"
)

// edge is a Secondary and its engine, run by a test.
type edge struct {
	s      *Secondary
	engine *authority.Engine
	h      dnsserver.Handler
	stop   func()
}

func startEdge(t *testing.T, cfg Config) *edge {
	t.Helper()
	return startEdgeWith(t, cfg, authority.Config{})
}

// startEdgeWith is startEdge with an engine configured by acfg.
func startEdgeWith(t *testing.T, cfg Config, acfg authority.Config) *edge {
	t.Helper()
	e := &edge{engine: authority.New(acfg)}
	cfg.Engine = e.engine
	if cfg.MinRefresh == 0 {
		cfg.MinRefresh = 50 * time.Millisecond
	}
	cfg.Timeout = 2 * time.Second
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	e.s, e.h = s, s.Handler(e.engine)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	e.stop = func() { cancel(); <-done }
	t.Cleanup(e.stop)
	return e
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p[:len(p)-1]))
	return len(p), nil
}

// ask sends a query (or any message) to the edge's handler as from remote.
func (e *edge) ask(t *testing.T, m *dns.Msg, remote string) *dns.Msg {
	t.Helper()
	wire, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return e.exchange(t, wire, remote)
}

func (e *edge) exchange(t *testing.T, wire []byte, remote string) *dns.Msg {
	t.Helper()
	out := e.h.ServeDNS(make([]byte, 0, 65535), &dnsserver.Request{Msg: wire, Remote: netip.MustParseAddrPort(remote)})
	r := new(dns.Msg)
	if err := r.Unpack(out); err != nil {
		t.Fatalf("unpack answer: %v", err)
	}
	return r
}

func (e *edge) query(t *testing.T, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	return e.ask(t, m, "198.51.100.1:5300")
}

// serial is the SOA serial the edge serves for origin, or -1 with the rcode.
func (e *edge) serial(t *testing.T, origin string) (int64, int) {
	r := e.query(t, origin, dns.TypeSOA)
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		return -1, r.Rcode
	}
	return int64(r.Answer[0].(*dns.SOA).Serial), r.Rcode
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *edge) waitSerial(t *testing.T, origin string, want int64) {
	t.Helper()
	waitFor(t, "serial of "+origin, func() bool { got, _ := e.serial(t, origin); return got == want })
}

func notifyMsg(origin string) *dns.Msg {
	m := new(dns.Msg)
	m.SetNotify(origin)
	return m
}

// TestCatalogIXFRNotify: the members of the catalog are transferred by
// AXFR, a change comes by IXFR at a NOTIFY, a zone leaving the catalog
// leaves the engine and the disk.
func TestCatalogIXFRNotify(t *testing.T) {
	p := startPrimary(t)
	p.set("catalog.invalid.", catalogText(1, "a.example.", "b.example."))
	p.set("a.example.", soaText(1, 3600, 600, 86400)+"www A 192.0.2.1\n")
	p.set("b.example.", soaText(7, 3600, 600, 86400)+"www A 192.0.2.2\n")
	dir := t.TempDir()
	e := startEdge(t, Config{Primaries: []string{p.addr}, Key: &testKey, Catalog: "catalog.invalid", Dir: dir})
	e.waitSerial(t, "a.example.", 1)
	e.waitSerial(t, "b.example.", 7)
	if r := e.query(t, "catalog.invalid.", dns.TypeSOA); r.Rcode != dns.RcodeRefused {
		t.Errorf("the catalog zone is served: %s", dns.RcodeToString[r.Rcode])
	}

	p.set("a.example.", soaText(2, 3600, 600, 86400)+"www A 192.0.2.10\nnew A 192.0.2.11\n")
	if r := e.ask(t, notifyMsg("a.example."), "127.0.0.1:40000"); r.Rcode != dns.RcodeSuccess || !r.Authoritative || r.Opcode != dns.OpcodeNotify {
		t.Fatalf("NOTIFY from the primary: %s aa=%t opcode %d", dns.RcodeToString[r.Rcode], r.Authoritative, r.Opcode)
	}
	e.waitSerial(t, "a.example.", 2)
	r := e.query(t, "www.a.example.", dns.TypeA)
	if len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.10" {
		t.Errorf("www after IXFR:\n%s", r)
	}
	if r := e.query(t, "new.a.example.", dns.TypeA); len(r.Answer) != 1 {
		t.Errorf("new after IXFR:\n%s", r)
	}
	if got := p.transfers(); !slices.Contains(got, "IXFR a.example.") {
		t.Errorf("transfers %q: no IXFR of a.example.", got)
	}
	e.s.mu.Lock()
	stats := e.s.zones["a.example."].stats
	e.s.mu.Unlock()
	if stats.ixfrs != 1 || stats.axfrs != 1 {
		t.Errorf("a.example. stats %+v, want 1 AXFR and 1 IXFR", stats)
	}

	p.set("catalog.invalid.", catalogText(2, "a.example."))
	e.ask(t, notifyMsg("catalog.invalid."), "127.0.0.1:40000")
	waitFor(t, "b.example. dropped", func() bool {
		_, rcode := e.serial(t, "b.example.")
		return rcode == dns.RcodeRefused
	})
	if _, err := os.Stat(filepath.Join(dir, "b.example.zone")); !os.IsNotExist(err) {
		t.Errorf("b.example.zone after the zone left the catalog: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a.example.zone")); err != nil {
		t.Error(err)
	}

	// a.example. deleted and made again between two looks at the catalog:
	// a new member id, serials from scratch; the edge takes it whole.
	p.remove("a.example.")
	p.set("a.example.", soaText(1, 3600, 600, 86400)+"www A 192.0.2.99\n")
	p.set("catalog.invalid.", "@ SOA invalid. invalid. 3 3600 600 86400 0\n@ NS invalid.\nversion TXT \"2\"\nagain.zones PTR a.example.\n")
	e.ask(t, notifyMsg("catalog.invalid."), "127.0.0.1:40000")
	e.waitSerial(t, "a.example.", 1)
	if r := e.query(t, "www.a.example.", dns.TypeA); len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.99" {
		t.Errorf("www after the member reset:\n%s", r)
	}
}

// TestCutTransferKeepsZone: a transfer cut off midway leaves the zone held
// as it was, served and on disk, and the next good transfer replaces it.
func TestCutTransferKeepsZone(t *testing.T) {
	p := startPrimary(t)
	p.set("a.example.", soaText(1, 3600, 600, 86400)+"www A 192.0.2.1\n")
	dir := t.TempDir()
	e := startEdge(t, Config{Primaries: []string{p.addr}, Key: &testKey, Zones: []string{"a.example."}, Dir: dir})
	e.waitSerial(t, "a.example.", 1)
	waitFor(t, "zone written", func() bool { _, err := os.Stat(filepath.Join(dir, "a.example.zone")); return err == nil })
	before, err := os.ReadFile(filepath.Join(dir, "a.example.zone"))
	if err != nil {
		t.Fatal(err)
	}

	p.setCut(true)
	p.remove("a.example.") // no history: the IXFR is answered with the whole zone, cut
	p.set("a.example.", soaText(2, 3600, 600, 86400)+"www A 192.0.2.2\nmore A 192.0.2.3\n")
	e.ask(t, notifyMsg("a.example."), "127.0.0.1:40000")
	waitFor(t, "two cut transfers", func() bool { return len(p.transfers()) >= 3 }) // AXFR, IXFR, AXFR
	time.Sleep(100 * time.Millisecond)
	if got, _ := e.serial(t, "a.example."); got != 1 {
		t.Fatalf("serial %d after a cut transfer, want 1", got)
	}
	if r := e.query(t, "www.a.example.", dns.TypeA); len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.1" {
		t.Errorf("www after a cut transfer:\n%s", r)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "a.example.zone"))
	if string(after) != string(before) {
		t.Errorf("zone file changed by a cut transfer:\n%s", after)
	}

	p.setCut(false)
	e.ask(t, notifyMsg("a.example."), "127.0.0.1:40000")
	e.waitSerial(t, "a.example.", 2)
}

// TestRestartFromDisk: a new edge over the same directory answers from disk
// before the primary answers anything, here never.
func TestRestartFromDisk(t *testing.T) {
	p := startPrimary(t)
	p.set("catalog.invalid.", catalogText(1, "a.example."))
	p.set("a.example.", soaText(5, 3600, 600, 86400)+"www A 192.0.2.1\n")
	dir := t.TempDir()
	e := startEdge(t, Config{Primaries: []string{p.addr}, Key: &testKey, Catalog: "catalog.invalid.", Dir: dir})
	e.waitSerial(t, "a.example.", 5)
	checkMetrics(t, e.s, `
zonewarden_secondary_zone_serial{zone="a.example."} 5
zonewarden_secondary_zone_transfers_total{type="axfr",zone="a.example."} 1
zonewarden_secondary_zone_transfers_total{type="ixfr",zone="a.example."} 0
zonewarden_secondary_zone_expired{zone="a.example."} 0
zonewarden_secondary_zones{state="held"} 1
`)
	if st := e.s.Zones(); len(st) != 1 || st[0].Origin != "a.example." || st[0].Serial != 5 || !st[0].Held {
		t.Errorf("Zones() = %+v", st)
	}
	e.stop() // Run returns once the refresh under way, and its writes, are done
	p.stop()

	e2 := startEdge(t, Config{Primaries: []string{p.addr}, Key: &testKey, Catalog: "catalog.invalid.", Dir: dir})
	if got, rcode := e2.serial(t, "a.example."); got != 5 {
		t.Fatalf("restarted edge: serial %d (%s), want 5 at once", got, dns.RcodeToString[rcode])
	}
	if r := e2.query(t, "www.a.example.", dns.TypeA); len(r.Answer) != 1 {
		t.Errorf("www from disk:\n%s", r)
	}
}

// TestExpiry: a zone the primary cannot confirm for its SOA expire answers
// SERVFAIL, and is served again once the primary answers.
func TestExpiry(t *testing.T) {
	p := startPrimary(t)
	p.set("a.example.", soaText(1, 1, 1, 2)+"www A 192.0.2.1\n")
	dir := t.TempDir()
	e := startEdge(t, Config{Primaries: []string{p.addr}, Key: &testKey, Zones: []string{"a.example."}, Dir: dir, MinRefresh: 200 * time.Millisecond})
	e.waitSerial(t, "a.example.", 1)
	p.stop()
	start := time.Now()
	waitFor(t, "SERVFAIL", func() bool {
		return e.query(t, "www.a.example.", dns.TypeA).Rcode == dns.RcodeServerFailure
	})
	if took := time.Since(start); took < time.Second {
		t.Errorf("expired after %s, before its expire of 2s", took)
	}
	// Restarted while expired: still SERVFAIL, from disk.
	e.stop()
	e2 := startEdge(t, Config{Primaries: []string{p.addr}, Key: &testKey, Zones: []string{"a.example."}, Dir: dir, MinRefresh: 200 * time.Millisecond})
	if r := e2.query(t, "www.a.example.", dns.TypeA); r.Rcode != dns.RcodeServerFailure {
		t.Errorf("restarted past expire: %s, want SERVFAIL", dns.RcodeToString[r.Rcode])
	}
	p.restart()
	waitFor(t, "served again", func() bool {
		return e2.query(t, "www.a.example.", dns.TypeA).Rcode == dns.RcodeSuccess
	})
}

// TestNotifyAuthorization: NOTIFY is accepted from the primary's address or
// signed with the key, and refused otherwise; a bad signature gets NOTAUTH
// with the TSIG error, signed only for BADTIME (RFC 8945 §5.2).
func TestNotifyAuthorization(t *testing.T) {
	p := startPrimary(t)
	p.set("a.example.", soaText(1, 3600, 600, 86400))
	e := startEdge(t, Config{Primaries: []string{p.addr}, Key: &testKey, Zones: []string{"a.example."}, Dir: t.TempDir()})
	e.waitSerial(t, "a.example.", 1)

	type request struct {
		wire []byte
		mac  string // the request's MAC, which a signed answer covers
	}
	signed := func(k tsig.Key, at time.Time) request {
		m := notifyMsg("a.example.")
		m.SetTsig(k.Name, k.Algorithm, 300, at.Unix())
		b, mac, err := dns.TsigGenerate(m, k.Secret, "", false)
		if err != nil {
			t.Fatal(err)
		}
		return request{b, mac}
	}
	wrong := testKey
	wrong.Secret = "d3Jvbmcgd3Jvbmcgd3Jvbmcgd3Jvbmc="
	other := tsig.Key{Name: "other.", Algorithm: dns.HmacSHA512, Secret: testKey.Secret}
	plain, _ := notifyMsg("a.example.").Pack()
	unknown, _ := notifyMsg("nope.example.").Pack()
	now := time.Now()
	for _, c := range []struct {
		name    string
		req     request
		from    string
		rcode   int
		tsigErr uint16
		signed  bool // the answer is signed with testKey
	}{
		{"from the primary", request{wire: plain}, "127.0.0.1:1234", dns.RcodeSuccess, 0, false},
		{"from a stranger", request{wire: plain}, "192.0.2.66:1234", dns.RcodeRefused, 0, false},
		{"signed, from a stranger", signed(testKey, now), "192.0.2.66:1234", dns.RcodeSuccess, 0, true},
		{"bad signature", signed(wrong, now), "192.0.2.66:1234", dns.RcodeNotAuth, dns.RcodeBadSig, false},
		{"unknown key", signed(other, now), "127.0.0.1:1234", dns.RcodeNotAuth, dns.RcodeBadKey, false},
		{"signed an hour ago", signed(testKey, now.Add(-time.Hour)), "192.0.2.66:1234", dns.RcodeNotAuth, dns.RcodeBadTime, true},
		{"zone not kept", request{wire: unknown}, "127.0.0.1:1234", dns.RcodeNotAuth, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := e.h.ServeDNS(make([]byte, 0, 65535), &dnsserver.Request{Msg: c.req.wire, Remote: netip.MustParseAddrPort(c.from)})
			r := new(dns.Msg)
			if err := r.Unpack(out); err != nil {
				t.Fatalf("unpack answer: %v", err)
			}
			if r.Rcode != c.rcode || r.Opcode != dns.OpcodeNotify || !r.Response {
				t.Errorf("rcode %s opcode %d, want %s", dns.RcodeToString[r.Rcode], r.Opcode, dns.RcodeToString[c.rcode])
			}
			ts := r.IsTsig()
			if c.tsigErr != 0 && (ts == nil || ts.Error != c.tsigErr) {
				t.Errorf("TSIG %v, want error %s", ts, dns.RcodeToString[int(c.tsigErr)])
			}
			switch {
			case c.signed && r.Rcode == dns.RcodeNotAuth:
				// miekg/dns's TsigVerify refuses every NOTAUTH message:
				// sign the answer's content again, over the request's
				// MAC with the key, and compare.
				re := r.Copy()
				re.IsTsig().MAC = ""
				_, mac, err := dns.TsigGenerate(re, testKey.Secret, c.req.mac, false)
				if err != nil || ts.MAC == "" || mac != ts.MAC {
					t.Errorf("answer's MAC %q, want %q (%v)", ts.MAC, mac, err)
				}
			case c.signed:
				if err := dns.TsigVerify(out, testKey.Secret, c.req.mac, false); err != nil {
					t.Errorf("answer's TSIG does not verify: %v", err)
				}
			case ts != nil && ts.MAC != "":
				t.Errorf("answer signed: %v", ts)
			}
			if c.tsigErr == dns.RcodeBadTime {
				if ts.OtherLen != 6 || ts.OtherData != fmt.Sprintf("%012x", ts.TimeSigned) {
					t.Errorf("BADTIME answer's other data %q (len %d), want our time %d", ts.OtherData, ts.OtherLen, ts.TimeSigned)
				}
			}
		})
	}
}

func TestFileBase(t *testing.T) {
	for in, want := range map[string]string{
		"example.com.":   "example.com",
		".":              "%2E",
		"a/b.example.":   "a%2Fb.example",
		"_tcp.example.":  "%5Ftcp.example",
		"..evil.":        "%2E.evil",
		"xn--bcher-kva.": "xn--bcher-kva",
	} {
		if got := fileBase(in); got != want {
			t.Errorf("fileBase(%q) = %q, want %q", in, got, want)
		}
	}
}

// checkMetrics fails unless every line of want is among the collector's
// series in the text exposition format.
func checkMetrics(t *testing.T, s *Secondary, want string) {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.Metrics())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	// Each series as name{label="value",...} value, labels in the order
	// Gather sorts them (by name).
	var b strings.Builder
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			b.WriteString(mf.GetName())
			if len(m.GetLabel()) > 0 {
				var ls []string
				for _, l := range m.GetLabel() {
					ls = append(ls, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
				}
				b.WriteString("{" + strings.Join(ls, ",") + "}")
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			fmt.Fprintf(&b, " %g\n", v)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		if !strings.Contains(b.String(), line+"\n") {
			t.Errorf("metrics lack %q:\n%s", line, b.String())
		}
	}
}
