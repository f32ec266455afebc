package authority

import (
	"encoding/binary"

	"github.com/miekg/dns"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
)

// query is a parsed question. It lives on the stack of ServeDNS.
type query struct {
	msg []byte
	dname
	qtype   uint16
	qclass  uint16
	qend    int // end of the question section in msg
	edns    bool
	do      bool
	nsid    bool
	version uint8
	limit   int // largest response that may be sent
}

const (
	parseOK = iota
	parseDrop
	parseFormErr     // the question could not be read
	parseFormErrHasQ // the question was read, the rest is malformed
	parseFormErrOPT  // no question (QDCOUNT 0), but a good OPT to echo
	parseBadVers
)

// dname is a lower-case wire name with the offsets of its labels.
type dname struct {
	lname  [255]byte
	n      int // length of lname
	offs   [128]uint8
	labels int // offs[labels] is the root label
}

// setWire sets d from an uncompressed wire name, lower-casing it.
func (d *dname) setWire(w []byte) bool {
	d.n, d.labels = 0, 0
	for i := 0; i < len(w); {
		l := int(w[i])
		if l > 63 || i+1+l > len(w) || d.labels == 127 {
			return false
		}
		d.offs[d.labels] = uint8(i)
		if l == 0 {
			d.lname[i] = 0
			d.n = i + 1
			return true
		}
		d.labels++
		copy(d.lname[i:], w[i:i+1+l])
		i += 1 + l
	}
	return false
}

// parse reads the question and the EDNS OPT record.
func (q *query) parse(msg []byte, transport dnsserver.Transport) int {
	q.msg = msg
	if len(msg) < 12 || msg[2]&0x80 != 0 {
		return parseDrop
	}
	q.limit = 512
	if transport == dnsserver.TCP {
		q.limit = 65535
	}
	if qd := binary.BigEndian.Uint16(msg[4:]); qd != 1 {
		if qd == 0 {
			// Nothing to answer, but an OPT that reads well is echoed
			// (RFC 6891 §7), as Knot does. Only this rare error path
			// pays for the scan.
			q.qend = 12
			r := q.parseRest(transport)
			q.qend = 0
			if (r == parseOK || r == parseBadVers) && q.edns {
				return parseFormErrOPT
			}
		}
		q.edns = false
		return parseFormErr
	}
	off := 12
	for {
		if off >= len(msg) {
			return parseFormErr
		}
		l := int(msg[off])
		if l == 0 {
			break
		}
		if l > 63 || off+1+l >= len(msg) || q.n+1+l > 254 || q.labels == 127 {
			return parseFormErr // pointers and extended labels have no place here
		}
		q.offs[q.labels] = uint8(q.n)
		q.labels++
		q.lname[q.n] = byte(l)
		for i := 1; i <= l; i++ {
			c := msg[off+i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			q.lname[q.n+i] = c
		}
		q.n += 1 + l
		off += 1 + l
	}
	q.offs[q.labels] = uint8(q.n)
	q.lname[q.n] = 0
	q.n++
	off++
	if off+4 > len(msg) {
		return parseFormErr
	}
	q.qtype = binary.BigEndian.Uint16(msg[off:])
	q.qclass = binary.BigEndian.Uint16(msg[off+2:])
	q.qend = off + 4
	return q.parseRest(transport)
}

// parseRest skips the answer and authority sections and finds OPT. The
// message is malformed (FORMERR, as NSD and Knot answer) when an OPT is
// outside the additional section or not owned by the root, when there are
// two, when an OPT option runs past the record, or when a TSIG is anywhere
// but last in the additional section (RFC 8945 §5.1). Each check is a
// comparison or two per record, and reads msg in place.
func (q *query) parseRest(transport dnsserver.Transport) int {
	msg := q.msg
	off := q.qend
	an := int(binary.BigEndian.Uint16(msg[6:])) + int(binary.BigEndian.Uint16(msg[8:]))
	ar := int(binary.BigEndian.Uint16(msg[10:]))
	last := an + ar - 1
	for i := 0; i <= last; i++ {
		start := off
		for {
			if off >= len(msg) {
				return parseFormErrHasQ
			}
			l := int(msg[off])
			if l&0xC0 == 0xC0 {
				off += 2
				break
			}
			if l > 63 {
				return parseFormErrHasQ
			}
			off += 1 + l
			if l == 0 {
				break
			}
		}
		if off+10 > len(msg) {
			return parseFormErrHasQ
		}
		typ := binary.BigEndian.Uint16(msg[off:])
		rdlen := int(binary.BigEndian.Uint16(msg[off+8:]))
		if off+10+rdlen > len(msg) {
			return parseFormErrHasQ
		}
		switch typ {
		case dns.TypeTSIG:
			if i != last || i < an {
				return parseFormErrHasQ // RFC 8945 §5.1: the last record, in the additional section
			}
		case dns.TypeOPT:
			if i < an || q.edns || off-start != 1 {
				return parseFormErrHasQ // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root
			}
			end := off + 10 + rdlen
			for o := off + 10; o < end; {
				if o+4 > end {
					return parseFormErrHasQ // octets after the last option
				}
				code := binary.BigEndian.Uint16(msg[o:])
				o += 4 + int(binary.BigEndian.Uint16(msg[o+2:]))
				if o > end {
					return parseFormErrHasQ // the option runs past the record
				}
				if code == dns.EDNS0NSID {
					q.nsid = true
				}
			}
			// Only an OPT that reads well is echoed: NSD and Knot answer
			// a malformed one FORMERR without an OPT.
			q.edns = true
			size := int(binary.BigEndian.Uint16(msg[off+2:]))
			q.version = msg[off+5]
			q.do = msg[off+6]&0x80 != 0
			if transport == dnsserver.UDP {
				q.limit = max(512, size)
			}
		}
		off += 10 + rdlen
	}
	if q.edns && q.version != 0 {
		return parseBadVers
	}
	return parseOK
}

// ServeDNS answers one query; see dnsserver.Handler.
func (e *Engine) ServeDNS(resp []byte, req *dnsserver.Request) []byte {
	var q query
	switch q.parse(req.Msg, req.Transport) {
	case parseDrop:
		return nil
	case parseFormErr:
		return e.errorResponse(resp, &q, dns.RcodeFormatError, false)
	case parseFormErrHasQ:
		return e.errorResponse(resp, &q, dns.RcodeFormatError, true)
	case parseFormErrOPT:
		return e.appendOPT(e.header(resp, &q, false, false, dns.RcodeFormatError, 0, 0, 0), &q, dns.RcodeFormatError)
	case parseBadVers:
		return e.errorResponse(resp, &q, dns.RcodeBadVers, true)
	}
	if q.edns && req.Transport == dnsserver.UDP {
		q.limit = min(q.limit, int(e.cfg.MaxUDPSize))
	}
	if opcode := (req.Msg[2] >> 3) & 0xF; opcode != dns.OpcodeQuery {
		return e.errorResponse(resp, &q, dns.RcodeNotImplemented, true)
	}
	switch q.qtype {
	case dns.TypeOPT:
		return e.errorResponse(resp, &q, dns.RcodeFormatError, true)
	case dns.TypeAXFR, dns.TypeIXFR:
		// Zone transfers are not offered by this server yet.
		return e.errorResponse(resp, &q, dns.RcodeRefused, true)
	case dns.TypeMAILA, dns.TypeMAILB:
		return e.errorResponse(resp, &q, dns.RcodeNotImplemented, true)
	}
	switch q.qclass {
	case dns.ClassINET, dns.ClassANY:
	case dns.ClassCHAOS:
		return e.chaos(resp, &q)
	default:
		return e.errorResponse(resp, &q, dns.RcodeRefused, true)
	}
	return e.answer(resp, &q, e.snap.Load())
}

// zoneFor finds the zone of the question name by longest suffix. A DS
// question at a zone apex belongs to the parent zone when that is here too
// (RFC 4035 §3.1.4.1).
func (s *snapshot) zoneFor(d *dname, qtype uint16) *compiledZone {
	var found *compiledZone
	for i := max(0, d.labels-s.maxLabels); i <= d.labels; i++ {
		cz := s.zones[string(d.lname[d.offs[i]:d.n])]
		if cz == nil {
			continue
		}
		if i == 0 && qtype == dns.TypeDS && d.labels > 0 {
			found = cz
			continue
		}
		return cz
	}
	return found
}

// result is what the zones say about a name and type.
type result struct {
	kind   int
	t      tail
	rcode  int // -1: the tail's own
	delta  int
	cz     *compiledZone
	nd     *node
	prefix int // for DNAME: the length of the name below the owner
}

const (
	resTail = iota
	resRefused
	resAlias
	resDNAME
	resExpired
)

// find looks a name up in the served zones (RFC 1034 §4.3.2 steps 2-3).
func (s *snapshot) find(d *dname, qtype uint16) result {
	cz := s.zoneFor(d, qtype)
	if cz == nil {
		return result{kind: resRefused}
	}
	if cz.expired {
		return result{kind: resExpired}
	}
	neg := result{t: cz.neg, rcode: dns.RcodeSuccess, delta: d.n - len(cz.apex), cz: cz}
	if nd := cz.nodes[string(d.lname[:d.n])]; nd != nil {
		if nd.cut() != nil && (nd.cut() != nd || qtype != dns.TypeDS) {
			t := nd.cut().referral()
			return result{t: t, rcode: -1, delta: d.n - t.q0len()}
		}
		if t := nd.answer(qtype); t != nil {
			return result{t: t, rcode: -1}
		}
		if nd.alias() != nil && (qtype == dns.TypeA || qtype == dns.TypeAAAA) {
			return result{kind: resAlias, cz: cz, nd: nd}
		}
		return neg
	}
	// The closest encloser: the longest existing ancestor (RFC 4592 §3.3.1).
	for i := 1; i <= d.labels; i++ {
		ce := cz.nodes[string(d.lname[d.offs[i]:d.n])]
		if ce == nil {
			continue
		}
		if ce.cut() != nil {
			t := ce.cut().referral()
			return result{t: t, rcode: -1, delta: d.n - t.q0len()}
		}
		if ce.dname() != nil {
			return result{kind: resDNAME, nd: ce, prefix: int(d.offs[i])}
		}
		if w := ce.wild(); w != nil {
			if t := w.answer(qtype); t != nil {
				return result{t: t, rcode: -1, delta: d.n - t.q0len()}
			}
			if w.alias() != nil && (qtype == dns.TypeA || qtype == dns.TypeAAAA) {
				return result{kind: resAlias, cz: cz, nd: w}
			}
			return neg
		}
		break
	}
	neg.rcode = dns.RcodeNameError
	return neg
}

func (e *Engine) answer(dst []byte, q *query, s *snapshot) []byte {
	r := s.find(&q.dname, q.qtype)
	switch r.kind {
	case resRefused:
		return e.errorResponse(dst, q, dns.RcodeRefused, true)
	case resExpired:
		return e.errorResponse(dst, q, dns.RcodeServerFailure, true)
	case resAlias:
		return e.alias(dst, q, s, r.cz, r.nd)
	case resDNAME:
		return e.dname(dst, q, s, r.nd, r.prefix)
	}
	if r.t.flags()&tailChase != 0 {
		return e.chased(dst, q, s, r.t)
	}
	return e.write(dst, q, r.t, r.rcode, r.delta)
}

// write assembles the response from the query's question and a tail. rcode
// -1 takes the tail's own.
func (e *Engine) write(dst []byte, q *query, t tail, rcode int, delta int) []byte {
	if rcode < 0 {
		rcode = int(t.rcode())
	}
	qlen := q.qend - 12
	optLen := e.optLen(q)
	n := t.fullLen()
	an, ns, ar := t.ancount(), t.nscount(), t.arcount()
	flags := t.flags()
	tc := false
	if 12+qlen+n+optLen > q.limit {
		// Drop the additional section first; only missing glue makes
		// the answer truncated (RFC 9471).
		n, ar = t.anLen(), 0
		tc = flags&tailNeedGlue != 0
		if 12+qlen+n+optLen > q.limit {
			n, an, ns, tc = 0, 0, 0, true
		}
	}
	dst = e.header(dst, q, flags&tailAA != 0, tc, rcode, an, ns, ar)
	dst = append(dst, q.msg[12:q.qend]...)
	dst = t.appendBody(dst, n, delta)
	return e.appendOPT(dst, q, rcode)
}

// header appends a response header echoing the query's id, opcode, RD and CD.
// The additional count includes the OPT record when one will be appended.
func (e *Engine) header(dst []byte, q *query, aa, tc bool, rcode int, an, ns, ar uint16) []byte {
	m := q.msg
	b2 := 0x80 | m[2]&0x79
	if aa {
		b2 |= 0x04
	}
	if tc {
		b2 |= 0x02
	}
	if q.edns {
		ar++
	}
	qd := byte(0)
	if q.qend > 0 {
		qd = 1
	}
	return append(dst, m[0], m[1], b2, m[3]&0x10|byte(rcode&0xF),
		0, qd, byte(an>>8), byte(an), byte(ns>>8), byte(ns), byte(ar>>8), byte(ar))
}

func (e *Engine) optLen(q *query) int {
	if !q.edns {
		return 0
	}
	if q.nsid && len(e.cfg.NSID) > 0 {
		return 11 + 4 + len(e.cfg.NSID)
	}
	return 11
}

// appendOPT appends our OPT record when the query had one (RFC 6891 §6.1.1).
func (e *Engine) appendOPT(dst []byte, q *query, rcode int) []byte {
	if !q.edns {
		return dst
	}
	var flags byte
	if q.do {
		flags = 0x80 // RFC 3225 §3: DO is copied into the response
	}
	dst = append(dst, 0, 0, byte(dns.TypeOPT), byte(e.cfg.MaxUDPSize>>8), byte(e.cfg.MaxUDPSize),
		byte(rcode>>4), 0, flags, 0)
	if q.nsid && len(e.cfg.NSID) > 0 {
		l := len(e.cfg.NSID)
		dst = append(dst, byte((l+4)>>8), byte(l+4), 0, dns.EDNS0NSID, byte(l>>8), byte(l))
		return append(dst, e.cfg.NSID...)
	}
	return append(dst, 0, 0)
}

// errorResponse answers with rcode and no records, echoing the question
// when it could be read.
func (e *Engine) errorResponse(dst []byte, q *query, rcode int, withQuestion bool) []byte {
	if !withQuestion {
		q.qend = 0
		// A message we could not read is not trusted for EDNS either.
		q.edns = false
	}
	dst = e.header(dst, q, false, false, rcode, 0, 0, 0)
	if withQuestion {
		dst = append(dst, q.msg[12:q.qend]...)
	}
	return e.appendOPT(dst, q, rcode)
}
