package transfer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/zonewarden/zonewarden/internal/tsig"
)

// NotifyConfig configures a Notifier.
type NotifyConfig struct {
	// Targets are the secondaries told of changes, "host:port".
	Targets []string
	// Key, when its Name is set, signs every NOTIFY.
	Key tsig.Key
	// Retry is the wait before the first retry; it doubles after each,
	// up to a minute. Default 1s.
	Retry time.Duration
	// GiveUp is how long a NOTIFY is retried before it is given up (and
	// logged); the secondary's SOA refresh timer then catches it up.
	// Default 10 minutes.
	GiveUp time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Notifier sends NOTIFY (RFC 1996) to secondaries and retries each until it
// is answered. A newer change of a zone replaces a pending NOTIFY of it, so
// a burst of writes costs one NOTIFY per target.
//
//	n, err := transfer.NewNotifier(transfer.NotifyConfig{Targets: []string{"192.0.2.1:53"}})
//	go n.Run(ctx)
//	n.Notify("example.com.")
type Notifier struct {
	cfg  NotifyConfig
	log  *slog.Logger
	wake chan struct{}
	// sent counts NOTIFY messages by result: sent (each attempt), answered,
	// refused (answered with an error) and given-up.
	sent *prometheus.CounterVec

	mu      sync.Mutex
	pending map[pendingKey]*pendingNotify
}

type pendingKey struct{ zone, target string }

type pendingNotify struct {
	id       uint16
	addr     *net.UDPAddr // resolved at the first attempt
	first    time.Time
	next     time.Time
	attempts int
}

// NewNotifier checks cfg.
func NewNotifier(cfg NotifyConfig) (*Notifier, error) {
	for _, t := range cfg.Targets {
		if _, _, err := net.SplitHostPort(t); err != nil {
			return nil, fmt.Errorf("notify target %q: %w", t, err)
		}
	}
	if cfg.Retry <= 0 {
		cfg.Retry = time.Second
	}
	if cfg.GiveUp <= 0 {
		cfg.GiveUp = 10 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Notifier{cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1), pending: map[pendingKey]*pendingNotify{},
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zonewarden_notify_total",
			Help: "NOTIFY messages to secondaries, by result: sent (every attempt), answered, refused (answered with an error), given-up.",
		}, []string{"result"}),
	}, nil
}

// Collectors are the Notifier's metrics, for a Prometheus registry.
func (n *Notifier) Collectors() []prometheus.Collector {
	pending := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "zonewarden_notify_pending", Help: "NOTIFY messages waiting for an answer.",
	}, func() float64 { return float64(n.Pending()) })
	return []prometheus.Collector{n.sent, pending}
}

// Notify schedules a NOTIFY of zone to every target now. It never blocks.
func (n *Notifier) Notify(zones ...string) {
	if n == nil || len(n.cfg.Targets) == 0 {
		return
	}
	now := time.Now()
	n.mu.Lock()
	for _, z := range zones {
		z = dns.CanonicalName(z)
		for _, t := range n.cfg.Targets {
			n.pending[pendingKey{z, t}] = &pendingNotify{id: uint16(rand.Uint32()), first: now, next: now}
		}
	}
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Pending is how many NOTIFYs wait for an answer.
func (n *Notifier) Pending() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.pending)
}

// Run sends and retries NOTIFYs until ctx ends.
func (n *Notifier) Run(ctx context.Context) error {
	conn, err := net.ListenUDP("udp", nil)
	if err != nil {
		return fmt.Errorf("open notify socket: %w", err)
	}
	defer conn.Close()
	go func() {
		<-ctx.Done()
		conn.SetReadDeadline(time.Unix(1, 0))
	}()
	var wg sync.WaitGroup
	wg.Go(func() { n.readAnswers(ctx, conn) })
	defer wg.Wait()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		next := n.sendDue(conn)
		t.Reset(time.Until(next))
		select {
		case <-ctx.Done():
			return nil
		case <-n.wake:
		case <-t.C:
		}
	}
}

// sendDue sends the NOTIFYs that are due and returns when the next one is.
func (n *Notifier) sendDue(conn *net.UDPConn) time.Time {
	now := time.Now()
	next := now.Add(time.Hour)
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, p := range n.pending {
		if p.next.After(now) {
			next = minTime(next, p.next)
			continue
		}
		if now.Sub(p.first) > n.cfg.GiveUp {
			n.log.Warn("notify given up: no answer", "zone", k.zone, "target", k.target, "attempts", p.attempts)
			n.sent.WithLabelValues("given-up").Inc()
			delete(n.pending, k)
			continue
		}
		p.attempts++
		backoff := min(n.cfg.Retry<<min(p.attempts-1, 16), time.Minute)
		p.next = now.Add(backoff)
		next = minTime(next, p.next)
		n.sent.WithLabelValues("sent").Inc()
		if err := n.send(conn, k, p); err != nil {
			n.log.Warn("send notify", "zone", k.zone, "target", k.target, "attempt", p.attempts, "err", err)
		}
	}
	return next
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// send sends one NOTIFY. Under n.mu.
func (n *Notifier) send(conn *net.UDPConn, k pendingKey, p *pendingNotify) error {
	if p.addr == nil {
		a, err := net.ResolveUDPAddr("udp", k.target)
		if err != nil {
			return err
		}
		p.addr = a
	}
	m := new(dns.Msg)
	m.SetNotify(k.zone)
	m.Id = p.id
	var sig *tsig.Signer
	if n.cfg.Key.Name != "" {
		sig = tsig.NewSigner(n.cfg.Key)
	}
	b, err := sig.Pack(m)
	if err != nil {
		return err
	}
	_, err = conn.WriteToUDP(b, p.addr)
	return err
}

// readAnswers settles the NOTIFYs that are answered.
func (n *Notifier) readAnswers(ctx context.Context, conn *net.UDPConn) {
	buf := make([]byte, 65535)
	for {
		l, from, err := conn.ReadFromUDP(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		m := new(dns.Msg)
		if m.Unpack(buf[:l]) != nil || !m.Response || m.Opcode != dns.OpcodeNotify || len(m.Question) != 1 {
			continue
		}
		z := dns.CanonicalName(m.Question[0].Name)
		n.mu.Lock()
		for _, t := range n.cfg.Targets {
			k := pendingKey{z, t}
			p := n.pending[k]
			if p == nil || p.id != m.Id || p.addr == nil || !p.addr.IP.Equal(from.IP) || p.addr.Port != from.Port {
				continue
			}
			delete(n.pending, k)
			if m.Rcode != dns.RcodeSuccess {
				// The secondary will not take it; retrying will not change that.
				n.log.Warn("notify refused", "zone", z, "target", k.target, "rcode", dns.RcodeToString[m.Rcode])
				n.sent.WithLabelValues("refused").Inc()
			} else {
				n.log.Debug("notify answered", "zone", z, "target", k.target, "attempts", p.attempts)
				n.sent.WithLabelValues("answered").Inc()
			}
		}
		n.mu.Unlock()
	}
}
