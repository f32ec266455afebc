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
