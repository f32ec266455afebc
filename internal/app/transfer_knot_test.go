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

// TestKnotCatalogSecondary runs a real `zonewarden serve` as the primary of
// Knot DNS, configured as a catalog-consuming secondary (catalog-role
// interpret) with TSIG and nothing else about our zones: Knot serves every
// zone of the catalog, takes a record created through the API after our
// NOTIFY, and drops a deleted domain. kdig checks AXFR and IXFR with the
// right key, a wrong one and none.
func TestKnotCatalogSecondary(t *testing.T) {
	bin := buildBinary(t)
	knotd := lookDaemon(t, "knotd")
	kdig := lookDaemon(t, "kdig")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")

	keyLine := runTool(t, bin, "tsig", "add", "knot-edge", "--data", data)
	name, alg, secret := splitKey(t, keyLine)
	knotPort := freePort(t)
	knotAddr := fmt.Sprintf("127.0.0.1:%d", knotPort)

	p := startProcess(t, bin, "serve", "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--data", data,
		"--alias-upstream", "", "--log-format", "json", "--transfer-allow", "knot-edge", "--edges", knotAddr)
	rec := p.waitLog(t, "serving")
	httpURL, _ := rec["http"].(string)
	primary, _ := rec["udp"].(string)
	c, acc := apiClient(t, bin, data, httpURL)
	ctx := context.Background()
	for _, d := range []string{"a.example", "b.example"} {
		if _, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: d}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Zones.CreateRecord(ctx, acc, "a.example", dnsimple.ZoneRecordAttributes{
		Name: dnsimple.String("www"), Type: "A", Content: "192.0.2.10", TTL: 300}); err != nil {
		t.Fatal(err)
	}
	bigZone(t, c, acc) // a transfer of several messages, each signed

	host, port, _ := net.SplitHostPort(primary)
	conf := fmt.Sprintf(`server:
    listen: %[1]s@%[2]d
    rundir: %[3]q
    pidfile: %[10]q
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: %[3]q
log:
  - target: stderr
    any: info
key:
  - id: %[4]s
    algorithm: %[5]s
    secret: %[6]s
remote:
  - id: zonewarden
    address: %[7]s@%[8]s
    key: %[4]s
acl:
  - id: notify-from-zonewarden
    address: %[7]s
    action: notify
template:
  - id: default
    storage: %[3]q
    zonefile-sync: -1
    journal-content: all
  - id: member
    master: zonewarden
    acl: notify-from-zonewarden
    storage: %[3]q
    zonefile-sync: -1
    journal-content: all
zone:
  - domain: %[9]s
    master: zonewarden
    acl: notify-from-zonewarden
    catalog-role: interpret
    catalog-template: member
`, "127.0.0.1", knotPort, dir, name, alg, secret, host, port, DefaultCatalog, filepath.Join(dir, "knot.pid"))
	confPath := filepath.Join(dir, "knot.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, filepath.Join(dir, "knot.log"), knotd, "-c", confPath)

	// Knot learns the zones from the catalog alone.
	kp := []string{"@127.0.0.1", "-p", strconv.Itoa(knotPort)}
	waitKdig(t, kdig, 30*time.Second, "192.0.2.10", append(kp, "www.a.example.", "A", "+short")...)
	waitKdig(t, kdig, 10*time.Second, "status: NOERROR", append(kp, "b.example.", "SOA")...)
	waitKdig(t, kdig, 10*time.Second, "record 999", append(kp, "r999.big.example.", "TXT", "+short")...)

	// A write through the API reaches Knot by NOTIFY and IXFR.
	if _, err := c.Zones.CreateRecord(ctx, acc, "b.example", dnsimple.ZoneRecordAttributes{
		Name: dnsimple.String("mail"), Type: "A", Content: "192.0.2.20", TTL: 300}); err != nil {
		t.Fatal(err)
	}
	waitKdig(t, kdig, 10*time.Second, "192.0.2.20", append(kp, "mail.b.example.", "A", "+short")...)

	// A deleted domain leaves the catalog, and Knot drops it.
	if _, err := c.Domains.DeleteDomain(ctx, acc, "b.example"); err != nil {
		t.Fatal(err)
	}
	waitKdig(t, kdig, 15*time.Second, "status: REFUSED", append(kp, "b.example.", "SOA")...)
	waitKdig(t, kdig, time.Second, "status: NOERROR", append(kp, "a.example.", "SOA")...)

	// Our primary, asked by kdig.
	_, phost := primary, []string{"@" + host, "-p", port}
	y := alg + ":" + name + ":" + secret
	out := runKdig(t, kdig, append(phost, "-y", y, "AXFR", "a.example.")...)
	if !strings.Contains(out, "192.0.2.10") || strings.Count(out, "\tSOA\t") != 2 {
		t.Errorf("kdig AXFR with the key:\n%s", out)
	}
	if out := runKdig(t, kdig, append(phost, "-y", y, "AXFR", "big.example.")...); !strings.Contains(out, "1004 records") || strings.Contains(out, "(1 messages") {
		t.Errorf("kdig AXFR of a zone of several messages:\n%s", lastLines(out, 5))
	}
	if dig, err := exec.LookPath("dig"); err == nil {
		// BIND's dig checks the TSIG of every message too.
		out, _ := exec.Command(dig, "@"+host, "-p", port, "-y", y, "AXFR", "big.example.", "+time=2", "+tries=1").CombinedOutput()
		if !strings.Contains(string(out), "XFR size: 1004 records") || strings.Contains(string(out), "failed") {
			t.Errorf("dig AXFR:\n%s", lastLines(string(out), 6))
		}
	}
	if out := runKdig(t, kdig, append(phost, "AXFR", "a.example.")...); !strings.Contains(out, "REFUSED") {
		t.Errorf("kdig AXFR without a key:\n%s", out)
	}
	wrong := alg + ":" + name + ":" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	if out := runKdig(t, kdig, append(phost, "-y", wrong, "AXFR", "a.example.")...); !strings.Contains(out, "BADSIG") {
		t.Errorf("kdig AXFR with a wrong secret:\n%s", out)
	}
	serial := query(t, primary, "a.example.", dns.TypeSOA).Answer[0].(*dns.SOA).Serial
	out = runKdig(t, kdig, append(phost, "-y", y, "IXFR="+strconv.FormatUint(uint64(serial-1), 10), "a.example.")...)
	if strings.Count(out, "\tSOA\t") != 4 || !strings.Contains(out, "192.0.2.10") {
		t.Errorf("kdig IXFR:\n%s", out)
	}
	p.waitLog(t, "tsig check failed")
}

// lookDaemon finds a program of the Debian packages the interop tests use,
// or skips (fails under CI).
func lookDaemon(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/sbin", "/usr/local/sbin"} {
		if p := filepath.Join(d, name); isExecutableFile(p) {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not found (CI is set, so this is a failure)", name)
	}
	pkg, ok := daemonPackages[name]
	if !ok {
		pkg = name
	}
	t.Skipf("%s not found: apt-get install %s (test.sh installs it as root)", name, pkg)
	return ""
}

// daemonPackages names the Debian package of each program lookDaemon finds.
var daemonPackages = map[string]string{
	"nsd": "nsd", "knotd": "knot", "kdig": "knot-dnsutils", "named": "bind9", "dig": "bind9-dnsutils",
}

func isExecutableFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// freePort is a port free for UDP and TCP on 127.0.0.1, for a server that
// cannot listen on port 0.
func freePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("no port free for both UDP and TCP")
	return 0
}

// startDaemon runs argv in its own process group, logging to logPath, and
// stops the group when the test ends.
func startDaemon(t *testing.T, logPath string, argv ...string) {
	t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- %s ---\n%s", logPath, b)
		}
	})
}

// runTool runs the zonewarden binary and returns its standard output.
func runTool(t *testing.T, bin string, args ...string) string {
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
	return strings.TrimSpace(string(out))
}

func runKdig(t *testing.T, kdig string, args ...string) string {
	t.Helper()
	out, _ := exec.Command(kdig, append([]string{"+time=2", "+retry=0"}, args...)...).CombinedOutput()
	return string(out)
}

// waitKdig runs kdig until its output contains want.
func waitKdig(t *testing.T, kdig string, within time.Duration, want string, args ...string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		out := runKdig(t, kdig, args...)
		if strings.Contains(out, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("kdig %q: %q after %s, want %q", args, out, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// splitKey reads NAME:ALGORITHM:SECRET as `tsig add` prints it.
func splitKey(t *testing.T, line string) (name, alg, secret string) {
	t.Helper()
	parts := strings.SplitN(line, ":", 3)
	if len(parts) != 3 || !strings.HasSuffix(parts[0], ".") || parts[1] != "hmac-sha256" || len(parts[2]) != 44 {
		t.Fatalf("tsig add printed %q", line)
	}
	return parts[0], parts[1], parts[2]
}

// apiClient makes a user and a token with `admin` and returns DNSimple's
// client on the API and the account id.
func apiClient(t *testing.T, bin, data, httpURL string) (*dnsimple.Client, string) {
	t.Helper()
	c := exec.Command(bin, "admin", "create-user", "--email", "op@example.com", "--password-stdin", "--data", data)
	c.Env = environ()
	c.Stdin = strings.NewReader("operator password\n")
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("create-user: %v\n%s", err, out)
	}
	out := runTool(t, bin, "admin", "create-token", "--email", "op@example.com", "--data", data)
	var tok struct {
		AccountID int64  `json:"account_id"`
		Token     string `json:"token"`
	}
	if err := jsonUnmarshal(out, &tok); err != nil {
		t.Fatal(err)
	}
	client := dnsimple.NewClient(dnsimple.StaticTokenHTTPClient(context.Background(), tok.Token))
	client.BaseURL = httpURL
	return client, strconv.FormatInt(tok.AccountID, 10)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// bigZone makes big.example, of 1000 TXT records of 200 bytes: about 220 KB,
// four messages of a transfer.
func bigZone(t *testing.T, c *dnsimple.Client, acc string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "big.example"}); err != nil {
		t.Fatal(err)
	}
	var req dnsimple.BatchChangeZoneRecordsRequest
	for i := range 1000 {
		req.Creates = append(req.Creates, dnsimple.ZoneRecordAttributes{
			Name: dnsimple.String(fmt.Sprintf("r%d", i)), Type: "TXT", TTL: 300,
			Content: fmt.Sprintf("record %d %s", i, strings.Repeat("x", 180))})
	}
	if _, err := c.Zones.BatchChangeZoneRecords(ctx, acc, "big.example", req); err != nil {
		t.Fatal(err)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
