// Command api drives the same workload through Zonewarden's DNSimple API v2
// and PowerDNS's HTTP API, interleaved, and prints a markdown table of both
// and their ratio: record creates per second, listing a zone of 100,000
// records, and the time from an API write until the server's DNS port
// answers the new record. bench/api/run.sh starts both servers on one
// database backend (SQLite or PostgreSQL) and runs it; see
// docs/BENCHMARKS.md, "Control plane API".
//
//	api -backend SQLite \
//	    -zw http://127.0.0.1:18081 -zw-token zw_… -zw-account 1 -zw-dns 127.0.0.1:18053 -zw-pid 123 \
//	    -pdns http://127.0.0.1:18082 -pdns-key K -pdns-dns 127.0.0.1:18054 -pdns-pid 124
//
// Each create is one request: Zonewarden's POST …/zones/{zone}/records, and
// PowerDNS's PATCH /api/v1/servers/localhost/zones/{zone} with one RRset
// (PowerDNS has no per-record create; a one-RRset PATCH is the closest).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	var (
		backend    = flag.String("backend", "SQLite", "name of the database backend, for the table's title")
		zwURL      = flag.String("zw", "", "Zonewarden API base `URL`")
		zwToken    = flag.String("zw-token", "", "Zonewarden API token")
		zwAccount  = flag.String("zw-account", "1", "Zonewarden account id")
		zwDNS      = flag.String("zw-dns", "", "Zonewarden DNS `address` (host:port)")
		zwPID      = flag.Int("zw-pid", 0, "Zonewarden's process id, for its CPU time")
		pdnsURL    = flag.String("pdns", "", "PowerDNS API base `URL`")
		pdnsKey    = flag.String("pdns-key", "", "PowerDNS API key")
		pdnsDNS    = flag.String("pdns-dns", "", "PowerDNS DNS `address` (host:port)")
		pdnsPID    = flag.Int("pdns-pid", 0, "pdns_server's process id, for its CPU time")
		creates    = flag.Int("creates", 2000, "records created one request each, per run")
		clients    = flag.String("clients", "1,8", "comma-separated concurrent clients for the create runs")
		rounds     = flag.Int("rounds", 2, "rounds of the create and list runs; the table has the median")
		listN      = flag.Int("list-records", 9900, "records in the zone that is listed (0 skips the list runs)")
		batch      = flag.Int("batch", 2000, "records per request when loading the list zone")
		latWrites  = flag.Int("latency-writes", 200, "writes timed until the DNS answers them, on a small zone")
		latBig     = flag.Int("latency-writes-big", 50, "the same on the list zone (0 skips)")
		latTimeout = flag.Duration("latency-timeout", 10*time.Second, "give up waiting for one answer after this long")
		out        = flag.String("out", "", "also write the table to this file")
	)
	flag.Parse()
	if *zwURL == "" || *pdnsURL == "" || *zwDNS == "" || *pdnsDNS == "" {
		log.Fatal("api: -zw, -zw-dns, -pdns and -pdns-dns are required")
	}
	var cs []int
	for f := range strings.SplitSeq(*clients, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c < 1 {
			log.Fatalf("api: -clients %q: not a list of positive numbers", *clients)
		}
		cs = append(cs, c)
	}
	maxClients := slices.Max(cs)
	zw := newZonewarden(*zwURL, *zwToken, *zwAccount, *zwDNS, *zwPID, maxClients)
	pd := newPowerDNS(*pdnsURL, *pdnsKey, *pdnsDNS, *pdnsPID, maxClients)
	servers := []server{zw, pd}
	ctx := context.Background()
	t := &table{backend: *backend}
	run := time.Now().UTC().Format("150405")

	// Record creates, interleaved: each round runs every server at every
	// concurrency, the order of the servers alternating between rounds.
	for _, c := range cs {
		rate := map[string][]float64{}
		cpu := map[string][]float64{}
		lat := map[string][]time.Duration{}
		failed := map[string]float64{}
		lost := map[string]float64{}
		for r := range *rounds {
			for i := range servers {
				s := servers[(i+r)%len(servers)]
				z := fmt.Sprintf("c%d-r%d-%s.bench.test", c, r, run)
				res, err := createRun(ctx, s, z, *creates, c)
				if err != nil {
					log.Fatalf("api: %s: creates, %d clients: %v", s.name(), c, err)
				}
				log.Printf("%s: %d creates, %d clients: %.0f/s, %.2f ms CPU each, p50 %s p99 %s, %d 5xx retried, %d lost",
					s.name(), *creates, c, res.rate(), res.cpuPer(), res.p(50), res.p(99), res.failed, res.lost)
				rate[s.name()] = append(rate[s.name()], res.rate())
				cpu[s.name()] = append(cpu[s.name()], res.cpuPer())
				lat[s.name()] = append(lat[s.name()], res.lat...)
				failed[s.name()] += float64(res.failed)
				lost[s.name()] += float64(res.lost)
			}
		}
		t.add(fmt.Sprintf("record creates/s, %d client(s), %d records, one request each, lost ones not counted (median of %d)", c, *creates, *rounds),
			higher, median(rate[zw.name()]), median(rate[pd.name()]), "%.0f")
		t.add(fmt.Sprintf("server CPU per create, %d client(s) (ms)", c),
			lower, median(cpu[zw.name()]), median(cpu[pd.name()]), "%.2f")
		t.add(fmt.Sprintf("5xx answers retried; creates lost after %d tries, %d client(s), all rounds", maxTries, c),
			lower, failed[zw.name()], failed[pd.name()], "%.0f")
		t.rows[len(t.rows)-1].zw += fmt.Sprintf("; %.0f", lost[zw.name()])
		t.rows[len(t.rows)-1].pd += fmt.Sprintf("; %.0f", lost[pd.name()])
		t.rows[len(t.rows)-1].ratio = 0
		t.add(fmt.Sprintf("create request latency p50 / p99, %d client(s), retries included (ms)", c),
			lower, ms(pct(lat[zw.name()], 50)), ms(pct(lat[pd.name()], 50)), "%.1f",
			ms(pct(lat[zw.name()], 99)), ms(pct(lat[pd.name()], 99)))
	}

	// Write → DNS answer on a small zone, the writes of both servers
	// alternating.
	small := map[string]string{}
	for _, s := range servers {
		z := "lat-" + run + ".bench.test"
		if err := s.createZone(ctx, z); err != nil {
			log.Fatalf("api: %s: create zone %s: %v", s.name(), z, err)
		}
		small[s.name()] = z
	}
	lw, err := latencyRun(ctx, servers, small, *latWrites, *latTimeout)
	if err != nil {
		log.Fatalf("api: latency: %v", err)
	}
	t.addLatency(fmt.Sprintf("write→DNS answer, small zone, %d writes", *latWrites), lw, zw, pd)

	if *listN > 0 {
		big := "list-" + run + ".bench.test"
		load := map[string]time.Duration{}
		for _, s := range servers {
			d, err := loadZone(ctx, s, big, *listN, *batch)
			if err != nil {
				log.Fatalf("api: %s: load %d records: %v", s.name(), *listN, err)
			}
			log.Printf("%s: loaded %d records in %s", s.name(), *listN, d)
			load[s.name()] = d
		}
		t.add(fmt.Sprintf("load the list zone: %d records, %d per request (s)", *listN, *batch),
			lower, load[zw.name()].Seconds(), load[pd.name()].Seconds(), "%.1f")

		var zwPages, zwSorted, zwFile, pdGet []float64
		for r := range *rounds {
			steps := []func() error{
				func() error {
					d, n, err := timed(func() (int, error) { return zw.list(ctx, big) })
					log.Printf("zonewarden: listed %d records, %d pages, in %s", n, (n+99)/100, d)
					zwPages = append(zwPages, d.Seconds())
					return err
				},
				func() error {
					// Sorted by name, descending, and filtered by type: a
					// different order than the ids', every record matching.
					d, n, err := timed(func() (int, error) { return zw.listQuery(ctx, big, "&sort=name:desc&type=A") })
					log.Printf("zonewarden: listed %d A records by name descending in %s", n, d)
					zwSorted = append(zwSorted, d.Seconds())
					return err
				},
				func() error {
					d, n, err := timed(func() (int, error) { return zw.zoneFile(ctx, big) })
					log.Printf("zonewarden: zone file of %d lines in %s", n, d)
					zwFile = append(zwFile, d.Seconds())
					return err
				},
				func() error {
					d, n, err := timed(func() (int, error) { return pd.list(ctx, big) })
					log.Printf("powerdns: GET zone, %d records, in %s", n, d)
					pdGet = append(pdGet, d.Seconds())
					return err
				},
			}
			if r%2 == 1 {
				slices.Reverse(steps)
			}
			for _, step := range steps {
				if err := step(); err != nil {
					log.Fatalf("api: list: %v", err)
				}
			}
		}
		pg := median(pdGet)
		t.add(fmt.Sprintf("list the %d-record zone: Zonewarden GET …/records?per_page=100, every page; PowerDNS GET the zone (s, median of %d)", *listN, *rounds),
			lower, median(zwPages), pg, "%.2f")
		t.add(fmt.Sprintf("list the %d-record zone: Zonewarden GET …/records?per_page=100&sort=name:desc&type=A, every page; PowerDNS GET the zone (s, median of %d)", *listN, *rounds),
			lower, median(zwSorted), pg, "%.2f")
		t.add(fmt.Sprintf("list the %d-record zone: Zonewarden GET …/zones/{zone}/file; PowerDNS GET the zone (s)", *listN),
			lower, median(zwFile), pg, "%.2f")

		if *latBig > 0 {
			bigZones := map[string]string{zw.name(): big, pd.name(): big}
			lb, err := latencyRun(ctx, servers, bigZones, *latBig, *latTimeout)
			if err != nil {
				log.Fatalf("api: latency on the list zone: %v", err)
			}
			t.addLatency(fmt.Sprintf("write→DNS answer, the %d-record zone, %d writes", *listN, *latBig), lb, zw, pd)
		}
	}

	w := io.Writer(os.Stdout)
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			log.Fatalf("api: %v", err)
		}
		defer f.Close()
		w = io.MultiWriter(os.Stdout, f)
	}
	t.write(w)
}

// server is what the workload needs of an API: both implementations speak
// plain HTTP with the same client settings.
type server interface {
	name() string
	createZone(ctx context.Context, zone string) error
	// createRecord creates one A record in one request.
	createRecord(ctx context.Context, zone string, r record) error
	// createRecords creates many in one request.
	createRecords(ctx context.Context, zone string, rs []record) error
	// list reads every record of the zone and returns how many there were.
	list(ctx context.Context, zone string) (int, error)
	dnsAddr() string
	pid() int
}

type record struct {
	name string // relative to the zone
	ip   string
}

func hostRecord(prefix string, i int) record {
	return record{name: fmt.Sprintf("%s%d", prefix, i), ip: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}
}

type createResult struct {
	n      int
	dur    time.Duration
	cpu    time.Duration
	lat    []time.Duration
	failed int // 5xx answers, each retried
	lost   int // creates still failing after every try
}

func (r createResult) rate() float64   { return float64(r.n-r.lost) / r.dur.Seconds() }
func (r createResult) cpuPer() float64 { return ms(r.cpu) / float64(r.n) }
func (r createResult) p(q float64) time.Duration {
	return pct(r.lat, q).Round(10 * time.Microsecond)
}

// createRun creates n A records in a new zone, one request each, from c
// concurrent clients.
const maxTries = 100

func createRun(ctx context.Context, s server, zone string, n, c int) (createResult, error) {
	if err := s.createZone(ctx, zone); err != nil {
		return createResult{}, fmt.Errorf("create zone %s: %w", zone, err)
	}
	var next, failed, lost atomic.Int64
	var mu sync.Mutex
	var firstErr error
	lat := make([]time.Duration, n)
	cpu0 := cpuTime(s.pid())
	start := time.Now()
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				var err error
				// A 5xx is retried after 1-10 ms, up to maxTries in all, as
				// a client would: PowerDNS's gsqlite3 answers 500 "database
				// is locked" to concurrent writes. A create still failing
				// then is counted as lost, and the run goes on.
				for try := 1; ; try++ {
					err = s.createRecord(ctx, zone, hostRecord("h", i))
					var se *statusError
					if err == nil || !errors.As(err, &se) || se.status < 500 {
						break
					}
					if try == maxTries {
						lost.Add(1)
						err = nil
						break
					}
					if n := failed.Add(1); n == 1 || n%1000 == 0 {
						log.Printf("%s: %d failed creates retried so far; the last: %v", s.name(), n, err)
					}
					time.Sleep(time.Millisecond + time.Duration(rand.Int64N(int64(9*time.Millisecond))))
				}
				lat[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("record %d: %w", i, err)
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
			}
		})
	}
	wg.Wait()
	res := createResult{n: n, dur: time.Since(start), cpu: cpuTime(s.pid()) - cpu0, lat: lat, failed: int(failed.Load()), lost: int(lost.Load())}
	return res, firstErr
}

// loadZone creates zone with n A records, batch per request.
func loadZone(ctx context.Context, s server, zone string, n, batch int) (time.Duration, error) {
	if err := s.createZone(ctx, zone); err != nil {
		return 0, fmt.Errorf("create zone %s: %w", zone, err)
	}
	start := time.Now()
	for i := 0; i < n; i += batch {
		rs := make([]record, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			rs = append(rs, hostRecord("h", j))
		}
		if err := s.createRecords(ctx, zone, rs); err != nil {
			return 0, fmt.Errorf("records %d-%d: %w", i, i+len(rs)-1, err)
		}
	}
	return time.Since(start), nil
}

func timed(f func() (int, error)) (time.Duration, int, error) {
	start := time.Now()
	n, err := f()
	return time.Since(start), n, err
}

// cpuTime is the user and system time of process pid and its reaped
// children, from /proc/PID/stat; 0 when pid is 0 or unreadable.
func cpuTime(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	var ticks int64
	for _, k := range []int{11, 12, 13, 14} { // fields 14-17: utime stime cutime cstime
		v, _ := strconv.ParseInt(f[k], 10, 64)
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// pct is the q-th percentile of ds, nearest rank.
func pct(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q/100*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
