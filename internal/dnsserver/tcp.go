package dnsserver

import (
	"errors"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"time"
)

// tcpReadSize is a connection's read buffer. Queries are small, so it holds
// several pipelined ones; a longer message gets a buffer of its own size.
const tcpReadSize = 4096

// maxMsg is the largest DNS message: TCP frames it with 16 bits.
const maxMsg = 65535

func (s *Server) acceptTCP(ln *net.TCPListener, conns *sync.WaitGroup) {
	var delay time.Duration
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("accept dns tcp connection", "err", err, "retry", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if s.active.Load() >= int64(s.cfg.TCPMaxConns) || !s.track(c) {
			s.tcpStats.tcpRejected.Add(1)
			c.Close()
			continue
		}
		conns.Go(func() { s.serveTCP(c) })
	}
}

// track registers c so that shutdown can wake it; false once closing.
func (s *Server) track(c *net.TCPConn) bool {
	s.connsMu.Lock()
	defer s.connsMu.Unlock()
	if s.closing.Load() {
		return false
	}
	s.conns[c] = struct{}{}
	s.active.Add(1)
	s.tcpStats.tcpConns.Add(1)
	return true
}

func (s *Server) untrack(c *net.TCPConn) {
	s.connsMu.Lock()
	delete(s.conns, c)
	s.connsMu.Unlock()
	s.active.Add(-1)
	s.tcpStats.tcpConns.Add(-1)
}

// serveTCP answers the queries on c in order (RFC 7766 §6.2.1.1 allows
// that) until the client closes, goes idle, sends garbage, or the server
// stops.
func (s *Server) serveTCP(c *net.TCPConn) {
	defer s.untrack(c)
	defer c.Close()
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("dns handler panicked", "panic", p, "remote", c.RemoteAddr(), "stack", string(debug.Stack()))
		}
	}()

	rp := s.readBufs.Get().(*[]byte)
	buf := *rp
	defer func() {
		if cap(buf) == tcpReadSize {
			*rp = buf
		}
		s.readBufs.Put(rp)
	}()

	req := Request{Transport: TCP, Remote: c.RemoteAddr().(*net.TCPAddr).AddrPort()}
	req.Remote = netipUnmap(req.Remote)
	idle := s.cfg.TCPIdleTimeout
	c.SetDeadline(time.Now().Add(idle))

	start, end := 0, 0 // buf[start:end] is read but not yet answered
	for {
		// Read a length and then the message it announces.
		for end-start < 2 {
			n, err := s.readMore(c, &buf, &start, &end, 2)
			if err != nil || n == 0 {
				return
			}
		}
		size := int(buf[start])<<8 | int(buf[start+1])
		if size < 12 {
			s.tcpStats.dropped[TCP].Add(1)
			return // not a DNS message; nothing after it can be trusted
		}
		for end-start < 2+size {
			if _, err := s.readMore(c, &buf, &start, &end, 2+size); err != nil {
				return
			}
		}
		msg := buf[start+2 : start+2+size : start+2+size]
		start += 2 + size
		if start == end {
			start, end = 0, 0
		}
		// Each message restarts the idle timer; the one deadline covers
		// writing the answer and waiting for the next query.
		t0 := time.Now()
		c.SetDeadline(t0.Add(idle))
		if msg[2]&0x80 != 0 { // a response, not a query
			s.tcpStats.dropped[TCP].Add(1)
			continue
		}

		req.Msg = msg
		if !s.answerTCP(c, &req, t0) {
			return
		}
		if s.closing.Load() {
			return
		}
	}
}

// readMore reads into buf[end:], first making room for a message of need
// bytes starting at start.
func (s *Server) readMore(c *net.TCPConn, bufp *[]byte, start, end *int, need int) (int, error) {
	buf := *bufp
	if *start+need > len(buf) {
		if need > len(buf) {
			nb := make([]byte, need)
			copy(nb, buf[*start:*end])
			buf = nb
			*bufp = nb
		} else {
			copy(buf, buf[*start:*end])
		}
		*end -= *start
		*start = 0
	}
	n, err := c.Read(buf[*end:])
	*end += n
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, net.ErrClosed) {
		s.log.Debug("read dns tcp query", "remote", c.RemoteAddr(), "err", err)
	}
	if err == nil && n == 0 {
		err = io.ErrNoProgress
	}
	return n, err
}

// answerTCP answers req on c; false means the connection must be closed.
func (s *Server) answerTCP(c *net.TCPConn, req *Request, t0 time.Time) bool {
	wp := s.respBufs.Get().(*[]byte)
	defer s.respBufs.Put(wp)
	w := *wp
	resp := s.cfg.Handler.ServeDNS(w[2:2], req)
	if resp == nil {
		s.tcpStats.dropped[TCP].Add(1)
		return true
	}
	if len(resp) > maxMsg {
		s.tcpStats.dropped[TCP].Add(1)
		s.log.Warn("dns answer too long for tcp", "len", len(resp), "remote", req.Remote)
		return false
	}
	s.tcpStats.answered(TCP, req.Msg, resp)

	var err error
	if len(resp) > 0 && &resp[0] == &w[2] {
		w[0], w[1] = byte(len(resp)>>8), byte(len(resp))
		_, err = c.Write(w[:2+len(resp)])
	} else {
		// The handler built its answer elsewhere; still one writev.
		bufs := net.Buffers{[]byte{byte(len(resp) >> 8), byte(len(resp))}, resp}
		_, err = bufs.WriteTo(c)
	}
	s.tcpStats.observe(TCP, time.Since(t0), 1)
	if err != nil {
		s.log.Debug("write dns tcp answer", "remote", req.Remote, "err", err)
		return false
	}
	return true
}
