package secondary

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// patchable is the edge's authority.Config.PatchableRecords (internal/app),
// so that the zones here are kept for patching as they would be in
// production.
const patchable = 1000

// bigZone is a zone above patchable: the apex, hosts h0…h1199, and names
// whose answers other names' are compiled from (an MX target, a CNAME
// target, a delegation). extra lines are added at the end.
func bigZone(serial uint32, extra ...string) string {
	var b strings.Builder
	b.WriteString(soaText(serial, 3600, 600, 86400))
	b.WriteString("@ MX 10 h2\nalias CNAME h5\nsub NS ns.sub\nns.sub A 192.0.2.54\n")
	for i := range 1200 {
		fmt.Fprintf(&b, "h%d A 10.0.%d.%d\n", i, i>>8, i&255)
	}
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// edit returns text with each line in del removed and the lines of add
// appended.
func edit(text string, del []string, add ...string) string {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool { return slices.Contains(del, l) })
	return strings.Join(append(lines, add...), "\n") + "\n"
}

// withSerial replaces the SOA line of text by one with serial.
func withSerial(text string, serial uint32) string {
	i := strings.Index(text, "\n")
	return strings.SplitN(soaText(serial, 3600, 600, 86400), "\n", 2)[0] + text[i:]
}

// TestIXFRPatchMatchesCompile: a series of IXFRs on a zone kept for
// patching — records added, removed and changed, CNAMEs added and
// retargeted, two versions in one IXFR, and changes Patch refuses (an NS, an
// MX target) — leaves the edge answering every question exactly as an
// engine given the final zone whole, with the patchable changes patched,
// the zone file holding the final version, and a restart serving it.
func TestIXFRPatchMatchesCompile(t *testing.T) {
	p := startPrimary(t)
	const origin = "big.example."
	dir := t.TempDir()
	e := startEdgeWith(t, Config{Primaries: []string{p.addr}, Key: &testKey, Zones: []string{origin}, Dir: dir},
		authority.Config{PatchableRecords: patchable})
	text := bigZone(1)
	p.set(origin, text)
	e.waitSerial(t, origin, 1)

	owners := map[string]bool{} // every name ever in the zone, relative
	serial := uint32(1)
	for _, c := range []struct {
		name     string
		del      []string
		add      []string
		versions int // 2: this and the next change arrive in one IXFR
	}{
		{name: "add, delete, change addresses", del: []string{"h10 A 10.0.0.10", "h11 A 10.0.0.11"},
			add: []string{"new1 A 192.0.2.1", "h11 A 192.0.2.11", "new1 TXT \"hello\""}},
		{name: "CNAME added", add: []string{"cn CNAME h20"}},
		{name: "CNAME retargeted", del: []string{"alias CNAME h5"}, add: []string{"alias CNAME h6"}},
		{name: "CNAME out of the zone, and a TTL changed", del: []string{"cn CNAME h20", "h12 A 10.0.0.12"},
			add: []string{"cn CNAME www.example.net.", "h12 60 A 10.0.0.12"}},
		{name: "NS changed: refused", del: []string{"sub NS ns.sub"}, add: []string{"sub NS ns2.sub", "ns2.sub A 192.0.2.55"}},
		{name: "two versions, first", del: []string{"h30 A 10.0.0.30"}, add: []string{"new2 A 192.0.2.2"}, versions: 2},
		{name: "two versions, second: h30 back as it was", del: []string{"new1 TXT \"hello\""}, add: []string{"h30 A 10.0.0.30", "new2 AAAA 2001:db8::2"}},
		{name: "MX target changed: refused", del: []string{"h2 A 10.0.0.2"}, add: []string{"h2 A 192.0.2.22"}},
		{name: "deleted and added in one", del: []string{"new2 A 192.0.2.2", "h40 A 10.0.0.40"}, add: []string{"h40 A 10.0.0.41", "h41 A 10.0.0.99"}},
	} {
		serial++
		text = withSerial(edit(text, c.del, c.add...), serial)
		p.set(origin, text)
		if c.versions == 2 {
			continue
		}
		e.ask(t, notifyMsg(origin), "127.0.0.1:40000")
		e.waitSerial(t, origin, int64(serial))
		t.Logf("%s: serial %d", c.name, serial)
	}
	for _, l := range strings.Split(bigZone(1)+text, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			owners[f[0]] = true
		}
	}
	final := parseZone(t, origin, text)
	compareEngines(t, origin, owners, e.engine, final)
	// One AXFR; of the 8 IXFRs, the NS and the MX target compiled whole.
	checkMetrics(t, e.s, `
zonewarden_secondary_zone_transfers_total{type="axfr",zone="big.example."} 1
zonewarden_secondary_zone_transfers_total{type="ixfr",zone="big.example."} 8
zonewarden_secondary_zone_patched_total{zone="big.example."} 6
zonewarden_secondary_zone_compiled_total{zone="big.example."} 3
`)

	onDisk, err := zone.ParseFile(os.DirFS(dir), "big.example.zone", origin)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := recordLines(onDisk), recordLines(final); !slices.Equal(got, want) {
		t.Errorf("zone file: %d records, want %d; differs from the final version", len(got), len(want))
	}

	e.stop()
	p.stop()
	e2 := startEdgeWith(t, Config{Primaries: []string{p.addr}, Key: &testKey, Zones: []string{origin}, Dir: dir},
		authority.Config{PatchableRecords: patchable})
	compareEngines(t, origin, owners, e2.engine, final)
}

// TestCutIXFRKeepsPatchableZone: an IXFR cut off midway leaves a zone kept
// for patching as it was, served and on disk; the IXFR then completes and
// is patched in.
func TestCutIXFRKeepsPatchableZone(t *testing.T) {
	p := startPrimary(t)
	const origin = "big.example."
	dir := t.TempDir()
	e := startEdgeWith(t, Config{Primaries: []string{p.addr}, Key: &testKey, Zones: []string{origin}, Dir: dir},
		authority.Config{PatchableRecords: patchable})
	p.set(origin, bigZone(1))
	e.waitSerial(t, origin, 1)
	file := filepath.Join(dir, "big.example.zone")
	waitFor(t, "zone written", func() bool { _, err := os.Stat(file); return err == nil })
	before, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}

	failures := func() uint64 {
		e.s.mu.Lock()
		defer e.s.mu.Unlock()
		return e.s.zones[origin].stats.failures
	}
	failed := failures()
	p.setCut(true)
	p.set(origin, edit(bigZone(2), []string{"h7 A 10.0.0.7"}, "h7 A 192.0.2.7"))
	e.ask(t, notifyMsg(origin), "127.0.0.1:40000")
	// The IXFR cut, then the AXFR tried instead.
	waitFor(t, "a refresh failed", func() bool { return failures() > failed })
	if got, _ := e.serial(t, origin); got != 1 {
		t.Fatalf("serial %d after a cut transfer, want 1", got)
	}
	if r := e.query(t, "h7."+origin, dns.TypeA); len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "10.0.0.7" {
		t.Errorf("h7 after a cut transfer:\n%s", r)
	}
	if after, _ := os.ReadFile(file); string(after) != string(before) {
		t.Errorf("zone file changed by a cut transfer")
	}

	p.setCut(false)
	e.ask(t, notifyMsg(origin), "127.0.0.1:40000")
	e.waitSerial(t, origin, 2)
	if r := e.query(t, "h7."+origin, dns.TypeA); len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.7" {
		t.Errorf("h7 after the IXFR:\n%s", r)
	}
	checkMetrics(t, e.s, `
zonewarden_secondary_zone_patched_total{zone="big.example."} 1
zonewarden_secondary_zone_compiled_total{zone="big.example."} 1
`)
}

// TestIXFRFileBehind: differences from a serial other than the zone
// file's are not applied to it (a file whose write failed holds the
// version before the one served).
func TestIXFRFileBehind(t *testing.T) {
	s, err := New(Config{Primaries: []string{"127.0.0.1:53"}, Zones: []string{"a.example."}, Dir: t.TempDir(),
		Engine: authority.New(authority.Config{}), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	held := &zone.Zone{Origin: "a.example.", Records: rrs(t, "@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\nns A 192.0.2.53\n")}
	if err := s.writeZone(held, stateFile{Origin: "a.example.", Serial: 1}); err != nil {
		t.Fatal(err)
	}
	soa := func(n int) string { return fmt.Sprintf("@ SOA ns hostmaster %d 3600 600 86400 60\n", n) }
	if z, _, err := s.applyIXFR("a.example.", 2, rrs(t, soa(3)+soa(2)+soa(3)+"x A 192.0.2.3\n"+soa(3))); err == nil {
		t.Errorf("applied to the file of serial 1: %v", z.Records)
	}
}

func parseZone(t *testing.T, origin, text string) *zone.Zone {
	t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(text), origin, "")
	zp.SetDefaultTTL(300)
	z := &zone.Zone{Origin: origin}
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		z.Records = append(z.Records, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	z.Normalize()
	return z
}

func recordLines(z *zone.Zone) []string {
	var out []string
	for _, rr := range z.Records {
		out = append(out, rr.String())
	}
	slices.Sort(out)
	return out
}

// compareEngines fails the test unless got answers every question about
// the owners (relative to origin), names below them and names not in the
// zone as an engine given want whole does.
func compareEngines(t *testing.T, origin string, owners map[string]bool, got *authority.Engine, want *zone.Zone) {
	t.Helper()
	whole := authority.New(authority.Config{})
	if err := whole.Update([]*zone.Zone{want}, nil); err != nil {
		t.Fatal(err)
	}
	names := []string{origin, "nothing." + origin, "x.sub." + origin, "x.ns2.sub." + origin, "below.h1." + origin}
	for o := range owners {
		if o != "@" && !strings.HasPrefix(o, "$") && !strings.HasPrefix(o, ";") {
			names = append(names, o+"."+origin)
		}
	}
	slices.Sort(names)
	types := []uint16{dns.TypeSOA, dns.TypeNS, dns.TypeA, dns.TypeAAAA, dns.TypeCNAME, dns.TypeMX, dns.TypeTXT, dns.TypeANY}
	differ := 0
	for _, name := range names {
		for _, qt := range types {
			gw, ww := answerWire(t, got, name, qt), answerWire(t, whole, name, qt)
			if string(gw) == string(ww) {
				continue // the same bytes: no need to sort the records
			}
			g, w := answerText(t, gw), answerText(t, ww)
			if g != w {
				differ++
				if differ <= 10 {
					t.Errorf("%s %s: the edge answers\n%s\na whole compile\n%s", name, dns.TypeToString[qt], g, w)
				}
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d answers differ", differ, len(names)*len(types))
	}
}

// answerWire is the engine's answer to name and qtype.
func answerWire(t *testing.T, h dnsserver.Handler, name string, qtype uint16) []byte {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, false)
	wire, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return h.ServeDNS(make([]byte, 0, 65535), &dnsserver.Request{Msg: wire, Remote: netip.MustParseAddrPort("198.51.100.1:5300")})
}

// answerText is an answer with the records of each section sorted: Patch
// and a whole compile may order an RRset's records differently, which no
// client may rely on (RFC 2181 §5).
func answerText(t *testing.T, out []byte) string {
	t.Helper()
	r := new(dns.Msg)
	if err := r.Unpack(out); err != nil {
		t.Fatalf("unpack answer: %v", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "rcode %s aa %t tc %t\n", dns.RcodeToString[r.Rcode], r.Authoritative, r.Truncated)
	for _, sec := range [][]dns.RR{r.Answer, r.Ns, r.Extra} {
		var lines []string
		for _, rr := range sec {
			lines = append(lines, rr.String())
		}
		slices.Sort(lines)
		b.WriteString(strings.Join(lines, "\n") + "\n--\n")
	}
	return b.String()
}

// BenchmarkIXFR100k is an edge applying an IXFR of one record added to a
// zone of 100,000 records, from the NOTIFY to the refresh done: the IXFR,
// the zone file read, the change applied, the zone validated, served, and
// the file written and synced. "patch" patches the engine; "update" hides
// Patch from the secondary, which compiles the zone whole, as every IXFR
// did before.
func BenchmarkIXFR100k(b *testing.B) {
	for _, c := range []struct {
		name  string
		patch bool
	}{{"update", false}, {"patch", true}} {
		b.Run(c.name, func(b *testing.B) {
			const origin = "big.example."
			p := startPrimary(b)
			var text strings.Builder
			text.WriteString(soaText(1, 3600, 600, 86400))
			for i := range 100000 {
				fmt.Fprintf(&text, "h%d A 10.%d.%d.%d\n", i, i>>16, i>>8&255, i&255)
			}
			p.set(origin, text.String())
			engine := authority.New(authority.Config{PatchableRecords: patchable})
			var eng Engine = engine
			if !c.patch {
				eng = updateOnly{engine}
			}
			s, err := New(Config{Primaries: []string{p.addr}, Key: &testKey, Zones: []string{origin}, Dir: b.TempDir(),
				Engine: eng, Timeout: 10 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Load(); err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { s.Run(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			waitRefreshed(b, s, origin, 1)

			serial := uint32(1)
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				serial++
				p.mu.Lock()
				prev := p.versions[origin][len(p.versions[origin])-1]
				soa := dns.Copy(prev.records[0]).(*dns.SOA)
				soa.Serial = serial
				rr, err := dns.NewRR(fmt.Sprintf("new%d.big.example. 300 IN A 192.0.2.1", i))
				if err != nil {
					b.Fatal(err)
				}
				next := zoneVersion{serial: serial, added: []dns.RR{rr},
					records: append(append([]dns.RR{soa}, prev.records[1:]...), rr)}
				p.versions[origin] = []zoneVersion{prev, next} // only the IXFR from prev is asked for
				p.mu.Unlock()
				b.StartTimer()
				s.Notify(origin)
				waitRefreshed(b, s, origin, serial)
			}
			b.StopTimer()
			st := s.zones[origin].stats
			if c.patch && st.patched != uint64(b.N) || !c.patch && st.patched != 0 {
				b.Fatalf("%d of %d IXFRs patched", st.patched, b.N)
			}
		})
	}
}

// updateOnly is an Engine without Patch.
type updateOnly struct{ e *authority.Engine }

func (u updateOnly) Update(put []*zone.Zone, remove []string) error { return u.e.Update(put, remove) }
func (u updateOnly) SetExpired(origin string, expired bool) error {
	return u.e.SetExpired(origin, expired)
}

// waitRefreshed waits until origin is held at serial and its refresh is
// over: served, and the zone file written.
func waitRefreshed(tb testing.TB, s *Secondary, origin string, serial uint32) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s.mu.Lock()
		z := s.zones[origin]
		ok := z.have && z.serial == serial && !z.queued
		s.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s not at serial %d within a minute", origin, serial)
		}
		time.Sleep(200 * time.Microsecond)
	}
}
