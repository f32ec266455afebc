package zone

import (
	"io"

	"github.com/miekg/dns"
)

// Line is a record read from a master file and the line it ends on.
type Line struct {
	RR   dns.RR
	Line int
}

// ReadRecords reads the records of a master file without checking them as a
// zone: a part of a zone (no SOA, no NS, a CNAME at the apex) reads, so that
// an import can say record by record what it keeps and what it skips. Names
// are relative to origin until a $ORIGIN line, TTLs default to $TTL, else
// 3600; owner names are canonical and duplicates are kept. $INCLUDE is
// refused. The first syntax error stops the reading: a *ParseError with the
// line.
func ReadRecords(r io.Reader, origin, file string) ([]Line, error) {
	origin = CanonicalName(origin)
	if _, ok := dns.IsDomainName(origin); !ok {
		return nil, &ParseError{File: file, Msg: "bad origin " + origin}
	}
	entries, err := readEntries(r, nil, file, origin)
	if err != nil {
		return nil, err
	}
	out := make([]Line, len(entries))
	for i, e := range entries {
		out[i] = Line{RR: e.rr, Line: e.line}
	}
	return out, nil
}
