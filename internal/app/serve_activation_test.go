package app

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"
	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/store"
)

// TestServeZoneActivation drives serve through its API as a customer's tool
// would: a deactivated zone is answered REFUSED, as a zone not hosted here,
// is refused to zone transfers and leaves the catalog; its records can
// still change; activated, it is answered again with those changes and
// rejoins the catalog as a new member. Its name servers set through the API
// are answered too.
func TestServeZoneActivation(t *testing.T) {
	cfg := testServeConfig(t)
	cfg.Transfer.Allow = []string{"127.0.0.1"}
	s := startServe(t, cfg)
	ctx := context.Background()
	_, a, err := s.store.CreateUser(ctx, "ops@example.com", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := s.store.CreateToken(ctx, store.NewToken{AccountID: a.ID, Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	c := dnsimple.NewClient(dnsimple.StaticTokenHTTPClient(ctx, token))
	c.BaseURL = "http://" + s.HTTPAddr()
	acc := strconv.FormatInt(a.ID, 10)
	udp, tcp := s.UDPAddr().String(), s.TCPAddr().String()

	if _, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Zones.CreateRecord(ctx, acc, "example.com", dnsimple.ZoneRecordAttributes{
		Name: dnsimple.String("www"), Type: "A", Content: "192.0.2.1", TTL: 60}); err != nil {
		t.Fatal(err)
	}
	waitAnswer(t, udp, "www.example.com.", dns.TypeA, 3*time.Second, "www.example.com.\t60\tIN\tA\t192.0.2.1")
	member := waitCatalog(t, tcp, "example.com.", true, "")
	before := query(t, udp, DefaultCatalog, dns.TypeSOA).Answer[0].(*dns.SOA).Serial

	start := time.Now()
	z, err := c.Zones.DeactivateZoneDns(ctx, acc, "example.com")
	if err != nil || z.Data.Active {
		t.Fatalf("deactivate: %+v, %v", z, err)
	}
	waitRcode(t, udp, "www.example.com.", dns.TypeA, 3*time.Second, dns.RcodeRefused)
	t.Logf("deactivation to REFUSED: %s", time.Since(start))
	for _, qt := range []uint16{dns.TypeSOA, dns.TypeNS} {
		if r := query(t, udp, "example.com.", qt); r.Rcode != dns.RcodeRefused || r.Authoritative {
			t.Errorf("%s of a deactivated zone: %s aa=%v", dns.TypeToString[qt], dns.RcodeToString[r.Rcode], r.Authoritative)
		}
	}
	waitCatalog(t, tcp, "example.com.", false, "")
	// Secondaries that follow the catalog by IXFR are told to drop it.
	ixfr := catalogIXFR(t, tcp, before)
	if len(ixfr) != 5 || ixfr[2].Header().Rrtype != dns.TypePTR || ixfr[2].(*dns.PTR).Ptr != "example.com." {
		t.Errorf("catalog IXFR from %d after the deactivation:\n%v", before, ixfr)
	}
	if rcode := axfrRcode(t, tcp, "example.com."); rcode != dns.RcodeNotAuth {
		t.Errorf("AXFR of a deactivated zone: %s, want NOTAUTH as for a zone not hosted", dns.RcodeToString[rcode])
	}

	// A change while inactive is kept, not served.
	if _, err := c.Zones.CreateRecord(ctx, acc, "example.com", dnsimple.ZoneRecordAttributes{
		Name: dnsimple.String("new"), Type: "A", Content: "192.0.2.2", TTL: 60}); err != nil {
		t.Fatalf("a record in a deactivated zone: %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	if r := query(t, udp, "new.example.com.", dns.TypeA); r.Rcode != dns.RcodeRefused {
		t.Errorf("a record added while inactive: %s", dns.RcodeToString[r.Rcode])
	}

	start = time.Now()
	z, err = c.Zones.ActivateZoneDns(ctx, acc, "example.com")
	if err != nil || !z.Data.Active {
		t.Fatalf("activate: %+v, %v", z, err)
	}
	waitAnswer(t, udp, "new.example.com.", dns.TypeA, 3*time.Second, "new.example.com.\t60\tIN\tA\t192.0.2.2")
	t.Logf("activation to answer: %s", time.Since(start))
	waitAnswer(t, udp, "www.example.com.", dns.TypeA, 0, "www.example.com.\t60\tIN\tA\t192.0.2.1")
	// A new member: secondaries that kept anything transfer it afresh.
	if again := waitCatalog(t, tcp, "example.com.", true, member); again == member {
		t.Errorf("the zone came back as the same catalog member %s", member)
	}
	if rcode := axfrRcode(t, tcp, "example.com."); rcode != dns.RcodeSuccess {
		t.Errorf("AXFR after activation: %s", dns.RcodeToString[rcode])
	}

	// The zone's name servers, through the API (no dnsimple-go method).
	req, _ := http.NewRequest("PUT", c.BaseURL+"/v2/"+acc+"/zones/example.com/ns_records", strings.NewReader(`{"ns_names":["ns9.example.net"]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT ns_records: %d", resp.StatusCode)
	}
	waitAnswer(t, udp, "example.com.", dns.TypeNS, 3*time.Second, "example.com.\t3600\tIN\tNS\tns9.example.net.")
}

// waitCatalog transfers the catalog zone until origin is a member (or is
// not, when in is false) under another label than not, and returns its
// label, failing after 3 s.
func waitCatalog(t *testing.T, addr, origin string, in bool, not string) string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		var labels []string
		q := new(dns.Msg)
		q.SetAxfr(DefaultCatalog)
		ch, err := new(dns.Transfer).In(q, addr)
		if err != nil {
			t.Fatal(err)
		}
		for env := range ch {
			if env.Error != nil {
				t.Fatalf("AXFR of the catalog: %v", env.Error)
			}
			for _, rr := range env.RR {
				if ptr, ok := rr.(*dns.PTR); ok && ptr.Ptr == origin {
					labels = append(labels, strings.SplitN(ptr.Hdr.Name, ".", 2)[0])
				}
			}
		}
		switch {
		case !in && len(labels) == 0:
			return ""
		case in && len(labels) == 1 && labels[0] != not:
			return labels[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("catalog members for %s: %q, want in=%v (not %q)", origin, labels, in, not)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// axfrRcode asks for an AXFR of origin and returns the rcode of the first
// answer.
func axfrRcode(t *testing.T, addr, origin string) int {
	t.Helper()
	q := new(dns.Msg)
	q.SetAxfr(origin)
	c := &dns.Client{Net: "tcp", Timeout: 2 * time.Second}
	r, _, err := c.Exchange(q, addr)
	if err != nil {
		t.Fatalf("AXFR %s: %v", origin, err)
	}
	return r.Rcode
}

// catalogIXFR transfers the catalog zone by IXFR from serial and returns
// every record of the answer.
func catalogIXFR(t *testing.T, addr string, serial uint32) []dns.RR {
	t.Helper()
	q := new(dns.Msg)
	q.SetIxfr(DefaultCatalog, serial, "invalid.", "invalid.")
	ch, err := new(dns.Transfer).In(q, addr)
	if err != nil {
		t.Fatal(err)
	}
	var out []dns.RR
	for env := range ch {
		if env.Error != nil {
			t.Fatalf("IXFR of the catalog: %v", env.Error)
		}
		out = append(out, env.RR...)
	}
	return out
}
