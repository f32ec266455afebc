// Command corpus writes the zone files and the dnsperf query file that
// bench/run.sh serves with each name server.
//
//	go run ./bench/corpus -out bench/out/corpus-small -kind small
//	go run ./bench/corpus -out bench/out/corpus-large -kind large
//
// Kind small is 1,000 zones of 20 records each; kind large is one zone of
// 200,000 records. Every zone has an SOA, apex NS with in-zone glue, A, AAAA,
// MX, TXT, a CNAME, an SRV, a wildcard (*.apps) and a delegation (sub) with
// glue. The output directory receives:
//
//	NAME.zone     one file per zone, with $ORIGIN and $TTL
//	queries.txt   dnsperf input ("name type" per line), shuffled
//	probe.txt     one known name per zone (dnsperf format), answered
//	              NOERROR with AA once that zone is loaded
//	expect.txt    the query mix and the response codes dnsperf should see
//	zones.txt     the zone names, one per line
//
// The mix is about 70 % names that exist (with the type asked), 15 %
// NXDOMAIN, 10 % wildcard hits, 2.5 % referrals and 2.5 % NODATA. Output is
// deterministic: the same flags always write the same bytes. The program
// uses only the standard library so that it builds while the engine doesn't.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("out", "", "output directory (created)")
	kind := flag.String("kind", "small", "corpus kind: small (1,000 zones x 20 records), large (1 zone x 200,000 records) or base (1 zone x 20 records, for a server's baseline memory)")
	nq := flag.Int("queries", 1_000_000, "number of lines in queries.txt")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		log.Fatal("corpus: -out is required")
	}
	var spec corpusSpec
	switch *kind {
	case "small":
		spec = corpusSpec{zones: 1000, records: 20}
	case "large":
		spec = corpusSpec{zones: 1, records: 200_000, origin: "big.test."}
	case "base":
		spec = corpusSpec{zones: 1, records: 20, origin: "base.test."}
	default:
		log.Fatalf("corpus: unknown -kind %q", *kind)
	}
	if err := write(*out, spec, *nq, *seed); err != nil {
		log.Fatalf("corpus: %s", err)
	}
}

type corpusSpec struct {
	zones   int    // number of zones
	records int    // records (RRs) per zone, including SOA, NS and glue
	origin  string // the zone's name when there is one zone
}

// query is one dnsperf line and the class of answer it expects.
type query struct {
	name, typ string
}

// zoneQueries holds the names of one zone by the answer they get.
type zoneQueries struct {
	exist    []query // NOERROR with an answer (including CNAME chains)
	nodata   []query // NOERROR, empty answer, SOA in authority
	referral []query // NOERROR, no AA, NS of sub in authority
	origin   string
}

type stats struct {
	zones, records, queries           int
	exist, nx, wild, referral, nodata int
}

func write(dir string, spec corpusSpec, nq int, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Start clean: stale zone files from another kind would be served too.
	old, _ := filepath.Glob(filepath.Join(dir, "*.zone"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	st := stats{zones: spec.zones}
	var zones []zoneQueries
	var probes, names []string
	for i := range spec.zones {
		var origin string
		if spec.zones == 1 {
			origin = spec.origin
		} else {
			origin = fmt.Sprintf("z%04d.example.", i)
		}
		zq, n, probe, err := writeZone(dir, origin, spec.records, rng)
		if err != nil {
			return err
		}
		st.records += n
		zones = append(zones, zq)
		probes = append(probes, probe)
		names = append(names, origin)
	}
	if err := writeLines(filepath.Join(dir, "probe.txt"), probes); err != nil {
		return err
	}
	if err := writeLines(filepath.Join(dir, "zones.txt"), names); err != nil {
		return err
	}

	f, err := os.Create(filepath.Join(dir, "queries.txt"))
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for range nq {
		z := &zones[rng.IntN(len(zones))]
		var q query
		switch p := rng.IntN(1000); {
		case p < 700:
			q = z.exist[rng.IntN(len(z.exist))]
			st.exist++
		case p < 850:
			// Not under *.apps nor sub., so no wildcard or referral applies.
			q = query{fmt.Sprintf("nx%d.%s", rng.IntN(1_000_000_000), z.origin), pick(rng, "A", "AAAA", "MX")}
			st.nx++
		case p < 950:
			q = query{fmt.Sprintf("u%d.apps.%s", rng.IntN(1_000_000_000), z.origin), pick(rng, "A", "A", "TXT")}
			st.wild++
		case p < 975:
			q = z.referral[rng.IntN(len(z.referral))]
			st.referral++
		default:
			q = z.nodata[rng.IntN(len(z.nodata))]
			st.nodata++
		}
		fmt.Fprintf(w, "%s %s\n", q.name, q.typ)
	}
	st.queries = nq
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return writeExpect(filepath.Join(dir, "expect.txt"), st)
}

func pick(rng *rand.Rand, s ...string) string { return s[rng.IntN(len(s))] }

// writeZone writes ORIGIN.zone with exactly records RRs (at least 20) and
// returns the queries that exercise it, the number of records written and a
// probe line for a name that exists.
func writeZone(dir, origin string, records int, rng *rand.Rand) (zoneQueries, int, string, error) {
	zq := zoneQueries{origin: origin}
	name := strings.TrimSuffix(origin, ".")
	f, err := os.Create(filepath.Join(dir, name+".zone"))
	if err != nil {
		return zq, 0, "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	n := 0
	rr := func(owner, typ, rdata string) {
		fmt.Fprintf(w, "%s\t%s\t%s\n", owner, typ, rdata)
		n++
	}
	exist := func(owner, typ string) { zq.exist = append(zq.exist, query{fqdn(owner, origin), typ}) }
	nodata := func(owner, typ string) { zq.nodata = append(zq.nodata, query{fqdn(owner, origin), typ}) }

	fmt.Fprintf(w, "$ORIGIN %s\n$TTL 3600\n", origin)
	// 16 fixed records.
	rr("@", "SOA", "ns1 hostmaster 2024010101 7200 3600 1209600 300")
	rr("@", "NS", "ns1")
	rr("@", "NS", "ns2")
	rr("ns1", "A", "192.0.2.1")
	rr("ns2", "A", "198.51.100.1")
	rr("@", "A", "192.0.2.10")
	rr("@", "AAAA", "2001:db8::10")
	rr("@", "MX", "10 mail")
	rr("@", "TXT", `"v=spf1 mx -all"`)
	rr("www", "CNAME", "@")
	rr("mail", "A", "192.0.2.25")
	rr("mail", "AAAA", "2001:db8::25")
	rr("_sip._tcp", "SRV", "10 60 5060 mail")
	rr("*.apps", "A", "192.0.2.80")
	rr("sub", "NS", "ns.sub")
	rr("ns.sub", "A", "203.0.113.53")
	for _, q := range [][2]string{{"@", "SOA"}, {"@", "NS"}, {"@", "A"}, {"@", "AAAA"}, {"@", "MX"}, {"@", "TXT"},
		{"www", "A"}, {"www", "CNAME"}, {"mail", "A"}, {"mail", "AAAA"}, {"_sip._tcp", "SRV"}, {"ns1", "A"}} {
		exist(q[0], q[1])
	}
	for _, q := range [][2]string{{"mail", "TXT"}, {"mail", "MX"}, {"www.apps", "AAAA"}, {"ns1", "AAAA"}} {
		nodata(q[0], q[1])
	}
	zq.referral = append(zq.referral, query{fqdn("sub", origin), "A"}, query{fqdn("host.sub", origin), "A"}, query{fqdn("www.sub", origin), "AAAA"})

	// Extra delegations with glue, one per 2,000 records: a large zone has
	// many, as a TLD-like or hosting zone would.
	for d := 1; n+2 <= records && d < records/2000; d++ {
		child := fmt.Sprintf("d%d", d)
		rr(child, "NS", "ns."+child)
		rr("ns."+child, "A", fmt.Sprintf("203.0.113.%d", d%254+1))
		zq.referral = append(zq.referral, query{fqdn("www."+child, origin), "A"})
	}
	// Hosts fill up the rest: mostly A, some with AAAA too, TXT, MX, CNAME.
	for h := 0; n < records; h++ {
		owner := fmt.Sprintf("h%d", h)
		left := records - n
		switch p := rng.IntN(100); {
		case p < 55 || left < 2:
			rr(owner, "A", ip4(rng))
			exist(owner, "A")
			if p%5 == 0 {
				nodata(owner, "AAAA")
			}
		case p < 75:
			rr(owner, "A", ip4(rng))
			rr(owner, "AAAA", ip6(rng))
			exist(owner, "A")
			exist(owner, "AAAA")
		case p < 85:
			rr(owner, "TXT", fmt.Sprintf(`"site-verification=%016x"`, rng.Uint64()))
			rr(owner, "A", ip4(rng))
			exist(owner, "TXT")
			exist(owner, "A")
		case p < 92:
			rr(owner, "MX", "10 mail")
			rr(owner, "A", ip4(rng))
			exist(owner, "MX")
			nodata(owner, "TXT")
		default:
			// A CNAME to an earlier host (or the apex), answered with the chain.
			target := "@"
			if h > 0 {
				target = fmt.Sprintf("h%d", rng.IntN(h))
			}
			rr(owner, "CNAME", target)
			exist(owner, "CNAME")
			exist(owner, "A")
		}
	}
	// Every server loads a zone whole, so any name of it shows it's loaded.
	probe := fqdn("mail", origin) + " A"
	if err := w.Flush(); err != nil {
		return zq, 0, "", err
	}
	return zq, n, probe, f.Close()
}

func fqdn(owner, origin string) string {
	if owner == "@" {
		return origin
	}
	return owner + "." + origin
}

func ip4(rng *rand.Rand) string {
	return fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
}

func ip6(rng *rand.Rand) string {
	return fmt.Sprintf("2001:db8:%x:%x::%x", rng.IntN(65536), rng.IntN(65536), 1+rng.IntN(65535))
}

func writeLines(path string, lines []string) error {
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

func writeExpect(path string, st stats) error {
	pct := func(n int) float64 { return 100 * float64(n) / float64(st.queries) }
	noerr := st.exist + st.wild + st.referral + st.nodata
	s := fmt.Sprintf(`# corpus: %d zone(s), %d records in all
# queries.txt: %d queries
class      queries  share   rcode     answer
exist      %7d  %5.1f%%  NOERROR   records of the type asked (CNAME chains included), AA
nxdomain   %7d  %5.1f%%  NXDOMAIN  SOA in authority, AA
wildcard   %7d  %5.1f%%  NOERROR   synthesized from *.apps (A answer; TXT is NODATA), AA
referral   %7d  %5.1f%%  NOERROR   no AA, NS of the delegation in authority, glue in additional
nodata     %7d  %5.1f%%  NOERROR   empty answer, SOA in authority, AA
# dnsperf should report: NOERROR %.1f%%, NXDOMAIN %.1f%%
expect_noerror_pct=%.1f
expect_nxdomain_pct=%.1f
records=%d
zones=%d
`, st.zones, st.records, st.queries,
		st.exist, pct(st.exist), st.nx, pct(st.nx), st.wild, pct(st.wild),
		st.referral, pct(st.referral), st.nodata, pct(st.nodata),
		pct(noerr), pct(st.nx), pct(noerr), pct(st.nx), st.records, st.zones)
	return os.WriteFile(path, []byte(s), 0o644)
}
