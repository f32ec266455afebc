// Command edge is the zone distribution benchmark of issue 5: one primary
// (`zonewarden serve`) and three edges (`zonewarden edge`) on loopback, with
// N zones: the time for a fresh edge to load every zone, API write → every
// edge answering the new record (p50/p99), bytes on the wire per change
// (IXFR, against AXFR of the same zone), and the memory of each edge. Run it
// through bench/edge/run.sh.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/tsig"
)

var (
	bin     = flag.String("bin", "", "zonewarden binary")
	work    = flag.String("dir", "", "working directory (data, logs)")
	zones   = flag.Int("zones", 10000, "zones hosted")
	writes  = flag.Int("writes", 1000, "API writes timed")
	clients = flag.Int("clients", 8, "concurrent clients creating the zones")
)

func main() {
	flag.Parse()
	if *bin == "" || *work == "" {
		log.Fatal("-bin and -dir are required")
	}
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func start(name string, args ...string) *proc {
	logf, err := os.Create(filepath.Join(*work, name+".log"))
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(*bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(p.done) }()
	return p
}

func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

func freeAddr() string {
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		a := l.Addr().String()
		u, err := net.ListenPacket("udp", a)
		l.Close()
		if err == nil {
			u.Close()
			return a
		}
	}
}

func output(stdin string, args ...string) string {
	cmd := exec.Command(*bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("zonewarden %v: %v\n%s", args, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// api posts JSON with the token.
type api struct {
	base, token, account string
	c                    *http.Client
}

func (a *api) post(path string, body any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", a.base+"/v2/"+a.account+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return fmt.Errorf("POST %s: %s %s", path, resp.Status, msg)
	}
	io.Copy(io.Discard, resp.Body)
	return nil
}

// metrics reads an edge's /metrics: the sums of the named series.
func metrics(addr string) map[string]float64 {
	out := map[string]float64{}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		key := line[:i]
		switch {
		case key == `zonewarden_secondary_zones{state="held"}`, key == "process_resident_memory_bytes", key == "go_memstats_heap_inuse_bytes":
			out[key] = v
		case strings.HasPrefix(key, "zonewarden_secondary_zone_transfer_bytes_total{"):
			out["bytes"] += v
		case strings.HasPrefix(key, "zonewarden_secondary_zone_transfers_total{") && strings.Contains(key, `type="ixfr"`):
			out["ixfr"] += v
		case strings.HasPrefix(key, "zonewarden_secondary_zone_transfers_total{") && strings.Contains(key, `type="axfr"`):
			out["axfr"] += v
		}
	}
	return out
}

func zoneName(i int) string { return fmt.Sprintf("z%05d.example", i) }

func run() error {
	data := filepath.Join(*work, "primary")
	key := output("", "tsig", "add", "edge", "--data", data)
	output("bench password\n", "admin", "create-user", "--email", "bench@example.com", "--password-stdin", "--data", data)
	var tok struct {
		AccountID int64  `json:"account_id"`
		Token     string `json:"token"`
	}
	if err := json.Unmarshal([]byte(output("", "admin", "create-token", "--email", "bench@example.com", "--name", "bench", "--data", data)), &tok); err != nil {
		return err
	}
	httpAddr, dnsAddr := freeAddr(), freeAddr()
	edges := []string{freeAddr(), freeAddr(), freeAddr()}
	edgeMetrics := []string{freeAddr(), freeAddr(), freeAddr()}
	a := &api{base: "http://" + httpAddr, token: tok.Token, account: strconv.FormatInt(tok.AccountID, 10),
		c: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: time.Minute}}
	serveArgs := []string{"serve", "--http", httpAddr, "--dns", dnsAddr, "--data", data, "--rate-limit", "-1",
		"--alias-upstream", "", "--log-level", "warn", "--nameservers", "ns1.example.net,ns2.example.net"}
	waitHTTP := func() {
		for range 600 {
			if resp, err := http.Get("http://" + httpAddr + "/healthz"); err == nil {
				resp.Body.Close()
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		log.Fatal("serve did not start")
	}

	// The zones, made through the API before any edge exists.
	primary := start("primary-load", serveArgs...)
	waitHTTP()
	t0 := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range *clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= *zones {
					return
				}
				if err := a.post("/domains", map[string]string{"name": zoneName(i)}); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	fmt.Printf("created %d zones through the API in %s\n", *zones, time.Since(t0).Round(time.Millisecond))
	primary.stop()

	primary = start("primary", append(serveArgs, "--edges", strings.Join(edges, ","), "--notify-key", "edge")...)
	defer primary.stop()
	waitHTTP()

	// Three fresh edges: time until each holds every zone.
	t0 = time.Now()
	var procs []*proc
	for i := range edges {
		p := start(fmt.Sprintf("edge%d", i), "edge", "--primary", dnsAddr, "--tsig", key, "--catalog", "catalog.zonewarden.invalid.",
			"--data", filepath.Join(*work, fmt.Sprintf("edge%d", i)), "--listen", edges[i], "--metrics", edgeMetrics[i],
			"--alias-upstream", "", "--log-level", "warn")
		procs = append(procs, p)
		defer p.stop()
	}
	loaded := make([]time.Duration, len(edges))
	for i := range edges {
		for metrics(edgeMetrics[i])[`zonewarden_secondary_zones{state="held"}`] < float64(*zones) {
			if time.Since(t0) > 30*time.Minute {
				return errors.New("edges did not load every zone in 30 minutes")
			}
			// Not more often: a scrape of 10,000 zones' series costs the edge
			// time it would rather spend loading.
			time.Sleep(time.Second)
		}
		loaded[i] = time.Since(t0)
	}
	fmt.Printf("fresh edges holding all %d zones (3 started together): %v\n", *zones, loaded)
	before := make([]map[string]float64, len(edges))
	for i := range edges {
		before[i] = metrics(edgeMetrics[i])
	}

	// Writes: API POST → every edge answers the record.
	c := &dns.Client{Timeout: 500 * time.Millisecond}
	var lat, primLat []time.Duration
	for w := range *writes {
		zn := zoneName(w * 7919 % *zones)
		name := fmt.Sprintf("w%d", w)
		ip := fmt.Sprintf("198.51.%d.%d", w/250, w%250+1)
		start := time.Now()
		if err := a.post("/zones/"+zn+"/records", map[string]any{"name": name, "type": "A", "content": ip, "ttl": 60}); err != nil {
			return err
		}
		for j, e := range append([]string{dnsAddr}, edges...) {
			if j == 1 {
				primLat = append(primLat, time.Since(start))
			}
			m := new(dns.Msg)
			m.SetQuestion(name+"."+zn+".", dns.TypeA)
			for {
				r, _, err := c.Exchange(m, e)
				if err == nil && len(r.Answer) == 1 {
					break
				}
				if time.Since(start) > 10*time.Second {
					return fmt.Errorf("%s.%s not on edge %s after 10s", name, zn, e)
				}
				time.Sleep(500 * time.Microsecond)
			}
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	slices.Sort(primLat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	ppct := func(p float64) time.Duration { return primLat[min(len(primLat)-1, int(p*float64(len(primLat))))] }
	fmt.Printf("API write → the primary's own DNS answers, same writes: p50 %s  p90 %s  p99 %s\n",
		ppct(0.5).Round(10*time.Microsecond), ppct(0.9).Round(10*time.Microsecond), ppct(0.99).Round(10*time.Microsecond))
	fmt.Printf("API write → all 3 edges answer, %d writes: p50 %s  p90 %s  p99 %s  max %s\n", len(lat),
		pct(0.5).Round(10*time.Microsecond), pct(0.9).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))

	for i := range edges {
		m := metrics(edgeMetrics[i])
		dIXFR, dAXFR, dBytes := m["ixfr"]-before[i]["ixfr"], m["axfr"]-before[i]["axfr"], m["bytes"]-before[i]["bytes"]
		fmt.Printf("edge%d: initial AXFRs %.0f, %.0f bytes (%.0f per zone); during the writes %.0f IXFR + %.0f AXFR, %.0f bytes (%.0f per transfer); RSS %.1f MiB, heap in use %.1f MiB\n",
			i, before[i]["axfr"], before[i]["bytes"], before[i]["bytes"]/max(1, before[i]["axfr"]),
			dIXFR, dAXFR, dBytes, dBytes/max(1, dIXFR+dAXFR),
			m["process_resident_memory_bytes"]/(1<<20), m["go_memstats_heap_inuse_bytes"]/(1<<20))
	}
	// The same change as an AXFR, for comparison: the whole written zone.
	axfrBytes, err := transferSize(dnsAddr, zoneName(0), key)
	if err != nil {
		return err
	}
	fmt.Printf("AXFR of a written zone (%s): %d bytes on the wire\n", zoneName(0), axfrBytes)

	// A zone of 1,000 records: one change by IXFR against the zone by AXFR.
	big := "big.example"
	if err := a.post("/domains", map[string]string{"name": big}); err != nil {
		return err
	}
	var creates []map[string]any
	for i := range 1000 {
		creates = append(creates, map[string]any{"name": fmt.Sprintf("h%d", i), "type": "A", "content": fmt.Sprintf("10.0.%d.%d", i/250, i%250+1), "ttl": 60})
	}
	if err := a.post("/zones/"+big+"/batch", map[string]any{"creates": creates}); err != nil {
		return err
	}
	bigBytes := func() float64 {
		return metricValue(edgeMetrics[1], `zonewarden_secondary_zone_transfer_bytes_total{zone="big.example."}`)
	}
	for bigBytes() == 0 || !answers(c, edges[1], "h999.big.example.") {
		time.Sleep(50 * time.Millisecond)
	}
	b0 := bigBytes()
	if err := a.post("/zones/"+big+"/records", map[string]any{"name": "one-more", "type": "A", "content": "10.9.9.9", "ttl": 60}); err != nil {
		return err
	}
	for !answers(c, edges[1], "one-more.big.example.") {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the counter follows the answer
	bigAXFR, err := transferSize(dnsAddr, big, key)
	if err != nil {
		return err
	}
	fmt.Printf("1,001-record zone, one record added: IXFR %.0f bytes on the wire, AXFR %d bytes\n", bigBytes()-b0, bigAXFR)

	// Restart of one edge from disk, primary up.
	procs[0].stop()
	t0 = time.Now()
	p := start("edge0-restart", "edge", "--primary", dnsAddr, "--tsig", key, "--catalog", "catalog.zonewarden.invalid.",
		"--data", filepath.Join(*work, "edge0"), "--listen", edges[0], "--metrics", edgeMetrics[0], "--alias-upstream", "", "--log-level", "warn")
	defer p.stop()
	last := zoneName(*zones-1) + "."
	for {
		m := new(dns.Msg)
		m.SetQuestion(last, dns.TypeSOA)
		if r, _, err := c.Exchange(m, edges[0]); err == nil && r.Rcode == dns.RcodeSuccess {
			break
		}
		if time.Since(t0) > 5*time.Minute {
			return errors.New("restarted edge not answering")
		}
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Printf("edge restarted from disk answering for all %d zones after %s\n", *zones, time.Since(t0).Round(time.Millisecond))
	return nil
}

// transferSize is the bytes received in an AXFR of zone.
func transferSize(addr, zoneName, key string) (int64, error) {
	k, err := tsig.ParseKey(key)
	if err != nil {
		return 0, err
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	cc := &countConn{Conn: conn}
	m := new(dns.Msg)
	m.SetAxfr(zoneName + ".")
	tr := &dns.Transfer{Conn: &dns.Conn{Conn: cc}, TsigSecret: k.Prepare(m)}
	ch, err := tr.In(m, addr)
	if err != nil {
		return 0, err
	}
	for env := range ch {
		if env.Error != nil {
			return 0, env.Error
		}
	}
	return cc.n, nil
}

type countConn struct {
	net.Conn
	n int64
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n += int64(n)
	return n, err
}

func answers(c *dns.Client, addr, name string) bool {
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	r, _, err := c.Exchange(m, addr)
	return err == nil && len(r.Answer) > 0
}

// metricValue is one series' value in an edge's /metrics, 0 when absent.
func metricValue(addr, series string) float64 {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}
