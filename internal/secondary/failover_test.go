package secondary

import (
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/authority"
)

// TestFailover: of two primaries, the first is down (nothing listens) or
// refuses everything; the catalog and its member are transferred from the
// second, and its changes follow, by the SOA refresh and by its NOTIFY,
// which is accepted from its address. When the first comes back and the
// second goes, the zone follows the first.
func TestFailover(t *testing.T) {
	for _, c := range []struct {
		name  string
		first func(t *testing.T) (addr string, stop func())
	}{
		{"first down", func(t *testing.T) (string, func()) { return closedPort(t), func() {} }},
		{"first refuses", func(t *testing.T) (string, func()) { return startRefusing(t) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			first, stopFirst := c.first(t)
			p2 := startPrimaryOn(t, "127.0.0.2")
			p2.set("catalog.invalid.", catalogText(1, "a.example."))
			v1 := soaText(1, 1, 1, 3600) + "www A 192.0.2.1\n"
			v2 := soaText(2, 1, 1, 3600) + "www A 192.0.2.2\n"
			v3 := soaText(3, 1, 1, 3600) + "www A 192.0.2.3\n"
			v4 := soaText(4, 1, 1, 3600) + "www A 192.0.2.4\n"
			p2.set("a.example.", v1)
			e := startEdge(t, Config{Primaries: []string{first, p2.addr}, Key: &testKey, Catalog: "catalog.invalid.", Dir: t.TempDir()})
			e.waitSerial(t, "a.example.", 1)

			// A change on the second, found by the SOA refresh (1 s).
			p2.set("a.example.", v2)
			e.waitSerial(t, "a.example.", 2)
			if got := p2.transfers(); !slices.Contains(got, "IXFR a.example.") {
				t.Errorf("transfers from the second primary %q: no IXFR of a.example.", got)
			}

			// Its NOTIFY, from its address, is taken; a stranger's is not.
			p2.set("a.example.", v3)
			if r := e.ask(t, notifyMsg("a.example."), "127.0.0.3:40000"); r.Rcode != dns.RcodeRefused {
				t.Errorf("NOTIFY from a stranger: %s, want REFUSED", dns.RcodeToString[r.Rcode])
			}
			if r := e.ask(t, notifyMsg("a.example."), "127.0.0.2:40000"); r.Rcode != dns.RcodeSuccess || !r.Authoritative {
				t.Fatalf("NOTIFY from the second primary: %s aa=%t", dns.RcodeToString[r.Rcode], r.Authoritative)
			}
			e.waitSerial(t, "a.example.", 3)

			// The second stayed the one asked first: one failover each,
			// the first transfers, and two failures of the first.
			checkMetrics(t, e.s, `
zonewarden_secondary_zone_failovers_total{zone="a.example."} 1
zonewarden_secondary_zone_failovers_total{zone="catalog.invalid."} 1
zonewarden_secondary_primary_failures_total{primary="`+first+`"} 2
zonewarden_secondary_primary_failures_total{primary="`+p2.addr+`"} 0
`)

			// The first comes back, the second goes: the zone follows
			// the first.
			stopFirst()
			p1 := startPrimaryAt(t, first)
			p1.set("a.example.", v3)
			p1.set("a.example.", v4)
			p2.stop()
			e.waitSerial(t, "a.example.", 4)
			if r := e.query(t, "www.a.example.", dns.TypeA); len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.4" {
				t.Errorf("www from the first primary:\n%s", r)
			}
			checkMetrics(t, e.s, `zonewarden_secondary_zone_failovers_total{zone="a.example."} 2`)
		})
	}
}

// TestAllPrimariesDown: when no primary answers, the refresh fails with
// the error of each, named by its address, and the zone held stays
// served.
func TestAllPrimariesDown(t *testing.T) {
	p1, p2 := startPrimary(t), startPrimary(t)
	for _, p := range []*fakePrimary{p1, p2} {
		p.set("a.example.", soaText(1, 1, 1, 3600)+"www A 192.0.2.1\n")
	}
	logs := &logBuffer{t: t}
	e := startEdge(t, Config{Primaries: []string{p1.addr, p2.addr}, Key: &testKey, Zones: []string{"a.example."}, Dir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	e.waitSerial(t, "a.example.", 1)
	p1.stop()
	p2.stop()
	var line string
	waitFor(t, "a failed refresh", func() bool { line = logs.find(`msg="zone refresh failed"`); return line != "" })
	for _, want := range []string{"primary " + p1.addr + ": SOA a.example.", "primary " + p2.addr + ": SOA a.example."} {
		if !strings.Contains(line, want) {
			t.Errorf("refresh failure does not say %q:\n%s", want, line)
		}
	}
	if got, _ := e.serial(t, "a.example."); got != 1 {
		t.Errorf("serial %d with every primary down, want 1 still served", got)
	}
}

// TestNewPrimaries: the list of primaries New takes.
func TestNewPrimaries(t *testing.T) {
	for _, c := range []struct {
		primaries []string
		want      string // in the error; "" for none
	}{
		{nil, "no primary"},
		{[]string{"127.0.0.1:53", "127.0.0.1:53"}, "127.0.0.1:53 listed twice"},
		{[]string{"127.0.0.1:53", "127.0.0.1"}, `primary address "127.0.0.1"`},
		{[]string{"127.0.0.1:53", "[::1]:5353", "::ffff:127.0.0.2:53"}, `primary address "::ffff:127.0.0.2:53"`},
		{[]string{"127.0.0.1:53", "[::ffff:127.0.0.2]:53"}, ""},
	} {
		s, err := New(Config{Primaries: c.primaries, Zones: []string{"a.example."}, Dir: t.TempDir(), Engine: authority.New(authority.Config{}), Logger: slog.New(slog.DiscardHandler)})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.primaries, err)
		case c.want == "":
			// Each primary's addresses, unmapped: NOTIFY from each is taken.
			for _, a := range []string{"127.0.0.1", "127.0.0.2"} {
				if !slices.ContainsFunc(s.primaries, func(p netip.Addr) bool { return p.String() == a }) {
					t.Errorf("%q: NOTIFY addresses %v lack %s", c.primaries, s.primaries, a)
				}
			}
		case err == nil || !strings.Contains(err.Error(), c.want):
			t.Errorf("%q: error %v, want one containing %q", c.primaries, err, c.want)
		}
	}
}

// logBuffer keeps the log lines written to it, and passes them on to the
// test's log.
type logBuffer struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

var _ io.Writer = (*logBuffer)(nil)

func (b *logBuffer) Write(p []byte) (int, error) {
	b.t.Log(string(p[:len(p)-1]))
	b.mu.Lock()
	b.lines = append(b.lines, string(p))
	b.mu.Unlock()
	return len(p), nil
}

// find is the first line containing s, or "".
func (b *logBuffer) find(s string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range b.lines {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
