package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/store"
)

// TestSecondaryDNSFromKnot: Knot DNS plays a customer's own primary. Through
// the API the customer adds it as a primary server, creates a secondary
// zone and links the two; serve pulls the zone and answers for it. A change
// on Knot, announced by Knot's NOTIFY (the zone's refresh is an hour), then
// reaches serve's answers by IXFR, and the journal serves it on to our own
// secondaries.
func TestSecondaryDNSFromKnot(t *testing.T) {
	knotd := lookDaemon(t, "knotd")
	knotc := lookDaemon(t, "knotc")
	cfg := testServeConfig(t)
	cfg.Poll = 200 * time.Millisecond
	s := startServe(t, cfg)
	dnsAddr := s.UDPAddr().String()
	ctx := context.Background()

	u, acc, err := s.store.CreateUser(ctx, "customer@example.com", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := s.store.CreateToken(ctx, store.NewToken{AccountID: acc.ID, UserID: &u.ID, Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	api := func(method, path, body string, want int) string {
		t.Helper()
		req, _ := http.NewRequest(method, fmt.Sprintf("http://%s/v2/%d%s", s.HTTPAddr(), acc.ID, path), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s %s = %d %s, want %d", method, path, body, res.StatusCode, b, want)
		}
		return string(b)
	}

	// The customer's primary.
	dir := t.TempDir()
	knotPort := freePort(t)
	zoneFile := filepath.Join(dir, "sec.example.zone")
	writeZone := func(serial int, www string) {
		t.Helper()
		text := fmt.Sprintf(`$ORIGIN sec.example.
@ 300 SOA ns.customer.example. hostmaster.customer.example. %d 3600 600 86400 60
@ 300 NS ns.customer.example.
www 300 A %s
txt 300 TXT "pulled from the customer"
`, serial, www)
		if err := os.WriteFile(zoneFile, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeZone(1, "192.0.2.1")
	conf := fmt.Sprintf(`server:
    listen: 127.0.0.1@%[1]d
    rundir: %[2]q
    pidfile: %[3]q
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: %[2]q
log:
  - target: stderr
    any: info
remote:
  - id: zonewarden
    address: %[4]s
acl:
  - id: transfer-to-zonewarden
    address: 127.0.0.1
    action: transfer
zone:
  - domain: sec.example.
    file: %[5]q
    storage: %[2]q
    notify: zonewarden
    acl: transfer-to-zonewarden
    zonefile-sync: -1
    zonefile-load: difference
    journal-content: changes
`, knotPort, dir, filepath.Join(dir, "knot.pid"), strings.Replace(dnsAddr, ":", "@", 1), zoneFile)
	confPath := filepath.Join(dir, "knot.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, filepath.Join(dir, "knot.log"), knotd, "-c", confPath)

	// Through the API, in DNSimple's shapes.
	created := api("POST", "/secondary_dns/primaries", fmt.Sprintf(`{"name":"knot","ip":"127.0.0.1","port":%d}`, knotPort), 201)
	var p struct {
		Data struct {
			ID int64 `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(created), &p); err != nil {
		t.Fatal(err)
	}
	if z := api("POST", "/secondary_dns/zones", `{"name":"sec.example"}`, 201); !strings.Contains(z, `"secondary":true`) {
		t.Errorf("created zone: %s", z)
	}
	api("PUT", fmt.Sprintf("/secondary_dns/primaries/%d/link", p.Data.ID), `{"zone":"sec.example"}`, 200)

	waitAnswer := func(name string, qtype uint16, want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			r := query(t, dnsAddr, name, qtype)
			if r.Rcode == dns.RcodeSuccess && len(r.Answer) > 0 && strings.Contains(r.Answer[0].String(), want) {
				if !r.Authoritative {
					t.Errorf("%s: not authoritative", name)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s %s: %v, want %q", name, dns.TypeToString[qtype], r, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitAnswer("www.sec.example.", dns.TypeA, "192.0.2.1")
	waitAnswer("sec.example.", dns.TypeSOA, "ns.customer.example. hostmaster.customer.example. 1 ")
	waitAnswer("txt.sec.example.", dns.TypeTXT, "pulled from the customer")
	if z := api("GET", "/zones/sec.example", "", 200); strings.Contains(z, `"last_transferred_at":null`) {
		t.Errorf("zone after the transfer: %s", z)
	}
	if b := api("POST", "/zones/sec.example/records", `{"name":"x","type":"A","content":"192.0.2.9"}`, 400); !strings.Contains(b, "secondary zone") {
		t.Errorf("record write to the secondary zone: %s", b)
	}

	// A change on the customer's primary, announced by its NOTIFY.
	writeZone(2, "192.0.2.2")
	if out, err := exec.Command(knotc, "-c", confPath, "zone-reload", "sec.example.").CombinedOutput(); err != nil {
		t.Fatalf("knotc zone-reload: %v\n%s", err, out)
	}
	waitAnswer("www.sec.example.", dns.TypeA, "192.0.2.2")
	waitAnswer("sec.example.", dns.TypeSOA, "hostmaster.customer.example. 2 ")

	// The journal holds the difference, as our own secondaries' IXFR needs.
	ch, err := s.store.ChangesSince(ctx, "sec.example", 1)
	if err != nil || len(ch) != 1 || !strings.Contains(ch[0].Removed, "192.0.2.1") || !strings.Contains(ch[0].Added, "192.0.2.2") {
		t.Errorf("journal from serial 1: %+v, %v", ch, err)
	}

	// Unlinked, a primary can go; the zone stays as last pulled.
	api("PUT", fmt.Sprintf("/secondary_dns/primaries/%d/unlink", p.Data.ID), `{"zone":"sec.example"}`, 200)
	api("DELETE", fmt.Sprintf("/secondary_dns/primaries/%d", p.Data.ID), "", 204)
	waitAnswer("www.sec.example.", dns.TypeA, "192.0.2.2")
}
