package zone

import (
	"errors"
	"fmt"
	"hash/maphash"
	"runtime"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Normalize puts z in the form Parse returns: owner names canonical
// (lower-case, escapes spelled one way), duplicate records removed (an RRset
// is a set, RFC 2181 §5) and every record of an RRset given the RRset's
// smallest TTL (RFC 2181 §5.2). The order of the remaining records is kept.
// Rdata is left as written, but two records whose rdata differ only in the
// case of an embedded name are duplicates.
func (z *Zone) Normalize() {
	z.Origin = CanonicalName(z.Origin)
	entries := make([]entry, 0, len(z.Records))
	for _, rr := range z.Records {
		h := rr.Header()
		if name, err := canonicalOwner(h.Name); err == nil {
			h.Name = name
		} else {
			h.Name = CanonicalName(h.Name)
		}
		entries = append(entries, entry{rr: rr})
	}
	entries = normalize(entries)
	z.Records = z.Records[:0]
	for _, e := range entries {
		z.Records = append(z.Records, e.rr)
	}
	clear(z.Records[len(z.Records):cap(z.Records)])
}

// Validate reports what makes z unservable: not exactly one SOA at the apex,
// no NS at the apex, records outside the zone, a CNAME beside other data
// (RRSIG and NSEC excepted) or at the apex, more than one CNAME or DNAME at a
// name, names below a DNAME (RFC 6672 §2.4), an ALIAS beside A or AAAA
// records, or more than one ALIAS at a name. The error wraps ErrInvalid. z is
// expected to be normalized.
func (z *Zone) Validate() error {
	entries := make([]entry, len(z.Records))
	for i, rr := range z.Records {
		entries[i] = entry{rr: rr}
	}
	if err := validate(CanonicalName(z.Origin), "", entries); err != nil {
		return fmt.Errorf("validate zone %s: %w", z.Origin, err)
	}
	return nil
}

// Clone returns a deep copy of z.
func (z *Zone) Clone() *Zone {
	c := &Zone{Origin: z.Origin, Records: make([]dns.RR, len(z.Records))}
	for i, rr := range z.Records {
		c.Records[i] = dns.Copy(rr)
	}
	return c
}

type rrsetKey struct {
	name    string
	rrtype  uint16
	covered uint16 // for RRSIG, whose RRsets are per covered type
}

func keyOf(rr dns.RR) rrsetKey {
	k := rrsetKey{name: rr.Header().Name, rrtype: rr.Header().Rrtype}
	if sig, ok := rr.(*dns.RRSIG); ok {
		k.covered = sig.TypeCovered
	}
	return k
}

func normalize(entries []entry) []entry {
	// RRsets never span owner names, so the work shares out by owner
	// among the cores; a big zone is normalized while it loads.
	parts := runtime.GOMAXPROCS(0)
	if len(entries) < 20000 {
		parts = 1
	}
	drop := make([]bool, len(entries))
	seed := maphash.MakeSeed()
	var wg sync.WaitGroup
	for part := range parts {
		wg.Go(func() { normalizePart(entries, drop, seed, part, parts) })
	}
	wg.Wait()
	out := entries[:0]
	for i, e := range entries {
		if !drop[i] {
			out = append(out, e)
		}
	}
	clear(entries[len(out):])
	return out
}

// normalizePart normalizes the RRsets whose owners hash to part: it marks
// duplicate records in drop and gives each RRset its smallest TTL. Most
// RRsets of a large zone hold one record, which costs one map update; only
// larger RRsets are compared record by record.
func normalizePart(entries []entry, drop []bool, seed maphash.Seed, part, parts int) {
	type set struct {
		n      int
		minTTL uint32
		ttls   bool // the records' TTLs differ
	}
	sets := make(map[rrsetKey]set, len(entries)/parts)
	mine := func(e entry) bool {
		return parts == 1 || maphash.String(seed, e.rr.Header().Name)%uint64(parts) == uint64(part)
	}
	for _, e := range entries {
		if !mine(e) {
			continue
		}
		k, ttl := keyOf(e.rr), e.rr.Header().Ttl
		s, ok := sets[k]
		switch {
		case !ok:
			s = set{minTTL: ttl}
		case ttl != s.minTTL:
			s.ttls, s.minTTL = true, min(s.minTTL, ttl)
		}
		s.n++
		sets[k] = s
	}
	var (
		seen = make(map[string]bool)
		buf  = make([]byte, 65535+512)
		key  []byte
	)
	for i, e := range entries {
		if !mine(e) {
			continue
		}
		k := keyOf(e.rr)
		s := sets[k]
		if s.n == 1 {
			continue
		}
		key = append(key[:0], k.name...)
		key = append(key, byte(k.rrtype>>8), byte(k.rrtype), byte(k.covered>>8), byte(k.covered), 0)
		key = append(key, rdataKey(e.rr, buf)...)
		if seen[string(key)] {
			drop[i] = true
			continue
		}
		seen[string(key)] = true
		if s.ttls {
			e.rr.Header().Ttl = s.minTTL
		}
	}
}

// rdataKey returns rr's rdata in wire form with the embedded names of the
// RFC 4034 §6.2 types lower-cased, so that equal records compare equal.
// Records that cannot be packed key on their text.
func rdataKey(rr dns.RR, buf []byte) []byte {
	rr = lowerNames(rr)
	h := *rr.Header()
	off, err := dns.PackRR(rr, buf, 0, nil, false)
	rdlength := int(rr.Header().Rdlength)
	*rr.Header() = h
	if err != nil {
		return []byte(rr.String())
	}
	return buf[off-rdlength : off]
}

func lowerNames(rr dns.RR) dns.RR {
	l := strings.ToLower
	switch r := rr.(type) {
	case *dns.NS:
		return &dns.NS{Hdr: r.Hdr, Ns: l(r.Ns)}
	case *dns.CNAME:
		return &dns.CNAME{Hdr: r.Hdr, Target: l(r.Target)}
	case *dns.DNAME:
		return &dns.DNAME{Hdr: r.Hdr, Target: l(r.Target)}
	case *dns.PTR:
		return &dns.PTR{Hdr: r.Hdr, Ptr: l(r.Ptr)}
	case *dns.MX:
		return &dns.MX{Hdr: r.Hdr, Preference: r.Preference, Mx: l(r.Mx)}
	case *dns.SOA:
		c := *r
		c.Ns, c.Mbox = l(r.Ns), l(r.Mbox)
		return &c
	case *dns.SRV:
		c := *r
		c.Target = l(r.Target)
		return &c
	case *dns.NAPTR:
		c := *r
		c.Replacement = l(r.Replacement)
		return &c
	case *dns.KX:
		return &dns.KX{Hdr: r.Hdr, Preference: r.Preference, Exchanger: l(r.Exchanger)}
	case *dns.RT:
		return &dns.RT{Hdr: r.Hdr, Preference: r.Preference, Host: l(r.Host)}
	case *dns.AFSDB:
		return &dns.AFSDB{Hdr: r.Hdr, Subtype: r.Subtype, Hostname: l(r.Hostname)}
	case *dns.RP:
		return &dns.RP{Hdr: r.Hdr, Mbox: l(r.Mbox), Txt: l(r.Txt)}
	case *dns.RRSIG:
		c := *r
		c.SignerName = l(r.SignerName)
		return &c
	}
	return rr
}

// nameState is what validate has seen at one owner name so far.
type nameState struct {
	cname, dname, alias, addr, other int
}

const maxProblems = 20

func validate(apex, file string, entries []entry) error {
	var (
		problems []error
		names    = make(map[string]*nameState)
		dnames   = make(map[string]bool)
		soas     int
		apexNS   bool
	)
	report := func(e entry, format string, args ...any) {
		if len(problems) < maxProblems {
			problems = append(problems, e.errorf(format, args...))
		}
	}
	for _, e := range entries {
		h := e.rr.Header()
		name, t := h.Name, h.Rrtype
		if !dns.IsSubDomain(apex, name) {
			report(e, "%s %s record is outside the zone %s", name, dns.Type(t), apex)
			continue
		}
		st := names[name]
		if st == nil {
			st = new(nameState)
			names[name] = st
		}
		switch t {
		case dns.TypeSOA:
			if name != apex {
				report(e, "SOA record at %s, not at the zone apex %s", name, apex)
			} else if soas++; soas > 1 {
				report(e, "second SOA record at %s", name)
			}
		case dns.TypeNS:
			apexNS = apexNS || name == apex
		}
		switch t {
		case dns.TypeRRSIG, dns.TypeNSEC:
			// RFC 2181 §10.1 and RFC 4035 §2.5 allow these beside a CNAME.
		case dns.TypeCNAME:
			switch {
			case name == apex:
				report(e, "CNAME record at the zone apex %s", name)
			case st.cname > 0:
				report(e, "second CNAME record at %s", name)
			case st.other > 0:
				report(e, "CNAME record at %s, which has other records", name)
			}
			st.cname++
		default:
			if st.cname > 0 {
				report(e, "%s record at %s, which has a CNAME", dns.Type(t), name)
			}
			st.other++
		}
		switch t {
		case dns.TypeDNAME:
			if st.dname > 0 {
				report(e, "second DNAME record at %s", name)
			}
			st.dname++
			dnames[name] = true
		case TypeALIAS:
			switch {
			case st.alias > 0:
				report(e, "second ALIAS record at %s", name)
			case st.addr > 0:
				report(e, "ALIAS record at %s, which has A or AAAA records", name)
			}
			st.alias++
		case dns.TypeA, dns.TypeAAAA:
			if st.alias > 0 {
				report(e, "%s record at %s, which has an ALIAS", dns.Type(t), name)
			}
			st.addr++
		}
	}
	if len(dnames) > 0 {
		for _, e := range entries {
			name := e.rr.Header().Name
			for off, end := dns.NextLabel(name, 0); !end && dns.IsSubDomain(apex, name[off:]); off, end = dns.NextLabel(name, off) {
				if dnames[name[off:]] {
					report(e, "%s is below the DNAME at %s", name, name[off:])
					break
				}
			}
		}
	}
	if soas == 0 {
		problems = append(problems, &ParseError{File: file, Msg: "no SOA record at the zone apex " + apex})
	}
	if !apexNS {
		problems = append(problems, &ParseError{File: file, Msg: "no NS record at the zone apex " + apex})
	}
	return errors.Join(problems...)
}
