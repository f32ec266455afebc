package transfer

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	dto "github.com/prometheus/client_model/go"

	"github.com/zonewarden/zonewarden/internal/tsig"
)

// secondary is a UDP listener that counts the NOTIFYs it gets and answers
// from the answer-th on.
type secondary struct {
	mu     sync.Mutex
	got    map[string]int
	signed int
	answer int
	rcode  int
}

func (s *secondary) run(t *testing.T, key *tsig.Key) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			m := new(dns.Msg)
			if m.Unpack(buf[:n]) != nil || m.Opcode != dns.OpcodeNotify {
				continue
			}
			s.mu.Lock()
			s.got[m.Question[0].Name]++
			count := s.got[m.Question[0].Name]
			if key != nil && m.IsTsig() != nil && dns.TsigVerify(append([]byte(nil), buf[:n]...), key.Secret, "", false) == nil {
				s.signed++
			}
			s.mu.Unlock()
			if count < s.answer {
				continue // lost
			}
			r := new(dns.Msg)
			r.SetRcode(m, s.rcode)
			b, _ := r.Pack()
			pc.WriteTo(b, from)
		}
	}()
	return pc.LocalAddr().String()
}

func (s *secondary) count(zone string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[zone]
}

// total is how many NOTIFYs the secondary got, every zone.
func (s *secondary) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.got {
		n += c
	}
	return n
}

// notifyCount reads the notifier's zonewarden_notify_total{result}.
func notifyCount(n *Notifier, result string) int {
	var m dto.Metric
	n.sent.WithLabelValues(result).Write(&m)
	return int(m.GetCounter().GetValue())
}

// waitUntil polls cond; the deadline only bounds a failure.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s", what)
		}
	}
}

func TestNotify(t *testing.T) {
	key := tsig.Key{Name: "edge1.", Algorithm: dns.HmacSHA256, Secret: "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="}
	a := &secondary{got: map[string]int{}, answer: 3}                          // answers the third
	b := &secondary{got: map[string]int{}, answer: 1, rcode: dns.RcodeRefused} // refuses at once
	n, err := NewNotifier(NotifyConfig{
		Targets: []string{a.run(t, &key), b.run(t, nil)}, Key: key,
		Retry: 20 * time.Millisecond, GiveUp: time.Minute, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- n.Run(ctx) }()
	defer func() { cancel(); <-done }()
	n.Notify("example.com", "Example.NET.")
	waitUntil(t, "NOTIFYs settled", func() bool { return n.Pending() == 0 })
	// Over UDP a late answer cannot be told from a lost one: an answer
	// that takes longer than Retry to come back, as on a loaded machine,
	// costs a retry. So the secondaries' counts are floors, and that an
	// answer or a refusal ends the retries is read from the results.
	if got, want := [3]int{notifyCount(n, "answered"), notifyCount(n, "refused"), notifyCount(n, "given-up")}, [3]int{2, 2, 0}; got != want {
		t.Errorf("answered, refused, given up: %v, want %v", got, want)
	}
	sent := notifyCount(n, "sent")
	waitUntil(t, "every NOTIFY sent received", func() bool { return a.total()+b.total() >= sent })
	a.mu.Lock()
	defer a.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	if a.got["example.com."] < 3 || a.got["example.net."] < 3 || b.got["example.com."] < 1 || b.got["example.net."] < 1 {
		t.Errorf("a got %v, b got %v", a.got, b.got)
	}
	if total := a.got["example.com."] + a.got["example.net."]; a.signed != total {
		t.Errorf("%d of a's %d notifies verified", a.signed, total)
	}
}

func TestNotifyGivesUp(t *testing.T) {
	a := &secondary{got: map[string]int{}, answer: 1 << 30}
	// GiveUp leaves room for several retries (at 10, 30, 70, 150, 310 and
	// 630 ms) even when the machine is slow to run the notifier.
	n, _ := NewNotifier(NotifyConfig{Targets: []string{a.run(t, nil)}, Retry: 10 * time.Millisecond, GiveUp: time.Second, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- n.Run(ctx) }()
	defer func() { cancel(); <-done }()
	n.Notify("example.com.")
	waitUntil(t, "NOTIFY given up", func() bool { return n.Pending() == 0 })
	if got := notifyCount(n, "given-up"); got != 1 {
		t.Errorf("%d NOTIFYs given up, want 1", got)
	}
	sent := notifyCount(n, "sent")
	waitUntil(t, "every NOTIFY sent received", func() bool { return a.count("example.com.") >= sent })
	if sent < 3 {
		t.Errorf("sent %d before giving up, want retries", sent)
	}
}
