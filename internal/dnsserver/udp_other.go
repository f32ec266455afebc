//go:build !linux

package dnsserver

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"syscall"
	"time"
)

// Elsewhere than Linux, for development: the workers share one socket and
// read one message at a time, and answers leave from the kernel's choice
// of source address.

type udpWorker struct {
	conn    *net.UDPConn
	handler Handler
	stats   *counters
	log     *slog.Logger
	buf     []byte
	resp    []byte
	req     Request
}

func listenUDP(host, port string, n int) ([]*udpWorker, error) {
	pc, err := net.ListenPacket(udpNetwork(host), net.JoinHostPort(host, port))
	if err != nil {
		return nil, err
	}
	ws := make([]*udpWorker, n)
	for i := range ws {
		ws[i] = &udpWorker{conn: pc.(*net.UDPConn)}
	}
	return ws, nil
}

func tcpControl(network, address string, c syscall.RawConn) error { return nil }

func (w *udpWorker) init(h Handler, stats *counters, log *slog.Logger) {
	w.handler, w.stats, w.log = h, stats, log
	w.buf = make([]byte, 4097) // a full buffer means a longer query: dropped
	w.resp = make([]byte, 0, maxMsg)
	w.req.Transport = UDP
}

func (w *udpWorker) run() {
	for !w.serve() {
	}
}

func (w *udpWorker) serve() (done bool) {
	defer func() {
		if p := recover(); p != nil {
			w.log.Error("dns handler panicked", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	for {
		n, _, _, from, err := w.conn.ReadMsgUDPAddrPort(w.buf, nil)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, net.ErrClosed) {
				return true
			}
			w.log.Warn("read dns udp query", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		t0 := time.Now()
		msg := w.buf[:n:n]
		if n < 12 || n == len(w.buf) || msg[2]&0x80 != 0 {
			w.stats.dropped[UDP].Add(1)
			continue
		}
		w.req.Msg, w.req.Remote = msg, netipUnmap(from)
		resp := w.handler.ServeDNS(w.resp, &w.req)
		if resp == nil || len(resp) > maxMsg {
			w.stats.dropped[UDP].Add(1)
			continue
		}
		w.stats.answered(UDP, msg, resp)
		if _, _, err := w.conn.WriteMsgUDPAddrPort(resp, nil, from); err != nil {
			w.stats.dropped[UDP].Add(1)
		}
		w.stats.observe(UDP, time.Since(t0), 1)
	}
}
