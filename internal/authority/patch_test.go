package authority

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/zonewarden/zonewarden/internal/zone"
)

const patchZone = `$ORIGIN example.com.
$TTL 3600
@	IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@	IN NS ns1
@	IN NS ns2.example.net.
@	IN MX 10 mail
@	IN A 192.0.2.7
ns1	IN A 192.0.2.53
www	IN A 192.0.2.1
www	IN AAAA 2001:db8::1
mail	IN A 192.0.2.25
alias	IN CNAME www
dangling	IN CNAME gone.deep
toapex	IN CNAME @
*.wild	IN A 192.0.2.99
sub	IN NS ns.sub
ns.sub	IN A 192.0.2.54
d	IN DNAME example.net.
_sip._tcp	IN SRV 10 5 5060 sip
sip	IN A 192.0.2.60
a.b.c	IN TXT "deep"
`

// TestPatchMatchesCompile applies random changes to a zone by Patch on one
// engine and by compiling the whole zone on another, and asks both the same
// questions after each: the answers must be the same.
func TestPatchMatchesCompile(t *testing.T) {
	patched := New(Config{PatchableRecords: 1})
	whole := New(Config{})
	z := mustZone(t, "example.com.", patchZone)
	z.Normalize()
	for _, e := range []*Engine{patched, whole} {
		if err := e.Replace([]*zone.Zone{z.Clone()}); err != nil {
			t.Fatal(err)
		}
	}
	owners := []string{"", "www", "mail", "new", "x.new", "y.x.new", "gone", "gone.deep", "deep", "c", "b.c", "a.b.c",
		"sip", "ns1", "sub", "ns.sub", "q.sub", "z.wild", "*.wild", "d", "e.d", "alias", "toapex", "wild"}
	rng := rand.New(rand.NewPCG(1, 2))
	serial := uint32(1)
	patches, refused := 0, 0
	for step := range 150 {
		var removed, added []dns.RR
		soa := z.SOA()
		next := dns.Copy(soa).(*dns.SOA)
		serial++
		next.Serial = serial
		removed, added = append(removed, soa), append(added, next)
		for range 1 + rng.IntN(3) {
			owner := owners[rng.IntN(len(owners))]
			name := "example.com."
			if owner != "" {
				name = owner + "." + name
			}
			var cur []dns.RR
			for _, rr := range z.Records {
				if rr.Header().Name == name && rr.Header().Rrtype != dns.TypeSOA && !slices.Contains(removed, rr) {
					cur = append(cur, rr)
				}
			}
			if len(cur) > 0 && rng.IntN(2) == 0 {
				removed = append(removed, cur[rng.IntN(len(cur))])
				continue
			}
			var text string
			switch rng.IntN(5) {
			case 0:
				text = fmt.Sprintf("%s 300 IN A 198.51.100.%d", name, rng.IntN(250))
			case 1:
				text = fmt.Sprintf("%s 300 IN AAAA 2001:db8::%x", name, rng.IntN(4096))
			case 2:
				text = fmt.Sprintf("%s 300 IN TXT \"t%d\"", name, rng.IntN(1000))
			case 3:
				text = fmt.Sprintf("%s 300 IN MX %d %s", name, rng.IntN(50), owners[rng.IntN(len(owners))]+".example.com.")
			default:
				text = fmt.Sprintf("%s 300 IN SRV 1 1 80 %s", name, owners[rng.IntN(len(owners))]+".example.com.")
			}
			rr, err := dns.NewRR(strings.ReplaceAll(text, " .example", " example"))
			if err != nil {
				t.Fatal(err)
			}
			dup := false
			for _, o := range slices.Concat(cur, added) {
				dup = dup || dns.IsDuplicate(o, rr)
			}
			if !dup {
				added = append(added, rr)
			}
		}
		// The zone as the store would hold it: the CNAME owners keep only
		// their CNAME, as the store's validation would have it.
		nz := &zone.Zone{Origin: z.Origin}
		for _, rr := range z.Records {
			if !slices.Contains(removed, rr) {
				nz.Records = append(nz.Records, rr)
			}
		}
		nz.Records = append(nz.Records, added...)
		if err := nz.Validate(); err != nil {
			continue // a change the store would refuse
		}
		z = nz
		err := patched.Patch("example.com.", removed, added)
		switch {
		case err == nil:
			patches++
		case errors.Is(err, ErrNotPatchable):
			refused++
			if err := patched.Update([]*zone.Zone{z.Clone()}, nil); err != nil {
				t.Fatalf("step %d: update: %v", step, err)
			}
		default:
			t.Fatalf("step %d: patch: %v", step, err)
		}
		if err := whole.Update([]*zone.Zone{z.Clone()}, nil); err != nil {
			t.Fatalf("step %d: compile: %v", step, err)
		}
		for _, o := range append(owners, "nothing", "x.nothing", "y.x.new.deeper") {
			name := "example.com."
			if o != "" {
				name = o + "." + name
			}
			for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeTXT, dns.TypeMX, dns.TypeSRV, dns.TypeSOA, dns.TypeANY} {
				got, want := answer(t, patched, name, qt), answer(t, whole, name, qt)
				if got != want {
					t.Fatalf("step %d: %s %s after patching:\n%s\nafter compiling:\n%s\nchange: -%v +%v", step, name, dns.TypeToString[qt], got, want, removed, added)
				}
			}
		}
		if patched.Records() != whole.Records() {
			t.Fatalf("step %d: %d records patched, %d compiled", step, patched.Records(), whole.Records())
		}
	}
	if patches < 40 || refused == 0 {
		t.Errorf("%d changes patched, %d refused: the test does not exercise both", patches, refused)
	}
	t.Logf("%d changes patched, %d compiled whole", patches, refused)
}

// answer is the engine's answer, each section's records sorted.
func answer(t *testing.T, e *Engine, name string, qtype uint16) string {
	m := ask(t, e, name, qtype)
	var b strings.Builder
	fmt.Fprintf(&b, "rcode %d aa %v\n", m.Rcode, m.Authoritative)
	for _, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		var lines []string
		for _, rr := range sec {
			lines = append(lines, rr.String())
		}
		slices.Sort(lines)
		b.WriteString(strings.Join(lines, "\n") + "\n--\n")
	}
	return b.String()
}

// BenchmarkPatch100k adds one record to a zone of 100,000 and bumps its
// serial, as each API write does.
func BenchmarkPatch100k(b *testing.B) {
	z := &zone.Zone{Origin: "example.com."}
	soa, _ := dns.NewRR("example.com. 3600 IN SOA ns1.example.com. h.example.com. 1 2 3 4 5")
	ns, _ := dns.NewRR("example.com. 3600 IN NS ns1.example.com.")
	z.Records = append(z.Records, soa, ns)
	for i := range 100000 {
		rr, _ := dns.NewRR(fmt.Sprintf("h%d.example.com. 3600 IN A 10.0.%d.%d", i, i>>8&255, i&255))
		z.Records = append(z.Records, rr)
	}
	e := New(Config{PatchableRecords: 1})
	if err := e.Replace([]*zone.Zone{z}); err != nil {
		b.Fatal(err)
	}
	cur := soa.(*dns.SOA)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		next := dns.Copy(cur).(*dns.SOA)
		next.Serial++
		rr, _ := dns.NewRR(fmt.Sprintf("new%d.example.com. 300 IN A 192.0.2.1", i))
		if err := e.Patch("example.com.", []dns.RR{cur}, []dns.RR{next, rr}); err != nil {
			b.Fatal(err)
		}
		cur = next
	}
}

// TestPatchFailsWhole: a patch refused half-way leaves the zone as it was,
// and the next patch applies to that.
func TestPatchFailsWhole(t *testing.T) {
	z := mustZone(t, "example.com.", patchZone)
	z.Normalize()
	patched := New(Config{PatchableRecords: 1})
	if err := patched.Replace([]*zone.Zone{z.Clone()}); err != nil {
		t.Fatal(err)
	}
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	soa := z.SOA()
	next := dns.Copy(soa).(*dns.SOA)
	next.Serial++
	// New names, a record gone from an old one, then a CNAME: refused.
	err := patched.Patch("example.com.", []dns.RR{soa, rr("www.example.com. 3600 IN A 192.0.2.1")},
		[]dns.RR{next, rr("x.y.example.com. 300 IN A 192.0.2.9"), rr("fresh.example.com. 300 IN TXT \"t\""), rr("c.example.com. 300 IN CNAME www.example.com.")})
	if !errors.Is(err, ErrNotPatchable) {
		t.Fatalf("patch with a CNAME = %v, want ErrNotPatchable", err)
	}
	ok := []dns.RR{rr("fresh.example.com. 300 IN AAAA 2001:db8::9")}
	if err := patched.Patch("example.com.", []dns.RR{soa}, append([]dns.RR{next}, ok...)); err != nil {
		t.Fatal(err)
	}
	want := &zone.Zone{Origin: z.Origin}
	for _, r := range z.Records {
		if r != soa {
			want.Records = append(want.Records, r)
		}
	}
	want.Records = append(want.Records, next)
	want.Records = append(want.Records, ok...)
	whole := New(Config{})
	if err := whole.Replace([]*zone.Zone{want}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"www", "x.y", "y", "fresh", "c", "mail", "nothing"} {
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeTXT, dns.TypeSOA} {
			n := name + ".example.com."
			if got, w := answer(t, patched, n, qt), answer(t, whole, n, qt); got != w {
				t.Errorf("%s %s after a refused patch:\n%s\nwant\n%s", n, dns.TypeToString[qt], got, w)
			}
		}
	}
}
