package interop

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/miekg/dns"
)

// response is one server's reply as received.
type response struct {
	msg  *dns.Msg
	size int // octets on the wire
	err  error
}

var errTimeout = errors.New("no response within 1s")

// newQuery builds the message for q. RD is set on every other query so that
// the echo of RD is checked both ways.
func newQuery(q query, tr transport, id uint16, rd bool) *dns.Msg {
	m := new(dns.Msg)
	m.Id = id
	m.RecursionDesired = rd
	m.Question = []dns.Question{{Name: q.name, Qtype: q.qtype, Qclass: q.qclass}}
	if tr.edns > 0 {
		m.SetEdns0(tr.edns, false)
	}
	return m
}

// exchange sends m over a fresh connection and returns the raw reply
// unpacked. It does not use dns.Client so that nothing caps the size of what
// is read: a UDP reply larger than the client's limit is an error to report,
// not to hide.
func exchange(net_, addr string, m *dns.Msg) response {
	wire, err := m.Pack()
	if err != nil {
		return response{err: fmt.Errorf("pack query: %w", err)}
	}
	conn, err := net.DialTimeout(net_, addr, time.Second)
	if err != nil {
		return response{err: err}
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	var buf []byte
	if net_ == "tcp" {
		out := binary.BigEndian.AppendUint16(nil, uint16(len(wire)))
		if _, err := conn.Write(append(out, wire...)); err != nil {
			return response{err: err}
		}
		var l [2]byte
		if _, err := io.ReadFull(conn, l[:]); err != nil {
			return response{err: timeoutOr(err)}
		}
		buf = make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(conn, buf); err != nil {
			return response{err: timeoutOr(err)}
		}
	} else {
		if _, err := conn.Write(wire); err != nil {
			return response{err: err}
		}
		buf = make([]byte, 65535)
		n, err := conn.Read(buf)
		if err != nil {
			return response{err: timeoutOr(err)}
		}
		buf = buf[:n]
	}
	r := new(dns.Msg)
	if err := r.Unpack(buf); err != nil {
		return response{size: len(buf), err: fmt.Errorf("unpack response of %d octets: %w", len(buf), err)}
	}
	return response{msg: r, size: len(buf)}
}

func timeoutOr(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errTimeout
	}
	return err
}
