package zone

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/hex"
	"fmt"
	"io"
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
	owner := relativeName(h.Name, origin)
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

// relativeName spells name relative to origin where it is below it.
func relativeName(name, origin string) string {
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
