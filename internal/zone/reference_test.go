package zone

// The implementations WriteTo and Record.RR had before they learnt their
// fast paths, kept here for the tests to hold the fast ones to, and random
// records for both to be compared on.

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// writeToBefore is WriteTo as it was: names packed at every comparison,
// every line parsed back.
func writeToBefore(z *Zone, w io.Writer) (int64, error) {
	origin := CanonicalName(z.Origin)
	type item struct {
		rr    dns.RR
		rdata []byte
		soa   bool
	}
	// Packing sets Rdlength in a record's header; a copy keeps WriteTo
	// from writing to records the server may be reading.
	records := z.Clone().Records
	items := make([]item, len(records))
	buf := make([]byte, 65535+512)
	for i, rr := range records {
		rd := slices.Clone(rdataKey(rr, buf))
		_, soa := rr.(*dns.SOA)
		items[i] = item{rr: rr, rdata: rd, soa: soa && CanonicalName(rr.Header().Name) == origin}
	}
	slices.SortFunc(items, func(a, b item) int {
		if a.soa != b.soa {
			if a.soa {
				return -1
			}
			return 1
		}
		ha, hb := a.rr.Header(), b.rr.Header()
		if c := CompareNames(ha.Name, hb.Name); c != 0 {
			return c
		}
		if c := cmp.Compare(ha.Rrtype, hb.Rrtype); c != 0 {
			return c
		}
		if c := bytes.Compare(a.rdata, b.rdata); c != 0 {
			return c
		}
		return cmp.Compare(ha.Ttl, hb.Ttl)
	})

	cw := &countingWriter{w: w}
	bw := bufio.NewWriter(cw)
	fmt.Fprintf(bw, "$ORIGIN %s\n", origin)
	for _, it := range items {
		line, err := recordLineBefore(it.rr, origin, buf)
		if err != nil {
			return cw.n, fmt.Errorf("write zone %s: %w", origin, err)
		}
		bw.WriteString(line)
		bw.WriteByte('\n')
	}
	err := bw.Flush()
	if err != nil {
		err = fmt.Errorf("write zone %s: %w", origin, err)
	}
	return cw.n, err
}

// recordLineBefore is recordLine as it was, sameRecord for every record.
func recordLineBefore(rr dns.RR, origin string, buf []byte) (string, error) {
	h := rr.Header()
	owner := unambiguousOwner(relativeNameBefore(h.Name, origin)) // the one change since: owners that read back
	ttl := strconv.FormatUint(uint64(h.Ttl), 10)
	class := "IN"
	if h.Class != dns.ClassINET {
		class = "CLASS" + strconv.Itoa(int(h.Class))
	}

	if _, unknown := rr.(*dns.RFC3597); !unknown {
		text, header := rr.String(), h.String()
		if rdata, ok := strings.CutPrefix(text, header); ok && !strings.Contains(rdata, "\n") {
			typ := dns.Type(h.Rrtype).String()
			if sameRecord(rr, h.Name+" "+ttl+" "+class+" "+typ+" "+rdata, buf) {
				return owner + "\t" + ttl + "\t" + class + "\t" + typ + "\t" + rdata, nil
			}
		}
	}

	off, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		return "", fmt.Errorf("pack %s %s record: %w", h.Name, dns.Type(h.Rrtype), err)
	}
	rdata := buf[off-int(h.Rdlength) : off]
	line := fmt.Sprintf("%s\t%s\t%s\tTYPE%d\t\\# %d", owner, ttl, class, h.Rrtype, len(rdata))
	if len(rdata) > 0 {
		line += " " + hex.EncodeToString(rdata)
	}
	return line, nil
}

// relativeNameBefore is relativeName as it was.
func relativeNameBefore(name, origin string) string {
	rel := name
	switch {
	case strings.EqualFold(name, origin):
		return "@"
	case origin == ".":
		rel = name
	case dns.IsSubDomain(origin, name):
		n := dns.CountLabel(name) - dns.CountLabel(origin)
		idx := dns.Split(name)
		if n < len(idx) {
			rel = name[:idx[n]-1]
		}
	}
	// A leading $ would make a directive of "$TTL" and the like.
	if strings.HasPrefix(rel, "$") {
		rel = `\` + rel
	}
	return rel
}

// sameRR says how got, from RR, differs from want, from the verified path,
// or "" when they are the same record: the same header, text and rdata.
func sameRR(got, want dns.RR) string {
	switch {
	case got == nil || want == nil:
		if got != want {
			return fmt.Sprintf("got %v, want %v", got, want)
		}
		return ""
	case *got.Header() != *want.Header():
		return fmt.Sprintf("header %+v, want %+v", *got.Header(), *want.Header())
	case got.String() != want.String():
		return fmt.Sprintf("got %q, want %q", got.String(), want.String())
	}
	// miekg/dns says no private record is a duplicate of any other, even
	// of itself; ALIAS records are compared on the wire.
	if _, private := got.(*dns.PrivateRR); private {
		if wire(got) != wire(want) {
			return fmt.Sprintf("%v and %v differ on the wire", got, want)
		}
	} else if !dns.IsDuplicate(got, want) {
		return fmt.Sprintf("%v and %v are not duplicates", got, want)
	}
	return ""
}

// wire returns a copy of rr in wire form, or the packing error.
func wire(rr dns.RR) string {
	buf := make([]byte, 65535+512)
	off, err := dns.PackRR(dns.Copy(rr), buf, 0, nil, false)
	if err != nil {
		return err.Error()
	}
	return string(buf[:off])
}

// sameError says how got differs from want, "" when both are nil or both
// RecordErrors with the same field and message.
func sameError(got, want error) string {
	if got == nil && want == nil {
		return ""
	}
	var g, w *RecordError
	if !errors.As(got, &g) || !errors.As(want, &w) || *g != *w {
		return fmt.Sprintf("error %v, want %v", got, want)
	}
	return ""
}

// compareRR converts rec with RR and with every check run, and says how the
// two differ.
func compareRR(rec Record, origin string) string {
	got, gerr := rec.RR(origin)
	want, werr := rec.rr(origin, true)
	if d := sameError(gerr, werr); d != "" {
		return d
	}
	return sameRR(got, want)
}

// pick returns one of choices.
func pick[T any](r *rand.Rand, choices ...T) T { return choices[r.IntN(len(choices))] }

// randRecord returns a Record as an API client might send it: mostly valid
// and of the common types, with the edges of each field mixed in.
func randRecord(r *rand.Rand) Record {
	rec := Record{
		Name: pick(r, "", "", "@", "www", "www", "mail", "_sip._tcp", "WWW", "Www.Example.Com.", "example.com.", "*", "*.dyn", "a*", "foo.*",
			"_dmarc", "s1._domainkey", "0/25.2", "1.2", " mail ", "a..b", "a.", ".", "a b", `a\.b`, "café", "www.example.org.",
			strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a.", 120)+"a", strings.Repeat("a.", 120)+"ab",
			fmt.Sprintf("h%d", r.IntN(1000))),
		TTL: pick[uint32](r, 0, 0, 0, 0, 0, 3600, 3600, 1, 59, 60, 300, 3600, 604800, 604801, 1<<31, 1<<32-1),
	}
	// Every other record has a name and TTL that are fine, so that enough
	// records get as far as their content.
	if r.IntN(2) == 0 {
		rec.Name = pick(r, "", "www", "a.b", "*", "_sip._tcp", fmt.Sprintf("h%d", r.IntN(1000)))
		rec.TTL = pick[uint32](r, 0, 60, 3600, 604800)
	}
	switch r.IntN(12) {
	case 0:
		rec.Priority = prio(0)
	case 1:
		rec.Priority = prio(uint16(r.IntN(65536)))
	case 2:
		rec.Priority = prio(65535)
	}
	rec.Type = pick(r, "A", "A", "AAAA", "CNAME", "DNAME", "NS", "PTR", "ALIAS", "MX", "SRV", "TXT", "TXT", "SPF",
		"a", " aaaa ", "txt", "Mx", "", "URL", "CAA", "SOA", "HINFO")
	host := func() string {
		return pick(r, "host.example.com", "Host.Example.COM.", "mx.example.net.", "example.com", ".", "", " ", "a..b", "a.b..",
			"*.example.net", `a\.b.example`, "a b", "café.example", "xn--caf-dma.example", "-a.example", "_sip._tcp.example.com",
			"0/25.2.0.192.in-addr.arpa", strings.Repeat("b", 63)+".example", strings.Repeat("b", 64)+".example",
			strings.Repeat("b.", 126)+"b", strings.Repeat("b.", 127)+"b", "10 mx.example.com", "host.example.com ;x")
	}
	addr := func() string {
		return pick(r, "192.0.2.1", " 192.0.2.1 ", "\t192.0.2.1", "010.1.1.1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "0.0.0.0",
			"255.255.255.255", "::ffff:192.0.2.1", "::ffff:c000:201", "2001:DB8:0::1", "2001:db8::1", "::", "::1",
			"fe80::1%eth0", "192.0.2.1%eth0", "1.2.3.4/24", "0x7f.1.1.1",
			fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(256)), fmt.Sprintf("2001:db8:%x::%x", r.IntN(65536), r.IntN(65536)))
	}
	srv := func() string {
		return pick(r, "60 5060 "+host(), "0 0 .", "10 60 5060 sip.example.com", "60 70000 x.example", "-1 2 x.example",
			"60 sip.example.com", " 1  2  x.example ")
	}
	text := func() string {
		return pick(r, "", " ", "\t", "v=spf1 include:_spf.google.com ~all", `"v=spf1 -all"`, ` "a"  "b c" `, `""`, `"a" b`, `"a"b`,
			`"unclosed`, `"\256"`, `"tab\009end" "\065\"\\"`, `back\slash`, `I have "quoted" text`, "café", "\xff\xfe", "a\x00b",
			"a\nb", strings.Repeat("x", 255), strings.Repeat("x", 256), strings.Repeat("y", 600), `"`+strings.Repeat("z", 300)+`"`,
			randText(r), randText(r), `"`+randText(r)+`"`)
	}
	switch t := strings.ToUpper(strings.TrimSpace(rec.Type)); {
	case r.IntN(4) == 0:
		rec.Content = pick(r, addr(), host(), srv(), text(), "ns1.example.com admin.example.com 1 7200 3600 1209600 300",
			`0 issue "letsencrypt.org"`, `\# 4 c0000201`)
	case r.IntN(200) == 0:
		rec.Content = strings.Repeat("x", pick(r, 65000, 70000))
	case t == "A" || t == "AAAA":
		rec.Content = addr()
	case t == "SRV":
		rec.Content = srv()
	case t == "TXT" || t == "SPF":
		rec.Content = text()
	default:
		rec.Content = host()
	}
	return rec
}

// randText returns text of random bytes, mostly printable.
func randText(r *rand.Rand) string {
	b := make([]byte, r.IntN(40))
	for i := range b {
		if r.IntN(8) == 0 {
			b[i] = byte(r.IntN(256))
		} else {
			b[i] = byte(' ' + r.IntN(95))
		}
	}
	return string(b)
}

// randName returns a name in presentation form, fully qualified and
// below origin mostly, with case, escapes, wildcards, \000 octets and
// names too long to pack mixed in. Few distinct labels make names collide.
func randName(r *rand.Rand, origin string) string {
	var labels []string
	for range r.IntN(4) {
		labels = append(labels, pick(r, "a", "b", "A", "B", "z", "Z", "www", "WWW", "mail", "-", "_tcp", "0", "9", "*", "/",
			`\000`, `\001`, `\.`, `\065`, `\097`, `\255`, `\\`, `\"`, `\ `, "@", "$x", "é", "a\x00", "aa", "a-b", "0/25",
			strings.Repeat("x", 63), strings.Repeat("x", 64)))
	}
	if r.IntN(30) == 0 {
		for range 130 {
			labels = append(labels, "y")
		}
	}
	switch r.IntN(20) {
	case 0:
		labels = append(labels, "example", "net", "")
	case 1:
		// Relative: it does not pack.
	case 2:
		labels = append(labels, "EXAMPLE", "com", "")
	case 3:
		labels = append(labels, "", "x", "") // an empty label
	default:
		labels = append(labels, strings.TrimSuffix(origin, "."), "")
	}
	name := strings.Join(labels, ".")
	if name == "" {
		return "."
	}
	return name
}

// randRR returns a record owned by a name near origin: the common types
// with rdata of every form miekg/dns may hold, some it cannot print or pack,
// unknown types, and the odd class and mismatched type.
func randRR(r *rand.Rand, origin string) dns.RR {
	h := dns.RR_Header{Name: randName(r, origin), Class: dns.ClassINET,
		Ttl: pick[uint32](r, 0, 60, 3600, 3600, 86400, 1<<31-1, 1<<31, 1<<32-1, r.Uint32())}
	if r.IntN(40) == 0 {
		h.Class = pick[uint16](r, dns.ClassCHAOS, dns.ClassANY, 0)
	}
	name := func() string {
		if r.IntN(3) == 0 {
			return randName(r, origin)
		}
		return pick(r, ".", "mx.example.net.", "MX.Example.NET.", "a.", "ns1.example.com.", "host", "b.c.example.com.")
	}
	ip := func(n int) net.IP {
		b := make(net.IP, n)
		for i := range b {
			b[i] = byte(r.IntN(3))
		}
		return b
	}
	text := func() []string {
		var txt []string
		for range r.IntN(4) {
			txt = append(txt, pick(r, "", "a", "v=spf1 -all", "a b;c(d)", `q\"`, `\\`, `\`, `\0`, `\065`, `\255`, "é", "\x00",
				"\t", "x\ny", `"`, "~", "\x7f", strings.Repeat("x", 255), strings.Repeat("x", 256), randText(r)))
		}
		return txt
	}
	var rr dns.RR
	switch r.IntN(17) {
	case 0, 1:
		ipv4 := net.IP(pick(r, []byte{192, 0, 2, byte(r.IntN(3))}, []byte{0, 0, 0, 0}))
		rr = &dns.A{Hdr: h, A: pick(r, ipv4, ipv4, ipv4.To16(), nil, ip(16), ip(5), ip(4))}
	case 2:
		rr = &dns.AAAA{Hdr: h, AAAA: pick(r, ip(16), ip(16), net.ParseIP("::ffff:192.0.2.1"), net.ParseIP("2001:db8::1"), nil, ip(4), ip(15))}
	case 3:
		rr = &dns.NS{Hdr: h, Ns: name()}
	case 4:
		rr = &dns.CNAME{Hdr: h, Target: name()}
	case 5:
		rr = &dns.DNAME{Hdr: h, Target: name()}
	case 6:
		rr = &dns.PTR{Hdr: h, Ptr: name()}
	case 7:
		rr = &dns.MX{Hdr: h, Preference: pick[uint16](r, 0, 10, 65535), Mx: name()}
	case 8:
		rr = &dns.SRV{Hdr: h, Priority: pick[uint16](r, 0, 10), Weight: pick[uint16](r, 0, 65535), Port: pick[uint16](r, 53, 5060), Target: name()}
	case 9:
		if r.IntN(2) == 0 {
			h.Name = origin
		}
		rr = &dns.SOA{Hdr: h, Ns: name(), Mbox: pick(r, name(), `first\.last.example.com.`), Serial: pick[uint32](r, 1, 1<<32-1, r.Uint32()),
			Refresh: pick[uint32](r, 7200, 1<<32-1), Retry: 3600, Expire: pick[uint32](r, 1209600, 0), Minttl: 300}
	case 10, 11:
		rr = &dns.TXT{Hdr: h, Txt: text()}
	case 12:
		rr = &dns.SPF{Hdr: h, Txt: text()}
	case 13:
		rr = &dns.CAA{Hdr: h, Flag: pick[uint8](r, 0, 128), Tag: pick(r, "issue", "iodef", "Issue"), Value: pick(r, "letsencrypt.org", ";", `a"b`, "")}
	case 14:
		h.Rrtype = pick[uint16](r, 65280, 65534, 1)
		rr = &dns.RFC3597{Hdr: h, Rdata: pick(r, "", "00ff", "c0000201", "zz")}
	case 15:
		rr = NewALIAS(h.Name, h.Ttl, name())
		rr.Header().Class = h.Class
	case 16:
		rr = &dns.HINFO{Hdr: h, Cpu: pick(r, "PC", "a b", ""), Os: pick(r, "Linux", `"`)}
	}
	if h := rr.Header(); h.Rrtype == 0 {
		h.Rrtype = dns.StringToType[strings.TrimPrefix(fmt.Sprintf("%T", rr), "*dns.")]
		if r.IntN(50) == 0 {
			h.Rrtype = pick(r, dns.TypeA, dns.TypeAAAA, dns.TypeTXT)
		}
	}
	return rr
}

// writeBoth writes z with WriteTo and with writeToBefore and says how
// the two differ, in output, count or error.
func writeBoth(z *Zone) string {
	var got, want bytes.Buffer
	gn, gerr := z.WriteTo(&got)
	wn, werr := writeToBefore(z, &want)
	switch {
	case fmt.Sprint(gerr) != fmt.Sprint(werr):
		return fmt.Sprintf("error %v, want %v", gerr, werr)
	case gn != wn:
		return fmt.Sprintf("wrote %d bytes, want %d", gn, wn)
	case !bytes.Equal(got.Bytes(), want.Bytes()):
		return fmt.Sprintf("got\n%s\nwant\n%s", got.String(), want.String())
	}
	return ""
}
