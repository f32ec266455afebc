package authority

import (
	"encoding/binary"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/dnsserver"
)

// Answers that leave the zone they start in: a CNAME or DNAME whose target
// is in another zone served here, or below a delegation of the same zone
// (RFC 1034 §4.3.2 step 3.a restarts the lookup at the target). They are
// assembled per query from the target's own compiled answer, whose names are
// expanded and re-encoded, since its compression pointers are relative to
// another message.

// chased answers with tail t and then follows its final CNAME.
func (e *Engine) chased(dst []byte, q *query, s *snapshot, t tail) []byte {
	start := len(dst)
	dst = e.header(dst, q, t.flags()&tailAA != 0, false, int(t.rcode()), t.ancount(), t.nscount(), t.arcount())
	dst = append(dst, q.msg[12:q.qend]...)
	dst = t.appendBody(dst, t.fullLen(), 0)
	dst = e.follow(dst, start, q, s, int(t.ancount()))
	return e.finish(dst, start, q)
}

// follow continues the answer in dst[start:] from the target of its last
// answer record when that is a CNAME, for at most maxChain records in all.
func (e *Engine) follow(dst []byte, start int, q *query, s *snapshot, hops int) []byte {
	var opt uint16 // the OPT record, counted in the header already
	if q.edns {
		opt = 1
	}
	for hops <= maxChain {
		msg := dst[start:]
		an := int(binary.BigEndian.Uint16(msg[6:]))
		if an == 0 || binary.BigEndian.Uint16(msg[8:]) != 0 || binary.BigEndian.Uint16(msg[10:]) != opt {
			return dst
		}
		// Find the last answer record.
		off, last := q.qend, -1
		for range an {
			last = off
			if off = dnsserver.SkipName(msg, off); off < 0 || off+10 > len(msg) {
				return dst
			}
			off += 10 + int(binary.BigEndian.Uint16(msg[off+8:]))
		}
		rd := dnsserver.SkipName(msg, last)
		if binary.BigEndian.Uint16(msg[rd:]) != dns.TypeCNAME {
			return dst
		}
		rd += 10
		var target dname
		var w [255]byte
		n, _, ok := readName(msg, rd, w[:])
		if !ok || !target.setWire(lowerWire(w[:n])) {
			return dst
		}
		r := s.find(&target, q.qtype)
		if r.kind == resDNAME {
			before := len(dst)
			if dst, ok = appendDNAME(dst, r.nd.dname(), &target, r.prefix, rd-start); !ok {
				return dst[:before]
			}
			binary.BigEndian.PutUint16(dst[start+6:], uint16(an)+2)
			hops++
			continue
		}
		if r.kind != resTail {
			return dst
		}
		rcode := r.rcode
		if rcode < 0 {
			rcode = int(r.t.rcode())
		}
		before := len(dst)
		if dst, ok = transplant(dst, r.t, &target, r.delta, rd); !ok {
			return dst[:before]
		}
		msg = dst[start:]
		binary.BigEndian.PutUint16(msg[6:], uint16(an)+r.t.ancount())
		binary.BigEndian.PutUint16(msg[8:], r.t.nscount())
		binary.BigEndian.PutUint16(msg[10:], r.t.arcount()+opt)
		msg[3] = msg[3]&0xF0 | byte(rcode)
		if r.t.flags()&tailChase == 0 {
			return dst
		}
		hops += int(r.t.ancount())
	}
	return dst
}

// appendDNAME appends the DNAME that covers name and the CNAME it
// synthesizes (RFC 6672 §3.3). name is at offset nameAt of the message.
func appendDNAME(dst []byte, d *dnameData, name *dname, prefix, nameAt int) ([]byte, bool) {
	if prefix+len(d.target) > 255 || nameAt >= 0x3FFF {
		return dst, false
	}
	var owner dname
	if !owner.setWire(name.lname[prefix:name.n]) {
		return dst, false
	}
	dst, ok := transplant(dst, d.rr, &owner, owner.n-d.rr.q0len(), 0x3FFF)
	if !ok {
		return dst, false
	}
	dst = append(dst, 0xC0|byte(nameAt>>8), byte(nameAt), 0, byte(dns.TypeCNAME), 0, 1)
	dst = binary.BigEndian.AppendUint32(dst, d.ttl)
	dst = binary.BigEndian.AppendUint16(dst, uint16(prefix+len(d.target)))
	dst = append(dst, name.lname[:prefix]...)
	return append(dst, d.target...), true
}

// finish truncates an assembled answer that is too large and adds OPT.
func (e *Engine) finish(dst []byte, start int, q *query) []byte {
	rcode := int(dst[start+3] & 0xF)
	if len(dst)-start+e.optLen(q) > q.limit {
		aa := dst[start+2]&0x04 != 0
		dst = e.header(dst[:start], q, aa, true, rcode, 0, 0, 0)
		dst = append(dst, q.msg[12:q.qend]...)
	}
	return e.appendOPT(dst, q, rcode)
}

// transplant appends the records of t, as answered for target, to dst. An
// owner equal to target is written as a pointer to ownerAt (the offset of
// target in the message); other names are written in full.
func transplant(dst []byte, t tail, target *dname, delta, ownerAt int) ([]byte, bool) {
	// Rebuild the message t was rendered for, so its pointers resolve.
	var vm [8192]byte
	base := 12 + target.n + 4
	if base+t.fullLen() > len(vm) {
		return dst, false
	}
	copy(vm[12:], target.lname[:target.n])
	m := t.appendBody(vm[:base], t.fullLen(), delta)
	off := base
	var w [255]byte
	for range int(t.ancount()) + int(t.nscount()) + int(t.arcount()) {
		n, next, ok := readName(m, off, w[:])
		if !ok || next+10 > len(m) {
			return dst, false
		}
		if string(w[:n]) == string(target.lname[:target.n]) && ownerAt < 0x3FFF {
			dst = append(dst, 0xC0|byte(ownerAt>>8), byte(ownerAt))
		} else {
			dst = append(dst, w[:n]...)
		}
		typ := binary.BigEndian.Uint16(m[next:])
		rdlen := int(binary.BigEndian.Uint16(m[next+8:]))
		rdata := next + 10
		if rdata+rdlen > len(m) {
			return dst, false
		}
		dst = append(dst, m[next:next+8]...)
		lenAt := len(dst)
		dst = append(dst, 0, 0)
		switch typ {
		case dns.TypeNS, dns.TypeCNAME, dns.TypePTR, dns.TypeMX, dns.TypeSOA:
			o := rdata
			if typ == dns.TypeMX {
				dst = append(dst, m[o:o+2]...)
				o += 2
			}
			names := 1
			if typ == dns.TypeSOA {
				names = 2
			}
			for range names {
				n, o, ok = readName(m, o, w[:])
				if !ok {
					return dst, false
				}
				dst = append(dst, w[:n]...)
			}
			dst = append(dst, m[o:rdata+rdlen]...)
		default:
			dst = append(dst, m[rdata:rdata+rdlen]...)
		}
		binary.BigEndian.PutUint16(dst[lenAt:], uint16(len(dst)-lenAt-2))
		off = rdata + rdlen
	}
	return dst, true
}

// readName expands the possibly compressed name at off in msg into out. It
// returns the name's length, the offset after it in msg, and whether it was
// well formed.
func readName(msg []byte, off int, out []byte) (n, next int, ok bool) {
	next = -1
	for jumps := 0; off < len(msg); {
		l := int(msg[off])
		switch {
		case l == 0:
			if next < 0 {
				next = off + 1
			}
			out[n] = 0
			return n + 1, next, true
		case l&0xC0 == 0xC0:
			if off+1 >= len(msg) || jumps > 126 {
				return 0, 0, false
			}
			if next < 0 {
				next = off + 2
			}
			off = int(binary.BigEndian.Uint16(msg[off:]) & 0x3FFF)
			jumps++
		case l > 63 || n+l+2 > len(out) || off+1+l > len(msg):
			return 0, 0, false
		default:
			n += copy(out[n:], msg[off:off+1+l])
			off += 1 + l
		}
	}
	return 0, 0, false
}
