package authority

import (
	"encoding/binary"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/dnsserver"
)

// The answers that cannot be pre-rendered: server identity, ALIAS and DNAME.
// They are rare enough to be built per query, still without allocating.

// chaos answers CH TXT id.server. and hostname.bind. with the configured
// identity (RFC 4892); everything else in class CH is refused.
func (e *Engine) chaos(dst []byte, q *query) []byte {
	name := string(q.lname[:q.n])
	if e.cfg.Identity == "" || (name != "\x02id\x06server\x00" && name != "\x08hostname\x04bind\x00") ||
		(q.qtype != dns.TypeTXT && q.qtype != dns.TypeANY) {
		return e.errorResponse(dst, q, dns.RcodeRefused, true)
	}
	// Not AA: this is no zone's data (Knot and NSD agree).
	dst = e.header(dst, q, false, false, dns.RcodeSuccess, 1, 0, 0)
	dst = append(dst, q.msg[12:q.qend]...)
	id := e.cfg.Identity
	dst = append(dst, 0xC0, 0x0C, 0, byte(dns.TypeTXT), 0, byte(dns.ClassCHAOS), 0, 0, 0, 0,
		byte((len(id)+1)>>8), byte(len(id)+1), byte(len(id)))
	dst = append(dst, id...)
	return e.appendOPT(dst, q, dns.RcodeSuccess)
}

// alias answers an A or AAAA question at an ALIAS owner with the target's
// addresses: from a zone served here when the target is in one, else from
// the AliasSource. Nothing known yet is a SERVFAIL, so resolvers retry.
func (e *Engine) alias(dst []byte, q *query, s *snapshot, cz *compiledZone, nd *node) []byte {
	start := len(dst)
	dst = e.header(dst, q, true, false, dns.RcodeSuccess, 0, 0, 0)
	dst = append(dst, q.msg[12:q.qend]...)
	var count uint16
	if t, ok := s.addressesHere(nd.x.aliasTarget, q.qtype); ok {
		dst, count = appendRecords(dst, t, q.qtype, 0xC00C, nd.x.aliasTTL)
	} else if e.cfg.Aliases != nil {
		rdata, ttl, ok := e.cfg.Aliases.Addresses(nd.x.aliasName, q.qtype)
		if !ok {
			return e.errorResponse(dst[:start], q, dns.RcodeServerFailure, true)
		}
		ttl = min(ttl, nd.x.aliasTTL)
		for _, rd := range rdata {
			dst = append(dst, 0xC0, 0x0C, byte(q.qtype>>8), byte(q.qtype), 0, 1)
			dst = binary.BigEndian.AppendUint32(dst, ttl)
			dst = binary.BigEndian.AppendUint16(dst, uint16(len(rd)))
			dst = append(dst, rd...)
			count++
		}
	} else {
		return e.errorResponse(dst[:start], q, dns.RcodeServerFailure, true)
	}
	if count == 0 {
		return e.write(dst[:start], q, cz.neg, dns.RcodeSuccess, q.n-len(cz.apex))
	}
	if len(dst)-start+e.optLen(q) > q.limit {
		dst = dst[:start]
		dst = e.header(dst, q, true, true, dns.RcodeSuccess, 0, 0, 0)
		dst = append(dst, q.msg[12:q.qend]...)
		return e.appendOPT(dst, q, dns.RcodeSuccess)
	}
	binary.BigEndian.PutUint16(dst[start+6:], count)
	return e.appendOPT(dst, q, dns.RcodeSuccess)
}

// addressesHere returns the answer for qtype at target when target is in a
// zone served here, in which case its records, possibly none, are the truth.
func (s *snapshot) addressesHere(target []byte, qtype uint16) (tail, bool) {
	var d dname
	if !d.setWire(target) {
		return nil, false
	}
	r := s.find(&d, qtype)
	if r.kind == resRefused {
		return nil, false
	}
	if r.kind != resTail {
		return nil, true
	}
	return r.t, true
}

// appendRecords copies the records of type typ from t's answer section,
// owned by the name at pointer owner with at most ttl.
func appendRecords(dst []byte, t tail, typ uint16, owner uint16, ttl uint32) ([]byte, uint16) {
	if t == nil {
		return dst, 0
	}
	body := t.body()
	off, count := 0, uint16(0)
	for range t.ancount() {
		off = dnsserver.SkipName(body, off)
		if off < 0 || off+10 > len(body) {
			return dst, count
		}
		rt := binary.BigEndian.Uint16(body[off:])
		rttl := binary.BigEndian.Uint32(body[off+4:])
		rdlen := int(binary.BigEndian.Uint16(body[off+8:]))
		if rt == typ && off+10+rdlen <= len(body) {
			dst = binary.BigEndian.AppendUint16(dst, 0xC000|owner)
			dst = append(dst, body[off:off+4]...)
			dst = binary.BigEndian.AppendUint32(dst, min(ttl, rttl))
			dst = append(dst, body[off+8:off+10+rdlen]...)
			count++
		}
		off += 10 + rdlen
	}
	return dst, count
}

// dname answers a question below a DNAME owner (RFC 6672 §3.3): the DNAME,
// a CNAME synthesized from it, and the target's records when it is an
// existing name served here.
func (e *Engine) dname(dst []byte, q *query, s *snapshot, ce *node, prefix int) []byte {
	d := ce.dname()
	start := len(dst)
	dst = e.header(dst, q, true, false, dns.RcodeSuccess, 0, 0, 0)
	dst = append(dst, q.msg[12:q.qend]...)
	dst = d.rr.appendBody(dst, d.rr.fullLen(), q.n-d.rr.q0len())
	if prefix+len(d.target) > 255 {
		binary.BigEndian.PutUint16(dst[start+6:], 1)
		dst[start+3] = dst[start+3]&0xF0 | dns.RcodeYXDomain
		return e.appendOPT(dst, q, dns.RcodeYXDomain)
	}
	// The DNAME's target ends the message so far; the CNAME's points to it.
	targetAt := len(dst) - start - len(d.target)
	dst = append(dst, 0xC0, 0x0C, 0, byte(dns.TypeCNAME), 0, 1)
	dst = binary.BigEndian.AppendUint32(dst, d.ttl)
	dst = append(dst, 0, 0) // rdata length, set below
	target := len(dst) - start
	dst = append(dst, q.msg[12:12+prefix]...)
	if targetAt < 0x3FFF {
		dst = binary.BigEndian.AppendUint16(dst, 0xC000|uint16(targetAt))
	} else {
		dst = append(dst, d.target...)
	}
	binary.BigEndian.PutUint16(dst[start+target-2:], uint16(len(dst)-start-target))
	binary.BigEndian.PutUint16(dst[start+6:], 2)
	if q.qtype != dns.TypeCNAME && target < 0x3FFF {
		dst = e.follow(dst, start, q, s, 1)
	}
	return e.finish(dst, start, q)
}
