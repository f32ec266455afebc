package authority_test

import (
	"encoding/binary"
	"testing"

	"github.com/miekg/dns"
	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
)

// FuzzServeDNS throws arbitrary messages at an engine serving the test zones.
// Whatever arrives, the engine must not panic, must answer within the size
// the transport allows, and must answer with a message that parses and
// carries the query's id.
func FuzzServeDNS(f *testing.F) {
	for _, name := range []string{"www.example.com.", "x.y.wild.example.com.", "a.sub.example.com.",
		"www.dname.example.com.", "tonet.example.com.", "nothing.example.com.", "id.server.", "example.org."} {
		for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeMX, dns.TypeANY, dns.TypeDS, dns.TypeTXT} {
			m := new(dns.Msg)
			m.SetQuestion(name, qtype)
			if qtype == dns.TypeMX {
				m.SetEdns0(4096, true)
				m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_NSID{Code: dns.EDNS0NSID})
			}
			wire, err := m.Pack()
			if err != nil {
				f.Fatal(err)
			}
			f.Add(wire, false)
		}
	}
	f.Add([]byte{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1}, false)
	f.Add([]byte{0, 1, 0x28, 0, 0, 1, 0, 0, 0, 0, 0, 0}, true)

	e := authority.New(authority.Config{NSID: []byte("fuzz"), Identity: "fuzz.example", Aliases: testAliases()})
	if err := e.Replace(loadZones(f)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, msg []byte, tcp bool) {
		if len(msg) > 65535 {
			return
		}
		req := &dnsserver.Request{Msg: msg, Transport: dnsserver.UDP}
		limit := 65535
		if tcp {
			req.Transport = dnsserver.TCP
		}
		resp := e.ServeDNS(make([]byte, 0, 65535), req)
		if resp == nil {
			return
		}
		if !tcp {
			limit = 1232 + 11 + 4 + 4 // our cap, plus OPT with NSID
		}
		if len(resp) > limit {
			t.Fatalf("response of %d bytes over a limit of %d", len(resp), limit)
		}
		if len(resp) < 12 || binary.BigEndian.Uint16(resp) != binary.BigEndian.Uint16(msg) || resp[2]&0x80 == 0 {
			t.Fatalf("bad response header: % x", resp)
		}
		if err := new(dns.Msg).Unpack(resp); err != nil {
			t.Fatalf("response does not parse: %v\nquery % x\nresponse % x", err, msg, resp)
		}
	})
}
