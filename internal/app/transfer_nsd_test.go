package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"
)

// TestNSDSecondary runs NSD 4 as a secondary of `zonewarden serve` for one
// zone (NSD before 4.9 reads no catalog), with TSIG: NSD takes the zone by
// AXFR, and a write through the API by NOTIFY and IXFR.
func TestNSDSecondary(t *testing.T) {
	bin := buildBinary(t)
	nsd := lookDaemon(t, "nsd")
	kdig := lookDaemon(t, "kdig")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	name, alg, secret := splitKey(t, runTool(t, bin, "tsig", "add", "nsd-edge", "--data", data))
	nsdPort := freePort(t)

	p := startProcess(t, bin, "serve", "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--data", data,
		"--alias-upstream", "", "--log-format", "json", "--transfer-allow", "nsd-edge",
		"--edges", fmt.Sprintf("127.0.0.1:%d", nsdPort))
	rec := p.waitLog(t, "serving")
	httpURL, _ := rec["http"].(string)
	primary, _ := rec["udp"].(string)
	c, acc := apiClient(t, bin, data, httpURL)
	ctx := context.Background()
	if _, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "n.example"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Zones.CreateRecord(ctx, acc, "n.example", dnsimple.ZoneRecordAttributes{
		Name: dnsimple.String("www"), Type: "A", Content: "192.0.2.30", TTL: 300}); err != nil {
		t.Fatal(err)
	}

	// The edge is not running yet: not distributed.
	if r, err := c.Zones.CheckZoneDistribution(ctx, acc, "n.example"); err != nil || r.Data.Distributed {
		t.Fatalf("distribution with the edge down: %+v, %v", r, err)
	}

	host, port, _ := net.SplitHostPort(primary)
	conf := fmt.Sprintf(`server:
	ip-address: 127.0.0.1@%[1]d
	port: %[1]d
	do-ip6: no
	server-count: 1
	reuseport: no
	username: ""
	chroot: ""
	zonesdir: %[2]q
	pidfile: %[8]q
	database: ""
	zonelistfile: %[9]q
	xfrdfile: %[10]q
	xfrdir: %[2]q
	verbosity: 2
key:
	name: %[3]q
	algorithm: %[4]s
	secret: %[5]q
zone:
	name: "n.example"
	zonefile: "n.example.zone"
	request-xfr: %[6]s@%[7]s %[3]s
	allow-notify: %[6]s NOKEY
remote-control:
	control-enable: no
`, nsdPort, dir, name, alg, secret, host, port,
		filepath.Join(dir, "nsd.pid"), filepath.Join(dir, "zone.list"), filepath.Join(dir, "xfrd.state"))
	confPath := filepath.Join(dir, "nsd.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, filepath.Join(dir, "nsd.log"), nsd, "-d", "-c", confPath)

	np := []string{"@127.0.0.1", "-p", strconv.Itoa(nsdPort)}
	waitKdig(t, kdig, 30*time.Second, "192.0.2.30", append(np, "www.n.example.", "A", "+short")...)
	if _, err := c.Zones.CreateRecord(ctx, acc, "n.example", dnsimple.ZoneRecordAttributes{
		Name: dnsimple.String("mail"), Type: "A", Content: "192.0.2.31", TTL: 300}); err != nil {
		t.Fatal(err)
	}
	waitKdig(t, kdig, 15*time.Second, "192.0.2.31", append(np, "mail.n.example.", "A", "+short")...)
	// The distribution check asks NSD, an edge here, for its serial.
	waitDistributed(t, c, acc, "n.example", 5*time.Second)
}

// waitDistributed waits for the API to call the zone distributed.
func waitDistributed(t *testing.T, c *dnsimple.Client, acc, zoneName string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r, err := c.Zones.CheckZoneDistribution(context.Background(), acc, zoneName)
		if err == nil && r.Data.Distributed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("zone %s not distributed after %s (%v)", zoneName, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
