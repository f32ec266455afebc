package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"
	"github.com/miekg/dns"
)

// The edge fleet's faults, with real processes on loopback: `zonewarden
// serve` as the primary, three `zonewarden edge` processes consuming its
// catalog. The primary goes down and comes back, an edge is killed while a
// change reaches it, a domain is deleted, and an edge with a wrong key is
// refused.

const fleetCatalog = "catalog.zonewarden.invalid."

// freeAddr is a 127.0.0.1 address free for UDP and TCP, for processes that
// must know each other's addresses before they start.
func freeAddr(t *testing.T) string {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		u, err := net.ListenPacket("udp", addr)
		l.Close()
		if err == nil {
			u.Close()
			return addr
		}
	}
	t.Fatal("no address free for UDP and TCP")
	return ""
}

// runCommand runs the binary to completion and returns its stdout.
func runCommand(t *testing.T, bin string, args ...string) string {
	t.Helper()
	c := exec.Command(bin, args...)
	c.Env = environ()
	out, err := c.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("zonewarden %q: %v\n%s", args, err, msg)
	}
	return string(out)
}

type fleet struct {
	t       *testing.T
	bin     string
	data    string // the primary's
	dnsAddr string
	http    string
	edges   []string // DNS addresses
	key     string
	client  *dnsimple.Client
	account string
}

func (f *fleet) startPrimary() *process {
	f.t.Helper()
	p := startProcess(f.t, f.bin, "serve", "--http", f.http, "--dns", f.dnsAddr, "--data", f.data,
		"--nameservers", "ns1.example.net,ns2.example.net", "--alias-upstream", "", "--log-format", "json",
		"--edges", strings.Join(f.edges, ","), "--notify-key", "edge1", "--catalog", fleetCatalog)
	p.waitLog(f.t, "serving")
	return p
}

func (f *fleet) startEdge(i int, key string) *process {
	f.t.Helper()
	return f.started(startProcess(f.t, f.bin, "edge", "--primary", f.dnsAddr, "--tsig", key, "--catalog", fleetCatalog,
		"--data", filepath.Join(f.t.TempDir(), "edge"+strconv.Itoa(i)), "--listen", f.edges[i],
		"--alias-upstream", "", "--log-format", "json"))
}

// started waits until the edge serves DNS.
func (f *fleet) started(p *process) *process {
	f.t.Helper()
	p.waitLog(f.t, "serving DNS")
	return p
}

func (f *fleet) startEdgeIn(i int, dir string) *process {
	f.t.Helper()
	return f.started(startProcess(f.t, f.bin, "edge", "--primary", f.dnsAddr, "--tsig", f.key, "--catalog", fleetCatalog,
		"--data", dir, "--listen", f.edges[i], "--alias-upstream", "", "--log-format", "json"))
}

func (f *fleet) record(domain, name, ip string) {
	f.t.Helper()
	if _, err := f.client.Zones.CreateRecord(context.Background(), f.account, domain, dnsimple.ZoneRecordAttributes{
		Name: dnsimple.String(name), Type: "A", Content: ip, TTL: 60}); err != nil {
		f.t.Fatal(err)
	}
}

// everywhere waits until every edge answers name A with ip.
func (f *fleet) everywhere(name, ip string, within time.Duration) {
	f.t.Helper()
	for _, e := range f.edges {
		waitAnswer(f.t, e, name, dns.TypeA, within, name+"\t60\tIN\tA\t"+ip)
	}
}

func TestEdgeFleetFaults(t *testing.T) {
	bin := buildBinary(t)
	f := &fleet{t: t, bin: bin, data: filepath.Join(t.TempDir(), "primary"), dnsAddr: freeAddr(t), http: freeAddr(t)}
	for range 3 {
		f.edges = append(f.edges, freeAddr(t))
	}
	// The key the edges use, and the user whose token writes.
	f.key = strings.TrimSpace(runCommand(t, bin, "tsig", "add", "edge1", "--data", f.data))
	runCommandStdin(t, bin, "password for the fleet\n", "admin", "create-user", "--email", "fleet@example.com", "--password-stdin", "--data", f.data)
	var tok struct {
		AccountID int64  `json:"account_id"`
		Token     string `json:"token"`
	}
	if err := json.Unmarshal([]byte(runCommand(t, bin, "admin", "create-token", "--email", "fleet@example.com", "--name", "fleet", "--data", f.data)), &tok); err != nil {
		t.Fatal(err)
	}
	f.client = dnsimple.NewClient(dnsimple.StaticTokenHTTPClient(context.Background(), tok.Token))
	f.client.BaseURL = "http://" + f.http
	f.account = strconv.FormatInt(tok.AccountID, 10)

	primary := f.startPrimary()
	ctx := context.Background()
	for _, d := range []string{"a.example", "b.example"} {
		if _, err := f.client.Domains.CreateDomain(ctx, f.account, dnsimple.Domain{Name: d}); err != nil {
			t.Fatal(err)
		}
	}
	f.record("a.example", "www", "192.0.2.1")
	edges := []*process{f.startEdge(0, f.key), nil, nil}
	edgeDirs := []string{"", filepath.Join(t.TempDir(), "edge1"), filepath.Join(t.TempDir(), "edge2")}
	edges[1] = f.startEdgeIn(1, edgeDirs[1])
	edges[2] = f.startEdgeIn(2, edgeDirs[2])
	f.everywhere("www.a.example.", "192.0.2.1", 10*time.Second)
	for _, e := range f.edges {
		waitRcode(t, e, "b.example.", dns.TypeSOA, 5*time.Second, dns.RcodeSuccess)
	}

	// A write reaches every edge by NOTIFY and IXFR.
	start := time.Now()
	f.record("a.example", "api", "192.0.2.2")
	f.everywhere("api.a.example.", "192.0.2.2", 10*time.Second) // the SOA refresh is a day: only NOTIFY gets it there
	t.Logf("API write answered by 3 edges after %s", time.Since(start).Round(time.Millisecond))

	// Primary down: the edges keep answering.
	primary.terminate(t)
	time.Sleep(300 * time.Millisecond)
	f.everywhere("api.a.example.", "192.0.2.2", 0)

	// Primary back: a write made now reaches every edge.
	primary = f.startPrimary()
	f.record("a.example", "back", "192.0.2.3")
	f.everywhere("back.a.example.", "192.0.2.3", 5*time.Second)

	// An edge killed (SIGKILL) while a change is on its way restarts
	// serving the last zone it holds and converges.
	f.record("b.example", "kill", "192.0.2.4")
	edges[1].cmd.Process.Signal(syscall.SIGKILL)
	<-edges[1].exited
	start = time.Now()
	edges[1] = f.startEdgeIn(1, edgeDirs[1])
	waitRcode(t, f.edges[1], "www.a.example.", dns.TypeA, 10*time.Second, dns.RcodeSuccess)
	t.Logf("killed edge answering again %s after its restart", time.Since(start).Round(time.Millisecond))
	waitAnswer(t, f.edges[1], "kill.b.example.", dns.TypeA, 5*time.Second, "kill.b.example.\t60\tIN\tA\t192.0.2.4")
	if entries, _ := os.ReadDir(edgeDirs[1]); len(entries) == 0 {
		t.Error("the killed edge's data directory is empty")
	}

	// A domain deleted on the primary disappears from every edge, and
	// from its disk.
	if _, err := f.client.Domains.DeleteDomain(ctx, f.account, "b.example"); err != nil {
		t.Fatal(err)
	}
	for _, e := range f.edges {
		waitRcode(t, e, "b.example.", dns.TypeSOA, 5*time.Second, dns.RcodeRefused)
	}
	for _, dir := range edgeDirs[1:] {
		if _, err := os.Stat(filepath.Join(dir, "b.example.zone")); !os.IsNotExist(err) {
			t.Errorf("b.example.zone in %s after the domain was deleted: %v", dir, err)
		}
	}

	// An edge with the wrong secret is refused, and both sides log it.
	name, _, _ := strings.Cut(f.key, ":")
	drainLogs(primary) // the log channel drops lines once full
	wrong := startProcess(t, bin, "edge", "--primary", f.dnsAddr, "--tsig", name+":hmac-sha256:"+"d3Jvbmcgc2VjcmV0IHdyb25nIHNlY3JldCB3cm9uZyBzZWNyZXQ=",
		"--catalog", fleetCatalog, "--data", filepath.Join(t.TempDir(), "wrong"), "--listen", freeAddr(t),
		"--alias-upstream", "", "--log-format", "json")
	rec := wrong.waitLog(t, "zone refresh failed")
	if msg := fmt.Sprint(rec["err"]); !strings.Contains(msg, "TSIG") {
		t.Errorf("the wrong key's failure says %q, nothing of TSIG", msg)
	}
	rec = primary.waitLog(t, "tsig check failed")
	if fmt.Sprint(rec["error"]) != "BADSIG" {
		t.Errorf("primary logged %v, want BADSIG", rec)
	}
	if strings.Contains(fmt.Sprint(rec), f.key[strings.LastIndex(f.key, ":")+1:]) {
		t.Error("the secret is in the primary's log")
	}
}

func runCommandStdin(t *testing.T, bin, stdin string, args ...string) string {
	t.Helper()
	c := exec.Command(bin, args...)
	c.Env = environ()
	c.Stdin = strings.NewReader(stdin)
	out, err := c.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("zonewarden %q: %v\n%s", args, err, msg)
	}
	return string(out)
}

// drainLogs discards the log lines p has sent so far.
func drainLogs(p *process) {
	for {
		select {
		case <-p.logs:
		default:
			return
		}
	}
}
