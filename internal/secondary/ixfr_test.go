package secondary

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/zone"
)

func rrs(t *testing.T, text string) []dns.RR {
	t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(text), "a.example.", "")
	zp.SetDefaultTTL(300)
	var out []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestApplyIXFR: differences in the form of RFC 1995 §4, one or several
// versions at once, applied to the zone held on disk; answers that do not
// fit are errors, never a zone.
func TestApplyIXFR(t *testing.T) {
	s, err := New(Config{Primaries: []string{"127.0.0.1:53"}, Zones: []string{"a.example."}, Dir: t.TempDir(),
		Engine: authority.New(authority.Config{}), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	held := &zone.Zone{Origin: "a.example.", Records: rrs(t, `
@ SOA ns hostmaster 1 3600 600 86400 60
@ NS ns
ns A 192.0.2.53
www A 192.0.2.1
old TXT "gone soon"
`)}
	if err := s.writeZone(held, stateFile{Origin: "a.example.", Serial: 1}); err != nil {
		t.Fatal(err)
	}
	soa := func(n int) string { return "@ SOA ns hostmaster " + string(rune('0'+n)) + " 3600 600 86400 60\n" }
	for _, c := range []struct {
		name     string
		answer   string
		want     string // the records of the result but the SOA, sorted; "" for an error
		incr     bool
		upToDate bool
	}{
		{"one version", soa(2) + soa(1) + "www 60 A 192.0.2.1\n" + soa(2) + "www A 192.0.2.2\n" + soa(2),
			"@ NS|ns A 192.0.2.53|old TXT|www A 192.0.2.2", true, false},
		{"two versions", soa(3) + soa(1) + "old TXT \"gone soon\"\n" + soa(2) + "new A 192.0.2.9\n" + soa(2) + "new A 192.0.2.9\n" + soa(3) + "newer A 192.0.2.10\n" + soa(3),
			"@ NS|newer A 192.0.2.10|ns A 192.0.2.53|www A 192.0.2.1", true, false},
		{"the whole zone instead", soa(4) + "@ NS ns\nns A 192.0.2.53\n" + soa(4), "@ NS|ns A 192.0.2.53", false, false},
		{"nothing newer", soa(1), "", false, true},
		{"starts from another serial", soa(3) + soa(2) + soa(3) + soa(3), "", true, false},
		{"cut: no closing SOA", soa(2) + soa(1) + "www A 192.0.2.1\n" + soa(2) + "www A 192.0.2.2\n", "", true, false},
		{"ends short of the newest", soa(3) + soa(1) + soa(2) + soa(3), "", true, false},
		{"primary newer but silent", soa(5), "", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			z, d, err := s.applyIXFR("a.example.", 1, rrs(t, c.answer))
			incr := d != nil
			switch {
			case c.upToDate:
				if err != nil || z != nil {
					t.Fatalf("zone %v, err %v; want nothing new", z, err)
				}
				return
			case c.want == "":
				if err == nil {
					t.Fatalf("applied: %v", z.Records)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if incr != c.incr {
				t.Errorf("incremental %t, want %t", incr, c.incr)
			}
			var got []string
			for _, rr := range z.Records {
				if _, ok := rr.(*dns.SOA); ok {
					continue
				}
				f := strings.Fields(rr.String())
				got = append(got, strings.TrimSuffix(strings.TrimSuffix(f[0], "a.example."), ".")+" "+f[3]+" "+strings.Join(f[4:], " "))
			}
			slices.Sort(got)
			want := strings.Split(c.want, "|")
			for i := range got {
				if i < len(want) && strings.HasPrefix(got[i], strings.Replace(want[i], "@ ", " ", 1)) {
					continue
				}
				t.Errorf("records %q, want %q", got, want)
				break
			}
			if len(got) != len(want) {
				t.Errorf("records %q, want %q", got, want)
			}
		})
	}
}

// TestLoadStates: of the zone file's state and a later confirmation in
// NAME.state, the later counts; a state without its zone file is removed;
// a zone file without a state line is not served.
func TestLoadStates(t *testing.T) {
	dir := t.TempDir()
	engine := authority.New(authority.Config{})
	s, err := New(Config{Primaries: []string{"127.0.0.1:53"}, Zones: []string{"a.example.", "b.example.", "c.example."}, Dir: dir,
		Engine: engine, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	text := "@ SOA ns hostmaster 1 3600 600 10 60\n@ NS ns\nns A 192.0.2.53\n"
	long := time.Now().Add(-time.Hour) // past the expire of 10 s
	for _, origin := range []string{"a.example.", "b.example."} {
		z := &zone.Zone{Origin: origin, Records: rrs(t, "$ORIGIN "+origin+"\n"+text)}
		if err := s.writeZone(z, stateFile{Origin: origin, Serial: 1, Verified: long}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.writeState("b.example.", stateFile{Origin: "b.example.", Serial: 1, Verified: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.writeState("gone.example.", stateFile{Origin: "gone.example.", Serial: 1, Verified: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c.example.zone"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	got := map[string]ZoneStatus{}
	for _, z := range s.Zones() {
		got[z.Origin] = z
	}
	if a := got["a.example."]; !a.Held || !a.Expired {
		t.Errorf("a.example. %+v: want held and expired", a)
	}
	if b := got["b.example."]; !b.Held || b.Expired {
		t.Errorf("b.example. %+v: want held, not expired (confirmed later)", b)
	}
	if c := got["c.example."]; c.Held {
		t.Errorf("c.example. %+v: a zone file without its state line is held", c)
	}
	if _, err := os.Stat(filepath.Join(dir, "gone.example.state")); !os.IsNotExist(err) {
		t.Errorf("a state without its zone file is still there: %v", err)
	}
}
