package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Server.
type Config struct {
	// Addr is where to listen, for UDP and TCP on the same port: ":53",
	// "127.0.0.1:5353", "[::1]:0". With port 0, TCP binds the port UDP got.
	Addr    string
	Handler Handler
	// Workers is the number of UDP sockets, each read by its own goroutine.
	// Default runtime.GOMAXPROCS(0).
	Workers int
	// TCPIdleTimeout closes a TCP connection that sends no query for this
	// long, and bounds how long writing one answer may take. Default 10s
	// (RFC 7766 §6.2.3 suggests seconds).
	TCPIdleTimeout time.Duration
	// TCPMaxConns caps open TCP connections; beyond it new ones are closed
	// at once. Default 1024.
	TCPMaxConns int
	// Metrics, when set, counts queries, answers and connections.
	Metrics *Metrics
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Server serves DNS over UDP and TCP on one address.
type Server struct {
	cfg    Config
	log    *slog.Logger
	stream Streamer // the Handler, when it streams transfers

	mu      sync.Mutex
	started bool
	stopped bool
	udp     []*udpWorker
	tcp     *net.TCPListener
	udpAddr netip.AddrPort
	tcpAddr netip.AddrPort

	tcpStats *counters
	// TCP buffers are pooled apart: an idle connection holds only its read
	// buffer, and an answer buffer is held only from reading a query to
	// writing its answer.
	readBufs sync.Pool
	respBufs sync.Pool
	closing  atomic.Bool
	connsMu  sync.Mutex
	conns    map[*net.TCPConn]struct{}
	active   atomic.Int64
}

// New checks cfg and fills in defaults. It opens no sockets.
func New(cfg Config) (*Server, error) {
	if cfg.Handler == nil {
		return nil, errors.New("dns server: no handler")
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("dns server: listen address: %w", err)
	}
	if cfg.Workers < 0 || cfg.TCPIdleTimeout < 0 || cfg.TCPMaxConns < 0 {
		return nil, errors.New("dns server: negative workers, idle timeout or connection limit")
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.TCPIdleTimeout == 0 {
		cfg.TCPIdleTimeout = 10 * time.Second
	}
	if cfg.TCPMaxConns == 0 {
		cfg.TCPMaxConns = 1024
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	stream, _ := cfg.Handler.(Streamer)
	return &Server{
		stream:   stream,
		cfg:      cfg,
		log:      cfg.Logger,
		tcpStats: cfg.Metrics.shard(),
		readBufs: sync.Pool{New: func() any { b := make([]byte, tcpReadSize); return &b }},
		// Room for the largest answer after answers to pipelined queries.
		respBufs: sync.Pool{New: func() any { b := make([]byte, 2*(2+maxMsg)); return &b }},
		conns:    make(map[*net.TCPConn]struct{}),
	}, nil
}

// Start opens the sockets, so that with port 0 the addresses are known
// before Run. Calling it again does nothing.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return nil
	}
	if s.stopped {
		return errors.New("dns server: already stopped")
	}
	host, port, _ := net.SplitHostPort(s.cfg.Addr)
	// With port 0 the port UDP gets may be taken for TCP; then try another.
	tries := 1
	if port == "0" {
		tries = 10
	}
	var err error
	for range tries {
		if err = s.listen(host, port); err == nil {
			s.started = true
			s.log.Debug("dns server listening", "udp", s.udpAddr, "tcp", s.tcpAddr, "workers", len(s.udp))
			return nil
		}
	}
	return err
}

func (s *Server) listen(host, port string) error {
	workers, err := listenUDP(host, port, s.cfg.Workers)
	if err != nil {
		return fmt.Errorf("listen udp %s: %w", s.cfg.Addr, err)
	}
	udpAddr := workers[0].conn.LocalAddr().(*net.UDPAddr).AddrPort()
	taddr := net.JoinHostPort(host, strconv.Itoa(int(udpAddr.Port())))
	lc := net.ListenConfig{Control: tcpControl}
	l, err := lc.Listen(context.Background(), tcpNetwork(host), taddr)
	if err != nil {
		for _, w := range workers {
			w.conn.Close()
		}
		return fmt.Errorf("listen tcp %s: %w", taddr, err)
	}
	for _, w := range workers {
		w.init(s.cfg.Handler, s.cfg.Metrics.shard(), s.log)
	}
	s.udp = workers
	s.tcp = l.(*net.TCPListener)
	s.udpAddr = udpAddr
	s.tcpAddr = s.tcp.Addr().(*net.TCPAddr).AddrPort()
	return nil
}

// UDPAddr is the UDP address listened on, once Start has returned.
func (s *Server) UDPAddr() netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.udpAddr
}

// TCPAddr is the TCP address listened on, once Start has returned.
func (s *Server) TCPAddr() netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tcpAddr
}

// Run starts the server if Start has not, and serves until ctx is done.
// Then it stops reading, sends the answers it is working on, closes every
// socket and returns nil. A Server runs once.
func (s *Server) Run(ctx context.Context) error {
	if err := s.Start(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return errors.New("dns server: already stopped")
	}
	s.stopped = true
	workers, ln := s.udp, s.tcp
	s.mu.Unlock()

	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(w.run)
	}
	var conns sync.WaitGroup
	wg.Go(func() { s.acceptTCP(ln, &conns) })

	<-ctx.Done()

	// Stop reading; what has been read is still answered. An expired read
	// deadline wakes each blocked reader without closing its socket, so a
	// worker can still write the batch it holds.
	s.closing.Store(true)
	for _, w := range workers {
		w.conn.SetReadDeadline(pastDeadline)
	}
	ln.Close()
	// Connections waiting for a query give up now. Answers being worked on
	// get a moment to be written, which also bounds the wait for clients
	// that do not read.
	grace := time.Now().Add(min(s.cfg.TCPIdleTimeout, shutdownGrace))
	s.connsMu.Lock()
	for c := range s.conns {
		c.SetReadDeadline(pastDeadline)
		c.SetWriteDeadline(grace)
	}
	s.connsMu.Unlock()

	wg.Wait()
	conns.Wait()
	for _, w := range workers {
		w.conn.Close()
	}
	s.log.Debug("dns server stopped", "udp", s.udpAddr)
	return nil
}

// pastDeadline, set as a read deadline, wakes a blocked reader at once.
var pastDeadline = time.Unix(1, 0)

// shutdownGrace bounds how long a stopping server waits to write answers
// it has already worked out.
const shutdownGrace = time.Second

func tcpNetwork(host string) string {
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Is4() {
			return "tcp4"
		}
		return "tcp6"
	}
	return "tcp"
}

func udpNetwork(host string) string {
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Is4() {
			return "udp4"
		}
		return "udp6"
	}
	return "udp"
}

// netipUnmap turns an IPv4-mapped IPv6 address, as a dual-stack socket
// reports IPv4 peers, back into IPv4, so that handlers see one form.
func netipUnmap(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
