package zone

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func prio(p uint16) *uint16 { return &p }

const (
	dkim  = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwJ1sSHDlZg7hH4Ocv5wXsVfKWNJvHc0u7x6q8t+2rnAHyD6gYj6hmbwr0cxV9XuMtk3B4pGBCGWSJ8VRCHuBGGxuOPaQFWdxTnAmsUTbPYbEvZ3Kc4Nw2fdJ0Q8ktW8OmJY9ZS3GHqeBnT3KstYUXHmzP8aF2oR4wJlWj7UrdKWkX6Pc0tSLnKe5vAjwWdVxY3cNBJHG3ZeYcU0DNdAQZH5s4G8yKg5Gv6c9qYDbUwCyXwXcTbxC7aV2aDbEjVKXjqzPqRhGmU0yU8Jd7n9uNBhFhNV+5J7U8Ee0Y0bDY0tJmQ4RqLqz3O9yU0pYwIDAQAB"
	hex64 = "123456789abcdef67890123456789abcdef67890123456789abcdef123456789"
	key   = "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="
)

// TestRecordRR converts DNSimple records of the zone example.com to records
// in zone-file notation, or to the error the API reports, and checks that
// RecordFromRR gives back the canonical content (the input unless canon
// says otherwise), which converts to the same record again.
func TestRecordRR(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name, typ, content string
		ttl                uint32
		prio               *uint16
		rr                 string // the record, owner and names in full
		canon              string // content after the round trip, if not content
		err                string // Error() when RR refuses the record
	}{
		// Names.
		{name: "www", typ: "A", content: "192.0.2.1", rr: "www.example.com. 3600 IN A 192.0.2.1"},
		{name: "", typ: "A", content: "192.0.2.1", ttl: 600, rr: "example.com. 600 IN A 192.0.2.1"},
		{name: "@", typ: "A", content: "192.0.2.1", rr: "example.com. 3600 IN A 192.0.2.1"},
		{name: "example.com.", typ: "A", content: "192.0.2.1", rr: "example.com. 3600 IN A 192.0.2.1"},
		{name: "WWW.Example.COM.", typ: "A", content: "192.0.2.1", rr: "www.example.com. 3600 IN A 192.0.2.1"},
		{name: "www.example.com", typ: "A", content: "192.0.2.1", rr: "www.example.com.example.com. 3600 IN A 192.0.2.1"},
		{name: "*", typ: "A", content: "192.0.2.1", rr: "*.example.com. 3600 IN A 192.0.2.1"},
		{name: "*.dyn", typ: "A", content: "192.0.2.1", rr: "*.dyn.example.com. 3600 IN A 192.0.2.1"},
		{name: "_dmarc", typ: "TXT", content: "v=DMARC1; p=none", rr: `_dmarc.example.com. 3600 IN TXT "v=DMARC1; p=none"`},
		{name: "0/25.2", typ: "CNAME", content: "0/25.2.0.192.in-addr.arpa", rr: "0/25.2.example.com. 3600 IN CNAME 0/25.2.0.192.in-addr.arpa."},
		{name: "a..b", typ: "A", content: "192.0.2.1", err: `name: "a..b" has an empty label`},
		{name: "www.example.org.", typ: "A", content: "192.0.2.1", err: `name: "www.example.org." is not in the zone example.com`},
		{name: "notexample.com.", typ: "A", content: "192.0.2.1", err: `name: "notexample.com." is not in the zone example.com`},
		{name: "a b", typ: "A", content: "192.0.2.1", err: `name: "a b" contains ' ', which is not allowed in a name`},
		{name: `a\.b`, typ: "A", content: "192.0.2.1", err: `name: "a\\.b" contains '\\', which is not allowed in a name`},
		{name: "café", typ: "A", content: "192.0.2.1", err: `name: "café" contains 'é'; write international names in their xn-- form`},
		{name: "foo.*", typ: "A", content: "192.0.2.1", err: `name: "foo.*" has a "*" that is not the whole first label`},
		{name: "a*", typ: "A", content: "192.0.2.1", err: `name: "a*" has a "*" that is not the whole first label`},
		{name: strings.Repeat("a", 64), typ: "A", content: "192.0.2.1", err: `name: "` + strings.Repeat("a", 64) + `" has a label longer than 63 characters`},
		{name: strings.Repeat("a.", 120) + "ab", typ: "A", content: "192.0.2.1", err: `name: "` + strings.Repeat("a.", 40) + `"… (242 bytes) is too long: with the zone it makes a name of 254 characters, more than 253`},
		{name: strings.Repeat("a.", 120) + "a", typ: "A", content: "192.0.2.1", rr: strings.Repeat("a.", 120) + "a.example.com. 3600 IN A 192.0.2.1"},

		// Types, TTL and priority.
		{name: "www", typ: "a", content: "192.0.2.1", rr: "www.example.com. 3600 IN A 192.0.2.1"},
		{name: "www", typ: "", content: "192.0.2.1", err: "type: is empty"},
		{name: "www", typ: "URL", content: "https://example.net", err: "type: URL records are not supported yet"},
		{name: "www", typ: "pool", content: "a.example.net", err: "type: POOL records are not supported yet"},
		{name: "www", typ: "LOC", content: "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m", err: `type: "LOC" is not a supported record type`},
		{name: "www", typ: "TYPE65280", content: `\# 0`, err: `type: "TYPE65280" is not a supported record type`},
		{name: "", typ: "CNAME", content: "www.example.net", err: "type: a CNAME record cannot be at the zone apex; use an ALIAS record"},
		{name: "www", typ: "SOA", content: "ns1.example.com admin.example.com 1 7200 3600 1209600 300", err: `name: an SOA record belongs at the zone apex, not at "www"`},
		{name: "www", typ: "A", content: "192.0.2.1", ttl: 60, rr: "www.example.com. 60 IN A 192.0.2.1"},
		{name: "www", typ: "A", content: "192.0.2.1", ttl: 604800, rr: "www.example.com. 604800 IN A 192.0.2.1"},
		{name: "www", typ: "A", content: "192.0.2.1", ttl: 30, err: "ttl: 30 is below the minimum of 60 seconds"},
		{name: "www", typ: "A", content: "192.0.2.1", ttl: 604801, err: "ttl: 604801 is above the maximum of 604800 seconds"},
		{name: "www", typ: "A", content: "192.0.2.1", prio: prio(0), rr: "www.example.com. 3600 IN A 192.0.2.1"},
		{name: "www", typ: "A", content: "192.0.2.1", prio: prio(10), err: "priority: A records have no priority"},
		{name: "www", typ: "A", content: "", err: "content: is empty"},
		{name: "www", typ: "A", content: "  ", err: "content: is empty"},

		// Addresses.
		{name: "www", typ: "A", content: " 192.0.2.1 ", rr: "www.example.com. 3600 IN A 192.0.2.1", canon: "192.0.2.1"},
		{name: "www", typ: "A", content: "1.2.3", err: `content: "1.2.3" is not an IPv4 address`},
		{name: "www", typ: "A", content: "192.0.2.01", err: `content: "192.0.2.01" is not an IPv4 address`},
		{name: "www", typ: "A", content: "2001:db8::1", err: `content: "2001:db8::1" is not an IPv4 address`},
		{name: "www", typ: "A", content: "192.0.2.1\n192.0.2.2", err: `content: "192.0.2.1\n192.0.2.2" contains the control character U+000A`},
		{name: "www", typ: "A", content: `\# 4 c0000201`, err: `content: "\\# 4 c0000201" is not an IPv4 address`},
		{name: "www", typ: "AAAA", content: "2001:DB8:0::1", rr: "www.example.com. 3600 IN AAAA 2001:db8::1", canon: "2001:db8::1"},
		{name: "www", typ: "AAAA", content: "::ffff:192.0.2.1", rr: "www.example.com. 3600 IN AAAA ::ffff:192.0.2.1"},
		{name: "www", typ: "AAAA", content: "192.0.2.1", err: `content: "192.0.2.1" is not an IPv6 address`},
		{name: "www", typ: "AAAA", content: "fe80::1%eth0", err: `content: "fe80::1%eth0" is not an IPv6 address`},

		// Names in content are absolute, with or without the dot.
		{name: "www", typ: "CNAME", content: "example.com", rr: "www.example.com. 3600 IN CNAME example.com."},
		{name: "www", typ: "CNAME", content: "target.example.net.", rr: "www.example.com. 3600 IN CNAME target.example.net.", canon: "target.example.net"},
		{name: "s1._domainkey", typ: "CNAME", content: "s1.domainkey.u123.wl.sendgrid.net", rr: "s1._domainkey.example.com. 3600 IN CNAME s1.domainkey.u123.wl.sendgrid.net."},
		{name: "www", typ: "CNAME", content: "Target.Example.NET", rr: "www.example.com. 3600 IN CNAME Target.Example.NET."},
		{name: "www", typ: "CNAME", content: ".", err: `content: "." is not a host name here`},
		{name: "www", typ: "CNAME", content: "a..example.net", err: `content: "a..example.net" is not a host name: it has an empty label`},
		{name: "www", typ: "CNAME", content: "a example.net", err: `content: "a example.net" is not a host name: it contains ' ', which is not allowed in a name`},
		{name: "www", typ: "CNAME", content: "*.example.net", err: `content: "*.example.net" is not a host name: it contains '*', which is not allowed in a name`},
		{name: "", typ: "ALIAS", content: "target.example.net", rr: "example.com. 3600 IN ALIAS target.example.net."},
		{name: "", typ: "ALIAS", content: "Target.Example.NET.", rr: "example.com. 3600 IN ALIAS target.example.net.", canon: "target.example.net"},
		{name: "www", typ: "ALIAS", content: "example.net", rr: "www.example.com. 3600 IN ALIAS example.net."},
		{name: "", typ: "ALIAS", content: ".", err: `content: "." is not a host name here`},
		{name: "", typ: "MX", content: "mx.example.com", prio: prio(10), rr: "example.com. 3600 IN MX 10 mx.example.com."},
		{name: "", typ: "MX", content: "mx.example.net.", prio: prio(20), rr: "example.com. 3600 IN MX 20 mx.example.net.", canon: "mx.example.net"},
		{name: "", typ: "MX", content: "mx.example.com", rr: "example.com. 3600 IN MX 0 mx.example.com."},
		{name: "", typ: "MX", content: ".", prio: prio(0), rr: "example.com. 3600 IN MX 0 ."},
		{name: "", typ: "MX", content: "10 mx.example.com", err: `content: "10 mx.example.com" is not a host name; the preference goes in priority`},
		{name: "sub", typ: "NS", content: "ns1.example.net", rr: "sub.example.com. 3600 IN NS ns1.example.net."},
		{name: "1.2", typ: "PTR", content: "host.example.com", rr: "1.2.example.com. 3600 IN PTR host.example.com."},
		{name: "old", typ: "DNAME", content: "new.example.net", rr: "old.example.com. 3600 IN DNAME new.example.net."},
		{name: "_sip._tcp", typ: "SRV", content: "60 5060 sip.example.com", prio: prio(10), rr: "_sip._tcp.example.com. 3600 IN SRV 10 60 5060 sip.example.com."},
		{name: "_sip._udp", typ: "SRV", content: "0 0 .", rr: "_sip._udp.example.com. 3600 IN SRV 0 0 0 ."},
		{name: "_sip._tcp", typ: "SRV", content: "10 60 5060 sip.example.com", err: `content: "10 60 5060 sip.example.com" is not "weight port target"; the priority goes in priority`},
		{name: "_sip._tcp", typ: "SRV", content: "60 sip.example.com", err: `content: "60 sip.example.com" is not "weight port target"`},
		{name: "_sip._tcp", typ: "SRV", content: "60 70000 sip.example.com", err: `content: SRV port "70000" is not a number from 0 to 65535`},

		// TXT: text as it is, or quoted strings.
		{name: "", typ: "TXT", content: "v=spf1 include:_spf.google.com ~all", rr: `example.com. 3600 IN TXT "v=spf1 include:_spf.google.com ~all"`},
		{name: "", typ: "TXT", content: `I have "quoted text" here`, rr: `example.com. 3600 IN TXT "I have \"quoted text\" here"`},
		{name: "", typ: "TXT", content: `back\slash`, rr: `example.com. 3600 IN TXT "back\\slash"`},
		{name: "", typ: "TXT", content: "café", rr: `example.com. 3600 IN TXT "caf\195\169"`},
		{name: "", typ: "TXT", content: `"v=spf1 -all"`, rr: `example.com. 3600 IN TXT "v=spf1 -all"`, canon: "v=spf1 -all"},
		{name: "", typ: "TXT", content: ` "a"  "b c" `, rr: `example.com. 3600 IN TXT "a" "b c"`, canon: `"a" "b c"`},
		{name: "", typ: "TXT", content: `""`, rr: `example.com. 3600 IN TXT ""`},
		{name: "", typ: "TXT", content: `"tab\009end" "\065\"\\"`, rr: `example.com. 3600 IN TXT "tab\009end" "A\"\\"`, canon: `"tab\009end" "A\"\\"`},
		{name: "", typ: "TXT", content: long, rr: `example.com. 3600 IN TXT "` + long[:255] + `" "` + long[255:] + `"`},
		{name: "", typ: "TXT", content: `"` + long + `"`, rr: `example.com. 3600 IN TXT "` + long[:255] + `" "` + long[255:] + `"`, canon: long},
		{name: "", typ: "TXT", content: `"` + long[:10] + `" "` + long[10:] + `"`, rr: `example.com. 3600 IN TXT "` + long[:10] + `" "` + long[10:265] + `" "` + long[265:] + `"`, canon: `"` + long[:10] + `" "` + long[10:265] + `" "` + long[265:] + `"`},
		{name: "k._domainkey", typ: "TXT", content: dkim, rr: `k._domainkey.example.com. 3600 IN TXT "` + dkim[:255] + `" "` + dkim[255:] + `"`},
		{name: "", typ: "TXT", content: `"unclosed`, err: `content: "\"unclosed" is not a list of quoted strings: a quote is not closed`},
		{name: "", typ: "TXT", content: `"a"b`, err: `content: "\"a\"b" is not a list of quoted strings: no space between strings at "b"`},
		{name: "", typ: "TXT", content: `"a" b`, err: `content: "\"a\" b" is not a list of quoted strings: text outside quotes at "b"`},
		{name: "", typ: "TXT", content: `"\256"`, err: `content: "\"\\256\"" is not a list of quoted strings: escape \256 is above \255`},
		{name: "", typ: "TXT", content: strings.Repeat("x", 70000), err: `content: "` + strings.Repeat("x", 80) + `"… (70000 bytes) is too long: 70298 bytes on the wire, more than 65535`},
		{name: "", typ: "SPF", content: "v=spf1 -all", rr: `example.com. 3600 IN SPF "v=spf1 -all"`},

		// Types in their master-file form.
		{name: "", typ: "CAA", content: `0 issue "letsencrypt.org"`, rr: `example.com. 3600 IN CAA 0 issue "letsencrypt.org"`},
		{name: "", typ: "CAA", content: `0 issue letsencrypt.org`, rr: `example.com. 3600 IN CAA 0 issue "letsencrypt.org"`, canon: `0 issue "letsencrypt.org"`},
		{name: "", typ: "CAA", content: `128 iodef "mailto:security@example.com"`, rr: `example.com. 3600 IN CAA 128 iodef "mailto:security@example.com"`},
		{name: "", typ: "CAA", content: `0 issuewild ";"`, rr: `example.com. 3600 IN CAA 0 issuewild ";"`},
		{name: "", typ: "CAA", content: `0 issue`, err: `content: "0 issue" is not valid CAA content: bad CAA Value "issue"`},
		{name: "", typ: "CAA", content: `0 is-sue "x"`, err: `content: "0 is-sue \"x\"" is not valid CAA content: tag "is-sue" is not letters and digits`},
		{name: "", typ: "CAA", content: `0 issue "x" ; y`, err: `content: "0 issue \"x\" ; y" has a ';' outside quotes, which would hide the rest`},
		{name: "", typ: "CAA", content: `\# 4 00010203`, err: `content: "\\# 4 00010203" is in the generic form of RFC 3597; write CAA content in its own form`},
		{name: "", typ: "HTTPS", content: "1 . alpn=h2", rr: `example.com. 3600 IN HTTPS 1 . alpn="h2"`},
		{name: "svc", typ: "HTTPS", content: `1 . alpn="h2,h3" ipv4hint=192.0.2.1 port=8443`, rr: `svc.example.com. 3600 IN HTTPS 1 . alpn="h2,h3" ipv4hint="192.0.2.1" port="8443"`, canon: "1 . alpn=h2,h3 ipv4hint=192.0.2.1 port=8443"},
		{name: "svc", typ: "HTTPS", content: "0 www.example.com", rr: "svc.example.com. 3600 IN HTTPS 0 www.example.com."},
		{name: "svc", typ: "HTTPS", content: "1 . alpn=h3 no-default-alpn", rr: `svc.example.com. 3600 IN HTTPS 1 . alpn="h3" no-default-alpn=""`},
		{name: "svc", typ: "HTTPS", content: "1 . foo=bar", err: `content: "1 . foo=bar" is not valid HTTPS content: bad SVCB key "foo=bar"`},
		{name: "svc", typ: "HTTPS", content: "1 . port=99999", err: `content: "1 . port=99999" is not valid HTTPS content: bad value "port=99999"`},
		{name: "_dns.svc", typ: "SVCB", content: "1 dot.example.net. alpn=dot port=853", rr: `_dns.svc.example.com. 3600 IN SVCB 1 dot.example.net. alpn="dot" port="853"`, canon: "1 dot.example.net alpn=dot port=853"},
		{name: "naptr", typ: "NAPTR", content: `100 10 "S" "SIP+D2U" "" _sip._udp.example.com`, rr: `naptr.example.com. 3600 IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.com.`},
		{name: "naptr", typ: "NAPTR", content: `100 50 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .`, rr: `naptr.example.com. 3600 IN NAPTR 100 50 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .`},
		{name: "host", typ: "SSHFP", content: "4 2 " + hex64, rr: "host.example.com. 3600 IN SSHFP 4 2 " + hex64, canon: "4 2 " + strings.ToUpper(hex64)},
		{name: "host", typ: "SSHFP", content: "4 2 xyz", err: `content: "4 2 xyz" is not valid SSHFP content: encoding/hex: invalid byte: U+0078 'x'`},
		{name: "host", typ: "SSHFP", content: "4 2", err: `content: "4 2" is not valid SSHFP content: the last field is missing`},
		{name: "_443._tcp.www", typ: "TLSA", content: "3 1 1 " + hex64, rr: "_443._tcp.www.example.com. 3600 IN TLSA 3 1 1 " + hex64},
		{name: "secure", typ: "DS", content: "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118", rr: "secure.example.com. 3600 IN DS 60485 5 1 2bb183af5f22588179a53b0a98631fad1a292118"},
		{name: "secure", typ: "DS", content: "60485 5 1", err: `content: "60485 5 1" is not valid DS content: the last field is missing`},
		{name: "", typ: "CDS", content: "2371 13 2 " + strings.ToUpper(hex64), rr: "example.com. 3600 IN CDS 2371 13 2 " + hex64},
		{name: "", typ: "DNSKEY", content: "257 3 13 " + key, rr: "example.com. 3600 IN DNSKEY 257 3 13 " + key},
		{name: "", typ: "CDNSKEY", content: "257 3 13 " + key, rr: "example.com. 3600 IN CDNSKEY 257 3 13 " + key},
		{name: "hinfo", typ: "HINFO", content: `"PC-Intel-700mhz" "Linux"`, rr: `hinfo.example.com. 3600 IN HINFO "PC-Intel-700mhz" "Linux"`},
		{name: "hinfo", typ: "HINFO", content: `PC Linux`, rr: `hinfo.example.com. 3600 IN HINFO "PC" "Linux"`, canon: `"PC" "Linux"`},
		{name: "_ftp._tcp", typ: "URI", content: `10 1 "ftp://ftp1.example.com/public"`, rr: `_ftp._tcp.example.com. 3600 IN URI 10 1 "ftp://ftp1.example.com/public"`},
		{name: "", typ: "SOA", content: "ns1.dnsimple.com admin.dnsimple.com 1458642070 86400 7200 604800 300", rr: "example.com. 3600 IN SOA ns1.dnsimple.com. admin.dnsimple.com. 1458642070 86400 7200 604800 300"},
	}
	for _, tt := range tests {
		rec := Record{Name: tt.name, Type: tt.typ, Content: tt.content, TTL: tt.ttl, Priority: tt.prio}
		label := tt.typ + " " + shown(tt.name).String() + " " + shown(tt.content).String()
		got, err := rec.RR("example.com")
		if tt.err != "" {
			var re *RecordError
			if err == nil || !errors.As(err, &re) || !errors.Is(err, ErrInvalid) || err.Error() != tt.err {
				t.Errorf("%s: error %v, want %s", label, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		want, err := dns.NewRR(tt.rr)
		if err != nil {
			t.Fatalf("%s: bad test record %q: %v", label, tt.rr, err)
		}
		if !sameWire(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", label, got, want)
		}
		back := RecordFromRR("example.com.", got)
		canon := cmpOr(tt.canon, tt.content)
		wantType := strings.ToUpper(tt.typ)
		if back.Content != canon || back.Type != wantType {
			t.Errorf("%s: back as %s %q, want %s %q", label, back.Type, back.Content, wantType, canon)
		}
		if p := back.Priority; (p != nil) != (wantType == "MX" || wantType == "SRV") || p != nil && tt.prio != nil && *p != *tt.prio {
			t.Errorf("%s: priority back as %v, want %v", label, p, tt.prio)
		}
		again, err := back.RR("example.com.")
		if err != nil || !sameWire(again, got) {
			t.Errorf("%s: canonical %+v converts to %v, %v", label, back, again, err)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// sameWire reports whether a and b are the same record on the wire, owner,
// class and TTL included.
func sameWire(a, b dns.RR) bool {
	if a == nil || b == nil {
		return a == b
	}
	pa, pb := make([]byte, 65535+512), make([]byte, 65535+512)
	na, errA := dns.PackRR(a, pa, 0, nil, false)
	nb, errB := dns.PackRR(b, pb, 0, nil, false)
	return errA == nil && errB == nil && bytes.Equal(pa[:na], pb[:nb])
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ origin, name, want string }{
		{"example.com", "", ""},
		{"example.com.", "@", ""},
		{"Example.COM", "EXAMPLE.com.", ""},
		{"example.com.", " WWW ", "www"},
		{"example.com.", "a.b.example.com.", "a.b"},
		{"example.com.", "_acme-challenge", "_acme-challenge"},
		{".", "www.example.", "www.example"},
		{".", ".", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeName(tt.origin, tt.name)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeName(%q, %q) = %q, %v; want %q", tt.origin, tt.name, got, err, tt.want)
		}
	}
}

// TestRecordCorpus shows every record of testdata/corpus.zone as DNSimple
// would, in testdata/records/corpus.golden, with what RR says of it, and
// checks that every record RR accepts back converts to the record it came
// from, and that every type of the corpus but the unknown ones does.
func TestRecordCorpus(t *testing.T) {
	z := parseTestFile(t, "testdata/corpus.zone")
	var out strings.Builder
	converted := map[string]bool{}
	types := map[string]bool{}
	for _, rr := range z.Records {
		rec := RecordFromRR(z.Origin, rr)
		p := "-"
		if rec.Priority != nil {
			p = strconv.Itoa(int(*rec.Priority))
		}
		name := rec.Name
		if name == "" {
			name = "@"
		}
		verdict := "ok"
		back, err := rec.RR(z.Origin)
		switch {
		case err != nil:
			verdict = err.Error()
		case !sameWire(back, rr):
			t.Errorf("%v converts back to %v", rr, back)
		default:
			converted[rec.Type] = true
		}
		if _, unknown := rr.(*dns.RFC3597); !unknown {
			types[rec.Type] = true
		}
		out.WriteString(strings.Join([]string{name, rec.Type, strconv.Itoa(int(rec.TTL)), p, strconv.Quote(rec.Content), verdict}, "\t") + "\n")
	}
	for typ := range types {
		if !converted[typ] {
			t.Errorf("no %s record of the corpus converts back", typ)
		}
	}
	golden := filepath.Join("testdata", "records", "corpus.golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := out.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := "", ""
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s line %d:\n got %s\nwant %s", golden, i+1, g, w)
				break
			}
		}
	}
}

// FuzzRecord checks that RR never panics and that a record it accepts comes
// back from RecordFromRR in a canonical form that converts to the same
// record and is its own canonical form.
func FuzzRecord(f *testing.F) {
	seeds := []struct {
		name, typ, content string
		prio               int
	}{
		{"www", "A", "192.0.2.1", -1},
		{"", "MX", "mx.example.com", 10},
		{"_sip._tcp", "SRV", "60 5060 sip.example.com", 0},
		{"", "TXT", `"a" "b\"c" "\255"`, -1},
		{"", "TXT", strings.Repeat("x", 600), -1},
		{"", "TXT", `  "x`, -1},
		{"", "CAA", `0 issue "letsencrypt.org"`, -1},
		{"svc", "HTTPS", `1 . alpn="h2,h3" ipv4hint=192.0.2.1 ech=AEn+DQBFKwAgACABWIHUGj4u+PIggYXcR5JF0gYk3dCRioBW8uJq9H4mKAAIAAEAAQABAANAEnB1YmxpYy50bHMtZWNoLmRldgAA`, -1},
		{"n", "NAPTR", `100 10 "S" "SIP+D2U" "" _sip._udp.example.com`, -1},
		{"", "ALIAS", "Target.example.net.", -1},
		{"", "SOA", "ns1 admin 1 2 3 4 5", -1},
		{"host", "SSHFP", "4 2 " + hex64, -1},
		{"x", "HINFO", `"a b" c`, -1},
		{"x", "HINFO", `"Intel Xeon" "Linux" "6.1"`, -1},
		{"x", "HINFO", `"a\"b" \032`, -1},
		{"0", "HTTPS", `0"0`, -1}, // an open quote once swallowed the line's end
	}
	for _, s := range seeds {
		f.Add(s.name, s.typ, s.content, uint32(0), s.prio)
	}
	f.Fuzz(func(t *testing.T, name, typ, content string, ttl uint32, p int) {
		rec := Record{Name: name, Type: typ, Content: content, TTL: ttl}
		if p >= 0 {
			rec.Priority = prio(uint16(p))
		}
		rr, err := rec.RR("example.com.")
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) || !slices.Contains([]string{"name", "type", "content", "ttl", "priority"}, re.Field) {
				t.Fatalf("%+v: error %v is not a RecordError", rec, err)
			}
			// Read as stored content, it is read the parser's way or
			// refused, and what is read goes on the wire.
			if old, err := rec.StoredRR("example.com."); err == nil {
				if _, err := dns.PackRR(old, make([]byte, 65535+512), 0, nil, false); err != nil {
					t.Fatalf("%+v read as stored content gives %v, which does not pack: %v", rec, old, err)
				}
				RecordFromRR("example.com.", old)
			}
			return
		}
		canon := RecordFromRR("example.com.", rr)
		again, err := canon.RR("example.com.")
		if err != nil {
			t.Fatalf("%+v converts to %v whose canonical form %+v is refused: %v", rec, rr, canon, err)
		}
		if !sameWire(again, rr) {
			t.Fatalf("%+v converts to %v, its canonical form %+v to %v", rec, rr, canon, again)
		}
		if c2 := RecordFromRR("example.com.", again); c2.Content != canon.Content || c2.Name != canon.Name || c2.Type != canon.Type {
			t.Fatalf("canonical form %+v is not stable: %+v", canon, c2)
		}
	})
}

// TestRecordRRUnverified holds RR, which skips the final pack and read-back
// for the types parseContent builds field by field, to the path that runs
// them for every type: the same record, header included, or the same error.
func TestRecordRRUnverified(t *testing.T) {
	tests := []struct{ name, typ, content string }{
		{"www", "A", "192.0.2.1"}, {"WWW.Example.COM.", "a", " 192.0.2.1 "}, {"", "A", "010.1.1.1"}, {"", "A", "1.2.3"},
		{"", "A", "256.1.1.1"}, {"", "A", "::ffff:192.0.2.1"}, {"", "A", "192.0.2.1%eth0"}, {"", "A", ""}, {"", "A", " "},
		{"", "A", "0.0.0.0"}, {"*", "A", "192.0.2.1"}, {"*.dyn", "A", "192.0.2.1"}, {"a*", "A", "192.0.2.1"},
		{"example.com.", "A", "192.0.2.1"}, {"a..b", "A", "192.0.2.1"}, {`a\.b`, "A", "192.0.2.1"},
		{"", "AAAA", "::ffff:192.0.2.1"}, {"", "AAAA", "2001:DB8::1"}, {"", "AAAA", "fe80::1%eth0"}, {"", "AAAA", "192.0.2.1"},
		{"", "AAAA", "::"}, {"", "AAAA", "2001:db8::1/64"},
		{"www", "CNAME", "Target.Example.NET."}, {"www", "CNAME", "."}, {"www", "CNAME", "a..b"}, {"www", "CNAME", `a\.b`},
		{"www", "CNAME", "*.example.net"}, {"", "CNAME", "example.net"}, {"", "ALIAS", "Target.example.net."},
		{"", "ALIAS", "."}, {"old", "DNAME", "new.example.net"}, {"sub", "NS", "ns1.example.net"}, {"1.2", "PTR", "host"},
		{"0/25.2", "CNAME", "0/25.2.0.192.in-addr.arpa"}, {"", "MX", "."}, {"", "MX", "mx.example.com"},
		{"", "MX", "10 mx.example.com"}, {"", "MX", strings.Repeat("b.", 126) + "b"}, {"", "MX", strings.Repeat("b.", 127) + "b"},
		{"_sip._tcp", "SRV", "60 5060 sip.example.com"}, {"_sip._tcp", "SRV", "0 0 ."}, {"_sip._tcp", "SRV", "1 2 3 x.example"},
		{"_sip._tcp", "SRV", "60 70000 x.example"}, {"", "TXT", "v=spf1 -all"}, {"", "TXT", `"a" "b\"c" "\255"`},
		{"", "TXT", " "}, {"", "TXT", `""`}, {"", "TXT", `"unclosed`}, {"", "TXT", "café"}, {"", "TXT", `back\slash`},
		{"", "TXT", strings.Repeat("x", 600)}, {"", "TXT", strings.Repeat("x", 65000)}, {"", "TXT", strings.Repeat("x", 70000)},
		{"", "TXT", "\xff"}, {"", "SPF", "v=spf1 -all"}, {"", "SOA", "ns1 admin 1 2 3 4 5"}, {"", "CAA", `0 issue "x"`},
	}
	for _, origin := range []string{"example.com", "example.com.", "Example.COM.", "."} {
		for _, tt := range tests {
			for _, ttl := range []uint32{0, 59, 3600, 604801} {
				for _, p := range []*uint16{nil, prio(0), prio(10)} {
					rec := Record{Name: tt.name, Type: tt.typ, Content: tt.content, TTL: ttl, Priority: p}
					if d := compareRR(rec, origin); d != "" {
						t.Errorf("%+v in %s: %s", rec, origin, d)
					}
				}
			}
		}
	}

	r := rand.New(rand.NewPCG(7, 8))
	converted := 0
	for i := range 30000 {
		rec := randRecord(r)
		origin := pick(r, "example.com", "example.com.", "Example.COM", ".", "com")
		if d := compareRR(rec, origin); d != "" {
			t.Fatalf("record %d, %+v in %s: %s", i, rec, origin, d)
		}
		if _, err := rec.RR(origin); err == nil {
			converted++
		}
	}
	// Most random records are refused somewhere; enough must not be.
	t.Logf("%d of 30000 random records converted", converted)
	if converted < 5000 {
		t.Errorf("only %d random records converted", converted)
	}
}

// TestRecordContentFieldCount: content with more (or fewer) fields than its
// type has is refused on content, never stored with the extra fields joined
// into another or dropped. Fields that the type's syntax lets one value
// span (a DS digest may be split by spaces, RFC 4034 §5.3) are still read
// whole.
func TestRecordContentFieldCount(t *testing.T) {
	tests := []struct {
		typ, content string
		msg          string // a part of the error; "" when accepted
		rr           string // the record, when accepted
	}{
		{"HINFO", `"PC" "Linux" "extra"`, `is not two strings: HINFO content is the CPU and the operating system`, ""},
		{"HINFO", `PC Linux extra`, `is not two strings`, ""},
		{"HINFO", `"Intel Xeon" "Linux" 6.1`, `is not two strings`, ""},
		{"HINFO", `"PC"`, `is not two strings`, ""},
		{"HINFO", `PC`, `is not two strings`, ""},
		{"HINFO", `"Intel Xeon"`, `is not two strings`, ""},
		{"HINFO", `"PC" "Linux" ""`, `is not two strings`, ""},
		{"HINFO", `"` + strings.Repeat("x", 256) + `" "Linux"`, `each at most 255 bytes`, ""},
		{"HINFO", `"PC" "Linux" ; comment`, `has a ';' outside quotes`, ""},
		{"HINFO", `"PC" "Linux`, `has a quote that is not closed`, ""},
		{"HINFO", `"Intel Xeon" "Linux"`, "", `x.example.com. 3600 IN HINFO "Intel Xeon" "Linux"`},
		{"HINFO", `"PC" ""`, "", `x.example.com. 3600 IN HINFO "PC" ""`},
		{"HINFO", `PC "GNU/Linux"`, "", `x.example.com. 3600 IN HINFO "PC" "GNU/Linux"`},
		{"HINFO", `"a\"b" c\ d`, "", `x.example.com. 3600 IN HINFO "a\"b" "c d"`},
		{"MX", "mx.example.com extra", "is not a host name", ""},
		{"SRV", "60 5060 sip.example.com extra", `is not "weight port target"`, ""},
		{"CAA", `0 issue "letsencrypt.org" extra`, "is not valid CAA content", ""},
		{"CAA", `0 issue "letsencrypt.org" "other.org"`, "is not valid CAA content", ""},
		{"NAPTR", `100 10 "S" "SIP+D2U" "" _sip._udp.example.com extra`, "is not valid NAPTR content", ""},
		{"URI", `10 1 "ftp://ftp1.example.com/public" extra`, "is not valid URI content", ""},
		{"SSHFP", "4 2 " + hex64 + " extra", "is not valid SSHFP content", ""},
		{"TLSA", "3 1 1 " + hex64 + " extra", "is not valid TLSA content", ""},
		{"DS", "2371 13 2 " + hex64 + " extra", "is not valid DS content", ""},
		{"DS", "2371 13 2 " + hex64[:32] + " " + hex64[32:], "", "x.example.com. 3600 IN DS 2371 13 2 " + hex64},
		{"HTTPS", "1 . alpn=h2 extra", "is not valid HTTPS content", ""},
		{"SOA", "ns1 admin 1 2 3 4 5 6", "is not valid SOA content", ""},
	}
	for _, tt := range tests {
		name := "x"
		if tt.typ == "SOA" {
			name = ""
		}
		got, err := Record{Name: name, Type: tt.typ, Content: tt.content}.RR("example.com")
		label := tt.typ + " " + shown(tt.content).String()
		if tt.msg != "" {
			var re *RecordError
			if !errors.As(err, &re) || re.Field != "content" || !strings.Contains(re.Msg, tt.msg) {
				t.Errorf("%s: accepted as %v, error %v; want a content error with %q", label, got, err, tt.msg)
			}
			continue
		}
		want, perr := dns.NewRR(tt.rr)
		if perr != nil {
			t.Fatalf("%s: bad test record: %v", label, perr)
		}
		if err != nil || !sameWire(got, want) {
			t.Errorf("%s: got %v, %v; want %v", label, got, err, want)
		}
	}
}

// TestRecordEscapes: every character-string and text field takes RFC 1035's
// escapes and nothing that only looks like one. \DDD above \255 and a
// backslash with fewer than three digits are refused in every type, not
// stored as another byte (999 modulo 256) or as the digits; \X is X. Text
// that is UTF-8 reads back as UTF-8 in HINFO and CAA content, as in TXT.
func TestRecordEscapes(t *testing.T) {
	const above, short = `escape \999 is above \255`, `is not a \DDD escape: it needs three digits`
	tests := []struct {
		typ, content string
		canon        string // content read back; "" when refused
		err          string // part of the error
	}{
		{"TXT", `"a\999"`, "", above},
		{"TXT", `"a\25"`, "", `escape \25 is not a \DDD escape: it needs three digits, as \025`},
		{"TXT", `"a\2x"`, "", `escape \2 is not a \DDD escape: it needs three digits, as \002`},
		{"TXT", `"a\25" "b"`, "", short},
		{"TXT", `"a\025"`, `"a\025"`, ""},
		{"TXT", `"a\x\\25"`, `ax\25`, ""},
		{"TXT", `a\25`, `a\25`, ""}, // unquoted text is text, backslashes included
		{"TXT", `"é ü"`, `é ü`, ""},
		{"SPF", `"v=spf1\999"`, "", above},
		{"HINFO", `"a\999" b`, "", above},
		{"HINFO", `a\999 b`, "", above},
		{"HINFO", `"a\25" b`, "", short},
		{"HINFO", `a b\`, "", "a backslash at the end"},
		{"HINFO", `é ü`, `"é" "ü"`, ""},
		{"HINFO", `"é" "ü"`, `"é" "ü"`, ""},
		{"HINFO", `"\195\169" "\195\188"`, `"é" "ü"`, ""},
		{"HINFO", `"a\"b" "c\\d"`, `"a\"b" "c\\d"`, ""},
		{"HINFO", `"\255" "\001"`, `"\255" "\001"`, ""},
		{"CAA", `0 issue "ca\999.example"`, "", above},
		{"CAA", `0 issue "ca\25.example"`, "", short},
		{"CAA", `0 issue "ca\046example"`, `0 issue "ca.example"`, ""},
		{"CAA", `0 iodef "mailto:sécurité@example.com"`, `0 iodef "mailto:sécurité@example.com"`, ""},
		{"NAPTR", `100 10 "S\999" "SIP+D2U" "" .`, "", above},
		{"NAPTR", `100 10 "S" "SIP+D2U\25" "" .`, "", short},
		{"NAPTR", `100 10 "U" "E2U+sip" "!^.*$!sip:\999@example.com!" .`, "", above},
		{"NAPTR", `100 10 "S" "SIP+D2U" "" a\999b.example.com`, "", above},
		{"NAPTR", `100 10 "S" "SIP+D2U" "" _sip._udp.example.com`, `100 10 "S" "SIP+D2U" "" _sip._udp.example.com`, ""},
		{"HTTPS", `1 . alpn=h\999`, "", above},
		{"SVCB", `1 svc.example.com alpn="h2\25"`, "", short},
		{"HTTPS", `1 a\999.example.com`, "", above},
		{"URI", `10 1 "https://ex\999.example/"`, "", above},
		{"URI", `10 1 "https://ex\25.example/"`, "", short},
		{"TLSA", `3 1 1 \999` + hex64, "", above},
		{"SSHFP", `4 2 ` + hex64 + `\25`, "", short},
		{"CNAME", `a\999.example.com`, "", "is not a host name"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.content, func(t *testing.T) {
			rr, err := Record{Name: "x", Type: tt.typ, Content: tt.content}.RR("example.com.")
			if tt.err != "" {
				if err == nil {
					t.Fatalf("accepted as %v, read back as %q; want an error with %q", rr, RecordFromRR("example.com.", rr).Content, tt.err)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %q, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := RecordFromRR("example.com.", rr).Content; got != tt.canon {
				t.Errorf("read back as %q, want %q", got, tt.canon)
			}
		})
	}
}
