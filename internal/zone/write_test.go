package zone

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the writer's output")

// TestWriteGolden parses every testdata/*.zone, writes it and compares with
// testdata/*.golden; the written file must parse back to the same records.
func TestWriteGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.zone")
	if err != nil || len(files) == 0 {
		t.Fatalf("no zone files in testdata: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			z := parseTestFile(t, file)
			var buf bytes.Buffer
			n, err := z.WriteTo(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(buf.Len()) {
				t.Errorf("WriteTo returned %d, wrote %d bytes", n, buf.Len())
			}
			golden := strings.TrimSuffix(file, ".zone") + ".golden"
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("written zone differs from %s (run go test -update and review the diff):\n%s", golden, buf.String())
			}

			back, err := Parse(bytes.NewReader(buf.Bytes()), "", "written")
			if err != nil {
				t.Fatalf("written zone does not parse: %v", err)
			}
			if d := diffRecords(z, back); d != "" {
				t.Errorf("written zone reads back differently:\n%s", d)
			}

			// Writing depends on the set, not the order.
			shuffled := z.Clone()
			slices.Reverse(shuffled.Records)
			var again bytes.Buffer
			if _, err := shuffled.WriteTo(&again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Bytes(), buf.Bytes()) {
				t.Errorf("writing the records in another order gives another file")
			}
		})
	}
}

func TestWriteUnknownAndUnprintable(t *testing.T) {
	z := &Zone{Origin: "example.com.", Records: []dns.RR{
		&dns.RFC3597{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: 65280, Class: dns.ClassINET, Ttl: 60}, Rdata: "00ff"},
		// NULL has no presentation form miekg reads back.
		&dns.NULL{Hdr: dns.RR_Header{Name: "n.example.com.", Rrtype: dns.TypeNULL, Class: dns.ClassINET, Ttl: 60}, Data: "\x01\x02"},
		NewALIAS("example.com.", 60, "Target.Example.NET"),
		&dns.A{Hdr: dns.RR_Header{Name: "$x.example.com.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: []byte{192, 0, 2, 1}},
	}}
	var buf bytes.Buffer
	if _, err := z.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	want := "$ORIGIN example.com.\n" +
		"@\t60\tIN\tTYPE65280\t\\# 2 00ff\n" +
		"@\t60\tIN\tALIAS\ttarget.example.net.\n" +
		"\\$x\t60\tIN\tA\t192.0.2.1\n" +
		"n\t60\tIN\tTYPE10\t\\# 2 0102\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func parseTestFile(t *testing.T, file string) *Zone {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := Parse(f, "", filepath.Base(file))
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// diffRecords lists the records one zone has and the other lacks, comparing
// wire forms with TTLs.
func diffRecords(a, b *Zone) string {
	if a.Origin != b.Origin {
		return "origin " + a.Origin + " != " + b.Origin
	}
	sa, sb := recordSet(a), recordSet(b)
	var d []string
	for k, text := range sa {
		if _, ok := sb[k]; !ok {
			d = append(d, "- "+text)
		}
	}
	for k, text := range sb {
		if _, ok := sa[k]; !ok {
			d = append(d, "+ "+text)
		}
	}
	slices.Sort(d)
	return strings.Join(d, "\n")
}

func recordSet(z *Zone) map[string]string {
	set := make(map[string]string, len(z.Records))
	buf := make([]byte, 70000)
	for _, rr := range z.Records {
		off, err := dns.PackRR(rr, buf, 0, nil, false)
		if err != nil {
			set["unpackable "+rr.String()] = rr.String()
			continue
		}
		set[string(buf[:off])] = rr.String()
	}
	return set
}

// TestWriteToMatchesBefore holds WriteTo to the writer it replaced, which
// packed names at every comparison and parsed every line back: the same
// bytes, count and error for zones of every shape.
func TestWriteToMatchesBefore(t *testing.T) {
	rrs := func(lines ...string) []dns.RR {
		var out []dns.RR
		for _, l := range lines {
			rr, err := dns.NewRR(l)
			if err != nil {
				t.Fatalf("bad test record %q: %v", l, err)
			}
			out = append(out, rr)
		}
		return out
	}
	tests := []struct {
		name    string
		origin  string
		records []dns.RR
	}{
		{"case and escapes", "example.com.", rrs(
			"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300",
			"Www.Example.COM. 60 IN A 192.0.2.1", "www.example.com. 60 IN A 192.0.2.1", "WWW.example.com. 60 IN A 192.0.2.2",
			`a\.b.example.com. 60 IN A 192.0.2.1`, `\000.example.com. 60 IN A 192.0.2.1`, `a\000.example.com. 60 IN TXT "x"`,
			`\065.example.com. 60 IN A 192.0.2.1`, `\255.example.com. 60 IN A 192.0.2.1`, "*.example.com. 60 IN MX 10 Mail.Example.COM.",
			"*.a.example.com. 60 IN CNAME A.example.net.", "a.example.com. 60 IN CNAME a.example.net.",
			`0/25.2.example.com. 60 IN CNAME 0/25.2.0.192.in-addr.arpa.`, `$x.example.com. 60 IN A 192.0.2.1`,
		)},
		{"types", "example.com.", rrs(
			"example.com. 3600 IN SOA ns1.example.com. first\\.last.example.com. 4294967295 7200 3600 1209600 300",
			"example.com. 3600 IN NS ns1.example.com.", "example.com. 3600 IN MX 0 .", `example.com. 300 IN TXT "v=spf1 -all"`,
			`example.com. 300 IN TXT "a\"b" "c\\d" "\255" ""`, `example.com. 300 IN SPF "v=spf1 -all"`,
			`example.com. 300 IN CAA 0 issue "letsencrypt.org"`, "example.com. 300 IN AAAA ::ffff:192.0.2.1",
			"example.com. 300 IN AAAA 2001:db8::1", "_sip._tcp.example.com. 300 IN SRV 10 60 5060 sip.example.com.",
			"example.com. 300 IN TYPE65280 \\# 2 00ff", "n.example.com. 2147483648 IN A 192.0.2.9",
			`svc.example.com. 300 IN HTTPS 1 . alpn="h2,h3"`, "old.example.com. 300 IN DNAME new.example.net.",
			"1.2.example.com. 300 IN PTR host.example.com.", `naptr.example.com. 300 IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.com.`,
		)},
		{"root origin", ".", rrs(". 3600 IN SOA a. b. 1 2 3 4 5", "com. 60 IN NS a.gtld-servers.net.", "Com. 60 IN NS a.gtld-servers.net.")},
		{"escaped origin", `ex\.ample.com.`, rrs(`www.ex\.ample.com. 60 IN A 192.0.2.1`, `ex\.ample.com. 60 IN A 192.0.2.1`)},
	}
	for _, tt := range tests {
		z := &Zone{Origin: tt.origin, Records: tt.records}
		if d := writeBoth(z); d != "" {
			t.Errorf("%s: %s", tt.name, d)
		}
	}

	r := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 70000)
	for i := range 3000 {
		origin := pick(r, "example.com.", "example.com.", "Example.COM.", "com.", ".", `ex\.ample.com.`)
		z := &Zone{Origin: origin}
		for range r.IntN(40) {
			rr := randRR(r, origin)
			// Most zones are of records that pack, so that the comparison
			// goes past the first record WriteTo refuses.
			if i%4 != 0 {
				if _, err := dns.PackRR(dns.Copy(rr), buf, 0, nil, false); err != nil {
					continue
				}
			}
			z.Records = append(z.Records, rr)
		}
		if d := writeBoth(z); d != "" {
			t.Fatalf("zone %d: %s", i, d)
		}
	}
}

// TestRecordLineMatchesBefore holds recordLine to the one that parsed every
// line back, and plainRdata to sameRecord: where plainRdata answers for a
// record that packs, sameRecord agrees and the text is miekg/dns's.
func TestRecordLineMatchesBefore(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	plain := 0
	for i := range 40000 {
		origin := pick(r, "example.com.", "Example.COM.", ".", "com.")
		rr := randRR(r, origin)
		if d := compareLine(rr, origin); d != "" {
			t.Fatalf("record %d, %#v: %s", i, rr, d)
		}
		if _, ok := plainRdata(rr); ok {
			plain++
		}
	}
	// The generator must exercise the fast path, not only the slow one.
	if plain < 4000 {
		t.Errorf("only %d records had plain rdata", plain)
	}
}

// compareLine says how recordLine and recordLineBefore differ on rr.
func compareLine(rr dns.RR, origin string) string {
	buf := make([]byte, 65535+512)
	a, b := dns.Copy(rr), dns.Copy(rr)
	got, gerr := recordLine(a, origin, buf)
	want, werr := recordLineBefore(b, origin, buf)
	if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
		return fmt.Sprintf("line %q (%v), want %q (%v)", got, gerr, want, werr)
	}
	rdata, ok := plainRdata(rr)
	if !ok || !packs(dns.Copy(rr), buf) {
		return ""
	}
	h := rr.Header()
	text, _ := strings.CutPrefix(rr.String(), h.String())
	if rdata != text {
		return fmt.Sprintf("plainRdata %q, miekg prints %q", rdata, text)
	}
	line := h.Name + " " + strconv.FormatUint(uint64(h.Ttl), 10) + " IN " + dns.Type(h.Rrtype).String() + " " + rdata
	if !sameRecord(dns.Copy(rr), line, buf) {
		return fmt.Sprintf("plainRdata answers for %q, which does not read back the same", line)
	}
	return ""
}

// TestWriteToLeavesRecords writes a zone while its records are read, as the
// server reads a zone the API writes out: the race detector finds any write.
func TestWriteToLeavesRecords(t *testing.T) {
	z, err := Parse(strings.NewReader(mixedZone(2000)), "example.com.", "mixed.zone")
	if err != nil {
		t.Fatal(err)
	}
	before := make([]dns.RR_Header, len(z.Records))
	for i, rr := range z.Records {
		before[i] = *rr.Header()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := z.WriteTo(io.Discard); err != nil {
			t.Error(err)
		}
	}()
	for i, rr := range z.Records {
		if *rr.Header() != before[i] {
			t.Errorf("header of %v changed", rr)
		}
	}
	<-done
	for i, rr := range z.Records {
		if *rr.Header() != before[i] {
			t.Errorf("header of %v changed", rr)
		}
	}
}

// TestWriteOwnerEveryByte writes owners holding each of the 256 octets at
// the start, in the middle and at the end of a label, each owner on the
// line after a record, and reads them back: the lexer misreads some escapes
// at the start of a line (FuzzParse found \\ and \  there).
func TestWriteOwnerEveryByte(t *testing.T) {
	for b := 0; b < 256; b++ {
		for _, label := range [][]byte{{byte(b)}, {'a', byte(b)}, {byte(b), 'a'}, {'a', byte(b), 'a'}} {
			wire := append(append([]byte{byte(len(label))}, label...), "\x07example\x03com\x00"...)
			owner, _, err := dns.UnpackDomainName(wire, 0)
			owner = dns.CanonicalName(owner)
			if err != nil {
				t.Fatalf("%q: %v", label, err)
			}
			hdr := func(name string, rrtype uint16) dns.RR_Header {
				return dns.RR_Header{Name: name, Rrtype: rrtype, Class: dns.ClassINET, Ttl: 60}
			}
			z := &Zone{Origin: "example.com.", Records: []dns.RR{
				&dns.A{Hdr: hdr("example.com.", dns.TypeA), A: []byte{192, 0, 2, 1}},
				&dns.A{Hdr: hdr(owner, dns.TypeA), A: []byte{192, 0, 2, 2}},
				&dns.TXT{Hdr: hdr(owner, dns.TypeTXT), Txt: []string{"x"}},
				&dns.A{Hdr: hdr("a."+owner, dns.TypeA), A: []byte{192, 0, 2, 3}},
			}}
			var buf bytes.Buffer
			if _, err := z.WriteTo(&buf); err != nil {
				t.Fatalf("%q: WriteTo: %v", owner, err)
			}
			back, err := readEntries(bytes.NewReader(buf.Bytes()), nil, "written", "")
			if err != nil {
				t.Fatalf("%q: written zone does not parse: %v\n%s", owner, err, buf.String())
			}
			if d := diffRecords(z, zoneOf("example.com.", normalize(back))); d != "" {
				t.Fatalf("%q reads back differently:\n%s\nwritten:\n%s", owner, d, buf.String())
			}
		}
	}
}
