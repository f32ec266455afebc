package interop

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

var maxReports = flag.Int("interop.max", 40, "detailed mismatch reports per transport before summarizing (0: all)")

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if buildBin != "" {
		os.RemoveAll(filepath.Dir(buildBin))
	}
	os.Exit(code)
}

// TestDifferential asks zonewarden and each reference server the same
// questions and compares the answers section by section. Knot is the primary
// reference; NSD is run too. Deliberate differences are normalized by the
// rules in rules_test.go and listed in DIFFERENCES.md.
func TestDifferential(t *testing.T) {
	c := loadCorpus(t)
	qs := c.queries()
	zw := startZonewarden(t, c)
	for _, start := range []func(testing.TB, *corpus) *server{startKnot, startNSD} {
		ref := start(t, c)
		t.Run(ref.name, func(t *testing.T) { compareServers(t, c, qs, ref, zw) })
	}
}

// TestReferences compares NSD against Knot. It keeps the rules honest: the
// two references disagree only where DIFFERENCES.md says they do, and it
// still runs before zonewarden can serve.
func TestReferences(t *testing.T) {
	c := loadCorpus(t)
	qs := c.queries()
	knot := startKnot(t, c)
	nsd := startNSD(t, c)
	compareServers(t, c, qs, knot, nsd)
}

// compareServers sends every query over every transport to ref and sut and
// reports one error per query that differs after normalization.
func compareServers(t *testing.T, c *corpus, qs []query, ref, sut *server) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			refs, suts := make([]response, len(qs)), make([]response, len(qs))
			msgs := make([]*dns.Msg, len(qs))
			for i, q := range qs {
				msgs[i] = newQuery(q, tr, uint16(i*7919+1), i%2 == 1)
			}
			parallel(len(qs), func(i int) {
				refs[i] = exchange(tr.net, ref.addr, msgs[i])
				suts[i] = exchange(tr.net, sut.addr, msgs[i])
			})
			reported, failed, timeouts := 0, 0, 0
			fired := make(map[string]int)
			for i, q := range qs {
				report := compareOne(&pair{q, tr, c}, msgs[i], ref.name, sut.name, refs[i], suts[i], fired)
				if suts[i].err == errTimeout {
					timeouts++
				}
				if report == "" {
					continue
				}
				failed++
				if *maxReports == 0 || reported < *maxReports {
					reported++
					t.Errorf("%s", report)
				}
			}
			if failed > reported {
				t.Errorf("%d more mismatches not shown (-interop.max=0 shows all)", failed-reported)
			}
			if timeouts > 0 {
				t.Errorf("%s did not answer %d of %d queries\n%s", sut.name, timeouts, len(qs), sut.tail())
			}
			t.Logf("%d queries, %d differ; normalization rules applied: %v", len(qs), failed, fired)
		})
	}
}

// compareOne returns a readable report of how sut's answer to q differs
// from ref's, or "" when it does not.
func compareOne(p *pair, m *dns.Msg, refName, sutName string, ref, sut response, fired map[string]int) string {
	q, tr := p.q, p.tr
	var b strings.Builder
	rd := ""
	if m.RecursionDesired {
		rd = " +rd"
	}
	edns := "no EDNS"
	if tr.edns > 0 {
		edns = fmt.Sprintf("EDNS %d", tr.edns)
	}
	fmt.Fprintf(&b, "query %s over %s, %s%s (id %d)\n", q, tr.net, edns, rd, m.Id)
	bad := false
	for _, s := range []struct {
		name string
		r    response
	}{{refName, ref}, {sutName, sut}} {
		for _, p := range sanity(m, tr, s.r) {
			fmt.Fprintf(&b, "  %s: %s\n", s.name, p)
			bad = true
		}
	}
	if ref.msg == nil || sut.msg == nil {
		return b.String()
	}
	want, got := newView(ref.msg), newView(sut.msg)
	for _, r := range rules {
		switch {
		case r.server == refName || r.server == "*":
			if r.apply(p, want, got) {
				fired[r.name]++
			}
		case r.server == sutName:
			if r.apply(p, got, want) {
				fired[r.name]++
			}
		}
	}
	if d := diff(refName, sutName, want, got); d != "" {
		b.WriteString(d)
		fmt.Fprintf(&b, "  %s answered (%d octets):\n%s", refName, ref.size, dump(newView(ref.msg)))
		fmt.Fprintf(&b, "  %s answered (%d octets):\n%s", sutName, sut.size, dump(newView(sut.msg)))
		bad = true
	}
	if !bad {
		return ""
	}
	return b.String()
}

// parallel runs f(0..n-1) on a few goroutines: enough to keep the suite
// well under its time budget, few enough not to trip rate limits.
func parallel(n int, f func(int)) {
	const workers = 8
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
