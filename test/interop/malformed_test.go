package interop

import (
	"encoding/binary"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestMalformed sends hand-made malformed queries, byte for byte, to Knot,
// NSD and zonewarden, and compares the rcode of each answer (and whether it
// carries an OPT record) with what the references answer. Unlike the corpus
// these cannot be built with dns.Msg: the point is messages it would not
// pack.
func TestMalformed(t *testing.T) {
	c := loadCorpus(t)
	zw := startZonewarden(t, c)
	knot := startKnot(t, c)
	nsd := startNSD(t, c)
	for _, mc := range malformedCases() {
		for _, net_ := range []string{"udp", "tcp"} {
			t.Run(mc.name+"/"+net_, func(t *testing.T) {
				got := rawExchange(net_, zw.addr, mc.wire)
				for _, ref := range []*server{knot, nsd} {
					want := rawExchange(net_, ref.addr, mc.wire)
					t.Logf("%s: %s; zonewarden: %s", ref.name, want, got)
					if mc.want[ref.name] != "" && want.String() != mc.want[ref.name] {
						t.Errorf("%s answered %s, the case expects %s (the reference changed?)", ref.name, want, mc.want[ref.name])
					}
				}
				if got.String() != mc.want["zonewarden"] {
					t.Errorf("zonewarden answered %s, want %s", got, mc.want["zonewarden"])
				}
			})
		}
	}
}

type malformedCase struct {
	name string
	wire []byte
	// want is each server's answer as rawAnswer.String(): the rcode, and
	// "+opt" when the answer carries an OPT record.
	want map[string]string
}

// rawAnswer is the part of an answer TestMalformed compares.
type rawAnswer struct {
	rcode int
	opt   bool
	err   error
}

func (a rawAnswer) String() string {
	if a.err != nil {
		return "error: " + a.err.Error()
	}
	s := dns.RcodeToString[a.rcode]
	if a.rcode == dns.RcodeBadVers {
		s = "BADVERS" // miekg/dns names 16 BADSIG, its TSIG meaning
	}
	if a.opt {
		s += "+opt"
	}
	return s
}

// rawExchange sends wire as it is and reads the header and OPT of the answer.
func rawExchange(net_, addr string, wire []byte) rawAnswer {
	conn, err := net.DialTimeout(net_, addr, time.Second)
	if err != nil {
		return rawAnswer{err: err}
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 65535)
	var n int
	if net_ == "tcp" {
		out := binary.BigEndian.AppendUint16(nil, uint16(len(wire)))
		if _, err := conn.Write(append(out, wire...)); err != nil {
			return rawAnswer{err: err}
		}
		var l [2]byte
		if _, err := ioReadFull(conn, l[:]); err != nil {
			return rawAnswer{err: timeoutOr(err)}
		}
		n = int(binary.BigEndian.Uint16(l[:]))
		if _, err := ioReadFull(conn, buf[:n]); err != nil {
			return rawAnswer{err: timeoutOr(err)}
		}
	} else {
		if _, err := conn.Write(wire); err != nil {
			return rawAnswer{err: err}
		}
		if n, err = conn.Read(buf); err != nil {
			return rawAnswer{err: timeoutOr(err)}
		}
	}
	m := new(dns.Msg)
	if err := m.Unpack(buf[:n]); err != nil {
		if n < 12 {
			return rawAnswer{err: fmt.Errorf("%d octets", n)}
		}
		// The header is enough for the rcode; no OPT was readable.
		return rawAnswer{rcode: int(buf[3] & 0xF)}
	}
	a := rawAnswer{rcode: m.Rcode}
	if o := m.IsEdns0(); o != nil {
		a.opt = true
		a.rcode |= o.ExtendedRcode() // BADVERS is 16
	}
	return a
}

func ioReadFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := c.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Raw pieces of a query for www.example.com. A.
var (
	rawQuestion = []byte("\x03www\x07example\x03com\x00\x00\x01\x00\x01")
	// an OPT record: root owner, type 41, UDP 1232, version 0, no flags,
	// then RDLENGTH and options appended.
	rawOPT = []byte{0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0}
	// a TSIG record owned by k., HMAC-SHA256, whose MAC is never checked
	// by a parser that rejects its place first.
	rawTSIG = func() []byte {
		rd := []byte("\x0bhmac-sha256\x00")
		rd = append(rd, 0, 0, 0x60, 0, 0, 0, 1, 0x2c, 0, 32)
		rd = append(rd, make([]byte, 32)...)
		rd = append(rd, 0x12, 0x34, 0, 0, 0, 0)
		rr := []byte{1, 'k', 0, 0, 250, 0, 255, 0, 0, 0, 0}
		rr = binary.BigEndian.AppendUint16(rr, uint16(len(rd)))
		return append(rr, rd...)
	}()
	rawA = []byte{0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1}
)

// rawMsg builds a query with id 0x1234 and the counts given, followed by
// the question (when qd is 1) and the records.
func rawMsg(qd, an, ns, ar uint16, rrs ...[]byte) []byte {
	b := []byte{0x12, 0x34, 0, 0}
	for _, n := range []uint16{qd, an, ns, ar} {
		b = binary.BigEndian.AppendUint16(b, n)
	}
	if qd == 1 {
		b = append(b, rawQuestion...)
	}
	for _, rr := range rrs {
		b = append(b, rr...)
	}
	return b
}

// opt returns an OPT record with rdlen and the given RDATA.
func opt(rdlen uint16, rdata ...byte) []byte {
	b := append([]byte(nil), rawOPT...)
	b = binary.BigEndian.AppendUint16(b, rdlen)
	return append(b, rdata...)
}

func optVersion(v byte) []byte {
	b := opt(0)
	b[6] = v
	return b
}

func malformedCases() []malformedCase {
	// same: all three servers answer s. ref: Knot and NSD answer ref,
	// zonewarden zw. "" is not checked.
	same := func(s string) map[string]string { return map[string]string{"knot": s, "nsd": s, "zonewarden": s} }
	ref := func(knot, nsd, zw string) map[string]string {
		return map[string]string{"knot": knot, "nsd": nsd, "zonewarden": zw}
	}
	twoQ := append(append(append([]byte{}, rawQuestion...), rawQuestion...), opt(0)...)
	return []malformedCase{
		{"baseline", rawMsg(1, 0, 0, 1, opt(0)), same("NOERROR+opt")},
		{"baseline-noedns", rawMsg(1, 0, 0, 0), same("NOERROR")},
		{"opt-option-exact", rawMsg(1, 0, 0, 1, opt(6, 0xfd, 0xe9, 0, 2, 'a', 'b')), same("NOERROR+opt")},

		// RFC 8945 §5.1: a TSIG is the last record of the additional
		// section, or the message is malformed.
		{"tsig-then-opt", rawMsg(1, 0, 0, 2, rawTSIG, opt(0)), same("FORMERR")},
		{"tsig-in-answer", rawMsg(1, 1, 0, 0, rawTSIG), same("FORMERR")},
		{"tsig-in-answer-opt", rawMsg(1, 1, 0, 1, rawTSIG, opt(0)), same("FORMERR")},
		{"tsig-in-authority", rawMsg(1, 0, 1, 1, rawTSIG, opt(0)), same("FORMERR")},
		{"badvers-tsig-first", rawMsg(1, 0, 0, 2, rawTSIG, optVersion(1)), same("FORMERR")},

		// An OPT whose options do not fill its RDATA exactly.
		{"opt-option-overrun", rawMsg(1, 0, 0, 1, opt(4, 0, 3, 0, 40)), same("FORMERR")},
		{"opt-option-overrun-by-1", rawMsg(1, 0, 0, 1, opt(6, 0, 3, 0, 3, 'a', 'b')), same("FORMERR")},
		{"opt-trailing-octets", rawMsg(1, 0, 0, 1, opt(2, 0, 3)), same("FORMERR")},

		// An OPT outside the additional section (RFC 6891 §6.1.1).
		{"opt-in-answer", rawMsg(1, 1, 0, 0, opt(0)), same("FORMERR")},
		{"opt-in-authority", rawMsg(1, 0, 1, 0, opt(0)), same("FORMERR")},
		{"opt-in-answer-and-additional", rawMsg(1, 1, 0, 1, opt(0), opt(0)), same("FORMERR")},

		// Where the references disagree, zonewarden sides with one.
		{"a-in-answer-opt", rawMsg(1, 1, 0, 1, rawA, opt(0)), ref("NOERROR+opt", "FORMERR", "NOERROR+opt")},
		{"opt-not-root", rawMsg(1, 0, 0, 1, append([]byte{1, 'x'}, opt(0)...)), ref("NOERROR+opt", "FORMERR", "FORMERR")},

		// RFC 6891 §7: an OPT that reads well is echoed even in FORMERR,
		// as Knot does (NSD answers QDCOUNT 0 with NOERROR).
		{"qdcount-0-opt", rawMsg(0, 0, 0, 1, opt(0)), ref("FORMERR+opt", "NOERROR+opt", "FORMERR+opt")},
		{"qdcount-0", rawMsg(0, 0, 0, 0), ref("FORMERR", "", "FORMERR")},                      // NSD closes TCP
		{"qdcount-2-opt", append(rawMsg(2, 0, 0, 1), twoQ...), ref("", "FORMERR", "FORMERR")}, // Knot does not answer
		{"badvers", rawMsg(1, 0, 0, 1, optVersion(1)), same("BADVERS+opt")},
		// Both references drop the OPT from these FORMERRs; zonewarden
		// echoes the first, well-formed one (DIFFERENCES.md).
		{"two-opt", rawMsg(1, 0, 0, 2, opt(0), opt(0)), ref("FORMERR", "FORMERR", "FORMERR+opt")},
		{"opt-then-garbage-rr", rawMsg(1, 0, 0, 2, opt(0), []byte{0, 0, 1}), ref("FORMERR", "FORMERR", "FORMERR+opt")},
	}
}
