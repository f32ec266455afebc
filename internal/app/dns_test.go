package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

const zoneV1 = `$ORIGIN example.org.
$TTL 300
@    IN SOA ns1.example.org. hostmaster.example.org. 1 7200 3600 1209600 300
@    IN NS  ns1.example.org.
ns1  IN A   192.0.2.53
www  IN A   192.0.2.1
`

// zoneV2 changes www's address and adds a name.
const zoneV2 = `$ORIGIN example.org.
$TTL 300
@    IN SOA ns1.example.org. hostmaster.example.org. 2 7200 3600 1209600 300
@    IN NS  ns1.example.org.
ns1  IN A   192.0.2.53
www  IN A   192.0.2.2
new  IN TXT "added in v2"
`

const zoneBroken = `$ORIGIN example.org.
$TTL 300
@    IN SOA ns1.example.org. hostmaster.example.org. 3 7200 3600 1209600 300
@    IN NS  ns1.example.org.
www  IN A   not-an-address
`

const otherZone = `$ORIGIN example.info.
$TTL 300
@    IN SOA ns1.example.info. hostmaster.example.info. 1 7200 3600 1209600 300
@    IN NS  ns1.example.info.
ns1  IN A   192.0.2.54
`

// testConfig is a configuration for tests: loopback, a free port, no
// upstream resolver, the zones in dir.
func testConfig(dir string) DNSConfig {
	c := DefaultDNSConfig()
	c.Listen = "127.0.0.1:0"
	c.Zones = dir
	c.AliasUpstream = nil
	c.Workers = 2
	return c
}

// startDNS starts the dns role on loopback and stops it when the test ends.
func startDNS(t *testing.T, cfg DNSConfig) *DNS {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d, err := NewDNS(cfg, log)
	if err != nil {
		t.Fatalf("NewDNS: %v", err)
	}
	if err := d.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return 10s after its context ended")
		}
	})
	return d
}

// testWriter sends log lines to t.Log, so they show only on failure.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// answer is a response in zone-file notation: the RCODE and the answer
// section's records, one per line, sorted.
type answer struct {
	rcode string
	rrs   []string
}

func ask(t *testing.T, network, addr, name string, qtype uint16) answer {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, name, dns.TypeToString[qtype], err)
	}
	var a answer
	a.rcode = dns.RcodeToString[r.Rcode]
	for _, rr := range r.Answer {
		a.rrs = append(a.rrs, normalizeRR(t, rr.String()))
	}
	slices.Sort(a.rrs)
	return a
}

// normalizeRR reprints a record in miekg's canonical text form.
func normalizeRR(t *testing.T, s string) string {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return rr.String()
}

// check asks every case over UDP and TCP and compares.
type dnsCase struct {
	name   string
	qtype  uint16
	rcode  string
	answer []string // zone-file lines
}

func check(t *testing.T, d *DNS, cases []dnsCase) {
	t.Helper()
	for _, tc := range cases {
		want := answer{rcode: tc.rcode}
		for _, s := range tc.answer {
			want.rrs = append(want.rrs, normalizeRR(t, s))
		}
		slices.Sort(want.rrs)
		for _, tr := range []struct{ network, addr string }{
			{"udp", d.UDPAddr().String()},
			{"tcp", d.TCPAddr().String()},
		} {
			got := ask(t, tr.network, tr.addr, tc.name, tc.qtype)
			if got.rcode != want.rcode || !slices.Equal(got.rrs, want.rrs) {
				t.Errorf("%s %s %s:\n got %s %q\nwant %s %q", tr.network, tc.name, dns.TypeToString[tc.qtype],
					got.rcode, got.rrs, want.rcode, want.rrs)
			}
		}
	}
}

func TestDNSReload(t *testing.T) {
	dir := t.TempDir()
	org := filepath.Join(dir, "example.org.zone")
	writeFile(t, org, zoneV1)
	d := startDNS(t, testConfig(dir))

	t.Log("v1 loaded at start")
	check(t, d, []dnsCase{
		{"www.example.org.", dns.TypeA, "NOERROR", []string{"www.example.org. 300 IN A 192.0.2.1"}},
		{"new.example.org.", dns.TypeTXT, "NXDOMAIN", nil},
		{"example.info.", dns.TypeSOA, "REFUSED", nil},
	})

	t.Log("v2 and a new zone after reload")
	writeFile(t, org, zoneV2)
	writeFile(t, filepath.Join(dir, "example.info.zone"), otherZone)
	if err := d.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	check(t, d, []dnsCase{
		{"www.example.org.", dns.TypeA, "NOERROR", []string{"www.example.org. 300 IN A 192.0.2.2"}},
		{"new.example.org.", dns.TypeTXT, "NOERROR", []string{`new.example.org. 300 IN TXT "added in v2"`}},
		{"ns1.example.info.", dns.TypeA, "NOERROR", []string{"ns1.example.info. 300 IN A 192.0.2.54"}},
	})
	if got, want := d.engine.Zones(), []string{"example.info.", "example.org."}; !slices.Equal(got, want) {
		t.Errorf("zones = %q, want %q", got, want)
	}

	t.Log("a broken file keeps v2 served")
	writeFile(t, org, zoneBroken)
	if err := d.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	check(t, d, []dnsCase{
		{"www.example.org.", dns.TypeA, "NOERROR", []string{"www.example.org. 300 IN A 192.0.2.2"}},
		{"example.org.", dns.TypeSOA, "NOERROR", []string{"example.org. 300 IN SOA ns1.example.org. hostmaster.example.org. 2 7200 3600 1209600 300"}},
	})

	t.Log("a removed file drops its zone")
	if err := os.Remove(filepath.Join(dir, "example.info.zone")); err != nil {
		t.Fatal(err)
	}
	if err := d.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	check(t, d, []dnsCase{
		{"ns1.example.info.", dns.TypeA, "REFUSED", nil},
		{"www.example.org.", dns.TypeA, "NOERROR", []string{"www.example.org. 300 IN A 192.0.2.2"}},
	})

	t.Log("an unreadable directory changes nothing")
	d.cfg.Zones = filepath.Join(dir, "gone")
	if err := d.Reload(); err == nil {
		t.Errorf("Reload of a missing directory: no error")
	}
	check(t, d, []dnsCase{
		{"www.example.org.", dns.TypeA, "NOERROR", []string{"www.example.org. 300 IN A 192.0.2.2"}},
	})
}

// A bad file at start is logged and its zone not served; the rest is.
func TestDNSStartWithBadFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "example.org.zone"), zoneBroken)
	writeFile(t, filepath.Join(dir, "example.info.zone"), otherZone)
	d := startDNS(t, testConfig(dir))
	check(t, d, []dnsCase{
		{"www.example.org.", dns.TypeA, "REFUSED", nil},
		{"ns1.example.info.", dns.TypeA, "NOERROR", []string{"ns1.example.info. 300 IN A 192.0.2.54"}},
	})
}

func TestDNSStartMissingDir(t *testing.T) {
	d, err := NewDNS(testConfig(filepath.Join(t.TempDir(), "nope")), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(); err == nil {
		t.Fatal("Start with a missing zone directory: no error")
	}
}

// The example zones of the README's quick start load and answer.
func TestDNSExampleZones(t *testing.T) {
	d := startDNS(t, testConfig(filepath.Join("..", "..", "examples", "zones")))
	if got, want := d.engine.Zones(), []string{"2.0.192.in-addr.arpa.", "example.com.", "example.net."}; !slices.Equal(got, want) {
		t.Fatalf("zones = %q, want %q", got, want)
	}
	check(t, d, []dnsCase{
		{"www.example.com.", dns.TypeA, "NOERROR", []string{
			"www.example.com. 300 IN A 192.0.2.10",
			"www.example.com. 300 IN A 192.0.2.11",
		}},
		{"example.com.", dns.TypeA, "NOERROR", []string{ // ALIAS to www
			"example.com. 300 IN A 192.0.2.10",
			"example.com. 300 IN A 192.0.2.11",
		}},
		{"example.com.", dns.TypeMX, "NOERROR", []string{
			"example.com. 3600 IN MX 10 mail.example.com.",
			"example.com. 3600 IN MX 20 mail.example.net.",
		}},
		{"customer1.apps.example.com.", dns.TypeAAAA, "NOERROR", []string{
			"customer1.apps.example.com. 300 IN AAAA 2001:db8::80",
		}},
		{"_imaps._tcp.example.com.", dns.TypeSRV, "NOERROR", []string{
			"_imaps._tcp.example.com. 3600 IN SRV 0 1 993 mail.example.com.",
		}},
		{"25.2.0.192.in-addr.arpa.", dns.TypePTR, "NOERROR", []string{
			"25.2.0.192.in-addr.arpa. 86400 IN PTR mail.example.com.",
		}},
		{"example.net.", dns.TypeAAAA, "NOERROR", []string{ // ALIAS to another zone served here
			"example.net. 300 IN AAAA 2001:db8::10",
		}},
		{"nope.example.net.", dns.TypeA, "NXDOMAIN", nil},
	})
}

func TestDNSMetrics(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "example.org.zone"), zoneV1)
	cfg := testConfig(dir)
	cfg.Metrics = "127.0.0.1:0"
	d := startDNS(t, cfg)
	ask(t, "udp", d.UDPAddr().String(), "www.example.org.", dns.TypeA)

	get := func(path string) string {
		t.Helper()
		resp, err := http.Get("http://" + d.MetricsAddr() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return string(body)
	}
	if got := get("/healthz"); got != "ok\n" {
		t.Errorf("/healthz = %q", got)
	}
	metrics := get("/metrics")
	for _, want := range []string{
		`zonewarden_dns_queries_total{qtype="A",rcode="NOERROR",transport="udp"} 1`,
		"zonewarden_zones 1",
		"zonewarden_records 4",
		`zonewarden_zone_loads_total{result="ok"} 1`,
		"go_goroutines ",
		"process_open_fds ",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", metrics)
	}
}
