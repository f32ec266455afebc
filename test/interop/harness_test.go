// Package interop is the differential test of the DNS engine: the zone
// corpus in testdata/zones served by Knot, NSD and zonewarden on loopback,
// the same questions asked of each, the answers compared section by section.
// DIFFERENCES.md lists the deliberate differences and how to run it.
package interop

import (
	"bytes"
	"errors"
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

// server is a name server process started by the test on loopback.
type server struct {
	name string
	addr string // 127.0.0.1:port, UDP and TCP
	log  string // path of its combined stdout and stderr
}

// unavailable skips the test, or fails it under CI, where a missing server
// must not turn the suite into a silent no-op.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI is set, so this is a failure, not a skip)", msg)
	}
	t.Skip(msg)
}

func lookTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		// Debian installs daemons in sbin, which is not always in PATH.
		for _, dir := range []string{"/usr/sbin", "/usr/local/sbin"} {
			if p := filepath.Join(dir, name); isExecutable(p) {
				return p
			}
		}
		unavailable(t, "%s not found: install the Debian package (nsd, knot)", name)
	}
	return path
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// freePort returns a port free for both UDP and TCP on 127.0.0.1. The servers
// under test take addresses on their command line or in a config file, so
// they cannot listen on :0 themselves.
func freePort(t testing.TB) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("find a free port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("find a free port: no port free for both UDP and TCP")
	return 0
}

// start runs argv in its own process group so that cleanup reaches the
// workers NSD and Knot fork, and waits until every zone answers its SOA.
func start(t testing.TB, name, addr, dir string, zones []*corpusZone, argv ...string) *server {
	t.Helper()
	s := &server{name: name, addr: addr, log: filepath.Join(dir, name+".log")}
	logf, err := os.Create(s.log)
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); logf.Close(); close(exited) }()
	t.Cleanup(func() {
		pgid := cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
		}
		// Stragglers in the group (NSD's workers) after the leader exited.
		syscall.Kill(-pgid, syscall.SIGKILL)
	})
	if err := waitReady(addr, zones, exited); err != nil {
		select {
		case <-exited:
			err = fmt.Errorf("%w (exited: %v)", err, waitErr)
		default:
		}
		t.Fatalf("start %s: %v\n%s", name, err, s.tail())
	}
	return s
}

func waitReady(addr string, zones []*corpusZone, exited <-chan struct{}) error {
	c := &dns.Client{Net: "udp", Timeout: 200 * time.Millisecond}
	deadline := time.Now().Add(15 * time.Second)
	pending := append([]*corpusZone(nil), zones...)
	var last error
	for len(pending) > 0 {
		select {
		case <-exited:
			return errors.New("server exited before it was ready")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("zone %s not served after 15s: %w", pending[0].origin, last)
		}
		m := new(dns.Msg)
		m.SetQuestion(pending[0].origin, dns.TypeSOA)
		r, _, err := c.Exchange(m, addr)
		switch {
		case err != nil:
			last = err
		case r.Rcode != dns.RcodeSuccess || !r.Authoritative || len(r.Answer) != 1:
			last = fmt.Errorf("SOA answered %s aa=%t", dns.RcodeToString[r.Rcode], r.Authoritative)
		default:
			pending = pending[1:]
			continue
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

func (s *server) tail() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return fmt.Sprintf("--- %s log (%s) ---\n%s", s.name, s.log, b)
}

// startNSD serves the corpus from NSD 4. minimal-responses keeps NSD from
// adding the zone's NS RRset to positive answers; RRL is off because the
// suite sends far more than its default 200 queries per second.
func startNSD(t testing.TB, c *corpus) *server {
	t.Helper()
	bin := lookTool(t, "nsd")
	dir := t.TempDir()
	port := freePort(t)
	var conf strings.Builder
	fmt.Fprintf(&conf, `server:
	ip-address: 127.0.0.1@%[1]d
	port: %[1]d
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
	xfrdir: %[6]q
	verbosity: 1
	minimal-responses: yes
	refuse-any: no
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
	hide-version: yes
	hide-identity: no
remote-control:
	control-enable: no
`, port, c.dir, filepath.Join(dir, "nsd.pid"), filepath.Join(dir, "zone.list"),
		filepath.Join(dir, "xfrd.state"), dir)
	for _, z := range c.zones {
		fmt.Fprintf(&conf, "zone:\n\tname: %q\n\tzonefile: %q\n", z.origin, z.file)
	}
	confPath := filepath.Join(dir, "nsd.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(lookTool(t, "nsd-checkconf"), confPath).CombinedOutput(); err != nil {
		t.Fatalf("nsd-checkconf: %v\n%s\n%s", err, out, conf.String())
	}
	return start(t, "nsd", fmt.Sprintf("127.0.0.1:%d", port), dir, c.zones, bin, "-d", "-c", confPath)
}

// startKnot serves the corpus from Knot DNS 3. It must never write back to
// testdata, hence no journal and no zone file sync.
func startKnot(t testing.TB, c *corpus) *server {
	t.Helper()
	bin := lookTool(t, "knotd")
	dir := t.TempDir()
	port := freePort(t)
	var conf strings.Builder
	fmt.Fprintf(&conf, `server:
    listen: 127.0.0.1@%[1]d
    rundir: %[2]q
    pidfile: %[3]q
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
    version: ""
database:
    storage: %[2]q
log:
  - target: stderr
    any: notice
template:
  - id: default
    storage: %[4]q
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
`, port, dir, filepath.Join(dir, "knot.pid"), c.dir)
	for _, z := range c.zones {
		fmt.Fprintf(&conf, "  - domain: %q\n    file: %q\n", z.origin, z.file)
	}
	confPath := filepath.Join(dir, "knot.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return start(t, "knot", fmt.Sprintf("127.0.0.1:%d", port), dir, c.zones, bin, "-c", confPath)
}

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// startZonewarden builds cmd/zonewarden once per test binary and serves the
// corpus with its standalone mode, the CLI contract:
//
//	zonewarden dns --listen ADDR --zones DIR
func startZonewarden(t testing.TB, c *corpus) *server {
	t.Helper()
	bin := zonewardenBinary(t)
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	return start(t, "zonewarden", addr, dir, c.zones, bin, "dns", "--listen", addr, "--zones", c.dir)
}

// zonewardenBinary builds cmd/zonewarden once per test binary.
func zonewardenBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "zonewarden-interop-")
		if err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(dir, "zonewarden")
		root, err := filepath.Abs("../..")
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command("go", "build", "-o", buildBin, "./cmd/zonewarden")
		cmd.Dir = root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/zonewarden: %w\n%s", err, out.Bytes())
		}
	})
	if buildErr != nil {
		unavailable(t, "zonewarden binary unavailable: %v", buildErr)
	}
	return buildBin
}
