package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"
	"github.com/miekg/dns"
)

// TestBINDCatalogSecondary runs a real `zonewarden serve` as the primary of
// BIND 9 (named), configured as a catalog-consuming secondary (catalog-zones
// with default-primaries) with TSIG and nothing else about our zones: BIND
// serves every zone of the catalog with our serials and records (a zone of
// several signed messages among them), takes a record created through the
// API after our signed NOTIFY, by IXFR, and drops a deleted domain. BIND
// accepts NOTIFY only when signed with the key, so a write that shows up
// promptly proves our signature verifies; an unsigned NOTIFY is refused.
func TestBINDCatalogSecondary(t *testing.T) {
	bin := buildBinary(t)
	named := lookDaemon(t, "named")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")

	name, alg, secret := splitKey(t, runTool(t, bin, "tsig", "add", "bind-edge", "--data", data))
	bindPort := freePort(t)
	bindAddr := fmt.Sprintf("127.0.0.1:%d", bindPort)

	// We serve on 127.0.0.2 and NOTIFY from 127.0.0.1 (the notifier's socket
	// is unbound; Linux picks 127.0.0.1 to reach 127.0.0.1): BIND takes a
	// NOTIFY from its primary's address whatever the port and the key, and
	// from anyone else only through allow-notify, which here asks for the
	// key. So BIND acts on our NOTIFY only because it is signed.
	primaryHost := "127.0.0.2"
	if l, err := net.ListenPacket("udp", primaryHost+":0"); err != nil {
		t.Skipf("127.0.0.2 is not a loopback address here: %v", err)
	} else {
		l.Close()
	}
	p := startProcess(t, bin, "serve", "--http", "127.0.0.1:0", "--dns", primaryHost+":0", "--data", data,
		"--alias-upstream", "", "--log-format", "json", "--transfer-allow", "bind-edge",
		"--edges", bindAddr, "--notify-key", "bind-edge")
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

	// All BIND knows of us: our address, the key and the catalog.
	host, port, _ := net.SplitHostPort(primary)
	conf := fmt.Sprintf(`key %[4]q {
	algorithm %[5]s;
	secret %[6]q;
};

options {
	directory %[1]q;
	pid-file %[2]q;
	lock-file %[3]q;
	session-keyfile %[9]q;
	managed-keys-directory %[1]q;
	listen-on port %[10]d { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
	allow-transfer { 127.0.0.1; };
	allow-notify { key %[4]q; };
	catalog-zones {
		zone %[11]q
			default-primaries { %[7]s port %[8]s key %[4]q; }
			min-update-interval 1;
	};
};

controls { };

zone %[11]q {
	type secondary;
	file "catalog.db";
	primaries { %[7]s port %[8]s key %[4]q; };
};
`, dir, filepath.Join(dir, "named.pid"), filepath.Join(dir, "named.lock"),
		name, alg, secret, host, port, filepath.Join(dir, "session.key"), bindPort, DefaultCatalog)
	confPath := filepath.Join(dir, "named.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "named.log")
	// -g: foreground, logging to stderr; -4: IPv4 only; -n 1: one worker.
	startDaemon(t, logPath, named, "-g", "-4", "-n", "1", "-c", confPath)

	// BIND learns the zones from the catalog alone, and serves each with
	// our serial and our records.
	waitBIND(t, bindAddr, 60*time.Second, "www.a.example.", dns.TypeA, "192.0.2.10")
	for _, zone := range []string{"a.example.", "b.example.", "big.example."} {
		serial := strconv.FormatUint(uint64(soaSerial(t, primary, zone)), 10)
		waitBIND(t, bindAddr, 30*time.Second, zone, dns.TypeSOA, " "+serial+" ")
		ours, theirs := axfrRecords(t, primary, zone, name, secret), axfrRecords(t, bindAddr, zone, "", "")
		if !slices.Equal(ours, theirs) {
			t.Errorf("%s: BIND serves %d records, we %d; first difference: %s", zone, len(theirs), len(ours), firstDiff(ours, theirs))
		}
	}
	if n := len(axfrRecords(t, bindAddr, "big.example.", "", "")); n != 1004 {
		t.Errorf("BIND's big.example has %d records, want 1004", n)
	}

	// A write through the API reaches BIND by our signed NOTIFY and IXFR.
	// Our zones' SOA refresh is far longer than the wait, so only the NOTIFY
	// can bring it this soon. (BIND logs at info no word telling IXFR from
	// AXFR; our transfer counter does.) At start BIND may have answered a
	// NOTIFY for a zone it had not yet learned from the catalog with
	// NOTAUTH, which we count as refused: count from here.
	ixfrs := metric(t, httpURL, `zonewarden_zone_transfers_total{outcome="ixfr"}`)
	refused := metric(t, httpURL, `zonewarden_notify_total{result="refused"}`)
	answered := metric(t, httpURL, `zonewarden_notify_total{result="answered"}`)
	logBefore, _ := os.ReadFile(logPath)
	if _, err := c.Zones.CreateRecord(ctx, acc, "b.example", dnsimple.ZoneRecordAttributes{
		Name: dnsimple.String("mail"), Type: "A", Content: "192.0.2.20", TTL: 300}); err != nil {
		t.Fatal(err)
	}
	waitBIND(t, bindAddr, 10*time.Second, "mail.b.example.", dns.TypeA, "192.0.2.20")
	// The counter moves once the last message is written, which BIND may
	// act on first: a short wait.
	if n := waitMetric(t, httpURL, `zonewarden_zone_transfers_total{outcome="ixfr"}`, func(n float64) bool { return n > ixfrs }); n <= ixfrs {
		t.Errorf("IXFR transfers: %v before the write, %v after it; BIND should have asked by IXFR", ixfrs, n)
	}
	waitDistributed(t, c, acc, "b.example", 5*time.Second)

	// BIND refuses a NOTIFY without the key, and takes one signed with it.
	if rc := sendNotify(t, bindAddr, "a.example.", "", ""); rc != dns.RcodeRefused {
		t.Errorf("unsigned NOTIFY: BIND answered %s, want REFUSED", dns.RcodeToString[rc])
	}
	if rc := sendNotify(t, bindAddr, "a.example.", name, secret); rc != dns.RcodeSuccess {
		t.Errorf("signed NOTIFY: BIND answered %s, want NOERROR", dns.RcodeToString[rc])
	}

	// A deleted domain leaves the catalog, and BIND drops it.
	if _, err := c.Domains.DeleteDomain(ctx, acc, "b.example"); err != nil {
		t.Fatal(err)
	}
	waitBINDRcode(t, bindAddr, 20*time.Second, "b.example.", dns.RcodeRefused)
	waitBINDRcode(t, bindAddr, time.Second, "a.example.", dns.RcodeSuccess)

	// BIND took our NOTIFYs for the write (b.example) and the deletion (the
	// catalog), refused none, and logged them as signed with the key.
	if n := metric(t, httpURL, `zonewarden_notify_total{result="refused"}`); n != refused {
		t.Errorf("BIND refused %v of our NOTIFYs since the write", n-refused)
	}
	if n := waitMetric(t, httpURL, `zonewarden_notify_total{result="answered"}`, func(n float64) bool { return n >= answered+2 }); n < answered+2 {
		t.Errorf("BIND answered %v of our NOTIFYs since the write, want at least 2", n-answered)
	}
	b, _ := os.ReadFile(logPath)
	since := string(b[min(len(logBefore), len(b)):])
	for _, zone := range []string{"b.example", strings.TrimSuffix(DefaultCatalog, ".")} {
		if want := fmt.Sprintf("received notify for zone '%s': TSIG '%s'", zone, strings.TrimSuffix(name, ".")); !strings.Contains(since, want) {
			t.Errorf("since the write, BIND's log lacks %q", want)
		}
	}
}

// bindExchange asks addr over UDP, returning an error rather than failing,
// for a server that may not be listening yet.
func bindExchange(addr, name string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	r, _, err := (&dns.Client{Net: "udp", Timeout: time.Second}).Exchange(m, addr)
	return r, err
}

// waitBIND waits for an answer of addr to name's qtype with want in one of
// its records' text form.
func waitBIND(t *testing.T, addr string, within time.Duration, name string, qtype uint16, want string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r, err := bindExchange(addr, name, qtype)
		last := fmt.Sprint(err)
		if err == nil {
			last = dns.RcodeToString[r.Rcode]
			for _, rr := range r.Answer {
				if last = rr.String(); strings.Contains(last, want) {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s on BIND: %s after %s, want %q", name, dns.TypeToString[qtype], last, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitBINDRcode waits for addr to answer name's SOA with rcode.
func waitBINDRcode(t *testing.T, addr string, within time.Duration, name string, rcode int) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		r, err := bindExchange(addr, name, dns.TypeSOA)
		if err == nil && r.Rcode == rcode {
			return
		}
		if time.Now().After(deadline) {
			got := fmt.Sprint(err)
			if err == nil {
				got = dns.RcodeToString[r.Rcode]
			}
			t.Fatalf("%s SOA on BIND: %s after %s, want %s", name, got, within, dns.RcodeToString[rcode])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func soaSerial(t *testing.T, addr, zone string) uint32 {
	t.Helper()
	r := query(t, addr, zone, dns.TypeSOA)
	if len(r.Answer) != 1 {
		t.Fatalf("%s SOA: %v", zone, r)
	}
	return r.Answer[0].(*dns.SOA).Serial
}

// axfrRecords transfers zone from addr over TCP, signed when key is set,
// and returns its records in text form, sorted.
func axfrRecords(t *testing.T, addr, zone, key, secret string) []string {
	t.Helper()
	m := new(dns.Msg)
	m.SetAxfr(zone)
	tr := &dns.Transfer{}
	if key != "" {
		m.SetTsig(key, dns.HmacSHA256, 300, time.Now().Unix())
		tr.TsigSecret = map[string]string{key: secret}
	}
	ch, err := tr.In(m, addr)
	if err != nil {
		t.Fatalf("AXFR %s from %s: %v", zone, addr, err)
	}
	var out []string
	for env := range ch {
		if env.Error != nil {
			t.Fatalf("AXFR %s from %s: %v", zone, addr, env.Error)
		}
		for _, rr := range env.RR {
			out = append(out, rr.String())
		}
	}
	slices.Sort(out)
	return out
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("ours %q, BIND's %q", a[i], b[i])
		}
	}
	return "one is a prefix of the other"
}

// sendNotify sends addr a NOTIFY for zone, signed when key is set, and
// returns the answer's rcode.
func sendNotify(t *testing.T, addr, zone, key, secret string) int {
	t.Helper()
	m := new(dns.Msg)
	m.SetNotify(zone)
	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
	if key != "" {
		m.SetTsig(key, dns.HmacSHA256, 300, time.Now().Unix())
		c.TsigSecret = map[string]string{key: secret}
	}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("NOTIFY %s to %s: %v", zone, addr, err)
	}
	return r.Rcode
}

// waitMetric reads a sample of our /metrics until ok says so, for up to 5
// seconds, and returns its last value.
func waitMetric(t *testing.T, httpURL, sample string, ok func(float64) bool) float64 {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := metric(t, httpURL, sample)
		if ok(n) || time.Now().After(deadline) {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// metric reads one sample of our /metrics, 0 when absent.
func metric(t *testing.T, httpURL, sample string) float64 {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(httpURL, "/") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	return 0
}
