package authority_test

// The rules of authoritative answering, as a table of queries and the
// responses they must get, written in zone-file notation. The zones are
// testdata/*.zone. Decisions the RFCs leave open follow Knot DNS 3.2 (checked
// by hand against knotd with the same zones) unless noted:
//
//   - Minimal responses: no NS RRset in the authority section of positive
//     answers; additional A/AAAA only for NS, MX and SRV targets in the same
//     zone and for glue.
//   - Negative answers carry the zone's SOA with TTL min(SOA TTL, MINIMUM).
//   - CNAME chains are followed through every zone served here (Knot stops at
//     the zone's edge): at most 16 CNAMEs in the answer, each record at most
//     once, so a loop ends as soon as it closes.
//   - A CNAME into a delegation is answered with the CNAME plus the referral,
//     AA set (the CNAME is authoritative).
//   - ANY (RFC 8482) is answered with exactly one of the RRsets at the name,
//     over UDP and TCP alike, never the ALIAS.
//   - DNAME: the DNAME, a CNAME synthesized with the DNAME's TTL, then the
//     chain. YXDOMAIN keeps the DNAME in the answer.
//   - Class ANY is answered like IN (Knot); other classes are REFUSED, but for
//     CH TXT id.server. and hostname.bind., answered with Config.Identity,
//     TTL 0, AA clear. version.bind. is REFUSED.
//   - EDNS: OPT echoed with our payload size and version 0, DO copied (RFC 3225 §3, as Knot and NSD do)
//     (no DNSSEC yet), NSID only when asked for.

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// Case is one query and the response it must get. Records are written as
// zone-file lines; names compare case-insensitively. Each section compares as
// a set, except that an answer holding a CNAME or DNAME compares RRset by
// RRset in order.
type Case struct {
	Qname  string
	Qtype  uint16
	Qclass uint16 // 0 means IN
	Rcode  int
	AA     bool

	Answer []string
	Ns     []string
	Extra  []string // without the OPT record, which is checked on its own

	// OneRRsetOf makes the answer any one complete RRset of Answer, for ANY
	// queries (RFC 8482 §4.1 lets the server pick); Extra is then not
	// checked, as it depends on the pick.
	OneRRsetOf bool
}

// The ways each case is asked. Every rules case is small enough to fit in 512
// octets, so the response must be the same whichever way it is asked.
type mode struct {
	name      string
	transport dnsserver.Transport
	edns      bool
	rd        bool
}

var modes = []mode{
	{"udp", dnsserver.UDP, true, false},
	{"udp-noedns-rd", dnsserver.UDP, false, true},
	{"tcp", dnsserver.TCP, true, false},
}

var soaCom = "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"
var soaNet = "example.net. 120 IN SOA ns1.example.net. hostmaster.example.net. 7 7200 3600 1209600 900"
var soaChild = "child.example.com. 600 IN SOA ns1.child.example.com. hostmaster.example.com. 1 7200 3600 1209600 600"

var wwwA = []string{"www.example.com. 3600 IN A 192.0.2.80", "www.example.com. 3600 IN A 192.0.2.81"}

var subNS = []string{
	"sub.example.com. 3600 IN NS ns.example.org.",
	"sub.example.com. 3600 IN NS ns1.sub.example.com.",
	"sub.example.com. 3600 IN NS ns2.sub.example.com.",
}
var subGlue = []string{
	"ns1.sub.example.com. 3600 IN A 192.0.2.201",
	"ns1.sub.example.com. 3600 IN AAAA 2001:db8::201",
	"ns2.sub.example.com. 3600 IN A 192.0.2.202",
}

const longTarget = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddd.example.net."

// cat concatenates record lists, for cases built from the shared ones above.
func cat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// chain returns the CNAMEs cNN -> cNN+1 for NN in [from, to].
func chain(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("c%02d.example.com. 3600 IN CNAME c%02d.example.com.", i, i+1))
	}
	return out
}

var rulesCases = []Case{
	// RFC 1034 §4.3.2: exact matches. Minimal responses: no NS in authority.
	{Qname: "example.com.", Qtype: dns.TypeSOA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"}},
	{Qname: "example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"example.com. 3600 IN A 192.0.2.1"}},
	{Qname: "example.com.", Qtype: dns.TypeAAAA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"example.com. 3600 IN AAAA 2001:db8::1"}},
	{Qname: "example.com.", Qtype: dns.TypeTXT, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{`example.com. 3600 IN TXT "v=spf1 -all"`}},
	{Qname: "www.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: wwwA},
	{Qname: "www.example.com.", Qtype: dns.TypeAAAA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"www.example.com. 3600 IN AAAA 2001:db8::80"}},
	{Qname: "ns1.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"ns1.example.com. 3600 IN A 192.0.2.53"}},
	{Qname: "short.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"short.example.com. 60 IN A 192.0.2.9"}},
	{Qname: "big.example.com.", Qtype: dns.TypeAAAA, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}},

	// Additional section: A/AAAA of NS, MX and SRV targets in the zone, none
	// for targets elsewhere.
	{Qname: "example.com.", Qtype: dns.TypeNS, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"example.com. 3600 IN NS ns1.example.com.", "example.com. 3600 IN NS ns2.example.org."},
		Extra:  []string{"ns1.example.com. 3600 IN A 192.0.2.53", "ns1.example.com. 3600 IN AAAA 2001:db8::53"}},
	{Qname: "example.com.", Qtype: dns.TypeMX, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"example.com. 3600 IN MX 10 mail.example.com.", "example.com. 3600 IN MX 20 mail.example.org."},
		Extra:  []string{"mail.example.com. 3600 IN A 192.0.2.25"}},
	{Qname: "_sip._tcp.example.com.", Qtype: dns.TypeSRV, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"_sip._tcp.example.com. 3600 IN SRV 10 60 5060 sipserver.example.com.",
			"_sip._tcp.example.com. 3600 IN SRV 20 60 5060 sip.example.org.",
		},
		Extra: []string{"sipserver.example.com. 3600 IN A 192.0.2.60", "sipserver.example.com. 3600 IN AAAA 2001:db8::60"}},
	{Qname: "example.net.", Qtype: dns.TypeNS, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"example.net. 3600 IN NS ns1.example.net.", "example.net. 3600 IN NS ns2.example.net."},
		Extra:  []string{"ns1.example.net. 3600 IN A 198.51.100.53", "ns2.example.net. 3600 IN AAAA 2001:db8:1::53"}},

	// RFC 2308: NODATA and NXDOMAIN with the SOA, TTL min(SOA TTL, MINIMUM).
	{Qname: "www.example.com.", Qtype: dns.TypeMX, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}},
	{Qname: "txtonly.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}},
	{Qname: "www.example.com.", Qtype: dns.TypeRRSIG, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}},
	{Qname: "www.example.com.", Qtype: dns.TypeNULL, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}},
	{Qname: "nowhere.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Ns: []string{soaCom}},
	{Qname: "a.b.nowhere.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Ns: []string{soaCom}},
	{Qname: "www.example.net.", Qtype: dns.TypeTXT, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaNet}}, // SOA TTL 120 < MINIMUM 900
	{Qname: "nothing.example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Ns: []string{soaNet}},

	// RFC 4592 / RFC 8020: empty non-terminals exist. _tcp, ent and b.ent
	// have no records but names below them.
	{Qname: "_tcp.example.com.", Qtype: dns.TypeSRV, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}},
	{Qname: "ent.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}},
	{Qname: "b.ent.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}}, // an ENT, not matched by *.ent
	{Qname: "a.b.ent.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"a.b.ent.example.com. 3600 IN A 192.0.2.70"}},
	{Qname: "c.b.ent.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Ns: []string{soaCom}}, // closest encloser b.ent has no *.b.ent: *.ent does not apply
	{Qname: "x.ent.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"x.ent.example.com. 3600 IN A 192.0.2.71"}},
	{Qname: "x.y.ent.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"x.y.ent.example.com. 3600 IN A 192.0.2.71"}},

	// RFC 4592: wildcards. Synthesized records are owned by the qname.
	{Qname: "foo.wild.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"foo.wild.example.com. 3600 IN A 192.0.2.100"}},
	{Qname: "foo.wild.example.com.", Qtype: dns.TypeTXT, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{`foo.wild.example.com. 3600 IN TXT "wildcard"`}},
	{Qname: "foo.wild.example.com.", Qtype: dns.TypeAAAA, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}}, // wildcard NODATA
	{Qname: "a.b.wild.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"a.b.wild.example.com. 3600 IN A 192.0.2.100"}},
	{Qname: "host.wild.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"host.wild.example.com. 3600 IN A 192.0.2.101"}}, // exact match wins
	{Qname: "host.wild.example.com.", Qtype: dns.TypeTXT, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}}, // an existing name is never filled in from the wildcard
	{Qname: "sub.host.wild.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Ns: []string{soaCom}}, // closest encloser host.wild has no wildcard
	{Qname: "wild.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}}, // the wildcard's parent is an ENT
	{Qname: "*.wild.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"*.wild.example.com. 3600 IN A 192.0.2.100"}},
	{Qname: "x.wc.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: cat([]string{"x.wc.example.com. 3600 IN CNAME www.example.com."}, wwwA)}, // wildcard CNAME followed
	{Qname: "x.wc.example.com.", Qtype: dns.TypeCNAME, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"x.wc.example.com. 3600 IN CNAME www.example.com."}},
	{Qname: "x.wcloop.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"x.wcloop.example.com. 3600 IN CNAME x.wcloop.example.com."}},
	{Qname: "x.wmx.example.com.", Qtype: dns.TypeMX, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"x.wmx.example.com. 3600 IN MX 10 mail.example.com."},
		Extra:  []string{"mail.example.com. 3600 IN A 192.0.2.25"}},

	// CNAME (RFC 1034 §3.6.2, §4.3.2; RFC 6604 for the rcode).
	{Qname: "alias.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: cat([]string{"alias.example.com. 3600 IN CNAME www.example.com."}, wwwA)},
	{Qname: "alias.example.com.", Qtype: dns.TypeAAAA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"alias.example.com. 3600 IN CNAME www.example.com.", "www.example.com. 3600 IN AAAA 2001:db8::80"}},
	{Qname: "alias.example.com.", Qtype: dns.TypeCNAME, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"alias.example.com. 3600 IN CNAME www.example.com."}},
	{Qname: "alias.example.com.", Qtype: dns.TypeTXT, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"alias.example.com. 3600 IN CNAME www.example.com."},
		Ns:     []string{soaCom}}, // NODATA at the end of the chain
	{Qname: "chain1.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: cat([]string{
			"chain1.example.com. 3600 IN CNAME chain2.example.com.",
			"chain2.example.com. 3600 IN CNAME chain3.example.com.",
			"chain3.example.com. 3600 IN CNAME www.example.com.",
		}, wwwA)},
	{Qname: "loop1.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"loop1.example.com. 3600 IN CNAME loop2.example.com.",
			"loop2.example.com. 3600 IN CNAME loop1.example.com.",
		}},
	{Qname: "self.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"self.example.com. 3600 IN CNAME self.example.com."}},
	{Qname: "dangling.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Answer: []string{"dangling.example.com. 3600 IN CNAME nowhere.example.com."},
		Ns:     []string{soaCom}},
	{Qname: "external.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"external.example.com. 3600 IN CNAME www.example.org."}}, // not ours: the resolver goes on
	{Qname: "towild.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"towild.example.com. 3600 IN CNAME foo.wild.example.com.",
			"foo.wild.example.com. 3600 IN A 192.0.2.100",
		}},
	// 16 CNAMEs are followed to the end; a longer chain stops after 16.
	{Qname: "c04.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: cat(chain(4, 19), []string{"c20.example.com. 3600 IN A 192.0.2.20"})},
	{Qname: "c01.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: chain(1, 16)},
	// Chains continue into the other zones served here, whose SOA then
	// goes in the authority section of a negative end.
	{Qname: "tonet.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"tonet.example.com. 3600 IN CNAME www.example.net.",
			"www.example.net. 3600 IN A 198.51.100.1",
		}},
	{Qname: "tonet.example.com.", Qtype: dns.TypeTXT, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"tonet.example.com. 3600 IN CNAME www.example.net."},
		Ns:     []string{soaNet}},
	{Qname: "nonet.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Answer: []string{"nonet.example.com. 3600 IN CNAME nothing.example.net."},
		Ns:     []string{soaNet}},
	{Qname: "tomx.example.com.", Qtype: dns.TypeMX, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"tomx.example.com. 3600 IN CNAME mx.example.net.",
			"mx.example.net. 3600 IN MX 10 mail.example.net.",
		},
		Extra: []string{"mail.example.net. 3600 IN A 198.51.100.25"}},
	{Qname: "tochild.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"tochild.example.com. 3600 IN CNAME www.child.example.com.",
			"www.child.example.com. 3600 IN A 192.0.2.211",
		}},
	{Qname: "tosub.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"tosub.example.com. 3600 IN CNAME host.sub.example.com."},
		Ns:     subNS, Extra: subGlue}, // into a delegation: CNAME plus referral

	// Referrals at zone cuts: AA clear, the cut's NS in authority, glue.
	{Qname: "sub.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: false,
		Ns: subNS, Extra: subGlue},
	{Qname: "sub.example.com.", Qtype: dns.TypeNS, Rcode: dns.RcodeSuccess, AA: false,
		Ns: subNS, Extra: subGlue},
	{Qname: "www.sub.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: false,
		Ns: subNS, Extra: subGlue},
	{Qname: "a.b.c.sub.example.com.", Qtype: dns.TypeMX, Rcode: dns.RcodeSuccess, AA: false,
		Ns: subNS, Extra: subGlue},
	{Qname: "ns1.sub.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: false,
		Ns: subNS, Extra: subGlue}, // glue is not authoritative data
	{Qname: "sub.example.com.", Qtype: dns.TypeDS, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"sub.example.com. 3600 IN DS 12345 13 2 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"}},
	{Qname: "www.sub.example.com.", Qtype: dns.TypeDS, Rcode: dns.RcodeSuccess, AA: false,
		Ns: subNS, Extra: subGlue},
	{Qname: "sibling.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: false,
		Ns:    []string{"sibling.example.com. 3600 IN NS ns1.sub.example.com."},
		Extra: []string{"ns1.sub.example.com. 3600 IN A 192.0.2.201", "ns1.sub.example.com. 3600 IN AAAA 2001:db8::201"}},
	{Qname: "inzone.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: false,
		Ns:    []string{"inzone.example.com. 3600 IN NS ns1.example.com."},
		Extra: []string{"ns1.example.com. 3600 IN A 192.0.2.53", "ns1.example.com. 3600 IN AAAA 2001:db8::53"}},
	{Qname: "outside.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: false,
		Ns: []string{"outside.example.com. 3600 IN NS ns.example.org."}},

	// A child zone served here answers for its own names (longest suffix);
	// the parent answers DS at the cut.
	{Qname: "child.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"child.example.com. 3600 IN A 192.0.2.209"}},
	{Qname: "child.example.com.", Qtype: dns.TypeNS, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"child.example.com. 3600 IN NS ns1.child.example.com."},
		Extra:  []string{"ns1.child.example.com. 3600 IN A 192.0.2.210"}},
	{Qname: "child.example.com.", Qtype: dns.TypeSOA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"child.example.com. 3600 IN SOA ns1.child.example.com. hostmaster.example.com. 1 7200 3600 1209600 600"}},
	{Qname: "child.example.com.", Qtype: dns.TypeDS, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}},
	{Qname: "www.child.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"www.child.example.com. 3600 IN A 192.0.2.211"}},
	{Qname: "ns1.child.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"ns1.child.example.com. 3600 IN A 192.0.2.210"}},
	{Qname: "nope.child.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Ns: []string{soaChild}},
	{Qname: "child.example.com.", Qtype: dns.TypeMX, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaChild}},

	// RFC 6672: DNAME.
	{Qname: "dname.example.com.", Qtype: dns.TypeDNAME, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"dname.example.com. 3600 IN DNAME example.net."}},
	{Qname: "dname.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}}, // the owner itself is not redirected
	{Qname: "www.dname.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"dname.example.com. 3600 IN DNAME example.net.",
			"www.dname.example.com. 3600 IN CNAME www.example.net.",
			"www.example.net. 3600 IN A 198.51.100.1",
		}},
	{Qname: "www.dname.example.com.", Qtype: dns.TypeCNAME, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"dname.example.com. 3600 IN DNAME example.net.",
			"www.dname.example.com. 3600 IN CNAME www.example.net.",
		}},
	{Qname: "www.dname.example.com.", Qtype: dns.TypeTXT, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"dname.example.com. 3600 IN DNAME example.net.",
			"www.dname.example.com. 3600 IN CNAME www.example.net.",
		},
		Ns: []string{soaNet}},
	{Qname: "mx.dname.example.com.", Qtype: dns.TypeMX, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"dname.example.com. 3600 IN DNAME example.net.",
			"mx.dname.example.com. 3600 IN CNAME mx.example.net.",
			"mx.example.net. 3600 IN MX 10 mail.example.net.",
		},
		Extra: []string{"mail.example.net. 3600 IN A 198.51.100.25"}},
	{Qname: "nothing.dname.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Answer: []string{
			"dname.example.com. 3600 IN DNAME example.net.",
			"nothing.dname.example.com. 3600 IN CNAME nothing.example.net.",
		},
		Ns: []string{soaNet}},
	{Qname: "a.b.dnameext.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"dnameext.example.com. 3600 IN DNAME example.org.",
			"a.b.dnameext.example.com. 3600 IN CNAME a.b.example.org.",
		}},
	{Qname: "x.long.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Answer: []string{
			"long.example.com. 3600 IN DNAME " + longTarget,
			"x.long.example.com. 3600 IN CNAME x." + longTarget,
		},
		Ns: []string{soaNet}}, // 243 octets: fits
	{Qname: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.long.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeYXDomain, AA: true,
		Answer: []string{"long.example.com. 3600 IN DNAME " + longTarget}}, // would be 305 octets

	// RFC 8482: ANY gets one RRset of those at the name (any one of them).
	{Qname: "example.com.", Qtype: dns.TypeANY, Rcode: dns.RcodeSuccess, AA: true, OneRRsetOf: true,
		Answer: []string{
			"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300",
			"example.com. 3600 IN NS ns1.example.com.",
			"example.com. 3600 IN NS ns2.example.org.",
			"example.com. 3600 IN MX 10 mail.example.com.",
			"example.com. 3600 IN MX 20 mail.example.org.",
			"example.com. 3600 IN A 192.0.2.1",
			"example.com. 3600 IN AAAA 2001:db8::1",
			`example.com. 3600 IN TXT "v=spf1 -all"`,
		}},
	{Qname: "www.example.com.", Qtype: dns.TypeANY, Rcode: dns.RcodeSuccess, AA: true, OneRRsetOf: true,
		Answer: cat(wwwA, []string{"www.example.com. 3600 IN AAAA 2001:db8::80"})},
	{Qname: "txtonly.example.com.", Qtype: dns.TypeANY, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{`txtonly.example.com. 3600 IN TXT "only text here"`}},
	{Qname: "alias.example.com.", Qtype: dns.TypeANY, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"alias.example.com. 3600 IN CNAME www.example.com."}},
	{Qname: "foo.wild.example.com.", Qtype: dns.TypeANY, Rcode: dns.RcodeSuccess, AA: true, OneRRsetOf: true,
		Answer: []string{"foo.wild.example.com. 3600 IN A 192.0.2.100", `foo.wild.example.com. 3600 IN TXT "wildcard"`}},
	{Qname: "nowhere.example.com.", Qtype: dns.TypeANY, Rcode: dns.RcodeNameError, AA: true,
		Ns: []string{soaCom}},
	{Qname: "ent.example.com.", Qtype: dns.TypeANY, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaCom}},
	{Qname: "www.sub.example.com.", Qtype: dns.TypeANY, Rcode: dns.RcodeSuccess, AA: false,
		Ns: subNS, Extra: subGlue},

	// ALIAS: A/AAAA from the target's addresses, from the AliasSource when
	// the target is elsewhere and from the zones when it is served here.
	// Never on the wire.
	{Qname: "example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"example.net. 300 IN A 203.0.113.10", "example.net. 300 IN A 203.0.113.11"}},
	{Qname: "example.net.", Qtype: dns.TypeAAAA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"example.net. 300 IN AAAA 2001:db8:2::10"}},
	{Qname: "example.net.", Qtype: dns.TypeSOA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"example.net. 120 IN SOA ns1.example.net. hostmaster.example.net. 7 7200 3600 1209600 900"}},
	{Qname: "example.net.", Qtype: zone.TypeALIAS, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaNet}},
	{Qname: "example.net.", Qtype: dns.TypeANY, Rcode: dns.RcodeSuccess, AA: true, OneRRsetOf: true,
		Answer: []string{
			"example.net. 120 IN SOA ns1.example.net. hostmaster.example.net. 7 7200 3600 1209600 900",
			"example.net. 3600 IN NS ns1.example.net.",
			"example.net. 3600 IN NS ns2.example.net.",
		}},
	{Qname: "flat.example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"flat.example.net. 3600 IN A 198.51.100.1"}},
	{Qname: "flat.example.net.", Qtype: dns.TypeAAAA, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaNet}}, // the target has no AAAA
	{Qname: "flat.example.net.", Qtype: dns.TypeTXT, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{`flat.example.net. 3600 IN TXT "flattened"`}},
	{Qname: "flat.example.net.", Qtype: zone.TypeALIAS, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaNet}},
	{Qname: "flat.example.net.", Qtype: dns.TypeANY, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{`flat.example.net. 3600 IN TXT "flattened"`}},
	{Qname: "toflat.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{
			"toflat.example.com. 3600 IN CNAME flat.example.net.",
			"flat.example.net. 3600 IN A 198.51.100.1",
		}},
	{Qname: "noaddr.example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaNet}}, // the target is known to have no addresses
	{Qname: "missing.example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeServerFailure, AA: false}, // nothing known (yet)
	{Qname: "missing.example.net.", Qtype: dns.TypeTXT, Rcode: dns.RcodeSuccess, AA: true,
		Ns: []string{soaNet}},

	// Names outside our zones are REFUSED, whole labels counting.
	{Qname: "example.org.", Qtype: dns.TypeA, Rcode: dns.RcodeRefused},
	{Qname: "www.example.org.", Qtype: dns.TypeA, Rcode: dns.RcodeRefused},
	{Qname: "com.", Qtype: dns.TypeNS, Rcode: dns.RcodeRefused},
	{Qname: ".", Qtype: dns.TypeNS, Rcode: dns.RcodeRefused},
	{Qname: "notexample.com.", Qtype: dns.TypeA, Rcode: dns.RcodeRefused},
	{Qname: "example.com.evil.", Qtype: dns.TypeA, Rcode: dns.RcodeRefused},

	// Classes: ANY is answered like IN; CH answers only the identity names.
	{Qname: "www.example.com.", Qtype: dns.TypeA, Qclass: dns.ClassANY, Rcode: dns.RcodeSuccess, AA: true,
		Answer: wwwA},
	{Qname: "www.example.com.", Qtype: dns.TypeA, Qclass: dns.ClassHESIOD, Rcode: dns.RcodeRefused},
	{Qname: "example.com.", Qtype: dns.TypeSOA, Qclass: dns.ClassCHAOS, Rcode: dns.RcodeRefused},
	{Qname: "id.server.", Qtype: dns.TypeTXT, Qclass: dns.ClassCHAOS, Rcode: dns.RcodeSuccess,
		Answer: []string{`id.server. 0 CH TXT "node1.example"`}},
	{Qname: "hostname.bind.", Qtype: dns.TypeTXT, Qclass: dns.ClassCHAOS, Rcode: dns.RcodeSuccess,
		Answer: []string{`hostname.bind. 0 CH TXT "node1.example"`}},
	{Qname: "ID.Server.", Qtype: dns.TypeTXT, Qclass: dns.ClassCHAOS, Rcode: dns.RcodeSuccess,
		Answer: []string{`id.server. 0 CH TXT "node1.example"`}},
	{Qname: "version.bind.", Qtype: dns.TypeTXT, Qclass: dns.ClassCHAOS, Rcode: dns.RcodeRefused},
	{Qname: "version.server.", Qtype: dns.TypeTXT, Qclass: dns.ClassCHAOS, Rcode: dns.RcodeRefused},
	{Qname: "foo.bind.", Qtype: dns.TypeTXT, Qclass: dns.ClassCHAOS, Rcode: dns.RcodeRefused},
	{Qname: "id.server.", Qtype: dns.TypeA, Qclass: dns.ClassCHAOS, Rcode: dns.RcodeRefused},
	{Qname: "id.server.", Qtype: dns.TypeTXT, Rcode: dns.RcodeRefused}, // class IN: not ours

	// The question's case is echoed exactly (checked for every case); the
	// answer is the same whatever the case.
	{Qname: "WwW.ExAmPlE.CoM.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: wwwA},
	{Qname: "FOO.Wild.Example.COM.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: []string{"foo.wild.example.com. 3600 IN A 192.0.2.100"}},
	{Qname: "NoWhere.EXAMPLE.com.", Qtype: dns.TypeA, Rcode: dns.RcodeNameError, AA: true,
		Ns: []string{soaCom}},
	{Qname: "Www.Sub.Example.Com.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: false,
		Ns: subNS, Extra: subGlue},
	{Qname: "ALIAS.example.COM.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
		Answer: cat([]string{"alias.example.com. 3600 IN CNAME www.example.com."}, wwwA)},
	{Qname: "WWW.EXAMPLE.ORG.", Qtype: dns.TypeA, Rcode: dns.RcodeRefused},
}

// TestRules asks every case of rulesCases in every mode.
func TestRules(t *testing.T) {
	e := newEngine(t, authority.Config{MaxUDPSize: 1232, NSID: []byte("node1"), Identity: "node1.example", Aliases: testAliases()})
	for _, tc := range rulesCases {
		for _, m := range modes {
			name := fmt.Sprintf("%s/%s/%s", tc.Qname, typeString(tc.Qtype), m.name)
			if tc.Qclass != 0 {
				name = fmt.Sprintf("%s/%s/%s/%s", tc.Qname, dns.ClassToString[tc.Qclass], typeString(tc.Qtype), m.name)
			}
			t.Run(name, func(t *testing.T) {
				q := newQuery(tc.Qname, tc.Qtype, tc.Qclass)
				q.RecursionDesired = m.rd
				if m.edns {
					q.SetEdns0(1232, false)
				}
				resp := exchange(t, e, q, m.transport)
				if resp == nil {
					t.Fatal("no response")
				}
				checkHeader(t, q, resp)
				checkOPT(t, resp, m.edns, 1232)
				checkCase(t, tc, resp)
			})
		}
	}
}

// TestAliasWatch checks that the engine asks its AliasSource to keep the ALIAS
// targets outside the served zones resolved.
func TestAliasWatch(t *testing.T) {
	src := testAliases()
	newEngine(t, authority.Config{Aliases: src})
	src.mu.Lock()
	watched := src.watched
	src.mu.Unlock()
	for _, want := range []string{"target.example.org.", "unknown.example.org.", "empty.example.org."} {
		if !slices.Contains(watched, want) {
			t.Errorf("Watch(%q): %s not watched", watched, want)
		}
	}
	if slices.Contains(watched, "www.example.net.") {
		t.Errorf("Watch(%q): www.example.net. is served here and needs no watching", watched)
	}
}

// TestAliasWithoutSource: with no AliasSource, an ALIAS to a name elsewhere
// can't be answered (SERVFAIL); one to a name served here still is.
func TestAliasWithoutSource(t *testing.T) {
	e := newEngine(t, authority.Config{})
	for _, tc := range []Case{
		{Qname: "example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeServerFailure},
		{Qname: "flat.example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
			Answer: []string{"flat.example.net. 3600 IN A 198.51.100.1"}},
	} {
		t.Run(tc.Qname, func(t *testing.T) {
			q := newQuery(tc.Qname, tc.Qtype, 0)
			resp := exchange(t, e, q, dnsserver.UDP)
			checkHeader(t, q, resp)
			checkCase(t, tc, resp)
		})
	}
}

// TestReplace checks that Replace serves exactly the zones it is given.
func TestReplace(t *testing.T) {
	e := newEngine(t, authority.Config{})
	zs := loadZones(t)
	var net []*zone.Zone
	for _, z := range zs {
		if z.Origin == "example.net." {
			net = append(net, z)
		}
	}
	if err := e.Replace(net); err != nil {
		t.Fatalf("Replace(example.net.): %v", err)
	}
	for _, tc := range []Case{
		{Qname: "www.example.com.", Qtype: dns.TypeA, Rcode: dns.RcodeRefused},
		{Qname: "www.example.net.", Qtype: dns.TypeA, Rcode: dns.RcodeSuccess, AA: true,
			Answer: []string{"www.example.net. 3600 IN A 198.51.100.1"}},
	} {
		q := newQuery(tc.Qname, tc.Qtype, 0)
		resp := exchange(t, e, q, dnsserver.UDP)
		checkHeader(t, q, resp)
		checkCase(t, tc, resp)
	}
}

// ---- fixtures ----

var zonesOnce = sync.OnceValues(func() ([]*zone.Zone, error) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.zone"))
	if err != nil {
		return nil, err
	}
	var zs []*zone.Zone
	for _, f := range files {
		origin := strings.TrimSuffix(filepath.Base(f), "zone")
		z, err := parseZone(f, origin)
		if err != nil {
			return nil, err
		}
		zs = append(zs, z)
	}
	return zs, nil
})

// loadZones returns the zones of testdata/*.zone, each file named after its
// origin. Each call returns fresh zones, which the caller may change.
func loadZones(t testing.TB) []*zone.Zone {
	t.Helper()
	zs, err := zonesOnce()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*zone.Zone, len(zs))
	for i, z := range zs {
		c := &zone.Zone{Origin: z.Origin}
		for _, rr := range z.Records {
			c.Records = append(c.Records, dns.Copy(rr))
		}
		out[i] = c
	}
	return out
}

// parseZone reads a master file with miekg/dns's parser (not internal/zone's,
// which these tests don't depend on) and lower-cases the owner names.
func parseZone(file, origin string) (*zone.Zone, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z := &zone.Zone{Origin: origin}
	zp := dns.NewZoneParser(f, origin, file)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rr.Header().Name = strings.ToLower(rr.Header().Name)
		z.Records = append(z.Records, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	return z, nil
}

func newEngine(t testing.TB, cfg authority.Config) *authority.Engine {
	t.Helper()
	e := authority.New(cfg)
	if err := e.Replace(loadZones(t)); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	return e
}

// fakeAliases is an AliasSource that knows a few targets.
type fakeAliases struct {
	addrs   map[string][][]byte // "name/qtype"
	mu      sync.Mutex
	watched []string
}

func testAliases() *fakeAliases {
	ip := func(s string) []byte { return netip.MustParseAddr(s).AsSlice() }
	return &fakeAliases{addrs: map[string][][]byte{
		"target.example.org./1":  {ip("203.0.113.10"), ip("203.0.113.11")},
		"target.example.org./28": {ip("2001:db8:2::10")},
		"empty.example.org./1":   {},
		"empty.example.org./28":  {},
	}}
}

func (f *fakeAliases) Addresses(target string, qtype uint16) ([][]byte, uint32, bool) {
	rdata, ok := f.addrs[fmt.Sprintf("%s/%d", target, qtype)]
	return rdata, 300, ok
}

func (f *fakeAliases) Watch(targets []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watched = slices.Clone(targets)
}

// ---- asking ----

const queryID = 0xbeef

func newQuery(qname string, qtype, qclass uint16) *dns.Msg {
	if qclass == 0 {
		qclass = dns.ClassINET
	}
	q := new(dns.Msg)
	q.Id = queryID
	q.Question = []dns.Question{{Name: qname, Qtype: qtype, Qclass: qclass}}
	return q
}

// exchange packs q, has e answer it and unpacks the response; nil means no
// response.
func exchange(t testing.TB, e *authority.Engine, q *dns.Msg, tr dnsserver.Transport) *dns.Msg {
	t.Helper()
	wire, err := q.Pack()
	if err != nil {
		t.Fatalf("pack query: %v", err)
	}
	resp, _ := exchangeRaw(t, e, wire, tr)
	return resp
}

// exchangeRaw sends wire as it is and returns the response unpacked and as
// bytes.
func exchangeRaw(t testing.TB, e *authority.Engine, wire []byte, tr dnsserver.Transport) (*dns.Msg, []byte) {
	t.Helper()
	raw := e.ServeDNS(make([]byte, 0, 65535), &dnsserver.Request{
		Msg:       wire,
		Transport: tr,
		Remote:    netip.MustParseAddrPort("192.0.2.99:5353"),
	})
	if raw == nil {
		return nil, nil
	}
	resp := new(dns.Msg)
	if err := resp.Unpack(raw); err != nil {
		t.Fatalf("unpack response: %v\n%s", err, hex.Dump(raw))
	}
	return resp, raw
}

// ---- checking ----

// checkHeader checks what every response to q must have: ID, QR, opcode and
// RD echoed, RA clear, the question echoed byte for byte.
func checkHeader(t testing.TB, q, resp *dns.Msg) {
	t.Helper()
	if resp == nil {
		t.Fatal("no response")
	}
	if resp.Id != q.Id {
		t.Errorf("id: got %#x, want %#x", resp.Id, q.Id)
	}
	if !resp.Response {
		t.Error("QR clear")
	}
	if resp.Opcode != q.Opcode {
		t.Errorf("opcode: got %d, want %d", resp.Opcode, q.Opcode)
	}
	if resp.RecursionDesired != q.RecursionDesired {
		t.Errorf("RD: got %v, want %v (copied from the query)", resp.RecursionDesired, q.RecursionDesired)
	}
	if resp.RecursionAvailable {
		t.Error("RA set: no recursion is offered")
	}
	if resp.Zero || resp.AuthenticatedData {
		t.Error("Z or AD set")
	}
	if len(resp.Question) != 1 || resp.Question[0] != q.Question[0] {
		t.Errorf("question: got %v, want %v (echoed exactly, case included)", resp.Question, q.Question)
	}
}

// checkOPT checks the response's OPT record: present iff the query had one,
// version 0, our payload size, DO clear, no options.
func checkOPT(t testing.TB, resp *dns.Msg, want bool, size uint16) {
	t.Helper()
	opt := respOPT(t, resp)
	switch {
	case !want && opt != nil:
		t.Errorf("OPT in response to a query without EDNS: %s", opt)
	case want && opt == nil:
		t.Error("no OPT in response to a query with EDNS")
	case want:
		if opt.Version() != 0 || opt.UDPSize() != size || opt.Do() || len(opt.Option) != 0 || opt.Hdr.Name != "." {
			t.Errorf("OPT: got %s\nwant version 0, udp %d, no flags, no options", strings.TrimSpace(opt.String()), size)
		}
	}
}

// respOPT returns the one OPT record of resp, or nil.
func respOPT(t testing.TB, resp *dns.Msg) *dns.OPT {
	t.Helper()
	var opt *dns.OPT
	for i, rr := range resp.Extra {
		if o, ok := rr.(*dns.OPT); ok {
			if opt != nil {
				t.Error("more than one OPT")
			}
			if i != len(resp.Extra)-1 {
				t.Log("note: OPT is not the last additional record")
			}
			opt = o
		}
	}
	return opt
}

// checkCase compares rcode, AA and the three sections of resp with tc. On a
// mismatch it prints both responses in zone-file notation.
func checkCase(t testing.TB, tc Case, resp *dns.Msg) {
	t.Helper()
	if resp == nil {
		t.Fatal("no response")
	}
	var problems []string
	if resp.Rcode != tc.Rcode {
		problems = append(problems, fmt.Sprintf("rcode %s, want %s", dns.RcodeToString[resp.Rcode], dns.RcodeToString[tc.Rcode]))
	}
	if resp.Authoritative != tc.AA {
		problems = append(problems, fmt.Sprintf("AA %v, want %v", resp.Authoritative, tc.AA))
	}
	if resp.Truncated {
		problems = append(problems, "TC set")
	}
	gotAn, wantAn := canonical(resp.Answer), canonicalLines(t, tc.Answer)
	if tc.OneRRsetOf {
		if !isOneRRsetOf(gotAn, wantAn) {
			problems = append(problems, "answer is not exactly one of the RRsets listed")
		}
	} else if !sameSection(gotAn, wantAn) {
		problems = append(problems, "answer differs")
	}
	var extra []dns.RR
	for _, rr := range resp.Extra {
		if rr.Header().Rrtype != dns.TypeOPT {
			extra = append(extra, rr)
		}
	}
	gotNs, wantNs := canonical(resp.Ns), canonicalLines(t, tc.Ns)
	if !sameSection(gotNs, wantNs) {
		problems = append(problems, "authority differs")
	}
	gotEx, wantEx := canonical(extra), canonicalLines(t, tc.Extra)
	if !tc.OneRRsetOf && !sameSection(gotEx, wantEx) { // ANY: additional data for whichever RRset
		problems = append(problems, "additional differs")
	}
	if len(problems) == 0 {
		return
	}
	wantHow := ""
	if tc.OneRRsetOf {
		wantHow = " (any one RRset of)"
	}
	t.Errorf("%s\n--- got:\n%s--- want%s:\n%s", strings.Join(problems, "; "),
		render(dns.RcodeToString[resp.Rcode], resp.Authoritative, gotAn, gotNs, gotEx),
		wantHow, render(dns.RcodeToString[tc.Rcode], tc.AA, wantAn, wantNs, wantEx))
}

// canonical returns the records as zone-file lines with lower-case owner
// names and single spaces.
func canonical(rrs []dns.RR) []string {
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		out = append(out, strings.Join(strings.Fields(lowerNames(rr).String()), " "))
	}
	return out
}

// lowerNames returns a copy of rr with its owner and the names in its rdata
// lower-cased. Compression against the question can give names in the
// response the question's case, which DNS allows (RFC 4343).
func lowerNames(rr dns.RR) dns.RR {
	rr = dns.Copy(rr)
	l := strings.ToLower
	rr.Header().Name = l(rr.Header().Name)
	switch v := rr.(type) {
	case *dns.NS:
		v.Ns = l(v.Ns)
	case *dns.CNAME:
		v.Target = l(v.Target)
	case *dns.DNAME:
		v.Target = l(v.Target)
	case *dns.PTR:
		v.Ptr = l(v.Ptr)
	case *dns.MX:
		v.Mx = l(v.Mx)
	case *dns.SRV:
		v.Target = l(v.Target)
	case *dns.SOA:
		v.Ns, v.Mbox = l(v.Ns), l(v.Mbox)
	}
	return rr
}

// canonicalLines parses expected zone-file lines and returns them in the
// form canonical gives.
func canonicalLines(t testing.TB, lines []string) []string {
	t.Helper()
	rrs := make([]dns.RR, 0, len(lines))
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil || rr == nil {
			t.Fatalf("bad expected record %q: %v", l, err)
		}
		rrs = append(rrs, rr)
	}
	return canonical(rrs)
}

// rrsets splits records into runs of the same owner and type, each sorted.
func rrsets(lines []string) [][]string {
	var sets [][]string
	key := func(l string) string {
		f := strings.Fields(l)
		return f[0] + " " + f[2] + " " + f[3] // owner class type
	}
	for _, l := range lines {
		if n := len(sets); n > 0 && key(sets[n-1][0]) == key(l) {
			sets[n-1] = append(sets[n-1], l)
			continue
		}
		sets = append(sets, []string{l})
	}
	for _, s := range sets {
		slices.Sort(s)
	}
	return sets
}

// sameSection compares two sections: as sets, or RRset by RRset in order
// when they hold a CNAME or DNAME.
func sameSection(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	if hasRedirect(want) || hasRedirect(got) {
		g, w := rrsets(got), rrsets(want)
		return slices.EqualFunc(g, w, slices.Equal)
	}
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func hasRedirect(lines []string) bool {
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) > 3 && (f[3] == "CNAME" || f[3] == "DNAME") {
			return true
		}
	}
	return false
}

// isOneRRsetOf reports whether got is exactly one whole RRset of want.
func isOneRRsetOf(got, want []string) bool {
	g := rrsets(got)
	if len(g) != 1 {
		return false
	}
	w := rrsets(sortedCopy(want))
	return slices.ContainsFunc(w, func(s []string) bool { return slices.Equal(s, g[0]) })
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.SortStableFunc(c, func(a, b string) int {
		fa, fb := strings.Fields(a), strings.Fields(b)
		return strings.Compare(fa[0]+" "+fa[3], fb[0]+" "+fb[3])
	})
	return c
}

// render prints a response like dig does, for failure messages.
func render(rcode string, aa bool, an, ns, ex []string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, ";; rcode %s, aa %v\n", rcode, aa)
	for _, s := range []struct {
		name string
		rrs  []string
	}{{"ANSWER", an}, {"AUTHORITY", ns}, {"ADDITIONAL", ex}} {
		if len(s.rrs) == 0 {
			continue
		}
		fmt.Fprintf(&b, ";; %s\n", s.name)
		for _, rr := range s.rrs {
			fmt.Fprintf(&b, "\t%s\n", rr)
		}
	}
	return b.String()
}

func typeString(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

// ---- protocol ----

// protoCase is a query exercising the protocol rather than the zones: EDNS,
// truncation, classes, opcodes and malformed messages. Raw, when set, is sent
// instead of Query.
type protoCase struct {
	Name      string
	Query     *dns.Msg
	Raw       []byte
	Transport dnsserver.Transport

	NoResponse bool
	Rcode      int // the full rcode, extended bits included (BADVERS is 16)
	AA         bool
	TC         bool
	Answers    int     // answer count when TC is clear; -1 not checked
	MaxLen     int     // the response must not be longer; 0 not checked
	OPT        *optOut // nil: no OPT in the response
	SkipOPT    bool    // OPT not checked
}

// optOut is the OPT record a response must carry.
type optOut struct {
	Size uint16
	DO   bool   // RFC 3225 §3: the DO bit of the query is copied
	NSID string // the NSID option's payload, "" for no NSID option
}

type queryOpt func(*dns.Msg)

// query builds a query, ID queryID, RD clear.
func query(qname string, qtype uint16, opts ...queryOpt) *dns.Msg {
	q := newQuery(qname, qtype, 0)
	for _, o := range opts {
		o(q)
	}
	return q
}

func edns(size uint16) queryOpt { return func(q *dns.Msg) { q.SetEdns0(size, false) } }

func ednsVersion(v uint8) queryOpt { return func(q *dns.Msg) { q.IsEdns0().SetVersion(v) } }

func do() queryOpt { return func(q *dns.Msg) { q.IsEdns0().SetDo() } }

func ednsOption(o dns.EDNS0) queryOpt {
	return func(q *dns.Msg) { opt := q.IsEdns0(); opt.Option = append(opt.Option, o) }
}

func nsid() queryOpt { return ednsOption(&dns.EDNS0_NSID{Code: dns.EDNS0NSID}) }

func opcode(op int) queryOpt { return func(q *dns.Msg) { q.Opcode = op } }

func pack(q *dns.Msg) []byte {
	b, err := q.Pack()
	if err != nil {
		panic(err)
	}
	return b
}

// withHeader returns a copy of wire with the 16-bit header field at off set.
func withHeader(wire []byte, off int, v uint16) []byte {
	b := slices.Clone(wire)
	b[off], b[off+1] = byte(v>>8), byte(v)
	return b
}

// Raw records for malformed queries.
var (
	// a TSIG owned by k., HMAC-SHA256, MAC of zeros: never checked here.
	rawTSIG = func() []byte {
		rd := append([]byte("\x0bhmac-sha256\x00"), 0, 0, 0x60, 0, 0, 0, 1, 0x2c, 0, 32)
		rd = append(append(rd, make([]byte, 32)...), 0x12, 0x34, 0, 0, 0, 0)
		return append([]byte{1, 'k', 0, 0, 250, 0, 255, 0, 0, 0, 0, 0, byte(len(rd))}, rd...)
	}()
	// an A record owned by the question's name
	rawA = []byte{0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1}
)

// rawOPT is an OPT record, UDP size 1232, with RDLENGTH rdlen followed by
// rdata (which need not be rdlen octets long).
func rawOPT(rdlen uint16, rdata ...byte) []byte {
	return append([]byte{0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, byte(rdlen >> 8), byte(rdlen)}, rdata...)
}

func rawOPTVersion(v byte) []byte {
	b := rawOPT(0)
	b[6] = v
	return b
}

// rawRRs appends records to a query without any: the first an to the
// answer section, the next ns to the authority section, the rest to the
// additional section.
func rawRRs(wire []byte, an, ns int, rrs ...[]byte) []byte {
	b := withHeader(withHeader(withHeader(wire, 6, uint16(an)), 8, uint16(ns)), 10, uint16(len(rrs)-an-ns))
	for _, rr := range rrs {
		b = append(b, rr...)
	}
	return b
}

func protoCases() []protoCase {
	www := pack(query("www.example.com.", dns.TypeA))
	twoQ := query("www.example.com.", dns.TypeA)
	twoQ.Question = append(twoQ.Question, dns.Question{Name: "example.com.", Qtype: dns.TypeA, Qclass: dns.ClassINET})
	twoOPT := query("www.example.com.", dns.TypeA, edns(1232))
	twoOPT.Extra = append(twoOPT.Extra, dns.Copy(twoOPT.Extra[0]))
	qr := query("www.example.com.", dns.TypeA)
	qr.Response = true
	// a question name that is a compression pointer to itself
	loop := append(withHeader(www[:12], 4, 1), 0xC0, 12, 0, 1, 0, 1)

	const tcp = dnsserver.TCP
	return []protoCase{
		// EDNS (RFC 6891): our payload size whatever the client's, version
		// 0, DO copied (RFC 3225 §3), unknown options ignored.
		{Name: "edns", Query: query("www.example.com.", dns.TypeA, edns(1232)), Answers: 2, OPT: &optOut{Size: 1232}, AA: true},
		{Name: "edns-4096", Query: query("www.example.com.", dns.TypeA, edns(4096)), Answers: 2, OPT: &optOut{Size: 1232}, AA: true},
		{Name: "edns-512", Query: query("www.example.com.", dns.TypeA, edns(512)), Answers: 2, OPT: &optOut{Size: 1232}, AA: true},
		{Name: "edns-below-512", Query: query("www.example.com.", dns.TypeA, edns(100)), Answers: 2, OPT: &optOut{Size: 1232}, AA: true},
		{Name: "do-echoed", Query: query("www.example.com.", dns.TypeA, edns(1232), do()), Answers: 2, OPT: &optOut{Size: 1232, DO: true}, AA: true},
		{Name: "unknown-option", Query: query("www.example.com.", dns.TypeA, edns(1232), ednsOption(&dns.EDNS0_LOCAL{Code: 65001, Data: []byte{0xab, 0xcd}})),
			Answers: 2, OPT: &optOut{Size: 1232}, AA: true},
		{Name: "cookie-ignored", Query: query("www.example.com.", dns.TypeA, edns(1232), ednsOption(&dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0102030405060708"})),
			Answers: 2, OPT: &optOut{Size: 1232}, AA: true},
		{Name: "badvers", Query: query("www.example.com.", dns.TypeA, edns(1232), ednsVersion(1)), Rcode: dns.RcodeBadVers, OPT: &optOut{Size: 1232}},
		{Name: "badvers-255", Query: query("nowhere.example.org.", dns.TypeA, edns(1232), ednsVersion(255)), Rcode: dns.RcodeBadVers, OPT: &optOut{Size: 1232}},
		{Name: "edns-refused", Query: query("www.example.org.", dns.TypeA, edns(1232)), Rcode: dns.RcodeRefused, OPT: &optOut{Size: 1232}},

		// NSID (RFC 5001): only when asked for, whatever the answer.
		{Name: "nsid", Query: query("www.example.com.", dns.TypeA, edns(1232), nsid()), Answers: 2, OPT: &optOut{Size: 1232, NSID: "node1"}, AA: true},
		{Name: "nsid-nxdomain-tcp", Query: query("nowhere.example.com.", dns.TypeA, edns(1232), nsid()), Transport: tcp,
			Rcode: dns.RcodeNameError, AA: true, OPT: &optOut{Size: 1232, NSID: "node1"}},
		{Name: "nsid-refused", Query: query("www.example.org.", dns.TypeA, edns(1232), nsid()), Rcode: dns.RcodeRefused, OPT: &optOut{Size: 1232, NSID: "node1"}},

		// Truncation: UDP answers that don't fit the client's size (512
		// without EDNS, at least 512 with it, at most 1232) get TC; TCP
		// never truncates.
		{Name: "big-noedns", Query: query("big.example.com.", dns.TypeA), TC: true, MaxLen: 512, AA: true},
		{Name: "big-edns-512", Query: query("big.example.com.", dns.TypeA, edns(512)), TC: true, MaxLen: 512, AA: true, OPT: &optOut{Size: 1232}},
		{Name: "big-edns-100", Query: query("big.example.com.", dns.TypeA, edns(100)), TC: true, MaxLen: 512, AA: true, OPT: &optOut{Size: 1232}},
		{Name: "big-edns-1232", Query: query("big.example.com.", dns.TypeA, edns(1232)), Answers: 40, MaxLen: 1232, AA: true, OPT: &optOut{Size: 1232}},
		{Name: "big-tcp-noedns", Query: query("big.example.com.", dns.TypeA), Transport: tcp, Answers: 40, AA: true},
		{Name: "huge-edns-4096", Query: query("huge.example.com.", dns.TypeTXT, edns(4096)), TC: true, MaxLen: 1232, AA: true, OPT: &optOut{Size: 1232}},
		{Name: "huge-edns-4096-nsid", Query: query("huge.example.com.", dns.TypeTXT, edns(4096), nsid()), TC: true, MaxLen: 1232, AA: true, OPT: &optOut{Size: 1232, NSID: "node1"}},
		{Name: "huge-tcp", Query: query("huge.example.com.", dns.TypeTXT, edns(1232)), Transport: tcp, Answers: 10, AA: true, OPT: &optOut{Size: 1232}},
		{Name: "huge-tcp-noedns", Query: query("huge.example.com.", dns.TypeTXT), Transport: tcp, Answers: 10, AA: true},
		{Name: "fat-referral-noedns", Query: query("www.fat.example.com.", dns.TypeA), TC: true, MaxLen: 512}, // RFC 9471: glue must fit
		{Name: "fat-referral-edns", Query: query("www.fat.example.com.", dns.TypeA, edns(1232)), Answers: 0, MaxLen: 1232, OPT: &optOut{Size: 1232}},

		// Opcodes other than QUERY: NOTIMP.
		{Name: "opcode-iquery", Query: query("www.example.com.", dns.TypeA, opcode(dns.OpcodeIQuery)), Rcode: dns.RcodeNotImplemented},
		{Name: "opcode-status", Query: query("www.example.com.", dns.TypeA, opcode(dns.OpcodeStatus)), Rcode: dns.RcodeNotImplemented},
		{Name: "opcode-3", Query: query("www.example.com.", dns.TypeA, opcode(3)), Rcode: dns.RcodeNotImplemented},
		{Name: "opcode-notify", Query: query("example.com.", dns.TypeSOA, opcode(dns.OpcodeNotify)), Rcode: dns.RcodeNotImplemented},
		{Name: "opcode-update", Query: query("example.com.", dns.TypeSOA, opcode(dns.OpcodeUpdate)), Rcode: dns.RcodeNotImplemented},

		// Malformed queries: FORMERR when the header can be answered,
		// nothing otherwise; responses are never answered.
		{Name: "qdcount-0", Raw: withHeader(www[:12], 4, 0), Rcode: dns.RcodeFormatError},
		{Name: "qdcount-2", Raw: pack(twoQ), Rcode: dns.RcodeFormatError},
		{Name: "qdcount-2-one-question", Raw: withHeader(www, 4, 2), Rcode: dns.RcodeFormatError},
		{Name: "header-only", Raw: www[:12], Rcode: dns.RcodeFormatError},
		{Name: "cut-in-name", Raw: www[:12+6], Rcode: dns.RcodeFormatError},
		{Name: "cut-in-type", Raw: www[:len(www)-3], Rcode: dns.RcodeFormatError},
		{Name: "pointer-loop", Raw: loop, Rcode: dns.RcodeFormatError},
		{Name: "two-opt", Raw: pack(twoOPT), Rcode: dns.RcodeFormatError, SkipOPT: true},
		{Name: "arcount-without-record", Raw: withHeader(www, 10, 1), Rcode: dns.RcodeFormatError},

		// Records in the wrong place, and OPT options that do not fill
		// the OPT's RDATA exactly: FORMERR, as NSD 4.6 and Knot 3.2
		// answer (test/interop TestMalformed asks them the same). The
		// OPT of such a query is not echoed, as by both.
		{Name: "tsig-then-opt", Raw: rawRRs(www, 0, 0, rawTSIG, rawOPT(0)), Rcode: dns.RcodeFormatError}, // RFC 8945 §5.1
		{Name: "tsig-then-a", Raw: rawRRs(www, 0, 0, rawTSIG, rawA), Rcode: dns.RcodeFormatError},
		{Name: "tsig-in-answer", Raw: rawRRs(www, 1, 0, rawTSIG), Rcode: dns.RcodeFormatError},
		{Name: "tsig-in-authority-opt", Raw: rawRRs(www, 0, 1, rawTSIG, rawOPT(0)), Rcode: dns.RcodeFormatError},
		{Name: "two-tsig", Raw: rawRRs(www, 0, 0, rawTSIG, rawTSIG), Rcode: dns.RcodeFormatError},
		{Name: "tsig-then-badvers", Raw: rawRRs(www, 0, 0, rawTSIG, rawOPTVersion(1)), Rcode: dns.RcodeFormatError},
		{Name: "opt-option-overrun", Raw: rawRRs(www, 0, 0, rawOPT(4, 0, 3, 0, 40)), Rcode: dns.RcodeFormatError},
		{Name: "opt-option-overrun-by-1", Raw: rawRRs(www, 0, 0, rawOPT(6, 0, 3, 0, 3, 'a', 'b')), Rcode: dns.RcodeFormatError},
		{Name: "opt-trailing-octets", Raw: rawRRs(www, 0, 0, rawOPT(2, 0, 3)), Rcode: dns.RcodeFormatError},
		{Name: "opt-in-answer", Raw: rawRRs(www, 1, 0, rawOPT(0)), Rcode: dns.RcodeFormatError},
		{Name: "opt-in-authority", Raw: rawRRs(www, 0, 1, rawOPT(0)), Rcode: dns.RcodeFormatError},
		{Name: "opt-in-answer-and-additional", Raw: rawRRs(www, 1, 0, rawOPT(0), rawOPT(0)), Rcode: dns.RcodeFormatError},
		// ... and their well-formed neighbours.
		{Name: "tsig-last", Raw: rawRRs(www, 0, 0, rawOPT(0), rawTSIG), Answers: 2, AA: true, OPT: &optOut{Size: 1232}},
		{Name: "opt-options-exact", Raw: rawRRs(www, 0, 0, rawOPT(10, 0, 3, 0, 0, 0xfd, 0xe9, 0, 2, 'a', 'b')), Answers: 2, AA: true,
			OPT: &optOut{Size: 1232, NSID: "node1"}},
		{Name: "a-in-answer", Raw: rawRRs(www, 1, 0, rawA, rawOPT(0)), Answers: 2, AA: true, OPT: &optOut{Size: 1232}}, // as Knot; NSD: FORMERR
		// RFC 6891 §7: no question, but a good OPT is echoed, as by Knot.
		{Name: "qdcount-0-opt", Raw: rawRRs(withHeader(www[:12], 4, 0), 0, 0, rawOPT(0)), Rcode: dns.RcodeFormatError, OPT: &optOut{Size: 1232}},
		{Name: "qdcount-0-badvers", Raw: rawRRs(withHeader(www[:12], 4, 0), 0, 0, rawOPTVersion(1)), Rcode: dns.RcodeFormatError, OPT: &optOut{Size: 1232}},
		{Name: "qdcount-0-bad-opt", Raw: rawRRs(withHeader(www[:12], 4, 0), 0, 0, rawOPT(2, 0, 3)), Rcode: dns.RcodeFormatError},
		{Name: "qdcount-2-opt", Raw: rawRRs(withHeader(www, 4, 2), 0, 0, rawOPT(0)), Rcode: dns.RcodeFormatError},
		{Name: "short", Raw: www[:7], NoResponse: true},
		{Name: "empty", Raw: []byte{}, NoResponse: true},
		{Name: "qr-set", Raw: pack(qr), NoResponse: true},
		{Name: "qr-set-tcp", Raw: pack(qr), Transport: tcp, NoResponse: true},
	}
}

// TestProtocol asks every protoCase.
func TestProtocol(t *testing.T) {
	e := newEngine(t, authority.Config{MaxUDPSize: 1232, NSID: []byte("node1"), Identity: "node1.example", Aliases: testAliases()})
	for _, tc := range protoCases() {
		t.Run(tc.Name, func(t *testing.T) { checkProto(t, e, tc) })
	}
}

// TestDefaults checks the zero Config: 1232 octets, no NSID, no identity.
func TestDefaults(t *testing.T) {
	e := newEngine(t, authority.Config{})
	for _, tc := range []protoCase{
		{Name: "size", Query: query("huge.example.com.", dns.TypeTXT, edns(4096)), TC: true, MaxLen: 1232, AA: true, OPT: &optOut{Size: 1232}},
		{Name: "nsid", Query: query("www.example.com.", dns.TypeA, edns(1232), nsid()), Answers: 2, AA: true, OPT: &optOut{Size: 1232}},
		{Name: "id.server", Query: func() *dns.Msg {
			q := query("id.server.", dns.TypeTXT)
			q.Question[0].Qclass = dns.ClassCHAOS
			return q
		}(), Rcode: dns.RcodeRefused},
	} {
		t.Run(tc.Name, func(t *testing.T) { checkProto(t, e, tc) })
	}
}

// TestMaxUDPSize checks that a larger MaxUDPSize is honoured, and still
// capped by what the client says.
func TestMaxUDPSize(t *testing.T) {
	e := newEngine(t, authority.Config{MaxUDPSize: 4096})
	for _, tc := range []protoCase{
		{Name: "4096", Query: query("huge.example.com.", dns.TypeTXT, edns(4096)), Answers: 10, AA: true, OPT: &optOut{Size: 4096}},
		{Name: "2000", Query: query("huge.example.com.", dns.TypeTXT, edns(2000)), TC: true, MaxLen: 2000, AA: true, OPT: &optOut{Size: 4096}},
		{Name: "noedns", Query: query("huge.example.com.", dns.TypeTXT), TC: true, MaxLen: 512, AA: true},
	} {
		t.Run(tc.Name, func(t *testing.T) { checkProto(t, e, tc) })
	}
}

func checkProto(t *testing.T, e *authority.Engine, tc protoCase) {
	t.Helper()
	wire := tc.Raw
	if wire == nil {
		wire = pack(tc.Query)
	}
	resp, raw := exchangeRaw(t, e, wire, tc.Transport)
	if tc.NoResponse {
		if raw != nil {
			t.Fatalf("got a response, want none:\n%s", resp)
		}
		return
	}
	if resp == nil {
		t.Fatal("no response")
	}
	if tc.Query != nil {
		checkHeader(t, tc.Query, resp)
	} else {
		// A malformed query: ID, QR and opcode echoed; the question, if
		// any, is not checked.
		if id := uint16(wire[0])<<8 | uint16(wire[1]); resp.Id != id {
			t.Errorf("id: got %#x, want %#x", resp.Id, id)
		}
		if !resp.Response {
			t.Error("QR clear")
		}
	}
	if resp.Rcode != tc.Rcode {
		t.Errorf("rcode: got %s (%d), want %s (%d)", dns.RcodeToString[resp.Rcode], resp.Rcode, dns.RcodeToString[tc.Rcode], tc.Rcode)
	}
	if resp.Authoritative != tc.AA {
		t.Errorf("AA: got %v, want %v", resp.Authoritative, tc.AA)
	}
	if resp.Truncated != tc.TC {
		t.Errorf("TC: got %v, want %v (%d octets)", resp.Truncated, tc.TC, len(raw))
	}
	if tc.MaxLen > 0 && len(raw) > tc.MaxLen {
		t.Errorf("response is %d octets, more than %d", len(raw), tc.MaxLen)
	}
	if !tc.TC && tc.Answers >= 0 && len(resp.Answer) != tc.Answers {
		t.Errorf("answer: got %d records, want %d", len(resp.Answer), tc.Answers)
	}
	if tc.Rcode != dns.RcodeSuccess && tc.Rcode != dns.RcodeNameError && len(resp.Answer)+len(resp.Ns) > 0 {
		t.Errorf("records in a %s response:\n%s", dns.RcodeToString[tc.Rcode], resp)
	}

	opt := respOPT(t, resp)
	switch {
	case tc.SkipOPT:
	case tc.OPT == nil && opt != nil:
		t.Errorf("OPT in the response, want none: %s", opt)
	case tc.OPT != nil && opt == nil:
		t.Error("no OPT in the response (RFC 6891 §7: it is required, even when truncated or in error)")
	case tc.OPT != nil:
		var nsid string
		var others []string
		for _, o := range opt.Option {
			if n, ok := o.(*dns.EDNS0_NSID); ok {
				b, _ := hex.DecodeString(n.Nsid)
				nsid = string(b)
				continue
			}
			others = append(others, o.String())
		}
		if opt.Version() != 0 || opt.UDPSize() != tc.OPT.Size || opt.Do() != tc.OPT.DO || nsid != tc.OPT.NSID || len(others) > 0 {
			t.Errorf("OPT: got version %d, udp %d, do %v, nsid %q, other options %q\nwant version 0, udp %d, do %v, nsid %q, no other options",
				opt.Version(), opt.UDPSize(), opt.Do(), nsid, others, tc.OPT.Size, tc.OPT.DO, tc.OPT.NSID)
		}
	}
}
