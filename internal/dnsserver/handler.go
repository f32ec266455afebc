package dnsserver

import "net/netip"

// Transport is how a query arrived.
type Transport uint8

const (
	UDP Transport = iota
	TCP
)

func (t Transport) String() string {
	if t == TCP {
		return "tcp"
	}
	return "udp"
}

// Request is one query as received. The server owns it and reuses it for the
// next query once ServeDNS returns: a Handler must not keep it or Msg.
type Request struct {
	Msg       []byte
	Transport Transport
	Remote    netip.AddrPort
}

// Handler answers DNS queries. It works on raw messages so that the serving
// path can run without allocating.
type Handler interface {
	// ServeDNS appends the response to req to resp (which has length 0 and
	// capacity of at least 65535) and returns it. The Handler applies the
	// size limit of UDP itself (from EDNS). A nil result sends nothing.
	ServeDNS(resp []byte, req *Request) []byte
}

// Streamer is implemented by a Handler that answers zone transfers (AXFR,
// IXFR) over TCP with several messages. The TCP server hands it those
// requests instead of calling ServeDNS; every other request, and every UDP
// one, still goes to ServeDNS, so the query path is untouched.
type Streamer interface {
	// ServeStream answers req by calling send with each message, in
	// order; send frames and writes it at once. When send fails the
	// connection is gone and ServeStream should return. req is valid until
	// ServeStream returns.
	ServeStream(req *Request, send func(msg []byte) error)
}

// isTransfer reports whether msg asks one question of type AXFR or IXFR.
func isTransfer(msg []byte) bool {
	if len(msg) < 12 || msg[4] != 0 || msg[5] != 1 {
		return false
	}
	off := SkipName(msg, 12)
	if off < 0 || off+2 > len(msg) {
		return false
	}
	t := uint16(msg[off])<<8 | uint16(msg[off+1])
	return t == 252 || t == 251 // AXFR, IXFR
}

// SkipName returns the offset just past the wire-form name at off in msg
// (a compression pointer ends it), or -1 when msg ends first or a label
// length is not one (64 to 191). It reads in place, for the handlers that
// answer without parsing the whole message.
func SkipName(msg []byte, off int) int {
	for off < len(msg) {
		l := int(msg[off])
		switch {
		case l == 0:
			return off + 1
		case l&0xC0 == 0xC0:
			return off + 2
		case l > 63:
			return -1
		}
		off += 1 + l
	}
	return -1
}
