package authority

import (
	"encoding/binary"
	"fmt"

	"github.com/miekg/dns"
)

// A tail is a pre-rendered response without its header and question: the
// answer, authority and additional sections as wire bytes, plus what the
// header needs. Responses are assembled by copying the query's question and a
// tail, so a query costs a few map lookups and one copy.
//
// Compression pointers in a tail are absolute offsets, valid for a question
// name of the length the tail was compiled for (q0). A tail used for many
// question names (wildcard synthesis, referrals, negative answers) carries the
// positions of its pointers; because every pointer refers either into the
// question's known suffix or into the tail itself, both of which move by the
// same amount when the question name is longer, relocating is adding that
// difference to each pointer.
//
// Layout: flags(1) rcode(1) ancount(2) nscount(2) arcount(2) anLen(2)
// q0len(2) nreloc(2) reloc(2*nreloc) body. anLen is the length of the answer
// and authority sections, so the additional section can be dropped to fit.
type tail []byte

const (
	tailAA       = 1 << 0 // the answer is authoritative
	tailNeedGlue = 1 << 1 // the additional section is required glue (RFC 9471)
	// tailChase: the answer ends in a CNAME to a name outside the zone (or
	// below one of its cuts); the query path continues there when it is
	// served here (RFC 1034 §4.3.2 step 3.a).
	tailChase = 1 << 2

	tailHdrLen = 14
)

func (t tail) flags() byte       { return t[0] }
func (t tail) rcode() byte       { return t[1] }
func (t tail) counts() []byte    { return t[2:8] }
func (t tail) anLen() int        { return int(binary.BigEndian.Uint16(t[8:])) }
func (t tail) q0len() int        { return int(binary.BigEndian.Uint16(t[10:])) }
func (t tail) nreloc() int       { return int(binary.BigEndian.Uint16(t[12:])) }
func (t tail) relocs() []byte    { return t[tailHdrLen : tailHdrLen+2*t.nreloc()] }
func (t tail) body() []byte      { return t[tailHdrLen+2*t.nreloc():] }
func (t tail) ancount() uint16   { return binary.BigEndian.Uint16(t[2:]) }
func (t tail) nscount() uint16   { return binary.BigEndian.Uint16(t[4:]) }
func (t tail) arcount() uint16   { return binary.BigEndian.Uint16(t[6:]) }
func (t tail) fullLen() int      { return len(t) - tailHdrLen - 2*t.nreloc() }
func (t tail) withoutExtra() int { return t.anLen() }

// appendBody appends the first n bytes of the body to dst, moving every
// compression pointer by delta bytes.
func (t tail) appendBody(dst []byte, n, delta int) []byte {
	start := len(dst)
	dst = append(dst, t.body()[:n]...)
	if delta == 0 {
		return dst
	}
	r := t.relocs()
	for i := 0; i+1 < len(r); i += 2 {
		pos := int(binary.BigEndian.Uint16(r[i:]))
		if pos >= n {
			break // relocations are in increasing order
		}
		p := start + pos
		v := int(binary.BigEndian.Uint16(dst[p:])&0x3FFF) + delta
		binary.BigEndian.PutUint16(dst[p:], 0xC000|uint16(v))
	}
	return dst
}

// Builder modes: how the name the tail is compiled for relates to the
// question names it will answer.
const (
	// qnameMode: the question name is q0 itself, or (for a wildcard node)
	// any name the wildcard matches. Records owned by q0 are written with a
	// pointer to the question (offset 12), whatever its length.
	qnameMode = iota
	// suffixMode: q0 is a suffix of the question name (referrals, negative
	// answers); every pointer moves with the question's length.
	suffixMode
)

// builder renders resource records into a tail with name compression.
type builder struct {
	q0      []byte
	mode    int
	base    int // offset of the tail's first byte in the message
	body    []byte
	dict    []suffix // names written so far, for compression
	relocs  []uint16
	counts  [3]uint16
	section int
	anLen   int
	scratch []byte
}

func newBuilder(q0 []byte, mode int) *builder {
	return new(builder).reset(q0, mode)
}

// reset readies b for a new tail, keeping its allocations.
func (b *builder) reset(q0 []byte, mode int) *builder {
	b.dict = b.dict[:0]
	b.q0, b.mode, b.base = q0, mode, 12+len(q0)+4
	b.body, b.relocs = b.body[:0], b.relocs[:0]
	b.counts, b.section, b.anLen = [3]uint16{}, 0, 0
	for i := 0; i < len(q0)-1; i += int(q0[i]) + 1 {
		if i == 0 && mode == qnameMode {
			continue // q0 as a whole is written as the fixed pointer 0xC00C
		}
		b.dict = append(b.dict, suffix{q0[i:], 12 + i})
	}
	return b
}

// name writes a lower-case wire name, compressing against what came before.
func (b *builder) name(wire []byte, owner bool) {
	if owner && b.mode == qnameMode && string(wire) == string(b.q0) {
		b.body = append(b.body, 0xC0, 0x0C)
		return
	}
	for i := 0; ; i += int(wire[i]) + 1 {
		if wire[i] == 0 {
			b.body = append(b.body, 0)
			return
		}
		if off, ok := b.lookup(wire[i:]); ok {
			b.relocs = append(b.relocs, uint16(len(b.body)))
			b.body = append(b.body, 0xC0|byte(off>>8), byte(off))
			return
		}
		if abs := b.base + len(b.body); abs < 0x3FFF {
			b.dict = append(b.dict, suffix{wire[i:], abs})
		}
		b.body = append(b.body, wire[i:i+int(wire[i])+1]...)
	}
}

// suffix is a name (or the tail of one) already in the message.
type suffix struct {
	wire []byte
	off  int
}

// lookup finds a name already written. A tail holds few names, so a list
// beats a map, which would cost more to clear for every tail than to search.
func (b *builder) lookup(w []byte) (int, bool) {
	for _, s := range b.dict {
		if string(s.wire) == string(w) {
			return s.off, true
		}
	}
	return 0, false
}

// nextSection moves on to the authority, then the additional section.
func (b *builder) nextSection() {
	b.section++
	if b.section == 2 {
		b.anLen = len(b.body)
	}
}

// rr appends one record owned by owner (a lower-case wire name) with ttl.
func (b *builder) rr(owner []byte, rr dns.RR, ttl uint32) error {
	hdr := rr.Header()
	start, nrel := len(b.body), len(b.relocs)
	b.name(owner, true)
	b.body = binary.BigEndian.AppendUint16(b.body, hdr.Rrtype)
	b.body = binary.BigEndian.AppendUint16(b.body, dns.ClassINET)
	b.body = binary.BigEndian.AppendUint32(b.body, ttl)
	lenPos := len(b.body)
	b.body = append(b.body, 0, 0)
	var err error
	// RFC 3597 §4: only the names in the rdata of RFC 1035's types may be
	// compressed; everything else is packed as is.
	switch v := rr.(type) {
	case *dns.NS:
		err = b.rdataName(v.Ns)
	case *dns.CNAME:
		err = b.rdataName(v.Target)
	case *dns.PTR:
		err = b.rdataName(v.Ptr)
	case *dns.MX:
		b.body = binary.BigEndian.AppendUint16(b.body, v.Preference)
		err = b.rdataName(v.Mx)
	case *dns.SOA:
		if err = b.rdataName(v.Ns); err == nil {
			err = b.rdataName(v.Mbox)
		}
		for _, n := range []uint32{v.Serial, v.Refresh, v.Retry, v.Expire, v.Minttl} {
			b.body = binary.BigEndian.AppendUint32(b.body, n)
		}
	case *dns.A:
		if ip := v.A.To4(); ip != nil {
			b.body = append(b.body, ip...)
			break
		}
		err = fmt.Errorf("A record %s: %q is not an IPv4 address", hdr.Name, v.A)
	case *dns.AAAA:
		if ip := v.AAAA.To16(); ip != nil {
			b.body = append(b.body, ip...)
			break
		}
		err = fmt.Errorf("AAAA record %s: %q is not an IPv6 address", hdr.Name, v.AAAA)
	default:
		var rdata []byte
		rdata, err = b.packRdata(rr)
		b.body = append(b.body, rdata...)
	}
	if err != nil {
		b.body, b.relocs = b.body[:start], b.relocs[:nrel]
		return err
	}
	rdlen := len(b.body) - lenPos - 2
	if rdlen > 0xFFFF {
		return fmt.Errorf("rdata of %s too long", hdr.Name)
	}
	binary.BigEndian.PutUint16(b.body[lenPos:], uint16(rdlen))
	b.counts[b.section]++
	return nil
}

func (b *builder) rdataName(name string) error {
	w, err := wireName(name)
	if err != nil {
		return err
	}
	b.name(w, false)
	return nil
}

// packRdata returns rr's rdata in uncompressed wire form.
func (b *builder) packRdata(rr dns.RR) ([]byte, error) {
	if b.scratch == nil {
		b.scratch = make([]byte, 65535+512)
	}
	rr = dns.Copy(rr)
	rr.Header().Name = "." // so the rdata starts at a known offset
	end, err := dns.PackRR(rr, b.scratch, 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("pack %s record: %w", dns.TypeToString[rr.Header().Rrtype], err)
	}
	return b.scratch[11:end], nil
}

// finish returns the tail. relocatable keeps the pointer positions, needed
// only when the tail answers question names of another length than q0.
func (b *builder) finish(flags, rcode byte, relocatable bool) tail {
	if b.section < 2 {
		b.anLen = len(b.body)
	}
	var relocs []uint16
	if relocatable {
		relocs = b.relocs
	}
	t := make(tail, tailHdrLen, tailHdrLen+2*len(relocs)+len(b.body))
	t[0], t[1] = flags, rcode
	binary.BigEndian.PutUint16(t[2:], b.counts[0])
	binary.BigEndian.PutUint16(t[4:], b.counts[1])
	binary.BigEndian.PutUint16(t[6:], b.counts[2])
	binary.BigEndian.PutUint16(t[8:], uint16(b.anLen))
	binary.BigEndian.PutUint16(t[10:], uint16(len(b.q0)))
	binary.BigEndian.PutUint16(t[12:], uint16(len(relocs)))
	for _, r := range relocs {
		t = binary.BigEndian.AppendUint16(t, r)
	}
	return append(t, b.body...)
}

// wireName returns the lower-case uncompressed wire form of a presentation
// name.
func wireName(name string) ([]byte, error) {
	if w := plainWire(name); w != nil {
		return w, nil
	}
	var buf [256]byte
	n, err := dns.PackDomainName(dns.Fqdn(name), buf[:], 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("name %q: %w", name, err)
	}
	return lowerWire(append([]byte(nil), buf[:n]...)), nil
}

// plainWire converts the common case, a fully qualified name without escapes
// and with labels of 1 to 63 octets, without miekg/dns; nil otherwise.
func plainWire(name string) []byte {
	if len(name) == 0 || len(name) > 254 || name[len(name)-1] != '.' {
		return nil
	}
	if name == "." {
		return []byte{0}
	}
	w := make([]byte, len(name)+1)
	start := 0 // of the current label in name
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.':
			l := i - start
			if l == 0 || l > 63 {
				return nil
			}
			w[start] = byte(l)
			start = i + 1
		case c == '\\':
			return nil
		case c >= 'A' && c <= 'Z':
			w[i+1] = c + 'a' - 'A'
		default:
			w[i+1] = c
		}
	}
	w[len(name)] = 0
	return w
}

// lowerWire lower-cases a wire name in place. Length octets are at most 63,
// below 'A', so they are never touched.
func lowerWire(w []byte) []byte {
	for i, c := range w {
		if c >= 'A' && c <= 'Z' {
			w[i] = c + 'a' - 'A'
		}
	}
	return w
}

// arena holds the answers a compile worker lays out: reserved at their exact
// total size, so that a zone is a few large objects for the garbage
// collector, the garbage of parsing does not fragment the heap between them,
// and a small zone wastes nothing.
type arena struct {
	buf []byte
}

// reserve makes room for n bytes of allocations.
func (a *arena) reserve(n int) { a.buf = make([]byte, 0, n) }

// alloc returns n bytes with a capacity of n, from the reserved room.
func (a *arena) alloc(n int) []byte {
	if len(a.buf)+n > cap(a.buf) {
		return make([]byte, n) // more than reserved: not expected, but correct
	}
	start := len(a.buf)
	a.buf = a.buf[:start+n]
	return a.buf[start : start+n : start+n]
}

// tailsSize is the size of ts laid out by arena.tails.
func tailsSize(ts []typed) int {
	n := 0
	for _, t := range ts {
		n += 4 + len(t.tl)
	}
	return n
}

// tails lays ts out as a node's tails: type, length, tail, in type order.
func (a *arena) tails(ts []typed) ([]byte, error) {
	n := 0
	for _, t := range ts {
		if len(t.tl) > 0xFFFF {
			return nil, fmt.Errorf("answer for type %s too large: %d octets", dns.TypeToString[t.t], len(t.tl))
		}
		n += 4 + len(t.tl)
	}
	if n == 0 {
		return nil, nil
	}
	b := a.alloc(n)[:0]
	for _, t := range ts {
		b = append(b, byte(t.t>>8), byte(t.t), byte(len(t.tl)>>8), byte(len(t.tl)))
		b = append(b, t.tl...)
	}
	return b, nil
}
