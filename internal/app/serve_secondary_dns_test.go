package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
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
	cfg.SecondaryAllowPrivate = true           // the primaries are on 127.0.0.1
	cfg.Transfer.Allow = []string{"127.0.0.1"} // our own secondaries
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

	// Our own secondaries get the difference by IXFR from the journal,
	// and the zone is in the catalog.
	ixfr := new(dns.Msg)
	ixfr.SetIxfr("sec.example.", 1, "ns.customer.example.", "hostmaster.customer.example.")
	var got []string
	ch, err := (&dns.Transfer{}).In(ixfr, s.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	for env := range ch {
		if env.Error != nil {
			t.Fatalf("IXFR from serve: %v", env.Error)
		}
		for _, rr := range env.RR {
			got = append(got, rr.String())
		}
	}
	if len(got) != 6 || !strings.Contains(got[2], "192.0.2.1") || !strings.Contains(got[4], "192.0.2.2") {
		t.Errorf("IXFR from serve, serial 1 to 2:\n%s", strings.Join(got, "\n"))
	}
	axfr := new(dns.Msg)
	axfr.SetAxfr(DefaultCatalog)
	cat, err := (&dns.Transfer{}).In(axfr, s.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	listed := false
	for env := range cat {
		for _, rr := range env.RR {
			if ptr, ok := rr.(*dns.PTR); ok && ptr.Ptr == "sec.example." {
				listed = true
			}
		}
	}
	if !listed {
		t.Error("the secondary zone is not in the catalog")
	}

	kept := filepath.Join(cfg.Data, "secondary-dns", fmt.Sprintf("127.0.0.1_%d", knotPort))
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("zones pulled are not kept on disk: %v", err)
	}

	// Unlinked, a primary can go; the zone stays as last pulled.
	api("PUT", fmt.Sprintf("/secondary_dns/primaries/%d/unlink", p.Data.ID), `{"zone":"sec.example"}`, 200)
	api("DELETE", fmt.Sprintf("/secondary_dns/primaries/%d", p.Data.ID), "", 204)
	waitAnswer("www.sec.example.", dns.TypeA, "192.0.2.2")
	// Its copy on disk goes, so that linking again starts afresh.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(kept); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still there after the unlink", kept)
		}
	}
}

// cuttingPrimary is a customer's primary that can cut a zone transfer off
// after its first records.
type cuttingPrimary struct {
	mu     sync.Mutex
	serial uint32
	www    string
	cut    bool
	xfrs   int
}

func (p *cuttingPrimary) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	p.mu.Lock()
	serial, www, cut := p.serial, p.www, p.cut
	if q := r.Question[0].Qtype; q == dns.TypeAXFR || q == dns.TypeIXFR {
		p.xfrs++
	}
	p.mu.Unlock()
	rr := func(s string) dns.RR { x, _ := dns.NewRR(s); return x }
	soa := rr(fmt.Sprintf("cut.example. 300 IN SOA ns.customer.example. h.customer.example. %d 3600 600 86400 60", serial))
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	switch r.Question[0].Qtype {
	case dns.TypeSOA:
		m.Answer = []dns.RR{soa}
	case dns.TypeAXFR, dns.TypeIXFR:
		m.Answer = []dns.RR{soa, rr("cut.example. 300 IN NS ns.customer.example."), rr("www.cut.example. 300 IN A " + www), soa}
		if cut {
			m.Answer = m.Answer[:2]
			w.WriteMsg(m)
			w.Close()
			return
		}
	}
	w.WriteMsg(m)
}

func (p *cuttingPrimary) set(serial uint32, www string, cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.serial, p.www, p.cut = serial, www, cut
}

func (p *cuttingPrimary) transfers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.xfrs
}

// TestSecondaryDNSCutTransfer: a transfer cut off midway changes nothing
// that is served or stored; the next complete one does. NOTIFY from an
// address that is not the zone's primary does not make serve pull.
func TestSecondaryDNSCutTransfer(t *testing.T) {
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	prim := &cuttingPrimary{serial: 1, www: "192.0.2.1"}
	serveDNS(t, addr, prim)

	s, acc := startSecondaryServe(t)
	dnsAddr := s.UDPAddr().String()
	ctx := context.Background()
	who := store.Actor{Label: "test"}
	p, err := s.store.CreatePrimaryServer(ctx, who, acc.ID, store.PrimaryServerInput{Name: "cutter", IP: "127.0.0.1", Port: port})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.CreateSecondaryZone(ctx, who, acc.ID, "cut.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.LinkPrimaryServer(ctx, who, acc.ID, p.Name, "cut.example"); err != nil {
		t.Fatal(err)
	}
	s.changed("cut.example")
	www := func() string {
		r := query(t, dnsAddr, "www.cut.example.", dns.TypeA)
		if len(r.Answer) == 0 {
			return dns.RcodeToString[r.Rcode]
		}
		return r.Answer[0].(*dns.A).A.String()
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("the first version", func() bool { return www() == "192.0.2.1" })

	notify := func(from string) *dns.Msg {
		t.Helper()
		m := new(dns.Msg)
		m.SetNotify("cut.example.")
		c := &dns.Client{Timeout: 2 * time.Second, Dialer: &net.Dialer{LocalAddr: &net.UDPAddr{IP: net.ParseIP(from)}}}
		r, _, err := c.Exchange(m, dnsAddr)
		if err != nil {
			t.Fatalf("NOTIFY from %s: %v", from, err)
		}
		return r
	}

	// Version 2 is cut off midway, every time.
	prim.set(2, "192.0.2.2", true)
	before := prim.transfers()
	if r := notify("127.0.0.1"); r.Rcode != dns.RcodeSuccess || !r.Authoritative {
		t.Fatalf("NOTIFY from the primary: %v", r)
	}
	waitFor("a cut transfer", func() bool { return prim.transfers() > before })
	time.Sleep(300 * time.Millisecond)
	if got := www(); got != "192.0.2.1" {
		t.Errorf("after a cut transfer, www = %s, want the previous version", got)
	}
	if z, err := s.store.Zone(ctx, acc.ID, "cut.example"); err != nil || z.Serial != 1 {
		t.Errorf("stored zone after a cut transfer: %+v, %v", z, err)
	}

	// NOTIFY from elsewhere is not taken.
	prim.set(2, "192.0.2.2", false)
	before = prim.transfers()
	if r := notify("127.0.0.2"); r.Rcode == dns.RcodeSuccess {
		t.Errorf("NOTIFY from a stranger: %v", r)
	}
	time.Sleep(300 * time.Millisecond)
	if got := prim.transfers(); got != before {
		t.Errorf("a stranger's NOTIFY made %d transfers", got-before)
	}

	// The primary's NOTIFY, complete this time.
	notify("127.0.0.1")
	waitFor("version 2", func() bool { return www() == "192.0.2.2" })
}

// TestSecondaryDNSFailover: a secondary zone linked to two of the
// customer's primary servers, the first down, is pulled from the second,
// whose NOTIFY is taken. Unlinked from the first, it is pulled by a
// puller of the second alone, and the two primaries' copy on disk goes.
func TestSecondaryDNSFailover(t *testing.T) {
	down := freePort(t) // nothing listens there
	up := freePort(t)
	upAddr := fmt.Sprintf("127.0.0.2:%d", up)
	prim := &cuttingPrimary{serial: 1, www: "192.0.2.1"}
	serveDNS(t, upAddr, prim)

	s, acc := startSecondaryServe(t)
	dnsAddr := s.UDPAddr().String()
	ctx := context.Background()
	who := store.Actor{Label: "test"}
	for _, p := range []store.PrimaryServerInput{
		{Name: "down", IP: "127.0.0.1", Port: down},
		{Name: "up", IP: "127.0.0.2", Port: up},
	} {
		if _, err := s.store.CreatePrimaryServer(ctx, who, acc.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.store.CreateSecondaryZone(ctx, who, acc.ID, "cut.example"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"down", "up"} { // "down" first: the one asked first
		if _, err := s.store.LinkPrimaryServer(ctx, who, acc.ID, name, "cut.example"); err != nil {
			t.Fatal(err)
		}
	}
	s.changed("cut.example")
	www := func() string {
		r := query(t, dnsAddr, "www.cut.example.", dns.TypeA)
		if len(r.Answer) == 0 {
			return dns.RcodeToString[r.Rcode]
		}
		return r.Answer[0].(*dns.A).A.String()
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("the first version, from the second primary", func() bool { return www() == "192.0.2.1" })
	root := filepath.Join(s.cfg.Data, "secondary-dns")
	dirs := func() []string {
		var out []string
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	if d := dirs(); len(d) != 1 || !strings.HasPrefix(d[0], "primaries-") {
		t.Errorf("directories of the pullers: %q, want one primaries-…", d)
	}

	// The second primary's NOTIFY, from its address.
	prim.set(2, "192.0.2.2", false)
	m := new(dns.Msg)
	m.SetNotify("cut.example.")
	c := &dns.Client{Timeout: 2 * time.Second, Dialer: &net.Dialer{LocalAddr: &net.UDPAddr{IP: net.ParseIP("127.0.0.2")}}}
	if r, _, err := c.Exchange(m, dnsAddr); err != nil || r.Rcode != dns.RcodeSuccess || !r.Authoritative {
		t.Fatalf("NOTIFY from the second primary: %v, %v", r, err)
	}
	waitFor("version 2", func() bool { return www() == "192.0.2.2" })

	// Unlinked from the primary that is down: pulled from the other
	// alone, in that primary's directory; the pair's is removed.
	if _, err := s.store.UnlinkPrimaryServer(ctx, who, acc.ID, "down", "cut.example"); err != nil {
		t.Fatal(err)
	}
	s.changed("cut.example")
	single := fmt.Sprintf("127.0.0.2_%d", up)
	waitFor("the zone kept by the puller of the second primary alone", func() bool {
		_, err := os.Stat(filepath.Join(root, single, "cut.example.zone"))
		d := dirs()
		return err == nil && len(d) == 1 && d[0] == single
	})
	prim.set(3, "192.0.2.3", false)
	if r, _, err := c.Exchange(m, dnsAddr); err != nil || r.Rcode != dns.RcodeSuccess {
		t.Fatalf("NOTIFY from the primary: %v, %v", r, err)
	}
	waitFor("version 3", func() bool { return www() == "192.0.2.3" })
}

// TestSecondaryDNSPrivatePrimaries: by default a customer's primary server
// must be a public address — a zone transfer from inside the installation's
// network would read an internal zone into the customer's account — both
// when it is created and, for one created before the rule applied, when
// its zones are pulled.
func TestSecondaryDNSPrivatePrimaries(t *testing.T) {
	s := startServe(t, testServeConfig(t))
	ctx := context.Background()
	u, acc, err := s.store.CreateUser(ctx, "customer@example.com", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	who := store.Actor{UserID: &u.ID}
	for _, ip := range []string{"127.0.0.1", "10.1.2.3", "192.168.0.53", "169.254.169.254", "::1", "fd00::53", "::ffff:10.0.0.1"} {
		_, err := s.store.CreatePrimaryServer(ctx, who, acc.ID, store.PrimaryServerInput{Name: "ns-" + ip, IP: ip})
		var ve *store.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "ip" || !strings.Contains(ve.Fields[0].Msg, "not a public address") {
			t.Errorf("primary at %s: %v, want the ip refused as not public", ip, err)
		}
	}
	// 192.0.2.0/24 is documentation space, which netip counts as global
	// unicast: the rule keeps transfers from reaching inside.
	if _, err := s.store.CreatePrimaryServer(ctx, who, acc.ID, store.PrimaryServerInput{Name: "public", IP: "192.0.2.53"}); err != nil {
		t.Errorf("a public primary: %v", err)
	}

	// A link made before the rule (or with --secondary-allow-private,
	// since turned off) is not followed, and is logged once.
	st := &fakeSecondaryStore{zones: []store.SecondaryZone{
		{Name: "inside.example.", Primaries: []string{"10.0.0.53:53"}},
		{Name: "mixed.example.", Primaries: []string{"10.0.0.53:53", "192.0.2.53:53"}},
	}}
	var logs strings.Builder
	p := newSecondaryDNS(t.TempDir(), nopExpirer{}, func(...string) {}, time.Hour, slog.New(slog.NewTextHandler(&logs, nil)))
	p.st = st
	for range 2 {
		if err := p.sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	defer p.stopAll()
	if len(p.pullers) != 1 {
		t.Fatalf("pullers %v, want the mixed zone's only", p.pullers)
	}
	for _, pl := range p.pullers {
		if !slices.Equal(pl.primaries, []string{"192.0.2.53:53"}) || !slices.Equal(pl.zones, []string{"mixed.example."}) {
			t.Errorf("puller of %v for %v, want 192.0.2.53:53 for mixed.example.", pl.primaries, pl.zones)
		}
	}
	for _, zone := range []string{"inside.example.", "mixed.example."} {
		if n := strings.Count(logs.String(), "zone="+zone); n != 1 {
			t.Errorf("%s logged %d times, want once:\n%s", zone, n, logs.String())
		}
	}
}

type fakeSecondaryStore struct{ zones []store.SecondaryZone }

func (f *fakeSecondaryStore) SecondaryZones(context.Context) ([]store.SecondaryZone, error) {
	return f.zones, nil
}

func (f *fakeSecondaryStore) ReplaceSecondaryZone(context.Context, *zone.Zone) (bool, error) {
	return false, nil
}

type nopExpirer struct{}

func (nopExpirer) SetExpired(string, bool) error { return nil }

// TestSecondaryDNSSweep: the first sync removes the directories no puller
// uses (links removed while serve was down, a zone's copy under its first
// primary once it has several) and keeps those in use.
func TestSecondaryDNSSweep(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"192.0.2.53_53", "10.9.9.9_53", "primaries-0123456789abcdef01234567"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, d, "kept.example.zone"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := newSecondaryDNS(dir, nopExpirer{}, func(...string) {}, time.Hour, slog.New(slog.DiscardHandler))
	p.st = &fakeSecondaryStore{zones: []store.SecondaryZone{{Name: "kept.example.", Primaries: []string{"192.0.2.53:53"}}}}
	p.allowPrivate = true
	if err := p.sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer p.stopAll()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"192.0.2.53_53"}) {
		t.Errorf("directories after the first sync: %v, want only 192.0.2.53_53", names)
	}
}

// serveDNS runs a miekg/dns server of h on addr, UDP and TCP, until the
// test ends: a customer's primary.
func serveDNS(t *testing.T, addr string, h dns.Handler) {
	t.Helper()
	for _, n := range []string{"udp", "tcp"} {
		srv := &dns.Server{Addr: addr, Net: n, Handler: h}
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go srv.ListenAndServe()
		<-started
		t.Cleanup(func() { srv.Shutdown() })
	}
}

// startSecondaryServe starts serve polling often, its customers'
// primaries allowed on loopback, with one customer.
func startSecondaryServe(t *testing.T) (*Serve, store.Account) {
	t.Helper()
	cfg := testServeConfig(t)
	cfg.Poll = 200 * time.Millisecond
	cfg.SecondaryAllowPrivate = true // the primaries are on 127.0.0.1
	s := startServe(t, cfg)
	_, acc, err := s.store.CreateUser(context.Background(), "customer@example.com", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	return s, acc
}
