package transfer

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/miekg/dns"
	dto "github.com/prometheus/client_model/go"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/tsig"
	"github.com/zonewarden/zonewarden/internal/zone"
)

const catalogName = "catalog.test.invalid."

// primary is a store, the engine serving its zones and a transfer Handler
// in front of it, on loopback.
type primary struct {
	st      *store.Store
	engine  *authority.Engine
	addr    string // TCP and UDP
	actor   store.Actor
	account int64
	key     store.TSIGKey // allowed to transfer
	other   store.TSIGKey // in the store, not allowed
	log     *syncBuffer   // the handler's log
	h       *Handler
}

// syncBuffer is a log the test reads while the server writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newPrimary(t testing.TB, allow ...string) *primary {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "zw.db"),
		store.WithPasswordParams(argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	u, a, err := st.CreateUser(ctx, "op@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	p := &primary{st: st, engine: authority.New(authority.Config{}), account: a.ID, actor: store.Actor{UserID: &u.ID, Label: u.Email}}
	if p.key, err = st.CreateTSIGKey(ctx, "edge1", "hmac-sha256"); err != nil {
		t.Fatal(err)
	}
	if p.other, err = st.CreateTSIGKey(ctx, "other", "hmac-sha512"); err != nil {
		t.Fatal(err)
	}
	if allow == nil {
		allow = []string{"edge1"}
	}
	acl, err := ParseACL(allow)
	if err != nil {
		t.Fatal(err)
	}
	p.log = &syncBuffer{}
	var tw io.Writer = testWriter{t}
	if _, ok := t.(*testing.F); ok {
		tw = io.Discard // a fuzz target may not log through F
	}
	h, err := New(Config{Next: p.engine, Source: storeSource{st}, Allow: acl, Catalog: catalogName,
		Logger: slog.New(slog.NewTextHandler(io.MultiWriter(tw, p.log), &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	p.h = h
	srv, err := dnsserver.New(dnsserver.Config{Addr: "127.0.0.1:0", Handler: h, Workers: 1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	p.addr = srv.TCPAddr().String()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { srv.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return p
}

// sync loads every zone of the store and the catalog into the engine.
func (p *primary) sync(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	names, _, err := p.st.ZoneNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var zs []*zone.Zone
	for _, n := range names {
		z, err := p.st.ZoneData(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		zs = append(zs, z)
	}
	members, last, err := storeSource{p.st}.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	zs = append(zs, CatalogZone(catalogName, members, last))
	if err := p.engine.Replace(zs); err != nil {
		t.Fatal(err)
	}
}

func (p *primary) domain(t testing.TB, name string) {
	t.Helper()
	if _, err := p.st.CreateDomain(context.Background(), p.actor, p.account, name); err != nil {
		t.Fatal(err)
	}
}

func (p *primary) record(t testing.TB, zoneName, name, typ, content string) {
	t.Helper()
	if _, err := p.st.CreateRecord(context.Background(), p.actor, p.account, zoneName, store.RecordInput{Name: name, Type: typ, Content: content}); err != nil {
		t.Fatal(err)
	}
}

func (p *primary) serial(t *testing.T, zoneName string) uint32 {
	t.Helper()
	z, err := p.st.ZoneData(context.Background(), zoneName)
	if err != nil {
		t.Fatal(err)
	}
	return z.SOA().Serial
}

// transfer runs an AXFR (from nil) or IXFR with miekg's client, which
// checks the TSIG of every message, and returns every record received.
func transfer(t *testing.T, addr, zoneName string, from *uint32, key *store.TSIGKey) ([]dns.RR, error) {
	t.Helper()
	q := new(dns.Msg)
	if from == nil {
		q.SetAxfr(zoneName)
	} else {
		q.SetIxfr(zoneName, *from, ".", ".")
	}
	tr := &dns.Transfer{ReadTimeout: 5 * time.Second}
	if key != nil {
		q.SetTsig(key.Name, key.Algorithm, 300, time.Now().Unix())
		tr.TsigSecret = map[string]string{key.Name: key.Secret}
	}
	ch, err := tr.In(q, addr)
	if err != nil {
		return nil, err
	}
	var out []dns.RR
	for env := range ch {
		if env.Error != nil {
			return out, env.Error
		}
		out = append(out, env.RR...)
	}
	return out, nil
}

// exchange sends q over net and returns the one answer, unverified.
func exchange(t *testing.T, network, addr string, q *dns.Msg, key *store.TSIGKey) *dns.Msg {
	t.Helper()
	var raw []byte
	var err error
	if key != nil {
		q.SetTsig(key.Name, key.Algorithm, 300, time.Now().Unix())
		raw, _, err = dns.TsigGenerate(q, key.Secret, "", false)
	} else {
		raw, err = q.Pack()
	}
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout(network, addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	co := &dns.Conn{Conn: c}
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := co.Write(raw); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 65535)
	n, err := co.Read(b)
	if err != nil {
		t.Fatalf("read answer: %v", err)
	}
	r := new(dns.Msg)
	if err := r.Unpack(b[:n]); err != nil {
		t.Fatalf("read answer: %v", err)
	}
	return r
}

func lines(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		out = append(out, strings.ReplaceAll(rr.String(), "\t", " "))
	}
	return out
}

func TestAXFR(t *testing.T) {
	p := newPrimary(t)
	p.domain(t, "example.com")
	p.record(t, "example.com", "www", "A", "192.0.2.1")
	p.record(t, "example.com", "", "MX", "mail.example.com")
	p.sync(t)
	got, err := transfer(t, p.addr, "example.com.", nil, &p.key)
	if err != nil {
		t.Fatal(err)
	}
	z, _ := p.st.ZoneData(context.Background(), "example.com")
	if len(got) != len(z.Records)+1 {
		t.Fatalf("%d records, want %d:\n%s", len(got), len(z.Records)+1, strings.Join(lines(got), "\n"))
	}
	if got[0].String() != z.SOA().String() || got[len(got)-1].String() != z.SOA().String() {
		t.Errorf("not SOA first and last:\n%s", strings.Join(lines(got), "\n"))
	}
	want := lines(z.Records)
	for _, l := range lines(got[1 : len(got)-1]) {
		if !slices.Contains(want, l) {
			t.Errorf("unexpected %s", l)
		}
	}
}

func TestAXFRManyMessages(t *testing.T) {
	p := newPrimary(t)
	p.domain(t, "big.example")
	batch := store.Batch{}
	for i := range 1500 {
		batch.Creates = append(batch.Creates, store.RecordInput{Name: "host" + strings.Repeat("x", i%40) + string(rune('a'+i%26)) + strconv.Itoa(i), Type: "TXT", Content: strings.Repeat("v", 60)})
	}
	if _, err := p.st.BatchChange(context.Background(), p.actor, p.account, "big.example", batch); err != nil {
		t.Fatal(err)
	}
	p.sync(t)
	for _, key := range []*store.TSIGKey{&p.key, nil} {
		got, err := transfer(t, p.addr, "big.example.", nil, key)
		if key == nil {
			if err == nil {
				t.Error("unsigned transfer was allowed")
			}
			continue
		}
		if err != nil || len(got) != 1500+3+1 {
			t.Fatalf("%d records, %v", len(got), err)
		}
	}
}

func TestIXFR(t *testing.T) {
	p := newPrimary(t)
	p.domain(t, "example.com")
	s0 := p.serial(t, "example.com")
	p.record(t, "example.com", "www", "A", "192.0.2.1")
	s1 := p.serial(t, "example.com")
	p.record(t, "example.com", "www", "A", "192.0.2.2")
	s2 := p.serial(t, "example.com")
	p.sync(t)

	tests := []struct {
		name string
		from uint32
		want []string // the records between the first and last SOA, as "TYPE serial-or-rdata"
	}{
		{"from the last but one", s1, []string{"SOA " + u(s1), "SOA " + u(s2), "A 192.0.2.2"}},
		{"from the first", s0, []string{"SOA " + u(s0), "SOA " + u(s1), "A 192.0.2.1", "SOA " + u(s1), "SOA " + u(s2), "A 192.0.2.2"}},
		{"up to date", s2, nil},
		{"ahead", s2 + 5, nil},
		{"unknown serial: whole zone", 12345, []string{"NS ns1.zonewarden.test.", "NS ns2.zonewarden.test.", "A 192.0.2.1", "A 192.0.2.2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := transfer(t, p.addr, "example.com.", &tc.from, &p.key)
			if err != nil {
				t.Fatal(err)
			}
			if soa, ok := got[0].(*dns.SOA); !ok || soa.Serial != s2 {
				t.Fatalf("first record %v", got[0])
			}
			var mid []string
			if len(got) > 1 {
				if soa, ok := got[len(got)-1].(*dns.SOA); !ok || soa.Serial != s2 {
					t.Fatalf("last record %v", got[len(got)-1])
				}
				for _, rr := range got[1 : len(got)-1] {
					mid = append(mid, short(rr))
				}
			}
			if !slices.Equal(mid, tc.want) {
				t.Errorf("got %q\nwant %q", mid, tc.want)
			}
		})
	}
}

func u(s uint32) string { return strconv.FormatUint(uint64(s), 10) }

// short is a record as "TYPE rdata", or "SOA serial".
func short(rr dns.RR) string {
	if soa, ok := rr.(*dns.SOA); ok {
		return "SOA " + u(soa.Serial)
	}
	h := rr.Header().String()
	return dns.TypeToString[rr.Header().Rrtype] + " " + strings.TrimPrefix(rr.String(), h)
}

func TestAccess(t *testing.T) {
	p := newPrimary(t, "edge1", "192.0.2.0/24")
	p.domain(t, "example.com")
	p.sync(t)
	wrong := p.key
	wrong.Secret = p.other.Secret[:44]
	unknown := store.TSIGKey{Name: "nobody.", Algorithm: dns.HmacSHA256, Secret: p.key.Secret}
	tests := []struct {
		name      string
		key       *store.TSIGKey
		rcode     int
		tsigError uint16
		signed    bool
	}{
		{"allowed key", &p.key, dns.RcodeSuccess, 0, true},
		{"no key, address not allowed", nil, dns.RcodeRefused, 0, false},
		{"key not allowed", &p.other, dns.RcodeRefused, 0, true},
		{"wrong secret", &wrong, dns.RcodeNotAuth, dns.RcodeBadSig, false},
		{"unknown key", &unknown, dns.RcodeNotAuth, dns.RcodeBadKey, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := new(dns.Msg)
			q.SetAxfr("example.com.")
			r := exchange(t, "tcp", p.addr, q, tc.key)
			if r.Rcode != tc.rcode {
				t.Fatalf("rcode %s, want %s", dns.RcodeToString[r.Rcode], dns.RcodeToString[tc.rcode])
			}
			ts := r.IsTsig()
			if tc.key == nil {
				if ts != nil {
					t.Error("unsigned request, signed answer")
				}
				return
			}
			if ts == nil || ts.Error != tc.tsigError || (ts.MAC != "") != tc.signed {
				t.Errorf("tsig %v, want error %d signed %v", ts, tc.tsigError, tc.signed)
			}
		})
	}
	// AXFR over UDP is NOTIMP whoever asks, as from NSD and Knot; the
	// access check would answer REFUSED.
	uq := new(dns.Msg)
	uq.SetAxfr("example.com.")
	if r := exchange(t, "udp", p.addr, uq, nil); r.Rcode != dns.RcodeNotImplemented {
		t.Errorf("unsigned AXFR over UDP from a stranger: %s, want NOTIMP", dns.RcodeToString[r.Rcode])
	}
	// A transfer is counted once its last message is sent, which may be
	// a moment after the client has read it: wait for the counts.
	wantOutcomes := map[string]float64{"axfr": 1, "refused": 2, "badsig": 1, "badkey": 1, "notimp": 1}
	count := func(outcome string) float64 {
		var m dto.Metric
		p.h.outcomes.WithLabelValues(outcome).Write(&m)
		return m.GetCounter().GetValue()
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && count("axfr") < wantOutcomes["axfr"]; {
		time.Sleep(5 * time.Millisecond)
	}
	for outcome, want := range wantOutcomes {
		if got := count(outcome); got != want {
			t.Errorf("zonewarden_zone_transfers_total{outcome=%q} = %v, want %v", outcome, got, want)
		}
	}
	logs := p.log.String()
	// One warn line of each per address a minute (all come from
	// 127.0.0.1 here), the rest at debug.
	for _, want := range []string{"key=nobody. error=BADKEY", "key=edge1. error=BADSIG", `level=WARN msg="zone transfer refused"`,
		`level=WARN msg="tsig check failed"`, `level=DEBUG msg="tsig check failed"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if n := strings.Count(logs, "level=WARN"); n != 2 {
		t.Errorf("%d warn lines from one address, want 2", n)
	}
	for _, secret := range []string{p.key.Secret, p.other.Secret, wrong.Secret} {
		if strings.Contains(logs, secret) {
			t.Error("a secret was logged")
		}
	}
	// The catalog answers only those who may transfer it.
	cq := new(dns.Msg)
	cq.SetQuestion("version."+catalogName, dns.TypeTXT)
	if r := exchange(t, "udp", p.addr, cq, nil); r.Rcode != dns.RcodeRefused {
		t.Errorf("unsigned catalog query from a stranger: %s", dns.RcodeToString[r.Rcode])
	}
	cq = new(dns.Msg)
	cq.SetQuestion(catalogName, dns.TypeSOA)
	if r := exchange(t, "udp", p.addr, cq, &p.key); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 || r.IsTsig() == nil {
		t.Errorf("signed catalog SOA query: %v", r)
	}
	// A signed answer verifies.
	q := new(dns.Msg)
	q.SetQuestion("example.com.", dns.TypeSOA)
	c := &dns.Client{Net: "udp", TsigSecret: map[string]string{p.key.Name: p.key.Secret}, Timeout: 2 * time.Second}
	q.SetTsig(p.key.Name, p.key.Algorithm, 300, time.Now().Unix())
	r, _, err := c.Exchange(q, p.addr)
	if err != nil || r.Rcode != dns.RcodeSuccess || r.IsTsig() == nil || len(r.Answer) != 1 {
		t.Errorf("signed SOA query: %v %v", r, err)
	}
}

func TestAccessByAddress(t *testing.T) {
	p := newPrimary(t, "127.0.0.0/8")
	p.domain(t, "example.com")
	p.sync(t)
	if _, err := transfer(t, p.addr, "example.com.", nil, nil); err != nil {
		t.Fatal(err)
	}
	q := new(dns.Msg)
	q.SetAxfr("not-here.example.")
	if r := exchange(t, "tcp", p.addr, q, nil); r.Rcode != dns.RcodeNotAuth {
		t.Errorf("zone not served: %s", dns.RcodeToString[r.Rcode])
	}
}

func TestUDP(t *testing.T) {
	p := newPrimary(t, "127.0.0.1")
	p.domain(t, "example.com")
	s0 := p.serial(t, "example.com")
	p.record(t, "example.com", "www", "A", "192.0.2.1")
	s1 := p.serial(t, "example.com")
	batch := store.Batch{}
	for i := range 40 {
		batch.Creates = append(batch.Creates, store.RecordInput{Name: "h" + strconv.Itoa(i), Type: "TXT", Content: strings.Repeat("x", 50)})
	}
	if _, err := p.st.BatchChange(context.Background(), p.actor, p.account, "example.com", batch); err != nil {
		t.Fatal(err)
	}
	p.sync(t)
	q := new(dns.Msg)
	q.SetAxfr("example.com.")
	if r := exchange(t, "udp", p.addr, q, nil); r.Rcode != dns.RcodeNotImplemented {
		t.Errorf("axfr over udp: %s", dns.RcodeToString[r.Rcode])
	}
	// A small difference fits; a large one gets the SOA alone.
	q = new(dns.Msg)
	q.SetIxfr("example.com.", s0, ".", ".")
	if r := exchange(t, "udp", p.addr, q, nil); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		t.Errorf("long ixfr over udp: %v", r)
	}
	p.record(t, "example.com", "www", "A", "192.0.2.9")
	s3 := p.serial(t, "example.com")
	q = new(dns.Msg)
	q.SetIxfr("example.com.", s3-1, ".", ".")
	_ = s1
	if r := exchange(t, "udp", p.addr, q, nil); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 5 {
		t.Errorf("short ixfr over udp: %v", r)
	}
}

func TestCatalog(t *testing.T) {
	p := newPrimary(t)
	got, err := transfer(t, p.addr, catalogName, nil, &p.key)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("empty catalog: %q", lines(got))
	}
	empty := got[0].(*dns.SOA).Serial
	p.domain(t, "a.example")
	p.domain(t, "b.example")
	mid := catalogSerial(t, p)
	p.record(t, "a.example", "www", "A", "192.0.2.1") // not a catalog change
	if s := catalogSerial(t, p); s != mid {
		t.Errorf("serial moved on a record change: %d, %d", mid, s)
	}
	if err := p.st.DeleteDomain(context.Background(), p.actor, p.account, "a.example"); err != nil {
		t.Fatal(err)
	}
	got, err = transfer(t, p.addr, catalogName, nil, &p.key)
	if err != nil {
		t.Fatal(err)
	}
	var ptrs []string
	for _, rr := range got {
		if ptr, ok := rr.(*dns.PTR); ok {
			ptrs = append(ptrs, ptr.Ptr)
			if !strings.HasSuffix(ptr.Hdr.Name, ".zones."+catalogName) {
				t.Errorf("member %s", ptr.Hdr.Name)
			}
		}
	}
	if !slices.Equal(ptrs, []string{"b.example."}) {
		t.Errorf("members %q", ptrs)
	}
	// IXFR from the empty catalog and from the middle.
	got, err = transfer(t, p.addr, catalogName, &empty, &p.key)
	if err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, rr := range got[1 : len(got)-1] {
		seq = append(seq, short(rr))
	}
	if len(seq) != 9 || !strings.HasPrefix(seq[2], "PTR a.example.") || seq[7] != "PTR a.example." || seq[8] != "SOA "+u(catalogSerial(t, p)) {
		t.Errorf("ixfr from empty: %q", seq)
	}
	got, err = transfer(t, p.addr, catalogName, &mid, &p.key)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || short(got[2]) != "PTR a.example." {
		t.Errorf("ixfr from %d: %q", mid, lines(got))
	}
}

func catalogSerial(t *testing.T, p *primary) uint32 {
	t.Helper()
	_, last, err := p.st.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return CatalogSerial(last)
}

func TestAliasFlattened(t *testing.T) {
	p := newPrimary(t)
	p.domain(t, "example.com")
	p.record(t, "example.com", "www", "A", "192.0.2.7")
	p.record(t, "example.com", "www", "AAAA", "2001:db8::7")
	p.record(t, "example.com", "", "ALIAS", "www.example.com")
	p.sync(t)
	got, err := transfer(t, p.addr, "example.com.", nil, &p.key)
	if err != nil {
		t.Fatal(err)
	}
	var apex []string
	for _, rr := range got {
		if rr.Header().Rrtype == zone.TypeALIAS {
			t.Errorf("ALIAS sent: %s", rr)
		}
		if rr.Header().Name == "example.com." && (rr.Header().Rrtype == dns.TypeA || rr.Header().Rrtype == dns.TypeAAAA) {
			apex = append(apex, short(rr))
		}
	}
	if !slices.Equal(apex, []string{"A 192.0.2.7", "AAAA 2001:db8::7"}) {
		t.Errorf("apex addresses %q", apex)
	}
	// IXFR of a zone with ALIAS records sends it whole.
	s := p.serial(t, "example.com") - 1
	got, err = transfer(t, p.addr, "example.com.", &s, &p.key)
	if err != nil || len(got) < 5 {
		t.Errorf("ixfr: %q %v", lines(got), err)
	}
}

func TestParseACL(t *testing.T) {
	a, err := ParseACL([]string{"*", "Edge1", "192.0.2.0/24", "::1", "10.1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  string
		addr string
		want bool
	}{
		{"", "192.0.2.7", true}, {"", "192.0.3.1", false}, {"", "::1", true}, {"", "10.1.2.3", true},
		{"anykey.", "203.0.113.1", true},
	} {
		if got := a.allows(tc.key, netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("allows(%q, %s) = %v", tc.key, tc.addr, got)
		}
	}
	b, _ := ParseACL([]string{"edge1"})
	if b.allows("other.", netip.MustParseAddr("127.0.0.1")) || !b.allows("edge1.", netip.MustParseAddr("127.0.0.1")) {
		t.Error("key list")
	}
	for _, bad := range []string{"192.0.2.0/33", "a b", "x:y"} {
		if _, err := ParseACL([]string{bad}); err == nil {
			t.Errorf("ParseACL(%q) accepted", bad)
		}
	}
}

func TestWarnLimiter(t *testing.T) {
	var l warnLimiter
	t0 := time.Unix(1e9, 0)
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	for _, step := range []struct {
		at   time.Duration
		addr netip.Addr
		ok   bool
		held int
	}{
		{0, a, true, 0}, {time.Second, a, false, 0}, {2 * time.Second, a, false, 0},
		{3 * time.Second, b, true, 2}, {59 * time.Second, b, false, 0},
		{61 * time.Second, a, true, 1},
	} {
		if ok, held := l.allow(t0.Add(step.at), step.addr); ok != step.ok || held != step.held {
			t.Errorf("at %s from %s: %v %d, want %v %d", step.at, step.addr, ok, held, step.ok, step.held)
		}
	}
	// Spoofed addresses, new each time: at most warnPerMinute lines.
	l = warnLimiter{}
	lines := 0
	for i := range 1000 {
		if ok, _ := l.allow(t0, netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})); ok {
			lines++
		}
	}
	if lines != warnPerMinute || len(l.seen) > warnPerMinute {
		t.Errorf("%d lines, %d addresses remembered, want %d", lines, len(l.seen), warnPerMinute)
	}
}

// TestMisplaced: a TSIG anywhere but last in the additional section, or an
// OPT outside it, is FORMERR, as NSD 4.6 and Knot 3.2 answer (RFC 8945
// §5.1, RFC 6891 §6.1.1), whether the message is a transfer, which this
// handler answers, or a query, which special hands to the engine.
func TestMisplaced(t *testing.T) {
	p := newPrimary(t)
	p.domain(t, "example.com")
	p.sync(t)
	signed := func(m *dns.Msg) *dns.Msg {
		m.SetTsig(p.key.Name, p.key.Algorithm, 300, time.Now().Unix())
		raw, _, err := dns.TsigGenerate(m, p.key.Secret, "", false)
		if err != nil {
			t.Fatal(err)
		}
		out := new(dns.Msg)
		if err := out.Unpack(raw); err != nil {
			t.Fatal(err)
		}
		return out
	}
	optRR := func() dns.RR {
		o := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
		o.SetUDPSize(1232)
		return o
	}
	axfr := func() *dns.Msg { m := new(dns.Msg); m.SetAxfr("example.com."); return m }
	soa := func() *dns.Msg { m := new(dns.Msg); m.SetQuestion("example.com.", dns.TypeSOA); return m }
	// tsigThen moves the TSIG of a signed m before the records rrs.
	tsigThen := func(m *dns.Msg, rrs ...dns.RR) *dns.Msg {
		m = signed(m)
		m.Extra = append(m.Extra, rrs...)
		return m
	}
	inAnswer := func(m *dns.Msg, rr dns.RR) *dns.Msg { m.Answer = append(m.Answer, rr); return m }
	twoTSIG := func(m *dns.Msg) *dns.Msg {
		m = signed(m)
		m.Extra = append([]dns.RR{dns.Copy(m.Extra[0])}, m.Extra...)
		return m
	}
	for _, tc := range []struct {
		name      string
		msg       *dns.Msg
		transport dnsserver.Transport
		rcode     int
	}{
		{"axfr tsig then opt", tsigThen(axfr(), optRR()), dnsserver.TCP, dns.RcodeFormatError},
		{"axfr two tsig", twoTSIG(axfr()), dnsserver.TCP, dns.RcodeFormatError},
		{"axfr opt in answer", inAnswer(axfr(), optRR()), dnsserver.TCP, dns.RcodeFormatError},
		{"axfr tsig in answer", inAnswer(axfr(), signed(soa()).Extra[0]), dnsserver.TCP, dns.RcodeFormatError},
		{"soa tsig then opt", tsigThen(soa(), optRR()), dnsserver.UDP, dns.RcodeFormatError},
		{"soa two tsig", twoTSIG(soa()), dnsserver.UDP, dns.RcodeFormatError},
		{"soa opt in answer", inAnswer(soa(), optRR()), dnsserver.UDP, dns.RcodeFormatError},
		{"soa signed", signed(soa()), dnsserver.UDP, dns.RcodeSuccess},
		{"axfr signed", signed(axfr()), dnsserver.TCP, dns.RcodeSuccess},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := tc.msg.Pack()
			if err != nil {
				t.Fatal(err)
			}
			req := &dnsserver.Request{Msg: raw, Transport: tc.transport, Remote: netip.MustParseAddrPort("127.0.0.1:5353")}
			var out []byte
			if tc.transport == dnsserver.TCP && special(raw, p.h.catalogWire) {
				p.h.ServeStream(req, func(b []byte) error {
					if out == nil {
						out = b
					}
					return nil
				})
			} else {
				out = p.h.ServeDNS(make([]byte, 0, 65535), req)
			}
			r := new(dns.Msg)
			if err := r.Unpack(out); err != nil {
				t.Fatalf("answer % x: %v", out, err)
			}
			if r.Rcode != tc.rcode {
				t.Errorf("rcode %s, want %s", dns.RcodeToString[r.Rcode], dns.RcodeToString[tc.rcode])
			}
		})
	}
}

func TestSpecial(t *testing.T) {
	pack := func(m *dns.Msg) []byte { b, _ := m.Pack(); return b }
	q := new(dns.Msg)
	q.SetQuestion("example.com.", dns.TypeA)
	q.SetEdns0(1232, false)
	if special(pack(q), nil) {
		t.Error("plain query")
	}
	cw := make([]byte, 256)
	n, _ := dns.PackDomainName("catalog.test.", cw, 0, nil, false)
	cw = cw[:n]
	for name, want := range map[string]bool{
		"catalog.test.": true, "Z1.Zones.CATALOG.test.": true, "xcatalog.test.": false, "test.": false, "www.example.com.": false,
	} {
		c := new(dns.Msg)
		c.SetQuestion(name, dns.TypePTR)
		if got := special(pack(c), cw); got != want {
			t.Errorf("special(%s) = %v", name, got)
		}
	}
	a := new(dns.Msg)
	a.SetAxfr("example.com.")
	if !special(pack(a), nil) {
		t.Error("axfr")
	}
	s := new(dns.Msg)
	s.SetQuestion("example.com.", dns.TypeSOA)
	s.SetTsig("k.", dns.HmacSHA256, 300, 1)
	raw, _, _ := dns.TsigGenerate(s, "c2VjcmV0", "", false)
	if !special(raw, nil) {
		t.Error("signed query")
	}
	if special([]byte{1, 2, 3}, nil) {
		t.Error("garbage")
	}
}

// BenchmarkServePassThrough compares a query answered by the engine alone
// and through the Handler in front of it: the Handler must add no
// allocation and little time.
func BenchmarkServePassThrough(b *testing.B) {
	e := authority.New(authority.Config{})
	z := &zone.Zone{Origin: "example.com."}
	for _, l := range []string{"example.com. 3600 IN SOA ns. h. 1 2 3 4 5", "example.com. 3600 IN NS ns.", "www.example.com. 300 IN A 192.0.2.1"} {
		rr, _ := dns.NewRR(l)
		z.Records = append(z.Records, rr)
	}
	if err := e.Replace([]*zone.Zone{z}); err != nil {
		b.Fatal(err)
	}
	h, _ := New(Config{Next: e, Source: storeSource{}, Catalog: "catalog.zonewarden.invalid."})
	q := new(dns.Msg)
	q.SetQuestion("www.example.com.", dns.TypeA)
	q.SetEdns0(1232, false)
	raw, _ := q.Pack()
	req := &dnsserver.Request{Msg: raw, Transport: dnsserver.UDP}
	buf := make([]byte, 0, 65535)
	for _, bc := range []struct {
		name string
		h    dnsserver.Handler
	}{{"engine", e}, {"through-transfer", h}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if bc.h.ServeDNS(buf, req) == nil {
					b.Fatal("no answer")
				}
			}
			if n := testing.AllocsPerRun(100, func() { bc.h.ServeDNS(buf, req) }); n != 0 {
				b.Errorf("%v allocations per query", n)
			}
		})
	}
}

// testWriter sends the handler's log to the test's.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// storeSource is the store as a Source, as internal/app adapts it.
type storeSource struct{ st *store.Store }

func (s storeSource) ZoneData(ctx context.Context, n string) (*zone.Zone, error) {
	return s.st.ZoneData(ctx, n)
}

func (s storeSource) ChangesSince(ctx context.Context, n string, serial uint32) ([]Change, error) {
	cs, err := s.st.ChangesSince(ctx, n, serial)
	var out []Change
	for _, c := range cs {
		out = append(out, Change{ID: c.ID, Kind: c.Kind, PrevSerial: c.PrevSerial, Serial: c.Serial, Removed: c.Removed, Added: c.Added})
	}
	return out, err
}

func (s storeSource) TSIGKey(ctx context.Context, n string) (tsig.Key, error) {
	k, err := s.st.TSIGKey(ctx, n)
	return tsig.Key{Name: k.Name, Algorithm: k.Algorithm, Secret: k.Secret}, err
}

func (s storeSource) Catalog(ctx context.Context) ([]CatalogMember, int64, error) {
	ms, last, err := s.st.Catalog(ctx)
	var out []CatalogMember
	for _, m := range ms {
		out = append(out, CatalogMember{Name: m.Name, Created: m.Created})
	}
	return out, last, err
}

func (s storeSource) CatalogEvents(ctx context.Context, from int64) ([]CatalogEvent, error) {
	es, err := s.st.CatalogEvents(ctx, from)
	var out []CatalogEvent
	for _, e := range es {
		out = append(out, CatalogEvent{ID: e.ID, Deleted: e.Deleted, CatalogMember: CatalogMember{Name: e.Name, Created: e.Created}})
	}
	return out, err
}

func TestBadTime(t *testing.T) {
	p := newPrimary(t)
	p.domain(t, "example.com")
	p.sync(t)
	q := new(dns.Msg)
	q.SetAxfr("example.com.")
	q.SetTsig(p.key.Name, p.key.Algorithm, 300, time.Now().Add(-time.Hour).Unix())
	raw, mac, err := dns.TsigGenerate(q, p.key.Secret, "", false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	co := &dns.Conn{Conn: c}
	c.SetDeadline(time.Now().Add(3 * time.Second))
	co.Write(raw)
	b := make([]byte, 65535)
	n, err := co.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	r := new(dns.Msg)
	if err := r.Unpack(b[:n]); err != nil {
		t.Fatal(err)
	}
	ts := r.IsTsig()
	if r.Rcode != dns.RcodeNotAuth || ts == nil || ts.Error != dns.RcodeBadTime || ts.OtherLen != 6 {
		t.Fatalf("answer %v", r)
	}
	// Signed over the request's MAC, so the client can trust our time.
	// internal/tsig checks the MAC by RFC 8945 §4.3; here, that the
	// handler's answer is that signature: signed again, it is the same.
	re := r.Copy()
	re.IsTsig().MAC = ""
	if _, want, err := dns.TsigGenerate(re, p.key.Secret, mac, false); err != nil || ts.MAC == "" || ts.MAC != want {
		t.Errorf("BADTIME answer's MAC %q, want %q (%v)", ts.MAC, want, err)
	}
}

// BenchmarkAXFR transfers a zone of 9,997 TXT records (10,000 with the SOA
// and NS, the store's default limit) over TCP with TSIG,
// from the store to miekg's client, which checks every message.
func BenchmarkAXFR(b *testing.B) {
	p := newPrimary(b)
	p.domain(b, "big.example")
	batch := store.Batch{}
	for i := range 9997 {
		batch.Creates = append(batch.Creates, store.RecordInput{Name: "h" + strconv.Itoa(i), Type: "TXT", Content: strings.Repeat("v", 40)})
	}
	if _, err := p.st.BatchChange(context.Background(), p.actor, p.account, "big.example", batch); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		q := new(dns.Msg)
		q.SetAxfr("big.example.")
		q.SetTsig(p.key.Name, p.key.Algorithm, 300, time.Now().Unix())
		tr := &dns.Transfer{TsigSecret: map[string]string{p.key.Name: p.key.Secret}}
		ch, err := tr.In(q, p.addr)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for env := range ch {
			if env.Error != nil {
				b.Fatal(env.Error)
			}
			n += len(env.RR)
		}
		if n != 10001 {
			b.Fatalf("%d records", n)
		}
	}
}
