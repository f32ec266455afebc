package zone

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// WriteTo writes z as a master file that Parse reads back to the same
// records: a $ORIGIN line, the apex SOA, then every other record in
// canonical name order (RFC 4034 §6.1), by type and then by rdata, one per
// line with an explicit TTL and class. Owners are relative to the origin
// ("@" at the apex); names inside rdata are written in full. A record whose
// presentation form miekg/dns would not read back identically, including
// every type it does not know, is written in the generic form of RFC 3597
// ("TYPE65280 \# 2 abcd"). The output depends only on the set of records.
func (z *Zone) WriteTo(w io.Writer) (int64, error) {
	origin := CanonicalName(z.Origin)
	type item struct {
		rr     dns.RR
		name   []byte // nameKey, where nameOK
		rdata  []byte
		nameOK bool
		soa    bool
	}
	// Each record's sort keys are computed once, into one arena: the
	// comparisons of a sort of 100,000 records would otherwise pack
	// names millions of times.
	items := make([]item, len(z.Records))
	ends := make([]int, 2*len(z.Records))
	keys := make([]byte, 0, 64*len(z.Records))
	buf := make([]byte, 65535+512)
	for i, rr := range z.Records {
		// Packing sets Rdlength in a record's header; a copy keeps WriteTo
		// from writing to records the server may be reading.
		rr = packable(rr)
		h := rr.Header()
		var ok bool
		keys, ok = nameKey(keys, h.Name)
		ends[2*i] = len(keys)
		keys = append(keys, rdataKey(rr, buf)...)
		ends[2*i+1] = len(keys)
		_, soa := rr.(*dns.SOA)
		items[i] = item{rr: rr, nameOK: ok, soa: soa && CanonicalName(h.Name) == origin}
	}
	start := 0
	for i := range items {
		items[i].name = keys[start:ends[2*i]:ends[2*i]]
		items[i].rdata = keys[ends[2*i]:ends[2*i+1]:ends[2*i+1]]
		start = ends[2*i+1]
	}
	// The comparison is CompareNames's, pair for pair, including its
	// fallback to text for names that do not pack, so that the sort
	// makes the same moves and the output is the same.
	slices.SortFunc(items, func(a, b item) int {
		if a.soa != b.soa {
			if a.soa {
				return -1
			}
			return 1
		}
		ha, hb := a.rr.Header(), b.rr.Header()
		var c int
		if a.nameOK && b.nameOK {
			c = bytes.Compare(a.name, b.name)
		} else {
			c = strings.Compare(strings.ToLower(ha.Name), strings.ToLower(hb.Name))
		}
		if c != 0 {
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
		line, err := recordLine(it.rr, origin, buf)
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

// recordLine formats rr as one line, trying miekg's presentation form first
// and falling back to RFC 3597's.
func recordLine(rr dns.RR, origin string, buf []byte) (string, error) {
	h := rr.Header()
	owner := unambiguousOwner(relativeName(h.Name, origin))
	ttl := strconv.FormatUint(uint64(h.Ttl), 10)
	class := "IN"
	if h.Class != dns.ClassINET {
		class = "CLASS" + strconv.Itoa(int(h.Class))
	}

	if rdata, ok := plainRdata(rr); ok && packs(rr, buf) {
		return owner + "\t" + ttl + "\t" + class + "\t" + dns.Type(h.Rrtype).String() + "\t" + rdata, nil
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

// sameRecord reports whether line parses back to rr, byte for byte on the
// wire.
func sameRecord(rr dns.RR, line string, buf []byte) bool {
	back, err := dns.NewRR(line)
	if err != nil || back == nil {
		return false
	}
	off, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		return false
	}
	want := string(buf[:off])
	off, err = dns.PackRR(back, buf, 0, nil, false)
	return err == nil && string(buf[:off]) == want
}

// plainRdata returns rr's rdata as miekg/dns prints it, where that text is
// known to read back as rr, byte for byte on the wire, provided rr packs:
// sameRecord would say so after parsing the line again, which is most of
// what writing a large zone costs. It holds for the common types when every
// name in the record, the owner too, is made of letters, digits, '-', '_',
// '*' and '/', which miekg/dns prints as they are, and TXT strings are
// printable ASCII without quotes or backslashes. Anything else is left to
// sameRecord. FuzzRecordLine holds this to what sameRecord answers.
func plainRdata(rr dns.RR) (string, bool) {
	h := rr.Header()
	if h.Class != dns.ClassINET || !asIsName(h.Name) {
		return "", false
	}
	u16 := func(n uint16) string { return strconv.FormatUint(uint64(n), 10) }
	u32 := func(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
	switch v := rr.(type) {
	case *dns.A:
		if h.Rrtype == dns.TypeA && (len(v.A) == net.IPv4len || len(v.A) == net.IPv6len && v.A.To4() != nil) {
			return v.A.String(), true
		}
	case *dns.AAAA:
		if h.Rrtype == dns.TypeAAAA && len(v.AAAA) == net.IPv6len && v.AAAA.To4() == nil {
			return v.AAAA.String(), true
		}
	case *dns.NS:
		return v.Ns, h.Rrtype == dns.TypeNS && asIsName(v.Ns)
	case *dns.CNAME:
		return v.Target, h.Rrtype == dns.TypeCNAME && asIsName(v.Target)
	case *dns.DNAME:
		return v.Target, h.Rrtype == dns.TypeDNAME && asIsName(v.Target)
	case *dns.PTR:
		return v.Ptr, h.Rrtype == dns.TypePTR && asIsName(v.Ptr)
	case *dns.MX:
		if h.Rrtype == dns.TypeMX && asIsName(v.Mx) {
			return u16(v.Preference) + " " + v.Mx, true
		}
	case *dns.SRV:
		if h.Rrtype == dns.TypeSRV && asIsName(v.Target) {
			return u16(v.Priority) + " " + u16(v.Weight) + " " + u16(v.Port) + " " + v.Target, true
		}
	case *dns.SOA:
		if h.Rrtype == dns.TypeSOA && asIsName(v.Ns) && asIsName(v.Mbox) {
			return v.Ns + " " + v.Mbox + " " + u32(v.Serial) + " " + u32(v.Refresh) + " " +
				u32(v.Retry) + " " + u32(v.Expire) + " " + u32(v.Minttl), true
		}
	case *dns.TXT:
		if h.Rrtype == dns.TypeTXT && plainText(v.Txt) {
			return `"` + strings.Join(v.Txt, `" "`) + `"`, true
		}
	}
	return "", false
}

// asIsName reports whether name is the root, or fully qualified and made of
// labels of 1 to 63 letters (of either case), digits, '-', '_', '*' and '/':
// miekg/dns prints it as it is, and reads that back the same.
func asIsName(name string) bool { return simpleName(name, true) }

// plainText reports whether TXT strings are at least one string, each at
// most 255 bytes of printable ASCII other than '"' and '\\': miekg/dns
// prints them quoted as they are.
func plainText(txt []string) bool {
	if len(txt) == 0 {
		return false
	}
	for _, s := range txt {
		if len(s) > 255 {
			return false
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
				return false
			}
		}
	}
	return true
}

// packs reports whether rr packs, which sameRecord checks before anything.
func packs(rr dns.RR, buf []byte) bool {
	_, err := dns.PackRR(rr, buf, 0, nil, false)
	return err == nil
}

// packable returns rr or a copy of it that packing may write to: a shallow
// copy of the common types, whose rdata packing only reads, and a deep one
// of the rest.
func packable(rr dns.RR) dns.RR {
	switch v := rr.(type) {
	case *dns.A:
		c := *v
		return &c
	case *dns.AAAA:
		c := *v
		return &c
	case *dns.NS:
		c := *v
		return &c
	case *dns.CNAME:
		c := *v
		return &c
	case *dns.DNAME:
		c := *v
		return &c
	case *dns.PTR:
		c := *v
		return &c
	case *dns.MX:
		c := *v
		return &c
	case *dns.SRV:
		c := *v
		return &c
	case *dns.SOA:
		c := *v
		return &c
	case *dns.TXT:
		c := *v
		return &c
	case *dns.CAA:
		c := *v
		return &c
	}
	return dns.Copy(rr)
}

// relativeName spells name relative to origin where it is below it.
func relativeName(name, origin string) string {
	// The common case, a plain name below the origin, without the label
	// arithmetic escapes need.
	if n := len(name) - len(origin) - 1; n > 0 && origin != "." && name[n] == '.' && name[n+1:] == origin && asIsName(name) {
		return name[:n]
	}
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

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// unambiguousOwner writes each escaped character of owner other than a dot
// and the $ relativeName escapes (\\, \ , \( and the like) as \DDD. miekg/dns's lexer misreads some of
// them at the start of a line: a relative owner ending in \\ before the
// blank reads as ending in an escaped blank, and an owner that starts with
// \  after a line ending in a blank (lineReader puts one before every
// newline) reads as a blank. Digits it cannot misread.
func unambiguousOwner(owner string) string {
	if strings.IndexByte(owner, '\\') < 0 {
		return owner
	}
	var b strings.Builder
	for i := 0; i < len(owner); i++ {
		c := owner[i]
		if c != '\\' || i+1 == len(owner) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := owner[i]; {
		case e >= '0' && e <= '9', e == '.', e == '$':
			b.WriteByte(c)
			b.WriteByte(e)
		default:
			fmt.Fprintf(&b, "\\%03d", e)
		}
	}
	return b.String()
}
