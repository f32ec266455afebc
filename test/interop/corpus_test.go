package interop

import (
	"bufio"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// corpusZone is one zone file of testdata/zones.
type corpusZone struct {
	origin string // lowercase, fully qualified
	file   string // base name inside corpus.dir
	rrs    []dns.RR
}

type corpus struct {
	dir   string // absolute, shared read-only by every server
	zones []*corpusZone
}

// loadCorpus reads testdata/zones with the rule zonewarden's standalone mode
// uses: the zone name is the file's $ORIGIN, else its name without ".zone".
func loadCorpus(t testing.TB) *corpus {
	t.Helper()
	dir, err := filepath.Abs("testdata/zones")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.zone"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no zone files in %s: %v", dir, err)
	}
	c := &corpus{dir: dir}
	for _, f := range files {
		z, err := readZone(f)
		if err != nil {
			t.Fatal(err)
		}
		c.zones = append(c.zones, z)
	}
	return c
}

func readZone(path string) (*corpusZone, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read zone: %w", err)
	}
	origin := strings.TrimSuffix(filepath.Base(path), ".zone")
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && strings.EqualFold(f[0], "$ORIGIN") {
			origin = f[1]
			break
		}
	}
	z := &corpusZone{origin: strings.ToLower(dns.Fqdn(origin)), file: filepath.Base(path)}
	zp := dns.NewZoneParser(strings.NewReader(string(b)), z.origin, path)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		z.rrs = append(z.rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("parse zone %s: %w", z.origin, err)
	}
	return z, nil
}

// query is one question and how it is asked.
type query struct {
	name   string
	qtype  uint16
	qclass uint16
}

func (q query) String() string {
	return fmt.Sprintf("%s %s %s", q.name, dns.ClassToString[q.qclass], typeString(q.qtype))
}

func typeString(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

// transport is how every query of a run is sent.
type transport struct {
	name string
	net  string // "udp" or "tcp"
	edns uint16 // advertised UDP size; 0 sends no OPT record
}

var transports = []transport{
	{"udp-edns1232", "udp", 1232},
	{"udp-noedns", "udp", 0},
	{"udp-edns512", "udp", 512},
	{"udp-edns4096", "udp", 4096},
	{"tcp-edns1232", "tcp", 1232},
	{"tcp-noedns", "tcp", 0},
}

// handPicked are the cases the generator cannot derive from the corpus.
var handPicked = []query{
	// RFC 4592 section 2.2.1's own examples.
	{"host3.example.", dns.TypeMX, dns.ClassINET},
	{"host3.example.", dns.TypeA, dns.ClassINET},
	{"foo.bar.example.", dns.TypeTXT, dns.ClassINET},
	{"host1.example.", dns.TypeMX, dns.ClassINET},
	{"sub.*.example.", dns.TypeMX, dns.ClassINET},
	{"_telnet._tcp.host1.example.", dns.TypeSRV, dns.ClassINET},
	{"host.subdel.example.", dns.TypeA, dns.ClassINET},
	{"ghost.*.example.", dns.TypeMX, dns.ClassINET},
	{"_ssh._tcp.host3.example.", dns.TypeSRV, dns.ClassINET},
	{"_tcp.host1.example.", dns.TypeSRV, dns.ClassINET},
	{"host2.example.", dns.TypeTXT, dns.ClassINET},

	// Wildcards blocked by empty non-terminals and by existing names.
	{"ent.wild.test.", dns.TypeA, dns.ClassINET},
	{"x.ent.wild.test.", dns.TypeA, dns.ClassINET},
	{"x.exists.wild.test.", dns.TypeTXT, dns.ClassINET},
	{"deep.sub2.wild.test.", dns.TypeTXT, dns.ClassINET},
	{"x.deep.sub2.wild.test.", dns.TypeTXT, dns.ClassINET},
	{"x.sub2.wild.test.", dns.TypeTXT, dns.ClassINET},
	{"a.b.c.cnwild.wild.test.", dns.TypeA, dns.ClassINET},
	{"x.mx.wild.test.", dns.TypeMX, dns.ClassINET},
	{"x.srv.wild.test.", dns.TypeSRV, dns.ClassINET},
	{"x.cnext.wild.test.", dns.TypeA, dns.ClassINET},
	{"x.sub.wild.test.", dns.TypeA, dns.ClassINET},

	// DNAME (RFC 6672).
	{"www.dn.example.com.", dns.TypeA, dns.ClassINET},
	{"foo.dn.example.com.", dns.TypeA, dns.ClassINET},
	{"nothere.dn.example.com.", dns.TypeA, dns.ClassINET},
	{"a.b.dn.example.com.", dns.TypeAAAA, dns.ClassINET},
	{"www.dn.example.com.", dns.TypeDNAME, dns.ClassINET},
	{"www.dn.example.com.", dns.TypeCNAME, dns.ClassINET},
	{"www.dnext.example.com.", dns.TypeA, dns.ClassINET},
	{strings.Repeat("y", 60) + "." + strings.Repeat("z", 60) + ".grow.example.com.", dns.TypeA, dns.ClassINET}, // YXDOMAIN
	{"x.grow.example.com.", dns.TypeA, dns.ClassINET},

	// Both sides of a cut this server is authoritative for.
	{"child.example.com.", dns.TypeDS, dns.ClassINET},
	{"child.example.com.", dns.TypeNS, dns.ClassINET},
	{"www.child.example.com.", dns.TypeA, dns.ClassINET},
	{"nx.child.example.com.", dns.TypeA, dns.ClassINET},
	{"host.deep.example.com.", dns.TypeA, dns.ClassINET},
	{"host.sub.example.com.", dns.TypeDS, dns.ClassINET},
	{"host.fat.example.com.", dns.TypeA, dns.ClassINET},
	{"x.64/26.2.0.192.in-addr.arpa.", dns.TypePTR, dns.ClassINET},

	// Outside every served zone.
	{".", dns.TypeSOA, dns.ClassINET},
	{"com.", dns.TypeNS, dns.ClassINET},
	{"test.", dns.TypeSOA, dns.ClassINET},
	{"arpa.", dns.TypeNS, dns.ClassINET},
	{"www.example.org.", dns.TypeA, dns.ClassINET},
	{"example.co.", dns.TypeA, dns.ClassINET},
	{"notexample.com.", dns.TypeA, dns.ClassINET},
	{"xexample.", dns.TypeA, dns.ClassINET},

	// Meta types and other classes.
	{"example.com.", dns.TypeAXFR, dns.ClassINET},
	{"example.com.", dns.TypeIXFR, dns.ClassINET},
	{"www.example.com.", dns.TypeRRSIG, dns.ClassINET},
	{"www.example.com.", dns.TypeNSEC, dns.ClassINET},
	{"example.com.", dns.TypeDNSKEY, dns.ClassINET},
	{"example.com.", dns.TypeSOA, dns.ClassCHAOS},
	{"version.bind.", dns.TypeTXT, dns.ClassCHAOS},
	{"id.server.", dns.TypeTXT, dns.ClassCHAOS},
	{"hostname.bind.", dns.TypeTXT, dns.ClassCHAOS},
}

// queries derives the question list from the corpus: every owner with its
// own types, a type it lacks, ANY, CNAME and DS; a name below every owner
// and every empty non-terminal; a few names under each wildcard; every apex
// under a case-randomized spelling; then the hand-picked cases.
func (c *corpus) queries() []query {
	var qs []query
	seen := make(map[query]bool)
	add := func(name string, t uint16) {
		q := query{name, t, dns.ClassINET}
		if !seen[q] {
			seen[q] = true
			qs = append(qs, q)
		}
	}
	for _, z := range c.zones {
		types := make(map[string][]uint16)
		var owners []string
		for _, rr := range z.rrs {
			n := strings.ToLower(rr.Header().Name)
			if _, ok := types[n]; !ok {
				owners = append(owners, n)
			}
			types[n] = append(types[n], rr.Header().Rrtype)
		}
		// Names below a zone cut all get the same referral: one query each.
		var cuts []string
		for _, n := range owners {
			if n != z.origin && slices.Contains(types[n], dns.TypeNS) {
				cuts = append(cuts, n)
			}
		}
		occluded := func(n string) bool {
			return slices.ContainsFunc(cuts, func(cut string) bool { return n != cut && dns.IsSubDomain(cut, n) })
		}
		ents := make(map[string]bool)
		for _, n := range owners {
			for p := parent(n); p != "" && dns.IsSubDomain(z.origin, p) && p != z.origin; p = parent(p) {
				if _, ok := types[p]; !ok {
					ents[p] = true
				}
			}
		}
		for _, n := range owners {
			ts := types[n]
			if occluded(n) {
				add(n, ts[0])
				continue
			}
			for _, t := range ts {
				add(n, t)
			}
			for _, t := range []uint16{dns.TypeA, dns.TypeTXT, dns.TypeAAAA, dns.TypeMX} {
				if !slices.Contains(ts, t) {
					add(n, t)
					break
				}
			}
			add(n, dns.TypeANY)
			add(n, dns.TypeCNAME)
			add(n, dns.TypeDS)
			if len(n) < 240 {
				add("nx."+n, dns.TypeA)
			}
			if strings.HasPrefix(n, "*.") {
				base := n[2:]
				add("w1."+base, ts[0])
				add("a.b.c."+base, ts[0])
				add("w2."+base, dns.TypeNS)
				add("w3."+base, dns.TypeANY)
			}
		}
		for _, e := range slices.Sorted(maps.Keys(ents)) {
			add(e, dns.TypeA)
			add(e, dns.TypeANY)
			add("nx."+e, dns.TypeA)
		}
	}
	// 0x20: resolvers randomize the case of the question and insist on it
	// coming back unchanged. A fixed seed keeps the list stable across runs.
	rng := rand.New(rand.NewPCG(0x20, 0x20))
	for _, z := range c.zones {
		for _, name := range []string{"www." + z.origin, z.origin, "nx." + z.origin} {
			for _, t := range []uint16{dns.TypeA, dns.TypeMX} {
				qs = append(qs, query{randomCase(rng, name), t, dns.ClassINET})
			}
		}
	}
	qs = append(qs, query{"W1.Wild.TEST.", dns.TypeA, dns.ClassINET})
	qs = append(qs, query{"mixedcase.example.com.", dns.TypeA, dns.ClassINET})
	for _, q := range handPicked {
		if !seen[q] {
			seen[q] = true
			qs = append(qs, q)
		}
	}
	return qs
}

func parent(name string) string {
	if name == "." {
		return ""
	}
	i, end := dns.NextLabel(name, 0)
	if end {
		return "."
	}
	return name[i:]
}

func randomCase(rng *rand.Rand, s string) string {
	b := []byte(s)
	for i, c := range b {
		if rng.IntN(2) == 0 {
			b[i] = byte(strings.ToUpper(string(c))[0])
		}
	}
	return string(b)
}
