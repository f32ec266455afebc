package authority_test

// Golden wire tests: the exact bytes of a few responses, so that a change in
// name compression, record order or section layout shows up even when the
// answer still means the same. Regenerate with
//
//	go test ./internal/authority -run TestWire -update
//
// and read the diff: each golden file shows the response as dig would, then
// its bytes.

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
)

var update = flag.Bool("update", false, "rewrite testdata/wire/*.golden from the engine's responses")

type wireCase struct {
	Name      string // file name in testdata/wire, without .golden
	Query     *dns.Msg
	Transport dnsserver.Transport
}

func wireCases() []wireCase {
	ch := query("id.server.", dns.TypeTXT)
	ch.Question[0].Qclass = dns.ClassCHAOS
	return []wireCase{
		{"a", query("www.example.com.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"a-noedns", query("www.example.com.", dns.TypeA), dnsserver.UDP},
		{"mixed-case", query("WwW.ExAmPlE.CoM.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"apex-ns", query("example.com.", dns.TypeNS, edns(1232)), dnsserver.UDP},
		{"apex-mx", query("example.com.", dns.TypeMX, edns(1232)), dnsserver.UDP},
		{"srv", query("_sip._tcp.example.com.", dns.TypeSRV, edns(1232)), dnsserver.UDP},
		{"cname-chain", query("chain1.example.com.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"wildcard", query("foo.wild.example.com.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"wildcard-long", query("a.very.long.name.under.the.wildcard.wild.example.com.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"wildcard-cname", query("x.wc.example.com.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"nodata", query("www.example.com.", dns.TypeMX, edns(1232)), dnsserver.UDP},
		{"nxdomain", query("nowhere.example.com.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"nxdomain-deep", query("a.b.c.d.nowhere.example.com.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"referral", query("www.sub.example.com.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"referral-deep", query("a.b.www.sub.example.com.", dns.TypeAAAA, edns(1232)), dnsserver.UDP},
		{"dname", query("www.dname.example.com.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"child", query("www.child.example.com.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"alias", query("example.net.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"any", query("www.example.com.", dns.TypeANY, edns(1232)), dnsserver.UDP},
		{"truncated", query("big.example.com.", dns.TypeA), dnsserver.UDP},
		{"nsid", query("www.example.com.", dns.TypeA, edns(1232), nsid()), dnsserver.UDP},
		{"badvers", query("www.example.com.", dns.TypeA, edns(1232), ednsVersion(1)), dnsserver.UDP},
		{"refused", query("www.example.org.", dns.TypeA, edns(1232)), dnsserver.UDP},
		{"notimp", query("example.com.", dns.TypeSOA, opcode(dns.OpcodeUpdate)), dnsserver.UDP},
		{"chaos", ch, dnsserver.UDP},
		{"tcp", query("huge.example.com.", dns.TypeTXT), dnsserver.TCP},
	}
}

func TestWire(t *testing.T) {
	e := newEngine(t, authority.Config{MaxUDPSize: 1232, NSID: []byte("node1"), Identity: "node1.example", Aliases: testAliases()})
	for _, tc := range wireCases() {
		t.Run(tc.Name, func(t *testing.T) {
			resp, raw := exchangeRaw(t, e, pack(tc.Query), tc.Transport)
			if raw == nil {
				t.Fatal("no response")
			}
			got := renderWire(tc, resp, raw)
			if !checkPointers(t, raw) {
				t.Fatalf("malformed response:\n%s", got)
			}
			file := filepath.Join("testdata", "wire", tc.Name+".golden")
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("response differs from %s (run with -update to accept)\n--- got:\n%s--- want:\n%s", file, got, want)
			}
		})
	}
}

// renderWire is the golden form of a response: the query, the response as
// dig shows it, and its bytes.
func renderWire(tc wireCase, resp *dns.Msg, raw []byte) string {
	var b strings.Builder
	q := tc.Query.Question[0]
	fmt.Fprintf(&b, "; query: %s %s %s over %s", q.Name, dns.ClassToString[q.Qclass], typeString(q.Qtype), tc.Transport)
	if opt := tc.Query.IsEdns0(); opt != nil {
		fmt.Fprintf(&b, ", EDNS version %d udp %d", opt.Version(), opt.UDPSize())
	}
	if tc.Query.Opcode != dns.OpcodeQuery {
		fmt.Fprintf(&b, ", opcode %s", dns.OpcodeToString[tc.Query.Opcode])
	}
	fmt.Fprintf(&b, "\n; response: %d octets\n", len(raw))
	for _, l := range strings.Split(strings.TrimRight(resp.String(), "\n"), "\n") {
		switch l = strings.TrimSpace(l); {
		case l == "":
		case strings.HasPrefix(l, ";"):
			b.WriteString(l + "\n")
		default:
			b.WriteString("; " + l + "\n")
		}
	}
	b.WriteString(hex.Dump(raw))
	return b.String()
}

// checkPointers checks that every compression pointer in a response points
// backwards, to the start of a label (RFC 1035 §4.1.4), by walking the
// message.
func checkPointers(t *testing.T, raw []byte) (ok bool) {
	t.Helper()
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	fail := func(format string, args ...any) {
		t.Errorf(format, args...)
		panic("malformed")
	}
	if len(raw) < 12 {
		fail("response of %d octets", len(raw))
	}
	labels := map[int]bool{} // offsets where a label or root starts
	off := 12
	name := func() {
		for {
			if off >= len(raw) {
				fail("name runs past the end at %d", off)
			}
			c := raw[off]
			switch {
			case c == 0:
				labels[off] = true
				off++
				return
			case c&0xC0 == 0xC0:
				p := int(c&0x3F)<<8 | int(raw[off+1])
				if p >= off || !labels[p] {
					t.Errorf("pointer at %d to %d: not backwards to a label start", off, p)
				}
				off += 2
				return
			case c&0xC0 != 0:
				fail("label type %#x at %d", c&0xC0, off)
			}
			labels[off] = true
			off += 1 + int(c)
		}
	}
	count := func(i int) int { return int(raw[4+2*i])<<8 | int(raw[5+2*i]) }
	for range count(0) {
		name()
		off += 4
	}
	for i := range count(1) + count(2) + count(3) {
		name()
		if off+10 > len(raw) {
			fail("record %d runs past the end", i)
		}
		rrtype := int(raw[off])<<8 | int(raw[off+1])
		rdlen := int(raw[off+8])<<8 | int(raw[off+9])
		off += 10
		end := off + rdlen
		switch uint16(rrtype) {
		case dns.TypeNS, dns.TypeCNAME, dns.TypePTR, dns.TypeDNAME:
			name()
		case dns.TypeMX:
			off += 2
			name()
		case dns.TypeSOA:
			name()
			name()
		}
		if off > end {
			fail("record %d: rdata names run past its rdlength", i)
		}
		off = end
	}
	if off != len(raw) {
		t.Errorf("%d octets after the last record", len(raw)-off)
	}
	return !t.Failed()
}

// TestNoCompressionInNewTypes: only the names in the rdata of RFC 1035's
// types may be compressed (RFC 3597 §4); SRV's and DNAME's targets are
// written in full.
func TestNoCompressionInNewTypes(t *testing.T) {
	e := newEngine(t, authority.Config{})
	_, raw := exchangeRaw(t, e, pack(query("_sip._tcp.example.com.", dns.TypeSRV)), dnsserver.UDP)
	target := []byte("\x09sipserver\x07example\x03com\x00")
	if !bytes.Contains(raw, target) {
		t.Errorf("SRV target sipserver.example.com. not written in full:\n%s", hex.Dump(raw))
	}
	srvExt := []byte("\x03sip\x07example\x03org\x00")
	if !bytes.Contains(raw, srvExt) {
		t.Errorf("SRV target sip.example.org. not written in full:\n%s", hex.Dump(raw))
	}

	// RFC 6672 §2.5: a DNAME's target is not compressed either.
	_, raw = exchangeRaw(t, e, pack(query("a.dnameext.example.com.", dns.TypeA)), dnsserver.UDP)
	if !bytes.Contains(raw, []byte("\x00\x27\x00\x01\x00\x00\x0e\x10\x00\x0d\x07example\x03org\x00")) {
		t.Errorf("DNAME target example.org. not written in full:\n%s", hex.Dump(raw))
	}
}
