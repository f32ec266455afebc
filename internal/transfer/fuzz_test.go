package transfer

import (
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/dnsserver"
)

// FuzzHandler throws arbitrary messages at the transfer handler in front of
// an engine, as a query over UDP and as the start of a TCP transfer. Whatever
// arrives, it must not panic, and every message it sends must parse and
// carry the query's id.
func FuzzHandler(f *testing.F) {
	p := newPrimary(f)
	p.domain(f, "example.com")
	p.record(f, "example.com", "www", "A", "192.0.2.1")
	p.sync(f)

	for _, q := range []struct {
		name  string
		qtype uint16
		sign  bool
	}{
		{"example.com.", dns.TypeAXFR, true}, {"example.com.", dns.TypeIXFR, true},
		{"example.com.", dns.TypeAXFR, false}, {catalogName, dns.TypeAXFR, true},
		{"www.example.com.", dns.TypeA, false}, {catalogName, dns.TypeSOA, true},
	} {
		m := new(dns.Msg)
		m.SetQuestion(q.name, q.qtype)
		if q.qtype == dns.TypeIXFR {
			m.Ns = []dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: q.name, Rrtype: dns.TypeSOA, Class: dns.ClassINET}, Serial: 1}}
		}
		if q.sign {
			m.SetTsig(p.key.Name, dns.HmacSHA256, 300, time.Now().Unix())
			wire, _, err := dns.TsigGenerate(m, p.key.Secret, "", false)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(wire)
			continue
		}
		wire, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(wire)
	}

	from := netip.MustParseAddrPort("127.0.0.1:5353")
	f.Fuzz(func(t *testing.T, msg []byte) {
		if len(msg) > 65535 || len(msg) < 2 {
			return
		}
		id := uint16(msg[0])<<8 | uint16(msg[1])
		check := func(out []byte) {
			if out == nil {
				return
			}
			var r dns.Msg
			if err := r.Unpack(out); err != nil {
				t.Fatalf("response does not parse: %v\n% x", err, out)
			}
			if r.Id != id || !r.Response {
				t.Fatalf("response id %d (query %d), QR %v", r.Id, id, r.Response)
			}
		}
		check(p.h.ServeDNS(make([]byte, 0, 65535), &dnsserver.Request{Msg: msg, Transport: dnsserver.UDP, Remote: from}))
		p.h.ServeStream(&dnsserver.Request{Msg: msg, Transport: dnsserver.TCP, Remote: from}, func(out []byte) error {
			check(out)
			return nil
		})
	})
}
