package authority

import (
	"errors"
	"fmt"
	"maps"
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
flat	IN ALIAS bare.example.com.
bare	IN TXT "bare"
`

// patchNet is served beside patchZone, so that chains leave one zone for
// another and come back; it is never patched.
const patchNet = `$ORIGIN example.net.
$TTL 3600
@	IN SOA ns1.example.com. hostmaster 1 7200 3600 1209600 300
@	IN NS ns1.example.com.
www	IN A 203.0.113.1
back	IN CNAME www.example.com.
`

// patchOwners are the names of patchZone the random changes are made at,
// relative to example.com.
var patchOwners = []string{"", "www", "mail", "new", "x.new", "y.x.new", "gone", "gone.deep", "deep", "c", "b.c", "a.b.c",
	"sip", "ns1", "sub", "ns.sub", "q.sub", "z.wild", "*.wild", "d", "e.d", "alias", "toapex", "wild", "dangling", "cn", "x.cn", "flat", "bare"}

// patchTargets are what the random CNAMEs point to: names of the zone,
// existing or not, others' CNAMEs, names below the delegation and the
// DNAME, and names outside the zone, served here or not.
var patchTargets = append(slices.Clone(patchOwners), "nothing", "www.example.net.", "back.example.net.", "gone.example.org.")

// patchLeaves are owners only CNAMEs point to, where CNAMEs come and go
// most freely.
var patchLeaves = []string{"l1", "l2.x", "l3"}

// patchRig serves a zone from two engines, one patched and one compiled
// whole, and checks that they answer alike after each change.
type patchRig struct {
	t              testing.TB
	z, net         *zone.Zone
	patched, whole *Engine

	patches, refused           int // changes patched, and refused
	cnamePatches, cnameRefused int // those of them with a CNAME
}

// newPatchRig serves patchZone with the records of extra, zone-file lines.
func newPatchRig(t testing.TB, extra ...string) *patchRig {
	t.Helper()
	text := patchZone + strings.Join(extra, "\n") + "\n"
	g := &patchRig{t: t, z: mustZone(t, "example.com.", text), net: mustZone(t, "example.net.", patchNet),
		patched: New(Config{PatchableRecords: 1}), whole: New(Config{})}
	g.z.Normalize()
	for _, e := range []*Engine{g.patched, g.whole} {
		if err := e.Replace([]*zone.Zone{g.z.Clone(), g.net.Clone()}); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// absolute is name, relative to example.com. unless it ends in a dot.
func absolute(name string) string {
	switch {
	case name == "":
		return "example.com."
	case strings.HasSuffix(name, "."):
		return name
	}
	return name + ".example.com."
}

// change makes a random change of the zone, with the choices pick(n)
// makes in [0, n), and bumps the serial, as every API write does. CNAMEs
// stay exclusive, as the store has them: a new CNAME comes with its
// owner's other records removed in the same change, and new records with
// their owner's CNAME removed, as an import or a batch of writes would. ok
// is false when the store would refuse the change.
func (g *patchRig) change(pick func(int) int) (removed, added []dns.RR, next *zone.Zone, ok bool) {
	soa := g.z.SOA()
	bumped := dns.Copy(soa).(*dns.SOA)
	bumped.Serial++
	removed, added = []dns.RR{soa}, []dns.RR{bumped}
	// records are the owner's records after the change so far.
	records := func(name string) []dns.RR {
		var out []dns.RR
		for _, rr := range slices.Concat(g.z.Records, added) {
			if rr.Header().Name == name && rr.Header().Rrtype != dns.TypeSOA && !slices.Contains(removed, rr) {
				out = append(out, rr)
			}
		}
		return out
	}
	drop := func(rr dns.RR) {
		if i := slices.Index(added, rr); i >= 0 {
			added = slices.Delete(added, i, i+1)
		} else {
			removed = append(removed, rr)
		}
	}
	ops := 1
	if pick(3) == 0 {
		ops += 1 + pick(2)
	}
	for range ops {
		owners := slices.Concat(patchOwners, patchLeaves)
		name := absolute(owners[pick(len(owners))])
		cur := records(name)
		if len(cur) > 0 && pick(2) == 0 {
			drop(cur[pick(len(cur))])
			continue
		}
		var text string
		kind := pick(8)
		switch kind {
		case 0:
			text = fmt.Sprintf("%s 300 IN A 198.51.100.%d", name, pick(250))
		case 1:
			text = fmt.Sprintf("%s 300 IN AAAA 2001:db8::%x", name, pick(4096))
		case 2:
			text = fmt.Sprintf("%s 300 IN TXT \"t%d\"", name, pick(1000))
		case 3:
			text = fmt.Sprintf("%s 300 IN MX %d %s", name, pick(50), absolute(patchOwners[pick(len(patchOwners))]))
		case 4:
			text = fmt.Sprintf("%s 300 IN SRV 1 1 80 %s", name, absolute(patchOwners[pick(len(patchOwners))]))
		default:
			targets := slices.Concat(patchTargets, patchLeaves)
			text = fmt.Sprintf("%s %d IN CNAME %s", name, 60*(1+pick(5)), absolute(targets[pick(len(targets))]))
		}
		rr, err := dns.NewRR(text)
		if err != nil {
			g.t.Fatal(err)
		}
		dup := false
		for _, o := range cur {
			dup = dup || dns.IsDuplicate(o, rr)
		}
		if dup {
			continue
		}
		for _, o := range cur {
			if (o.Header().Rrtype == dns.TypeCNAME) != (rr.Header().Rrtype == dns.TypeCNAME) || rr.Header().Rrtype == dns.TypeCNAME {
				drop(o)
			}
		}
		added = append(added, rr)
	}
	next = g.next(removed, added)
	return removed, added, next, next.Validate() == nil
}

// next is the zone after a change; removed holds records of the zone.
func (g *patchRig) next(removed, added []dns.RR) *zone.Zone {
	next := &zone.Zone{Origin: g.z.Origin}
	for _, rr := range g.z.Records {
		if !slices.Contains(removed, rr) {
			next.Records = append(next.Records, rr)
		}
	}
	next.Records = append(next.Records, added...)
	return next
}

// patch patches a change in and returns Patch's error, which may only be
// ErrNotPatchable. A refused patch must leave the zone served as it was.
func (g *patchRig) patch(what string, removed, added []dns.RR) error {
	g.t.Helper()
	err := g.patched.Patch("example.com.", removed, added)
	if err != nil && !errors.Is(err, ErrNotPatchable) {
		g.t.Fatalf("%s: patch: %v", what, err)
	}
	if err != nil {
		g.compare(fmt.Sprintf("%s: refused (%v)", what, err), removed, added)
	}
	return err
}

// commit makes next the zone: both engines serve it, the patched one by
// compiling it whole when its patch was refused.
func (g *patchRig) commit(what string, next *zone.Zone, refused bool, removed, added []dns.RR) {
	g.t.Helper()
	engines := []*Engine{g.whole}
	if refused {
		engines = append(engines, g.patched)
	}
	for _, e := range engines {
		if err := e.Update([]*zone.Zone{next.Clone()}, nil); err != nil {
			g.t.Fatalf("%s: compile: %v", what, err)
		}
	}
	g.z = next
	g.compare(what, removed, added)
}

// step makes a change and patches it in. A refused patch must leave the
// zone served as it was; then the change is either compiled whole into
// both engines or, as pick says, dropped, so that the next patch applies
// to the zone a patch was refused on.
func (g *patchRig) step(pick func(int) int, step int) {
	g.t.Helper()
	removed, added, next, ok := g.change(pick)
	if !ok {
		return // a change the store would refuse
	}
	hasCNAME := slices.ContainsFunc(slices.Concat(removed, added), func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeCNAME })
	what := fmt.Sprintf("step %d", step)
	err := g.patch(what, removed, added)
	if err == nil {
		g.patches++
		if hasCNAME {
			g.cnamePatches++
		}
	} else {
		g.refused++
		if hasCNAME {
			g.cnameRefused++
		}
		if pick(2) == 0 {
			return
		}
	}
	g.commit(what, next, err != nil, removed, added)
}

// compare fails the test when the engines answer any question differently:
// questions at the names of the random changes and at every name of the
// zone and what its records point to.
func (g *patchRig) compare(what string, removed, added []dns.RR) {
	t := g.t
	t.Helper()
	names := map[string]bool{}
	for _, o := range slices.Concat(patchTargets, patchLeaves, []string{"x", "x.nothing", "y.x.new.deeper", "q.cn"}) {
		names[absolute(o)] = true
	}
	for _, rr := range g.z.Records {
		names[rr.Header().Name] = true
		if w, _, ok := targetOf([]byte{0}, rr); ok {
			names[dnsName(w)] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeTXT, dns.TypeMX, dns.TypeSRV, dns.TypeCNAME, dns.TypeSOA, dns.TypeANY} {
			got, want := answer(t, g.patched, name, qt), answer(t, g.whole, name, qt)
			if got != want {
				t.Fatalf("%s: %s %s from the patched zone:\n%s\ncompiled whole:\n%s\nchange: -%v +%v", what, name, dns.TypeToString[qt], got, want, removed, added)
			}
		}
	}
	if g.patched.Records() != g.whole.Records() {
		t.Fatalf("%s: %d records patched, %d compiled", what, g.patched.Records(), g.whole.Records())
	}
}

// TestPatchMatchesCompile applies random changes to a zone by Patch on one
// engine and by compiling the whole zone on another, and asks both the same
// questions after each: the answers must be the same.
func TestPatchMatchesCompile(t *testing.T) {
	g := newPatchRig(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 400 {
		g.step(rng.IntN, step)
	}
	if g.patches < 40 || g.refused == 0 || g.cnamePatches < 10 || g.cnameRefused == 0 {
		t.Errorf("%d changes patched (%d with a CNAME), %d refused (%d with a CNAME): the test does not exercise them all",
			g.patches, g.cnamePatches, g.refused, g.cnameRefused)
	}
	t.Logf("%d changes patched (%d with a CNAME), %d refused (%d with a CNAME)", g.patches, g.cnamePatches, g.refused, g.cnameRefused)
}

// FuzzPatchCNAME is TestPatchMatchesCompile with the fuzzer's choices: each
// byte picks among the generator's options.
func FuzzPatchCNAME(f *testing.F) {
	f.Add([]byte{})
	// With the lists as they are: bare, an ALIAS target, becomes a CNAME.
	f.Add([]byte{1, 28, 1, 5, 0, 1})
	f.Add([]byte{0, 1, 27, 7, 5, 1, 1, 6, 2, 1, 9, 7, 20, 1})
	f.Add([]byte{2, 24, 7, 0, 3, 1, 5, 1, 7, 26, 1, 21, 0, 0, 1, 3, 1, 4, 7, 2})
	f.Fuzz(func(t *testing.T, choices []byte) {
		if len(choices) > 128 {
			return // many steps a run: slow, and no further than a few runs
		}
		pick := func(n int) int {
			if len(choices) == 0 {
				return 0
			}
			c := int(choices[0])
			choices = choices[1:]
			return c % n
		}
		g := newPatchRig(t)
		for step := 0; len(choices) > 0; step++ {
			g.step(pick, step)
		}
	})
}

// answer is the engine's answer, each section's records sorted.
func answer(t testing.TB, e *Engine, name string, qtype uint16) string {
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

// zone100k is a zone of 100,000 names with an address each.
func zone100k() *zone.Zone {
	z := &zone.Zone{Origin: "example.com."}
	soa, _ := dns.NewRR("example.com. 3600 IN SOA ns1.example.com. h.example.com. 1 2 3 4 5")
	ns, _ := dns.NewRR("example.com. 3600 IN NS ns1.example.com.")
	z.Records = append(z.Records, soa, ns)
	for i := range 100000 {
		rr, _ := dns.NewRR(fmt.Sprintf("h%d.example.com. 3600 IN A 10.0.%d.%d", i, i>>8&255, i&255))
		z.Records = append(z.Records, rr)
	}
	return z
}

// benchmarkPatch100k patches change i, a record removed (if any) and one
// added, into a zone of 100,000 names and bumps its serial, as each API
// write does.
func benchmarkPatch100k(b *testing.B, change func(i int) (del, add string)) {
	z := zone100k()
	e := New(Config{PatchableRecords: 1})
	if err := e.Replace([]*zone.Zone{z}); err != nil {
		b.Fatal(err)
	}
	cur := z.SOA()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		next := dns.Copy(cur).(*dns.SOA)
		next.Serial++
		removed, added := []dns.RR{cur}, []dns.RR{next}
		del, add := change(i)
		for _, text := range []string{del, add} {
			if text == "" {
				continue
			}
			rr, err := dns.NewRR(text)
			if err != nil {
				b.Fatal(err)
			}
			if text == del {
				removed = append(removed, rr)
			} else {
				added = append(added, rr)
			}
		}
		if err := e.Patch("example.com.", removed, added); err != nil {
			b.Fatal(err)
		}
		cur = next
	}
}

// BenchmarkPatch100k adds one address to a zone of 100,000 names.
func BenchmarkPatch100k(b *testing.B) {
	benchmarkPatch100k(b, func(i int) (string, string) { return "", fmt.Sprintf("new%d.example.com. 300 IN A 192.0.2.1", i) })
}

// BenchmarkPatch100kCNAME adds one CNAME to a zone of 100,000 names,
// pointing outside the zone, and points one CNAME at another name of the
// zone, which becomes a target. Before CNAMEs were patched, such changes
// compiled the whole zone (BenchmarkCompile100k).
func BenchmarkPatch100kCNAME(b *testing.B) {
	b.Run("add-out", func(b *testing.B) {
		benchmarkPatch100k(b, func(i int) (string, string) {
			return "", fmt.Sprintf("new%d.example.com. 300 IN CNAME app%d.example.net.", i, i)
		})
	})
	// One CNAME: a zone of more than patchMax CNAMEs into the zone has
	// every serial refused.
	b.Run("retarget-in", func(b *testing.B) {
		target := func(i int) int { return i * 7919 % 100000 }
		benchmarkPatch100k(b, func(i int) (string, string) {
			add := fmt.Sprintf("www.example.com. 300 IN CNAME h%d.example.com.", target(i))
			if i == 0 {
				return "", add
			}
			return fmt.Sprintf("www.example.com. 300 IN CNAME h%d.example.com.", target(i-1)), add
		})
	})
}

// BenchmarkCompile100k compiles a zone of 100,000 names whole into an
// engine that serves it already: what a change costs that Patch refuses.
func BenchmarkCompile100k(b *testing.B) {
	z := zone100k()
	e := New(Config{PatchableRecords: 1})
	if err := e.Replace([]*zone.Zone{z}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := e.Update([]*zone.Zone{z}, nil); err != nil {
			b.Fatal(err)
		}
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
	// New names, names gone with the last record of one, then a CNAME
	// at another CNAME's target: refused.
	err := patched.Patch("example.com.", []dns.RR{soa, rr("a.b.c.example.com. 3600 IN TXT \"deep\"")},
		[]dns.RR{next, rr("x.y.example.com. 300 IN A 192.0.2.9"), rr("fresh.example.com. 300 IN TXT \"t\""), rr("gone.deep.example.com. 300 IN CNAME www.example.com.")})
	if !errors.Is(err, ErrNotPatchable) {
		t.Fatalf("patch with a CNAME at a target = %v, want ErrNotPatchable", err)
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
	for _, name := range []string{"www", "x.y", "y", "fresh", "c", "b.c", "a.b.c", "gone.deep", "dangling", "mail", "nothing"} {
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeTXT, dns.TypeSOA} {
			n := name + ".example.com."
			if got, w := answer(t, patched, n, qt), answer(t, whole, n, qt); got != w {
				t.Errorf("%s %s after a refused patch:\n%s\nwant\n%s", n, dns.TypeToString[qt], got, w)
			}
		}
	}
}

// TestPatchCNAME patches CNAMEs in and out, each change with a new serial
// unless it keeps it: every change must be patched or refused as the case
// says, and the patched engine must answer as one that compiles the zone
// whole.
func TestPatchCNAME(t *testing.T) {
	type change struct {
		del, add   []string // zone-file lines, relative to example.com.
		keepSerial bool
		refused    bool
		// cnames, unless nil, are the owners the patched zone recompiles
		// on a new serial.
		cnames []string
	}
	for _, tc := range []struct {
		name    string
		zone    []string // more records of patchZone
		changes []change
	}{
		{name: "CNAME at a leaf, then its target's address", zone: []string{"plain A 192.0.2.4"}, changes: []change{
			{add: []string{"leaf CNAME plain"}, cnames: []string{"alias", "dangling", "leaf", "toapex"}},
			{del: []string{"plain A 192.0.2.4"}, add: []string{"plain A 192.0.2.5"}, refused: true},
			{del: []string{"leaf CNAME plain"}, cnames: []string{"alias", "dangling", "toapex"}},
			// The old target stays marked: conservative.
			{add: []string{"plain AAAA 2001:db8::4"}, refused: true},
		}},
		{name: "CNAME to a name that then appears", changes: []change{
			{add: []string{"leaf CNAME fresh"}},
			{add: []string{"x.fresh A 192.0.2.3"}, refused: true},
			{add: []string{"fresh A 192.0.2.3"}, refused: true},
		}},
		{name: "chain of new CNAMEs", changes: []change{
			{add: []string{"c1 CNAME c2", "c2 CNAME mail"}},
			{add: []string{"c0 CNAME c1"}},
			{add: []string{"mail TXT t"}, refused: true},
			{del: []string{"c2 CNAME mail"}, add: []string{"c2 CNAME www"}, refused: true},
			{del: []string{"c0 CNAME c1"}},
		}},
		{name: "CNAME into an existing chain", changes: []change{
			{add: []string{"leaf CNAME alias"}},
			{add: []string{"to.dangling CNAME dangling"}},
		}},
		{name: "CNAME loop", changes: []change{
			{add: []string{"l1 CNAME l2", "l2 CNAME l1"}},
			{del: []string{"l1 CNAME l2", "l2 CNAME l1"}, refused: true},
		}},
		{name: "CNAME removed, then the serial", changes: []change{
			{del: []string{"alias CNAME www"}, cnames: []string{"dangling", "toapex"}},
			{},
			{add: []string{"alias CNAME mail"}},
			{},
		}},
		{name: "CNAME removed with its serial kept, then the serial", changes: []change{
			{del: []string{"dangling CNAME gone.deep"}, keepSerial: true, cnames: []string{"alias", "toapex"}},
			{},
		}},
		{name: "CNAME replaced by an address and back", changes: []change{
			{add: []string{"leaf CNAME www"}},
			{del: []string{"leaf CNAME www"}, add: []string{"leaf A 192.0.2.8"}},
			{del: []string{"leaf A 192.0.2.8"}, add: []string{"leaf CNAME mail"}},
			{del: []string{"leaf CNAME mail"}, add: []string{"leaf CNAME sip"}},
		}},
		{name: "CNAME at an MX target", changes: []change{
			{del: []string{"mail A 192.0.2.25"}, add: []string{"mail CNAME www"}, refused: true},
		}},
		{name: "CNAME at an MX target without addresses", zone: []string{"@ MX 20 mx2", "mx2 TXT t"}, changes: []change{
			{del: []string{"mx2 TXT t"}, add: []string{"mx2 CNAME www"}, refused: true},
		}},
		{name: "CNAME at an ALIAS target", zone: []string{"flat ALIAS bare.example.com.", "bare TXT t"}, changes: []change{
			{del: []string{"bare TXT t"}, add: []string{"bare CNAME www"}, refused: true},
		}},
		// Conservative: deep is only an ancestor of dangling's target.
		{name: "CNAME at an ancestor of a target", changes: []change{
			{add: []string{"deep CNAME www"}, refused: true},
		}},
		{name: "CNAME to a name below a delegation", changes: []change{
			{add: []string{"tosub CNAME host.sub", "toglue CNAME ns.sub"}},
			{del: []string{"ns.sub A 192.0.2.54"}, add: []string{"ns.sub A 192.0.2.55"}, refused: true},
			{del: []string{"tosub CNAME host.sub"}},
		}},
		{name: "CNAME below a delegation or a DNAME", changes: []change{
			{add: []string{"x.sub CNAME www"}, refused: true},
			{add: []string{"x.d CNAME www"}, refused: true},
		}},
		{name: "CNAME to a wildcard's name", changes: []change{
			{add: []string{"towild CNAME z.wild"}},
			{add: []string{"z.wild A 192.0.2.5"}, refused: true},
		}},
		{name: "CNAME out of the zone", changes: []change{
			{add: []string{"ext CNAME www.example.net."}, cnames: []string{"alias", "dangling", "toapex"}},
			{add: []string{"back CNAME back.example.net."}},
			{del: []string{"ext CNAME www.example.net."}, add: []string{"ext CNAME www"}, cnames: []string{"alias", "dangling", "ext", "toapex"}},
			{del: []string{"ext CNAME www"}, add: []string{"ext CNAME nowhere.example.org."}, cnames: []string{"alias", "dangling", "toapex"}},
		}},
		{name: "CNAME at the apex or a wildcard", changes: []change{
			{del: []string{"@ A 192.0.2.7"}, add: []string{"@ CNAME www"}, refused: true},
			{add: []string{"*.cn CNAME www"}, refused: true},
		}},
		{name: "second CNAME", changes: []change{
			{add: []string{"alias CNAME mail"}, refused: true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newPatchRig(t, tc.zone...)
			for i, c := range tc.changes {
				what := fmt.Sprintf("change %d", i)
				var removed, added []dns.RR
				if !c.keepSerial {
					soa := g.z.SOA()
					bumped := dns.Copy(soa).(*dns.SOA)
					bumped.Serial++
					removed, added = []dns.RR{soa}, []dns.RR{bumped}
				}
				for _, rr := range g.records(c.del) {
					j := slices.IndexFunc(g.z.Records, func(o dns.RR) bool { return dns.IsDuplicate(o, rr) })
					if j < 0 {
						t.Fatalf("%s: no record %v to remove", what, rr)
					}
					removed = append(removed, g.z.Records[j])
				}
				added = append(added, g.records(c.add)...)
				err := g.patch(what, removed, added)
				if refused := err != nil; refused != c.refused {
					t.Fatalf("%s: patch -%v +%v: %v, want refused %v", what, removed, added, err, c.refused)
				}
				g.commit(what, g.next(removed, added), err != nil, removed, added)
				if c.cnames != nil {
					if got := g.cnames(); !slices.Equal(got, c.cnames) {
						t.Errorf("%s: CNAMEs recompiled on a new serial: %q, want %q", what, got, c.cnames)
					}
				}
			}
		})
	}
}

// records parses zone-file lines relative to example.com.
func (g *patchRig) records(lines []string) []dns.RR {
	if len(lines) == 0 {
		return nil
	}
	return mustZone(g.t, "example.com.", "$TTL 300\n"+strings.Join(lines, "\n")+"\n").Records
}

// cnames are the patched zone's CNAME owners recompiled on a new serial,
// relative to example.com. and sorted.
func (g *patchRig) cnames() []string {
	w, _ := wireName("example.com.")
	var out []string
	for _, k := range g.patched.snap.Load().zones[string(w)].src.cnames {
		out = append(out, strings.TrimSuffix(dnsName([]byte(k)), ".example.com."))
	}
	slices.Sort(out)
	return out
}
