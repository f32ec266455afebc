package transfer

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/store"
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
}

func newPrimary(t *testing.T, allow ...string) *primary {
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
	h, err := New(Config{Next: p.engine, Source: st, Allow: acl, Catalog: catalogName, Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
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
func (p *primary) sync(t *testing.T) {
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
	members, last, err := p.st.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	zs = append(zs, CatalogZone(catalogName, members, last))
	if err := p.engine.Replace(zs); err != nil {
		t.Fatal(err)
	}
}

func (p *primary) domain(t *testing.T, name string) {
	t.Helper()
	if _, err := p.st.CreateDomain(context.Background(), p.actor, p.account, name); err != nil {
		t.Fatal(err)
	}
}

func (p *primary) record(t *testing.T, zoneName, name, typ, content string) {
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

func TestSpecial(t *testing.T) {
	pack := func(m *dns.Msg) []byte { b, _ := m.Pack(); return b }
	q := new(dns.Msg)
	q.SetQuestion("example.com.", dns.TypeA)
	q.SetEdns0(1232, false)
	if special(pack(q)) {
		t.Error("plain query")
	}
	a := new(dns.Msg)
	a.SetAxfr("example.com.")
	if !special(pack(a)) {
		t.Error("axfr")
	}
	s := new(dns.Msg)
	s.SetQuestion("example.com.", dns.TypeSOA)
	s.SetTsig("k.", dns.HmacSHA256, 300, 1)
	raw, _, _ := dns.TsigGenerate(s, "c2VjcmV0", "", false)
	if !special(raw) {
		t.Error("signed query")
	}
	if special([]byte{1, 2, 3}) {
		t.Error("garbage")
	}
}

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
	h, _ := New(Config{Next: e, Source: (*store.Store)(nil)})
	q := new(dns.Msg)
	q.SetQuestion("www.example.com.", dns.TypeA)
	q.SetEdns0(1232, false)
	raw, _ := q.Pack()
	req := &dnsserver.Request{Msg: raw, Transport: dnsserver.UDP}
	buf := make([]byte, 0, 65535)
	b.ReportAllocs()
	for b.Loop() {
		if h.ServeDNS(buf, req) == nil {
			b.Fatal("no answer")
		}
	}
	if n := testing.AllocsPerRun(100, func() { h.ServeDNS(buf, req) }); n != 0 {
		b.Errorf("%v allocations per query", n)
	}
}

// testWriter sends the handler's log to the test's.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
