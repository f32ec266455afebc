package app

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestProcessSignals builds the binary and drives it as an operator does:
// start, query, change a zone file, SIGHUP, query again, SIGTERM.
func TestProcessSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build the binary: %v", err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "zonewarden")
	build := exec.Command(gobin, "build", "-o", bin, "github.com/zonewarden/zonewarden/cmd/zonewarden")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	dir := filepath.Join(tmp, "zones")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	org := filepath.Join(dir, "example.org.zone")
	writeFile(t, org, zoneV1)

	cmd := exec.Command(bin, "dns", "--zones", dir, "--listen", "127.0.0.1:0",
		"--alias-upstream", "", "--log-format", "json", "--log-level", "debug")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")} // no ZONEWARDEN_* from the caller
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{}) // closed when the process has exited
	var waitErr error
	logs := make(chan map[string]any, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Logf("zonewarden: %s", sc.Text())
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				select {
				case logs <- rec:
				default:
				}
			}
		}
		io.Copy(io.Discard, stderr)
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() // an error when it has exited already
		<-exited           // no t.Logf after the test
	})

	// The bound address is in the "serving DNS" line.
	var udp, tcp string
	deadline := time.After(30 * time.Second)
	for udp == "" {
		select {
		case rec := <-logs:
			if rec["msg"] == "serving DNS" {
				udp, _ = rec["udp"].(string)
				tcp, _ = rec["tcp"].(string)
			}
		case <-exited:
			t.Fatalf("zonewarden exited before serving: %v", waitErr)
		case <-deadline:
			t.Fatal("no \"serving DNS\" log line in 30s")
		}
	}

	want := func(ip string) {
		t.Helper()
		for _, tr := range []struct{ network, addr string }{{"udp", udp}, {"tcp", tcp}} {
			got := ask(t, tr.network, tr.addr, "www.example.org.", dns.TypeA)
			if len(got.rrs) != 1 || !strings.HasSuffix(got.rrs[0], "\t"+ip) {
				t.Errorf("%s www.example.org. A = %s %q, want %s", tr.network, got.rcode, got.rrs, ip)
			}
		}
	}
	want("192.0.2.1")

	writeFile(t, org, zoneV2)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// The reload is done when its summary is logged.
	for done := false; !done; {
		select {
		case rec := <-logs:
			done = rec["msg"] == "zones loaded"
		case <-exited:
			t.Fatalf("zonewarden exited on SIGHUP: %v", waitErr)
		case <-time.After(30 * time.Second):
			t.Fatal("no reload 30s after SIGHUP")
		}
	}
	want("192.0.2.2")

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", waitErr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("still running 30s after SIGTERM")
	}
}
