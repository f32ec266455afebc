package zone

import (
	"bytes"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// FuzzParse checks that no input panics or hangs the parser and that every
// file that parses writes out and reads back to the same records.
func FuzzParse(f *testing.F) {
	corpus, err := os.ReadFile("testdata/corpus.zone")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(corpus))
	for _, line := range strings.Split(string(corpus), "\n") {
		f.Add(head + line + "\n")
	}
	f.Add(head + "www (\nIN A\n192.0.2.1 )\n")
	f.Add(head + "@ ALIAS x\n$ORIGIN a.example.com.\nb ALIAS @\n")
	f.Add(head + `t TXT "\"\\\000\255" x` + "\n")
	for _, hinfo := range []string{
		`h HINFO "Intel Xeon" "Linux 6.1"`, "h HINFO a b c", `h HINFO "a b"`, "h HINFO a", "h HINFO ; x",
		`h HINFO "a\"b\\" "\032x\255"`, "h 300 IN hinfo (\n a ; c\n b )", "h ( IN\n HINFO\n a\n b c )",
		"HINFO HINFO HINFO HINFO", " HINFO a b", `h TYPE13 \# 4 01610162`, `h HINFO \# 6 016101620163`,
		"h HINFO a b\nh2 HINFO c d e", "h HINFO \"a\nb\" c", `h HINFO a\ b c`, "h HINFO a b;c d",
	} {
		f.Add(head + hinfo + "\n")
	}

	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 64<<10 {
			t.Skip("zone files this big are not what the fuzzer should spend time on")
		}
		// The fuzzer does not time inputs out; crash with every stack so
		// that a hang is caught and its input saved.
		hang := time.AfterFunc(10*time.Second, func() {
			debug.SetTraceback("all")
			panic("parsing hangs on " + strconv.Quote(in))
		})
		defer hang.Stop()
		// The public path: whatever it returns, it must return.
		_, err := Parse(strings.NewReader(in), "example.com.", "fuzz.zone")
		unreadHINFO(t, err)

		// The record path, without zone-level validation so that most
		// inputs that parse at all are checked for the round trip.
		entries, err := readEntries(strings.NewReader(in), nil, "fuzz.zone", "example.com.")
		if err != nil {
			unreadHINFO(t, err)
			return
		}
		z := zoneOf("example.com.", normalize(entries))
		var buf bytes.Buffer
		if _, err := z.WriteTo(&buf); err != nil {
			// Records miekg parses but cannot pack are refused by
			// readEntries, so everything it returns can be written.
			t.Fatalf("WriteTo: %v", err)
		}
		back, err := readEntries(bytes.NewReader(buf.Bytes()), nil, "written", "")
		if err != nil {
			t.Fatalf("written zone does not parse: %v\n%s", err, buf.String())
		}
		if d := diffRecords(z, zoneOf("example.com.", normalize(back))); d != "" {
			t.Fatalf("written zone reads back differently:\n%s\nwritten:\n%s", d, buf.String())
		}
	})
}

// unreadHINFO fails when the HINFO check could not find the strings of a
// record miekg read: it finds the rdata by hand, and must find it wherever
// miekg does.
func unreadHINFO(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), "HINFO record that cannot be read") {
		t.Fatal(err)
	}
}

func zoneOf(origin string, entries []entry) *Zone {
	z := &Zone{Origin: origin}
	for _, e := range entries {
		z.Records = append(z.Records, e.rr)
	}
	return z
}

// FuzzRecordRRUnverified checks that RR, which skips its final pack and
// read-back for the types parseContent builds field by field, returns what
// the path that runs them for every type returns: the same record, header
// included, or the same error.
func FuzzRecordRRUnverified(f *testing.F) {
	seeds := []struct{ name, typ, content string }{
		{"www", "A", "192.0.2.1"}, {"", "A", "010.1.1.1"}, {"", "A", "::ffff:192.0.2.1"}, {"", "AAAA", "::ffff:192.0.2.1"},
		{"", "AAAA", "fe80::1%eth0"}, {"WWW.Example.COM.", "a", " 1.2.3.4 "}, {"*", "CNAME", "Target.Example.NET."},
		{"", "ALIAS", "target.example.net"}, {"", "MX", "."}, {"_sip._tcp", "SRV", "60 5060 sip.example.com"},
		{"", "TXT", `"a" "b\"c" "\255"`}, {"", "TXT", strings.Repeat("x", 600)}, {"", "SPF", "v=spf1 -all"},
		{"0/25.2", "PTR", "host.example.com"}, {"old", "DNAME", "new.example.net"}, {"sub", "NS", "ns1.example.net."},
		{"h", "HINFO", `"Intel Xeon" "Linux"`}, {"h", "HINFO", "a b c"}, {"h", "HINFO", `"a b"`},
	}
	for _, s := range seeds {
		f.Add(s.name, s.typ, s.content, uint32(0), -1)
	}
	f.Fuzz(func(t *testing.T, name, typ, content string, ttl uint32, p int) {
		rec := Record{Name: name, Type: typ, Content: content, TTL: ttl}
		if p >= 0 {
			rec.Priority = prio(uint16(p))
		}
		for _, origin := range []string{"example.com.", "."} {
			if d := compareRR(rec, origin); d != "" {
				t.Fatalf("%+v in %s: %s", rec, origin, d)
			}
		}
	})
}

// FuzzRecordLine checks that recordLine writes every record as the writer
// that parsed each line back did, and that plainRdata answers only for
// records whose text reads back the same. kind picks the type (its low
// bits), another class (0x40) and a type code that is not the record's
// (0x80); TXT strings are text cut at 0x1e, HINFO's CPU is text and its OS
// name.
func FuzzRecordLine(f *testing.F) {
	f.Add(uint8(0), "www.example.com.", "mx.example.net.", "v=spf1 -all", []byte{192, 0, 2, 1}, uint32(3600), uint16(10))
	f.Add(uint8(1), "example.com.", "a.", "", []byte(net.ParseIP("2001:db8::1")), uint32(1<<31), uint16(0))
	f.Add(uint8(6), "*.Example.com.", "Mail.Example.NET.", "", []byte(nil), uint32(60), uint16(65535))
	f.Add(uint8(8), "example.com.", "ns1.example.com.", `first\.last.example.com.`, []byte(nil), uint32(0), uint16(1))
	f.Add(uint8(9), "t.example.com.", "", "a b;c(d)\x1e\x1e\"q\\", []byte(nil), uint32(300), uint16(0))
	f.Add(uint8(3), `a\.b.example.com.`, "0/25.2.0.192.in-addr.arpa.", "", []byte(nil), uint32(300), uint16(0))
	f.Add(uint8(11), "h.example.com.", "Linux 6.1", `Intel "Xeon"\`, []byte(nil), uint32(60), uint16(0))
	types := []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeNS, dns.TypeCNAME, dns.TypeDNAME, dns.TypePTR, dns.TypeMX,
		dns.TypeSRV, dns.TypeSOA, dns.TypeTXT, dns.TypeSPF, dns.TypeHINFO}
	f.Fuzz(func(t *testing.T, kind uint8, owner, name, text string, ip []byte, ttl uint32, n uint16) {
		k := int(kind&0x3f) % len(types)
		h := dns.RR_Header{Name: owner, Rrtype: types[k], Class: dns.ClassINET, Ttl: ttl}
		if kind&0x40 != 0 {
			h.Class = dns.ClassCHAOS
		}
		if kind&0x80 != 0 {
			h.Rrtype = types[(k+1)%len(types)]
		}
		var rr dns.RR
		switch types[k] {
		case dns.TypeA:
			rr = &dns.A{Hdr: h, A: ip}
		case dns.TypeAAAA:
			rr = &dns.AAAA{Hdr: h, AAAA: ip}
		case dns.TypeNS:
			rr = &dns.NS{Hdr: h, Ns: name}
		case dns.TypeCNAME:
			rr = &dns.CNAME{Hdr: h, Target: name}
		case dns.TypeDNAME:
			rr = &dns.DNAME{Hdr: h, Target: name}
		case dns.TypePTR:
			rr = &dns.PTR{Hdr: h, Ptr: name}
		case dns.TypeMX:
			rr = &dns.MX{Hdr: h, Preference: n, Mx: name}
		case dns.TypeSRV:
			rr = &dns.SRV{Hdr: h, Priority: n, Weight: n >> 3, Port: ^n, Target: name}
		case dns.TypeSOA:
			rr = &dns.SOA{Hdr: h, Ns: name, Mbox: text, Serial: ttl, Refresh: ^ttl, Retry: uint32(n), Expire: ttl >> 7, Minttl: uint32(n) << 16}
		case dns.TypeTXT:
			rr = &dns.TXT{Hdr: h, Txt: strings.Split(text, "\x1e")}
		case dns.TypeSPF:
			rr = &dns.SPF{Hdr: h, Txt: strings.Split(text, "\x1e")}
		case dns.TypeHINFO:
			rr = &dns.HINFO{Hdr: h, Cpu: text, Os: name}
		}
		for _, origin := range []string{"example.com.", "."} {
			if d := compareLine(rr, origin); d != "" {
				t.Fatalf("%#v in %s: %s", rr, origin, d)
			}
		}
	})
}
