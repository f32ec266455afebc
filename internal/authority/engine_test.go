package authority

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/zone"
)

const smokeZone = `$ORIGIN example.com.
$TTL 3600
@	IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
@	IN NS ns1
@	IN NS ns2.example.net.
@	IN MX 10 mail
@	IN ALIAS www
ns1	IN A 192.0.2.53
www	IN A 192.0.2.1
www	IN AAAA 2001:db8::1
mail	IN A 192.0.2.25
alias	IN CNAME www
*.wild	IN A 192.0.2.99
sub	IN NS ns.sub
ns.sub	IN A 192.0.2.54
d	IN DNAME example.net.
`

func mustZone(t testing.TB, origin, text string) *zone.Zone {
	t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(text), origin, "test")
	zp.SetDefaultTTL(3600)
	z := &zone.Zone{Origin: origin}
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rr.Header().Name = strings.ToLower(rr.Header().Name)
		z.Records = append(z.Records, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	return z
}

func ask(t testing.TB, e *Engine, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, false)
	wire, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	// An answer over UDP with EDNS 1232 fits; a buffer of 64 KiB a
	// question was most of the time of the tests that ask thousands.
	out := e.ServeDNS(make([]byte, 0, 2048), &dnsserver.Request{Msg: wire})
	r := new(dns.Msg)
	if err := r.Unpack(out); err != nil {
		t.Fatalf("unpack answer to %s %d: %v (% x)", name, qtype, err, out)
	}
	return r
}

func TestSmoke(t *testing.T) {
	e := New(Config{})
	if err := e.Replace([]*zone.Zone{mustZone(t, "example.com.", smokeZone)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		qtype uint16
	}{
		{"www.example.com.", dns.TypeA},
		{"WWW.Example.COM.", dns.TypeAAAA},
		{"example.com.", dns.TypeMX},
		{"example.com.", dns.TypeA},
		{"example.com.", dns.TypeNS},
		{"alias.example.com.", dns.TypeA},
		{"x.y.wild.example.com.", dns.TypeA},
		{"nope.example.com.", dns.TypeA},
		{"www.example.com.", dns.TypeTXT},
		{"a.b.sub.example.com.", dns.TypeA},
		{"x.d.example.com.", dns.TypeA},
		{"example.org.", dns.TypeA},
	} {
		t.Log("\n" + ask(t, e, c.name, c.qtype).String())
	}
}

func BenchmarkServe(b *testing.B) {
	e := New(Config{})
	expired := mustZone(b, "expired.example.", "@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.2\n")
	if err := e.Replace([]*zone.Zone{mustZone(b, "example.com.", smokeZone), expired}); err != nil {
		b.Fatal(err)
	}
	if err := e.SetExpired("expired.example.", true); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		label string
		name  string
		qtype uint16
	}{
		{"exact", "www.example.com.", dns.TypeA},
		{"nxdomain", "nope.example.com.", dns.TypeA},
		{"wildcard", "x.y.wild.example.com.", dns.TypeA},
		{"referral", "a.sub.example.com.", dns.TypeA},
		{"expired", "www.expired.example.", dns.TypeA},
	} {
		b.Run(c.label, func(b *testing.B) {
			m := new(dns.Msg)
			m.SetQuestion(c.name, c.qtype)
			m.SetEdns0(1232, false)
			wire, _ := m.Pack()
			req := &dnsserver.Request{Msg: wire}
			buf := make([]byte, 0, 65535)
			b.ReportAllocs()
			for b.Loop() {
				e.ServeDNS(buf, req)
			}
		})
	}
}

// TestSetExpired: an expired secondary zone answers SERVFAIL for its names,
// whatever the question, and nothing else changes; a new version of the zone
// or SetExpired(false) serves it again.
func TestSetExpired(t *testing.T) {
	e := New(Config{})
	parent := mustZone(t, "com.", "@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns.example.net.\nexample NS ns.example.net.\nother CNAME www.example.com.\n")
	child := mustZone(t, "example.com.", smokeZone)
	if err := e.Replace([]*zone.Zone{parent, child}); err != nil {
		t.Fatal(err)
	}
	if err := e.SetExpired("Example.COM", true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		qtype uint16
		rcode int
	}{
		{"www.example.com.", dns.TypeA, dns.RcodeServerFailure},
		{"example.com.", dns.TypeSOA, dns.RcodeServerFailure},
		{"nope.example.com.", dns.TypeA, dns.RcodeServerFailure},
		{"a.sub.example.com.", dns.TypeA, dns.RcodeServerFailure},
		{"example.com.", dns.TypeDS, dns.RcodeSuccess}, // the parent's
		{"com.", dns.TypeSOA, dns.RcodeSuccess},
		{"example.org.", dns.TypeA, dns.RcodeRefused},
	} {
		r := ask(t, e, c.name, c.qtype)
		if r.Rcode != c.rcode {
			t.Errorf("%s %s: rcode %s, want %s", c.name, dns.TypeToString[c.qtype], dns.RcodeToString[r.Rcode], dns.RcodeToString[c.rcode])
		}
		if c.rcode == dns.RcodeServerFailure && (r.Authoritative || len(r.Answer)+len(r.Ns) > 0) {
			t.Errorf("%s: SERVFAIL with aa=%t and records:\n%s", c.name, r.Authoritative, r)
		}
	}
	// A CNAME from another zone into the expired one stops at the CNAME.
	if r := ask(t, e, "other.com.", dns.TypeA); len(r.Answer) != 1 {
		t.Errorf("chase into an expired zone:\n%s", r)
	}

	if err := e.SetExpired("example.com.", false); err != nil {
		t.Fatal(err)
	}
	if r := ask(t, e, "www.example.com.", dns.TypeA); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		t.Errorf("after SetExpired(false):\n%s", r)
	}
	if err := e.SetExpired("example.com.", true); err != nil {
		t.Fatal(err)
	}
	if err := e.Update([]*zone.Zone{mustZone(t, "example.com.", smokeZone)}, nil); err != nil {
		t.Fatal(err)
	}
	if r := ask(t, e, "www.example.com.", dns.TypeA); r.Rcode != dns.RcodeSuccess {
		t.Errorf("after a new version: %s", dns.RcodeToString[r.Rcode])
	}
	if err := e.SetExpired("example.org.", true); !errors.Is(err, zone.ErrNotFound) {
		t.Errorf("SetExpired of a zone not served: %v, want ErrNotFound", err)
	}
}

// BenchmarkUpdateOneOfMany is the cost of one zone's new version on an
// engine serving 10,000 (an edge node following a change).
func BenchmarkUpdateOneOfMany(b *testing.B) {
	e := New(Config{})
	var zs []*zone.Zone
	for i := range 10000 {
		o := fmt.Sprintf("z%05d.example.", i)
		zs = append(zs, mustZone(b, o, "@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.2\n"))
	}
	if err := e.Replace(zs); err != nil {
		b.Fatal(err)
	}
	z := zs[5]
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Update([]*zone.Zone{z}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
