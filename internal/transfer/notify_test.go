package transfer

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

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

func TestNotify(t *testing.T) {
	key := tsig.Key{Name: "edge1.", Algorithm: dns.HmacSHA256, Secret: "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="}
	a := &secondary{got: map[string]int{}, answer: 3}                          // answers the third
	b := &secondary{got: map[string]int{}, answer: 1, rcode: dns.RcodeRefused} // refuses at once
	n, err := NewNotifier(NotifyConfig{
		Targets: []string{a.run(t, &key), b.run(t, nil)}, Key: key,
		Retry: 20 * time.Millisecond, GiveUp: 5 * time.Second, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- n.Run(ctx) }()
	defer func() { cancel(); <-done }()
	n.Notify("example.com", "Example.NET.")
	deadline := time.Now().Add(5 * time.Second)
	for n.Pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if p := n.Pending(); p != 0 {
		t.Fatalf("%d notifies pending", p)
	}
	if a.count("example.com.") != 3 || a.count("example.net.") != 3 || b.count("example.com.") != 1 {
		t.Errorf("a got %v, b got %v", a.got, b.got)
	}
	if a.signed != 6 {
		t.Errorf("%d of a's notifies verified", a.signed)
	}
}

func TestNotifyGivesUp(t *testing.T) {
	a := &secondary{got: map[string]int{}, answer: 1 << 30}
	n, _ := NewNotifier(NotifyConfig{Targets: []string{a.run(t, nil)}, Retry: 10 * time.Millisecond, GiveUp: 200 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- n.Run(ctx) }()
	defer func() { cancel(); <-done }()
	n.Notify("example.com.")
	time.Sleep(600 * time.Millisecond)
	if n.Pending() != 0 || a.count("example.com.") < 3 {
		t.Errorf("pending %d, sent %d", n.Pending(), a.count("example.com."))
	}
}
