package dnsserver

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

type handlerFunc func(resp []byte, req *Request) []byte

func (f handlerFunc) ServeDNS(resp []byte, req *Request) []byte { return f(resp, req) }

// echo answers each query with itself, QR and AA set: enough for a client
// to match answers to questions. Queries for drop. get no answer.
func echo(resp []byte, req *Request) []byte {
	if len(req.Msg) >= 18 && string(req.Msg[12:18]) == "\x04drop\x00" {
		return nil
	}
	resp = append(resp, req.Msg...)
	resp[2] |= 0x84
	return resp
}

// serve runs a server on loopback until the test ends.
func serve(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Handler == nil {
		cfg.Handler = handlerFunc(echo)
	}
	cfg.Logger = slog.New(slog.DiscardHandler)
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return s
}

func query(name string, qtype uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	return m
}

func pack(t testing.TB, m *dns.Msg) []byte {
	t.Helper()
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no handler", Config{Addr: ":53"}},
		{"no port", Config{Addr: "127.0.0.1", Handler: handlerFunc(echo)}},
		{"negative workers", Config{Addr: ":53", Handler: handlerFunc(echo), Workers: -1}},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
}

func TestUDPConcurrent(t *testing.T) {
	s := serve(t, Config{Workers: 2})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
			for i := range 100 {
				q := query(dns.Fqdn(string(rune('a'+g))+".example"), dns.TypeA)
				q.Id = uint16(g<<8 | i)
				r, _, err := c.Exchange(q, s.UDPAddr().String())
				if err != nil {
					t.Errorf("query %d/%d: %v", g, i, err)
					return
				}
				if r.Id != q.Id || !r.Response || r.Question[0] != q.Question[0] {
					t.Errorf("query %d/%d: answer %v", g, i, r)
				}
			}
		})
	}
	wg.Wait()
}

// TestUDPDropped sends what gets no answer, then a query, and expects the
// first answer to be that query's.
func TestUDPDropped(t *testing.T) {
	s := serve(t, Config{})
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(s.UDPAddr()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp := query("example.", dns.TypeA)
	resp.Response = true
	drop := query("drop.", dns.TypeA)
	for _, b := range [][]byte{{}, {1, 2, 3}, pack(t, resp)[:11], pack(t, resp), pack(t, drop), make([]byte, 5000)} {
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	q := query("example.", dns.TypeA)
	q.Id = 4242
	c.Write(pack(t, q))
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 512)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if n < 12 || binary.BigEndian.Uint16(buf) != 4242 {
		t.Fatalf("first answer is % x, want the answer to id 4242", buf[:n])
	}
}

// TestUDPSourceAddress queries a server bound to a wildcard address at an
// address other than the one the kernel would answer from. A connected
// client socket ignores answers from any other address.
func TestUDPSourceAddress(t *testing.T) {
	tests := []struct{ bind, dst string }{
		{"0.0.0.0:0", "127.0.0.2"},
		{":0", "127.0.0.3"},
		{":0", "::1"},
		{"[::]:0", "::1"},
	}
	for _, tt := range tests {
		s := serve(t, Config{Addr: tt.bind, Workers: 1})
		dst := netip.AddrPortFrom(netip.MustParseAddr(tt.dst), s.UDPAddr().Port())
		c := &dns.Client{Net: "udp", Timeout: time.Second}
		if _, _, err := c.Exchange(query("example.", dns.TypeA), dst.String()); err != nil {
			t.Errorf("bound to %s, query %s: %v", tt.bind, dst, err)
		}
	}
}

func TestTCPPipelining(t *testing.T) {
	// Handlers may build answers in place or in buffers of their own.
	elsewhere := 0
	tests := []struct {
		name string
		h    Handler
	}{
		{"in place", handlerFunc(echo)},
		{"elsewhere", handlerFunc(func(resp []byte, req *Request) []byte {
			if elsewhere++; elsewhere%2 == 0 {
				return echo(make([]byte, 0, 512), req)
			}
			return echo(resp, req)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testTCPPipelining(t, tt.h) })
	}
}

func testTCPPipelining(t *testing.T, h Handler) {
	s := serve(t, Config{Handler: h})
	c, err := net.Dial("tcp", s.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Ten queries in one write, one of them longer than the read buffer,
	// and one that gets no answer.
	var b []byte
	var want []uint16
	for i := range 10 {
		q := query("example.", dns.TypeTXT)
		q.Id = uint16(1000 + i)
		switch i {
		case 4:
			q.Question[0].Name = "drop."
		case 6:
			q.Extra = append(q.Extra, &dns.TXT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeTXT, Class: dns.ClassINET},
				Txt: []string{string(make([]byte, 255)), string(make([]byte, 255))}})
			for range 5 {
				q.Extra = append(q.Extra, q.Extra[0])
			}
			fallthrough
		default:
			want = append(want, q.Id)
		}
		m := pack(t, q)
		b = binary.BigEndian.AppendUint16(b, uint16(len(m)))
		b = append(b, m...)
	}
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	for _, id := range want {
		var l [2]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			t.Fatal(err)
		}
		m := make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(c, m); err != nil {
			t.Fatal(err)
		}
		if got := binary.BigEndian.Uint16(m); got != id {
			t.Fatalf("answer to %d, want %d", got, id)
		}
	}
}

func TestTCPClient(t *testing.T) {
	s := serve(t, Config{})
	c := &dns.Client{Net: "tcp", Timeout: time.Second}
	conn, err := c.Dial(s.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i := range 20 {
		q := query("example.", dns.TypeAAAA)
		r, _, err := c.ExchangeWithConn(q, conn)
		if err != nil || r.Id != q.Id {
			t.Fatalf("query %d: %v %v", i, r, err)
		}
	}
}

// closed reports whether the server closes c within d.
func closed(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := c.Read(make([]byte, 1))
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}

func TestTCPIdleTimeout(t *testing.T) {
	s := serve(t, Config{TCPIdleTimeout: 100 * time.Millisecond})
	tests := []struct {
		name string
		send []byte
	}{
		{"idle", nil},
		{"half a length", []byte{0}},
		{"half a message", []byte{0, 30, 1, 2, 3}},
	}
	for _, tt := range tests {
		// Timed from before the dial: the server starts the idle timer
		// when it accepts, and this goroutine may run late after Dial
		// returns, which would make an on-time close look early.
		start := time.Now()
		c, err := net.Dial("tcp", s.TCPAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Write(tt.send)
		if !closed(c, 2*time.Second) {
			t.Errorf("%s: still open after 2s", tt.name)
		} else if d := time.Since(start); d < 50*time.Millisecond {
			t.Errorf("%s: closed after %v, before the idle timeout", tt.name, d)
		}
		c.Close()
	}
}

func TestTCPMaxConns(t *testing.T) {
	s := serve(t, Config{TCPMaxConns: 2})
	c := &dns.Client{Net: "tcp", Timeout: time.Second}
	var open []*dns.Conn
	for range 2 {
		conn, err := c.Dial(s.TCPAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, _, err := c.ExchangeWithConn(query("example.", dns.TypeA), conn); err != nil {
			t.Fatal(err)
		}
		open = append(open, conn)
	}
	extra, err := net.Dial("tcp", s.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if !closed(extra, time.Second) {
		t.Fatal("third connection not closed")
	}
	// Room again once one closes.
	open[0].Close()
	deadline := time.Now().Add(2 * time.Second)
	for {
		conn, err := c.Dial(s.TCPAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.ExchangeWithConn(query("example.", dns.TypeA), conn)
		conn.Close()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no room after a connection closed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestShutdown(t *testing.T) {
	// A handler still working when the server is told to stop is answered.
	release := make(chan struct{})
	entered := make(chan struct{}, 2)
	h := handlerFunc(func(resp []byte, req *Request) []byte {
		if string(req.Msg[12:18]) == "\x04slow\x00" {
			entered <- struct{}{}
			<-release
		}
		return echo(resp, req)
	})
	s, err := New(Config{Addr: "127.0.0.1:0", Handler: h, Workers: 2, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- s.Run(ctx) }()

	idle, err := net.Dial("tcp", s.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	answers := make(chan error, 2)
	for _, n := range []string{"udp", "tcp"} {
		addr := s.UDPAddr().String()
		if n == "tcp" {
			addr = s.TCPAddr().String()
		}
		go func() {
			c := &dns.Client{Net: n, Timeout: 5 * time.Second}
			_, _, err := c.Exchange(query("slow.", dns.TypeA), addr)
			answers <- err
		}()
	}
	<-entered
	<-entered
	cancel()
	time.Sleep(50 * time.Millisecond)
	close(release)
	for range 2 {
		if err := <-answers; err != nil {
			t.Errorf("query in flight at shutdown: %v", err)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run still running 2s after cancel")
	}
	if !closed(idle, time.Second) {
		t.Error("idle tcp connection still open")
	}
	if c, err := net.Dial("tcp", s.TCPAddr().String()); err == nil {
		c.Close()
		t.Error("tcp still accepting")
	}
	c := &dns.Client{Net: "udp", Timeout: 200 * time.Millisecond}
	if _, _, err := c.Exchange(query("example.", dns.TypeA), s.UDPAddr().String()); err == nil {
		t.Error("udp still answering")
	}
}

// TestGarbage throws random bytes and mangled queries at both transports
// and expects the server to keep answering.
func TestGarbage(t *testing.T) {
	s := serve(t, Config{TCPIdleTimeout: 200 * time.Millisecond})
	rnd := rand.New(rand.NewPCG(1, 2))
	good := pack(t, query("example.", dns.TypeA))
	msgs := make([][]byte, 0, 400)
	for range 200 {
		b := make([]byte, rnd.IntN(600))
		for i := range b {
			b[i] = byte(rnd.Uint32())
		}
		msgs = append(msgs, b)
		m := append([]byte(nil), good...)
		m[rnd.IntN(len(m))] = byte(rnd.Uint32())
		msgs = append(msgs, m[:rnd.IntN(len(m)+1)])
	}
	u, err := net.Dial("udp", s.UDPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	for _, m := range msgs {
		u.Write(m)
		tc, err := net.Dial("tcp", s.TCPAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		tc.Write(m)
		tc.Close()
	}
	for _, n := range []string{"udp", "tcp"} {
		addr := s.UDPAddr().String()
		if n == "tcp" {
			addr = s.TCPAddr().String()
		}
		c := &dns.Client{Net: n, Timeout: time.Second}
		if _, _, err := c.Exchange(query("example.", dns.TypeA), addr); err != nil {
			t.Errorf("%s after garbage: %v", n, err)
		}
	}
}

// TestTCPSlowReader has one client send queries and never read the
// answers, and expects others to be answered meanwhile.
func TestTCPSlowReader(t *testing.T) {
	s := serve(t, Config{})
	slow, err := net.Dial("tcp", s.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	big := query("example.", dns.TypeTXT)
	q := pack(t, big)
	framed := binary.BigEndian.AppendUint16(nil, uint16(len(q)))
	framed = append(framed, q...)
	go func() {
		// Until the socket buffers on both sides are full.
		for range 200000 {
			slow.SetWriteDeadline(time.Now().Add(3 * time.Second))
			if _, err := slow.Write(framed); err != nil {
				return
			}
		}
	}()
	time.Sleep(300 * time.Millisecond)
	for _, n := range []string{"tcp", "udp"} {
		addr := s.UDPAddr().String()
		if n == "tcp" {
			addr = s.TCPAddr().String()
		}
		c := &dns.Client{Net: n, Timeout: time.Second}
		if _, _, err := c.Exchange(query("example.", dns.TypeA), addr); err != nil {
			t.Errorf("%s beside a slow reader: %v", n, err)
		}
	}
}

func TestHandlerPanic(t *testing.T) {
	h := handlerFunc(func(resp []byte, req *Request) []byte {
		if string(req.Msg[12:19]) == "\x05panic\x00" {
			panic("boom")
		}
		return echo(resp, req)
	})
	s := serve(t, Config{Handler: h, Workers: 1})
	for _, n := range []string{"udp", "tcp"} {
		addr := s.UDPAddr().String()
		if n == "tcp" {
			addr = s.TCPAddr().String()
		}
		c := &dns.Client{Net: n, Timeout: 200 * time.Millisecond}
		if _, _, err := c.Exchange(query("panic.", dns.TypeA), addr); err == nil {
			t.Errorf("%s: answer from a panicking handler", n)
		}
		c.Timeout = time.Second
		if _, _, err := c.Exchange(query("example.", dns.TypeA), addr); err != nil {
			t.Errorf("%s after a panic: %v", n, err)
		}
	}
}

func TestStart(t *testing.T) {
	tests := []string{"127.0.0.1:0", "[::1]:0", ":0"}
	for _, addr := range tests {
		s, err := New(Config{Addr: addr, Handler: handlerFunc(echo), Workers: 3, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		u, tc := s.UDPAddr(), s.TCPAddr()
		if err := s.Start(); err != nil || s.UDPAddr() != u {
			t.Errorf("%s: second Start: %v, %v", addr, err, s.UDPAddr())
		}
		if u.Port() == 0 || u != tc {
			t.Errorf("%s: udp %v, tcp %v", addr, u, tc)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.Run(ctx); err != nil {
			t.Errorf("%s: run: %v", addr, err)
		}
		if err := s.Run(context.Background()); err == nil {
			t.Errorf("%s: second Run succeeded", addr)
		}
	}
}
