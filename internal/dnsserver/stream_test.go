package dnsserver

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// streamer answers AXFR with three copies of the query; anything else is
// echoed.
type streamer struct{ handlerFunc }

func (streamer) ServeStream(req *Request, send func([]byte) error) {
	for i := range 3 {
		m := append([]byte(nil), req.Msg...)
		m[2] |= 0x84
		m[3] = byte(i) // the rcode says which message it is
		if send(m) != nil {
			return
		}
	}
}

func TestTCPStream(t *testing.T) {
	s := serve(t, Config{Handler: streamer{handlerFunc(echo)}})
	c, err := net.Dial("tcp", s.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A query, a transfer and a query pipelined: the answers keep order.
	var b []byte
	for i, qt := range []uint16{dns.TypeA, dns.TypeAXFR, dns.TypeIXFR, dns.TypeA} {
		q := query("example.", qt)
		q.Id = uint16(i)
		m := pack(t, q)
		b = binary.BigEndian.AppendUint16(b, uint16(len(m)))
		b = append(b, m...)
	}
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	type ans struct{ id, n byte }
	want := []ans{{0, 0}, {1, 0}, {1, 1}, {1, 2}, {2, 0}, {2, 1}, {2, 2}, {3, 0}}
	for _, w := range want {
		var l [2]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			t.Fatal(err)
		}
		m := make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(c, m); err != nil {
			t.Fatal(err)
		}
		if got := (ans{m[1], m[3] & 0xf}); got != w {
			t.Fatalf("got answer %v, want %v", got, w)
		}
	}
}

func TestIsTransfer(t *testing.T) {
	for _, tc := range []struct {
		qtype uint16
		want  bool
	}{{dns.TypeAXFR, true}, {dns.TypeIXFR, true}, {dns.TypeSOA, false}, {dns.TypeA, false}} {
		if got := isTransfer(pack(t, query("a.example.", tc.qtype))); got != tc.want {
			t.Errorf("isTransfer(%s) = %v", dns.TypeToString[tc.qtype], got)
		}
	}
	if isTransfer([]byte{1, 2, 3}) || isTransfer(make([]byte, 12)) {
		t.Error("isTransfer of garbage")
	}
}

// endless streams until send fails.
type endless struct{ handlerFunc }

func (endless) ServeStream(req *Request, send func([]byte) error) {
	m := append([]byte(nil), req.Msg...)
	m[2] |= 0x84
	for send(m) == nil {
	}
}

// A transfer in progress does not hold up shutdown.
func TestTCPStreamShutdown(t *testing.T) {
	s, err := New(Config{Addr: "127.0.0.1:0", Handler: endless{handlerFunc(echo)}, Logger: slogDiscard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	c, err := net.Dial("tcp", s.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := pack(t, query("example.", dns.TypeAXFR))
	c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(m))), m...))
	go io.Copy(io.Discard, c) // a client that keeps reading
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still running 5s after its context ended, during a transfer")
	}
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
