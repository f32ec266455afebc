package app

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/miekg/dns"
)

// TestProcessSignals builds the binary and drives it as an operator does:
// start, query, change a zone file, SIGHUP, query again, SIGTERM.
func TestProcessSignals(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "zones")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	org := filepath.Join(dir, "example.org.zone")
	writeFile(t, org, zoneV1)

	p := startProcess(t, bin, "dns", "--zones", dir, "--listen", "127.0.0.1:0",
		"--alias-upstream", "", "--log-format", "json", "--log-level", "debug")
	// The bound address is in the "serving DNS" line.
	rec := p.waitLog(t, "serving DNS")
	udp, _ := rec["udp"].(string)
	tcp, _ := rec["tcp"].(string)

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
	p.signal(t, syscall.SIGHUP)
	p.waitLog(t, "zones loaded") // the reload's summary: it is done
	want("192.0.2.2")

	p.terminate(t)
}
