package dnsserver

import (
	"errors"
	"fmt"
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
// stops. Answers to queries that arrived together leave together, in one
// write.
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
	out := tcpAnswers{s: s, c: c}
	defer out.release()

	req := Request{Transport: TCP, Remote: c.RemoteAddr().(*net.TCPAddr).AddrPort()}
	req.Remote = netipUnmap(req.Remote)
	idle := s.cfg.TCPIdleTimeout
	s.setDeadline(c, time.Now().Add(idle))

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
		s.setDeadline(c, t0.Add(idle))
		if msg[2]&0x80 == 0 && s.stream != nil && isTransfer(msg) {
			// A transfer's messages follow the answers before it.
			req.Msg = msg
			if !out.flush() || !s.streamTCP(c, &req, t0) {
				return
			}
		} else if msg[2]&0x80 == 0 { // a query, not a response
			req.Msg = msg
			if !out.answer(&req, t0) {
				return
			}
		} else {
			s.tcpStats.dropped[TCP].Add(1)
		}

		closing := s.closing.Load()
		if !closing && complete(buf[start:end]) {
			continue // answer that one too before writing
		}
		if !out.flush() || closing {
			return
		}
	}
}

// streamTCP hands a zone transfer to the Streamer, framing and writing each
// message as it comes; false means the connection must be closed. Each
// message gets the idle timeout to be written, so a long transfer to a
// reader that keeps up is never cut off.
func (s *Server) streamTCP(c *net.TCPConn, req *Request, t0 time.Time) bool {
	ok, n := true, 0
	s.stream.ServeStream(req, func(msg []byte) error {
		if !ok || s.closing.Load() {
			// Stopping: the transfer ends here; the client retries.
			ok = false
			return net.ErrClosed
		}
		if len(msg) > maxMsg {
			ok = false
			return fmt.Errorf("dns message of %d bytes is too long for tcp", len(msg))
		}
		s.setDeadline(c, time.Now().Add(s.cfg.TCPIdleTimeout))
		bufs := net.Buffers{[]byte{byte(len(msg) >> 8), byte(len(msg))}, msg}
		if _, err := bufs.WriteTo(c); err != nil {
			ok = false
			s.log.Debug("write dns tcp transfer", "remote", req.Remote, "err", err)
			return err
		}
		if n == 0 {
			s.tcpStats.answered(TCP, req.Msg, msg)
		} else {
			s.tcpStats.respBytes[TCP].Add(uint64(len(msg)))
		}
		n++
		return nil
	})
	if n > 0 {
		s.tcpStats.observe(TCP, time.Since(t0), 1)
	}
	s.setDeadline(c, time.Now().Add(s.cfg.TCPIdleTimeout))
	return ok
}

// setDeadline sets c's deadline to d, unless the server is stopping: Run
// cuts every tracked connection's deadlines short, and a connection that
// sets its own after that (one accepted a moment before, or between two
// queries) must not wait out a whole idle timeout in its place.
func (s *Server) setDeadline(c *net.TCPConn, d time.Time) {
	c.SetDeadline(d)
	if s.closing.Load() {
		c.SetReadDeadline(pastDeadline)
		if grace := time.Now().Add(shutdownGrace); grace.Before(d) {
			c.SetWriteDeadline(grace)
		}
	}
}

// complete reports whether b starts with a whole framed message.
func complete(b []byte) bool {
	return len(b) >= 2 && len(b) >= 2+(int(b[0])<<8|int(b[1]))
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

// tcpAnswers gathers framed answers until they are written. It takes an
// answer buffer from the pool only while there are answers to write.
type tcpAnswers struct {
	s  *Server
	c  *net.TCPConn
	bp *[]byte
	b  []byte    // framed answers not yet written
	n  int       // how many
	t0 time.Time // when the first of them was read
}

// answer asks the handler to answer req and adds the answer; false means
// the connection must be closed.
func (a *tcpAnswers) answer(req *Request, t0 time.Time) bool {
	// The handler is owed maxMsg bytes of room.
	if a.bp != nil && cap(a.b)-len(a.b)-2 < maxMsg && !a.flush() {
		return false
	}
	if a.bp == nil {
		a.bp = a.s.respBufs.Get().(*[]byte)
		a.b = (*a.bp)[:0]
	}
	at := len(a.b)
	resp := a.s.cfg.Handler.ServeDNS(a.b[at+2:at+2], req)
	if resp == nil {
		a.s.tcpStats.dropped[TCP].Add(1)
		return true
	}
	if len(resp) > maxMsg {
		a.s.tcpStats.dropped[TCP].Add(1)
		a.s.log.Warn("dns answer too long for tcp", "len", len(resp), "remote", req.Remote)
		return false
	}
	a.s.tcpStats.answered(TCP, req.Msg, resp)
	if a.n == 0 {
		a.t0 = t0
	}
	if len(resp) > 0 && &resp[0] == &a.b[:at+3][at+2] {
		a.b = a.b[:at+2+len(resp)]
		a.b[at], a.b[at+1] = byte(len(resp)>>8), byte(len(resp))
		a.n++
		return true
	}
	// The handler built its answer elsewhere: write what is pending, then
	// it, with one writev.
	if !a.flush() {
		return false
	}
	bufs := net.Buffers{[]byte{byte(len(resp) >> 8), byte(len(resp))}, resp}
	if _, err := bufs.WriteTo(a.c); err != nil {
		a.s.log.Debug("write dns tcp answer", "remote", req.Remote, "err", err)
		return false
	}
	a.s.tcpStats.observe(TCP, time.Since(t0), 1)
	return true
}

// flush writes the pending answers and gives the buffer back.
func (a *tcpAnswers) flush() bool {
	var err error
	if a.n > 0 {
		_, err = a.c.Write(a.b)
		a.s.tcpStats.observe(TCP, time.Since(a.t0), a.n)
	}
	a.release()
	if err != nil {
		a.s.log.Debug("write dns tcp answers", "remote", a.c.RemoteAddr(), "err", err)
		return false
	}
	return true
}

func (a *tcpAnswers) release() {
	if a.bp != nil {
		a.s.respBufs.Put(a.bp)
	}
	a.bp, a.b, a.n = nil, nil, 0
}
