package alias

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// upstream is a recursive resolver on loopback answering from records written
// as zone-file lines, the way a resolver would after following CNAMEs.
type upstream struct {
	addr string

	mu       sync.Mutex
	rrs      []dns.RR
	rcode    int  // when not success, every query gets it
	truncate bool // answer UDP queries with TC and no records
	queries  map[key]int
}

// soa gives negative answers a TTL of 300 (its minimum).
const soa = "example. 3600 IN SOA ns.example. host.example. 1 7200 900 1209600 300"

func newUpstream(t testing.TB, zone ...string) *upstream {
	t.Helper()
	u := &upstream{queries: map[key]int{}}
	u.set(t, zone...)
	// UDP and TCP share the port so that a truncated answer can be retried.
	var pc net.PacketConn
	var ln net.Listener
	for range 10 {
		var err error
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if ln == nil {
		t.Fatal("no loopback port free for both UDP and TCP")
	}
	u.addr = pc.LocalAddr().String()
	for _, s := range []*dns.Server{{PacketConn: pc, Handler: u}, {Listener: ln, Handler: u}} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		go s.ActivateAndServe()
		<-started
		t.Cleanup(func() { s.Shutdown() })
	}
	return u
}

// set replaces the records served.
func (u *upstream) set(t testing.TB, zone ...string) {
	t.Helper()
	var rrs []dns.RR
	for _, line := range zone {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("parse %q: %v", line, err)
		}
		rrs = append(rrs, rr)
	}
	u.mu.Lock()
	u.rrs = rrs
	u.mu.Unlock()
}

func (u *upstream) fail(rcode int) {
	u.mu.Lock()
	u.rcode = rcode
	u.mu.Unlock()
}

func (u *upstream) count(name string, qtype uint16) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.queries[key{name, qtype}]
}

func (u *upstream) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	u.mu.Lock()
	defer u.mu.Unlock()
	resp := new(dns.Msg)
	resp.SetReply(q)
	resp.RecursionAvailable = true
	question := q.Question[0]
	u.queries[key{strings.ToLower(question.Name), question.Qtype}]++
	_, udp := w.RemoteAddr().(*net.UDPAddr)
	switch {
	case u.rcode != dns.RcodeSuccess:
		resp.Rcode = u.rcode
	case u.truncate && udp:
		resp.Truncated = true
	default:
		u.resolve(resp, question)
	}
	w.WriteMsg(resp)
}

// resolve follows CNAMEs from the question's name like a recursive resolver.
func (u *upstream) resolve(resp *dns.Msg, q dns.Question) {
	name := q.Name
	for range 20 {
		exists, next := false, ""
		for _, rr := range u.rrs {
			h := rr.Header()
			if !strings.EqualFold(h.Name, name) {
				continue
			}
			exists = true
			switch {
			case h.Rrtype == q.Qtype:
				resp.Answer = append(resp.Answer, rr)
			case h.Rrtype == dns.TypeCNAME:
				resp.Answer = append(resp.Answer, rr)
				next = rr.(*dns.CNAME).Target
			}
		}
		if next == "" {
			if !exists {
				resp.Rcode = dns.RcodeNameError
			}
			if !exists || len(resp.Answer) == 0 || resp.Answer[len(resp.Answer)-1].Header().Rrtype == dns.TypeCNAME {
				rr, _ := dns.NewRR(soa)
				resp.Ns = append(resp.Ns, rr)
			}
			return
		}
		name = next
	}
}
