package interop

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The edge (`zonewarden edge`) as the secondary of a real Knot primary, which
// generates a catalog zone, and of a real NSD 4 primary, which has none:
// zones transferred with TSIG, changes arriving by NOTIFY and IXFR, a zone
// removed from the catalog dropped, a NOTIFY from a stranger refused, and a
// restart with the primary down answering from disk at once.

const (
	edgeKeyName   = "edge-key"
	edgeKeySecret = "ZWRnZS1rZXktc2VjcmV0LWZvci10aGUtaW50ZXJvcC10ZXN0cw=="
)

// proc is a process the test stops when it wants to, in its own group.
type proc struct {
	name, log string
	cmd       *exec.Cmd
	exited    chan struct{}
	once      sync.Once
}

func runProc(t *testing.T, name, dir string, argv ...string) *proc {
	t.Helper()
	p := &proc{name: name, log: filepath.Join(dir, name+".log"), exited: make(chan struct{})}
	logf, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { p.cmd.Wait(); logf.Close(); close(p.exited) }()
	t.Cleanup(p.stop)
	return p
}

// stop ends the process group: SIGTERM, then SIGKILL after 5 s.
func (p *proc) stop() {
	p.once.Do(func() {
		pgid := p.cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.exited
		}
		syscall.Kill(-pgid, syscall.SIGKILL)
	})
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 6000 {
		b = b[len(b)-6000:]
	}
	return fmt.Sprintf("--- %s log ---\n%s", p.name, b)
}

func (p *proc) ready(t *testing.T, addr string, origins ...string) {
	t.Helper()
	var zones []*corpusZone
	for _, o := range origins {
		zones = append(zones, &corpusZone{origin: o})
	}
	if err := waitReady(addr, zones, p.exited); err != nil {
		t.Fatalf("%s: %v\n%s", p.name, err, p.tail())
	}
}

// startEdge runs `zonewarden edge` of primary on addr, keeping zones in data.
func startEdge(t *testing.T, addr, data, primary string, extra ...string) *proc {
	t.Helper()
	bin := zonewardenBinary(t)
	args := append([]string{bin, "edge", "--listen", addr, "--data", data, "--primary", primary,
		"--tsig", edgeKeyName + ":hmac-sha256:" + edgeKeySecret, "--alias-upstream", "", "--log-level", "debug"}, extra...)
	return runProc(t, "edge", filepath.Dir(data), args...)
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exampleZone(origin string, serial uint32, extra string) string {
	return fmt.Sprintf("$ORIGIN %s\n$TTL 300\n@ SOA ns1 hostmaster %d 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.53\nwww A 192.0.2.1\n%s",
		origin, serial, extra)
}

// askUDP asks addr over UDP. Every server asked answers, so the timeout
// only ends a failing run; it is generous because a slow answer on a busy
// machine fails the test, even inside eventually.
func askUDP(t *testing.T, addr, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	r, _, err := (&dns.Client{Timeout: 5 * time.Second}).Exchange(m, addr)
	if err != nil {
		t.Fatalf("query %s %s at %s: %v", name, dns.TypeToString[qtype], addr, err)
	}
	return r
}

func servedSerial(t *testing.T, addr, origin string) int64 {
	r := askUDP(t, addr, origin, dns.TypeSOA)
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		return -int64(r.Rcode) - 1
	}
	return int64(r.Answer[0].(*dns.SOA).Serial)
}

func eventually(t *testing.T, what string, within time.Duration, cond func() bool, logs ...*proc) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			var b strings.Builder
			for _, p := range logs {
				b.WriteString(p.tail())
			}
			t.Fatalf("%s: not within %s\n%s", what, within, b.String())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// sameAnswers compares the answer sections of the edge and the primary.
func sameAnswers(t *testing.T, edge, primary string, names ...string) {
	t.Helper()
	for _, n := range names {
		for _, qt := range []uint16{dns.TypeA, dns.TypeSOA, dns.TypeNS} {
			a, b := askUDP(t, edge, n, qt), askUDP(t, primary, n, qt)
			if a.Rcode != b.Rcode || !a.Authoritative || fmt.Sprint(a.Answer) != fmt.Sprint(b.Answer) {
				t.Errorf("%s %s: edge %s %v, primary %s %v", n, dns.TypeToString[qt],
					dns.RcodeToString[a.Rcode], a.Answer, dns.RcodeToString[b.Rcode], b.Answer)
			}
		}
	}
}

// notifyFrom sends a NOTIFY for origin to addr from the local address src.
func notifyFrom(t *testing.T, src, addr, origin string) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetNotify(origin)
	c := &dns.Client{Timeout: time.Second, Dialer: &net.Dialer{LocalAddr: &net.UDPAddr{IP: net.ParseIP(src)}}}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("NOTIFY from %s: %v", src, err)
	}
	return r
}

func TestEdgeOfKnot(t *testing.T) {
	knotd := lookTool(t, "knotd")
	knotc := lookTool(t, "knotc")
	dir := t.TempDir()
	knotAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	edgeAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	_, knotPort, _ := net.SplitHostPort(knotAddr)
	_, edgePort, _ := net.SplitHostPort(edgeAddr)
	writeFile(t, filepath.Join(dir, "a.example.zone"), exampleZone("a.example.", 1, ""))
	writeFile(t, filepath.Join(dir, "b.example.zone"), exampleZone("b.example.", 10, "mail A 192.0.2.25\n"))
	conf := func(members ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `server:
    listen: 127.0.0.1@%[1]s
    rundir: %[2]q
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: %[2]q
control:
    listen: %[4]q
log:
  - target: stderr
    any: info
key:
  - id: %[5]s
    algorithm: hmac-sha256
    secret: %[6]s
remote:
  - id: edge
    address: 127.0.0.1@%[3]s
    key: %[5]s
acl:
  - id: edge
    key: %[5]s
    action: transfer
template:
  - id: default
    storage: %[2]q
    zonefile-sync: -1
    zonefile-load: difference
    journal-content: changes
    notify: edge
    acl: edge
zone:
  - domain: catalog.test.
    catalog-role: generate
`, knotPort, dir, edgePort, filepath.Join(dir, "knot.sock"), edgeKeyName, edgeKeySecret)
		for _, m := range members {
			fmt.Fprintf(&b, "  - domain: %s\n    file: %szone\n    catalog-role: member\n    catalog-zone: catalog.test.\n", m, m)
		}
		return b.String()
	}
	confPath := filepath.Join(dir, "knot.conf")
	writeFile(t, confPath, conf("a.example.", "b.example."))
	knot := runProc(t, "knot", dir, knotd, "-c", confPath)
	knot.ready(t, knotAddr, "a.example.", "b.example.") // Knot refuses queries to a catalog zone

	data := filepath.Join(t.TempDir(), "edge")
	edge := startEdge(t, edgeAddr, data, knotAddr, "--catalog", "catalog.test.")
	edge.ready(t, edgeAddr, "a.example.", "b.example.")
	sameAnswers(t, edgeAddr, knotAddr, "a.example.", "www.a.example.", "mail.b.example.", "nope.b.example.")

	// A change on the primary: Knot computes the difference, stores it in
	// its journal and sends NOTIFY; the edge fetches it by IXFR.
	writeFile(t, filepath.Join(dir, "a.example.zone"), exampleZone("a.example.", 2, "new A 192.0.2.2\n"))
	if out, err := exec.Command(knotc, "-c", confPath, "zone-reload", "a.example.").CombinedOutput(); err != nil {
		t.Fatalf("knotc zone-reload: %v\n%s", err, out)
	}
	// The SOA refresh is an hour: only NOTIFY brings the change within
	// the bound, which is wide because Knot, the edge and this test share a
	// possibly busy machine.
	eventually(t, "serial 2 of a.example. on the edge", 20*time.Second,
		func() bool { return servedSerial(t, edgeAddr, "a.example.") == 2 }, edge, knot)
	sameAnswers(t, edgeAddr, knotAddr, "new.a.example.", "www.a.example.")
	eventually(t, "the edge logs an IXFR of a.example. to serial 2", 10*time.Second, func() bool {
		log, _ := os.ReadFile(edge.log)
		return strings.Contains(string(log), `msg="zone transferred" component=secondary zone=a.example. type=ixfr serial=2`)
	}, edge)

	// NOTIFY from anyone but the primary, unsigned, is refused.
	if r := notifyFrom(t, "127.0.0.2", edgeAddr, "a.example."); r.Rcode != dns.RcodeRefused {
		t.Errorf("NOTIFY from 127.0.0.2: %s, want REFUSED", dns.RcodeToString[r.Rcode])
	}

	// A zone leaves the primary: the catalog changes, the edge drops it.
	writeFile(t, confPath, conf("a.example."))
	if out, err := exec.Command(knotc, "-c", confPath, "reload").CombinedOutput(); err != nil {
		t.Fatalf("knotc reload: %v\n%s", err, out)
	}
	eventually(t, "b.example. dropped by the edge", 10*time.Second,
		func() bool { return askUDP(t, edgeAddr, "b.example.", dns.TypeSOA).Rcode == dns.RcodeRefused }, edge, knot)
	if _, err := os.Stat(filepath.Join(data, "b.example.zone")); !os.IsNotExist(err) {
		t.Errorf("b.example. still on the edge's disk: %v", err)
	}

	// The primary goes away and the edge restarts: it answers from disk
	// at once.
	knot.stop()
	edge.stop()
	start := time.Now()
	edge2 := startEdge(t, edgeAddr, data, knotAddr, "--catalog", "catalog.test.")
	edge2.ready(t, edgeAddr, "a.example.")
	t.Logf("restarted edge answering from disk after %s", time.Since(start).Round(time.Millisecond))
	if got := servedSerial(t, edgeAddr, "a.example."); got != 2 {
		t.Errorf("restarted edge serves serial %d of a.example., want 2", got)
	}
	if r := askUDP(t, edgeAddr, "new.a.example.", dns.TypeA); len(r.Answer) != 1 {
		t.Errorf("new.a.example. from disk:\n%s", r)
	}
	if r := askUDP(t, edgeAddr, "b.example.", dns.TypeSOA); r.Rcode != dns.RcodeRefused {
		t.Errorf("b.example. came back after the restart: %s", dns.RcodeToString[r.Rcode])
	}
}

func TestEdgeOfNSD(t *testing.T) {
	nsd := lookTool(t, "nsd")
	dir := t.TempDir()
	nsdAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	edgeAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	_, nsdPort, _ := net.SplitHostPort(nsdAddr)
	_, edgePort, _ := net.SplitHostPort(edgeAddr)
	writeFile(t, filepath.Join(dir, "a.example.zone"), exampleZone("a.example.", 1, ""))
	writeFile(t, filepath.Join(dir, "b.example.zone"), exampleZone("b.example.", 10, "mail A 192.0.2.25\n"))
	var conf strings.Builder
	fmt.Fprintf(&conf, `server:
	ip-address: 127.0.0.1@%[1]s
	port: %[1]s
	do-ip6: no
	server-count: 1
	reuseport: no
	username: ""
	chroot: ""
	zonesdir: %[2]q
	pidfile: %[3]q
	database: ""
	zonelistfile: %[4]q
	xfrdfile: %[5]q
	xfrdir: %[2]q
	verbosity: 2
remote-control:
	control-enable: no
key:
	name: %[6]s
	algorithm: hmac-sha256
	secret: %[7]q
`, nsdPort, dir, filepath.Join(dir, "nsd.pid"), filepath.Join(dir, "zone.list"), filepath.Join(dir, "xfrd.state"),
		edgeKeyName, edgeKeySecret)
	for _, z := range []string{"a.example.", "b.example."} {
		fmt.Fprintf(&conf, "zone:\n\tname: %q\n\tzonefile: %q\n\tprovide-xfr: 127.0.0.1 %s\n\tnotify: 127.0.0.1@%s %s\n",
			z, z+"zone", edgeKeyName, edgePort, edgeKeyName)
	}
	confPath := filepath.Join(dir, "nsd.conf")
	writeFile(t, confPath, conf.String())
	if out, err := exec.Command(lookTool(t, "nsd-checkconf"), confPath).CombinedOutput(); err != nil {
		t.Fatalf("nsd-checkconf: %v\n%s", err, out)
	}
	primary := runProc(t, "nsd", dir, nsd, "-d", "-c", confPath)
	primary.ready(t, nsdAddr, "a.example.", "b.example.")

	data := filepath.Join(t.TempDir(), "edge")
	edge := startEdge(t, edgeAddr, data, nsdAddr, "--zones", "a.example.,b.example.")
	edge.ready(t, edgeAddr, "a.example.", "b.example.")
	sameAnswers(t, edgeAddr, nsdAddr, "a.example.", "www.a.example.", "mail.b.example.", "nope.b.example.")

	// NSD reloads changed zone files on SIGHUP and notifies the edge.
	writeFile(t, filepath.Join(dir, "b.example.zone"), exampleZone("b.example.", 11, "mail A 192.0.2.26\n"))
	syscall.Kill(primary.cmd.Process.Pid, syscall.SIGHUP)
	eventually(t, "serial 11 of b.example. on the edge", 20*time.Second,
		func() bool { return servedSerial(t, edgeAddr, "b.example.") == 11 }, edge, primary)
	sameAnswers(t, edgeAddr, nsdAddr, "mail.b.example.")
	if r := notifyFrom(t, "127.0.0.2", edgeAddr, "b.example."); r.Rcode != dns.RcodeRefused {
		t.Errorf("NOTIFY from 127.0.0.2: %s, want REFUSED", dns.RcodeToString[r.Rcode])
	}
}
