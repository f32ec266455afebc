package interop

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestTCPPipelining writes 20 queries in a single TCP segment and expects
// 20 answers on the same connection, each what the query gets on its own.
// RFC 7766 section 6.2.1.1 lets a server answer out of order; zonewarden
// answers a connection's queries in order and this test holds it to that.
// The references run too, to keep the test itself honest.
func TestTCPPipelining(t *testing.T) {
	c := loadCorpus(t)
	qs := []query{
		{"www.example.com.", dns.TypeA, dns.ClassINET},
		{"example.com.", dns.TypeMX, dns.ClassINET},
		{"nx.example.com.", dns.TypeA, dns.ClassINET},
		{"giant.example.com.", dns.TypeAAAA, dns.ClassINET},
		{"host.sub.example.com.", dns.TypeA, dns.ClassINET},
		{"alias.example.com.", dns.TypeA, dns.ClassINET},
		{"www.example.org.", dns.TypeA, dns.ClassINET},
		{"x.wild.test.", dns.TypeTXT, dns.ClassINET},
		{"txt.example.com.", dns.TypeTXT, dns.ClassINET},
		{"huge.example.com.", dns.TypeTXT, dns.ClassINET},
		{"www.child.example.com.", dns.TypeA, dns.ClassINET},
		{"80.2.0.192.in-addr.arpa.", dns.TypePTR, dns.ClassINET},
		{"host3.example.", dns.TypeMX, dns.ClassINET},
		{"www.dn.example.com.", dns.TypeA, dns.ClassINET},
		{"example.net.", dns.TypeSOA, dns.ClassINET},
		{"_sip._tcp.example.com.", dns.TypeSRV, dns.ClassINET},
		{"ent.example.com.", dns.TypeA, dns.ClassINET},
		{"unknown.example.com.", 65280, dns.ClassINET},
		{"svc.example.com.", dns.TypeHTTPS, dns.ClassINET},
		{"WWW.Example.COM.", dns.TypeAAAA, dns.ClassINET},
	}
	for _, srv := range []struct {
		name  string
		start func(testing.TB, *corpus) *server
	}{{"zonewarden", startZonewarden}, {"knot", startKnot}, {"nsd", startNSD}} {
		t.Run(srv.name, func(t *testing.T) {
			s := srv.start(t, c)
			tr := transport{"tcp", "tcp", 1232}
			var batch []byte
			msgs := make([]*dns.Msg, len(qs))
			for i, q := range qs {
				msgs[i] = newQuery(q, tr, uint16(1000+i*37), i%2 == 0)
				wire, err := msgs[i].Pack()
				if err != nil {
					t.Fatal(err)
				}
				batch = binary.BigEndian.AppendUint16(batch, uint16(len(wire)))
				batch = append(batch, wire...)
			}
			conn, err := net.DialTimeout("tcp", s.addr, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := conn.Write(batch); err != nil {
				t.Fatalf("write %d pipelined queries: %v", len(qs), err)
			}
			for i, m := range msgs {
				r, size, err := readTCP(conn)
				if err != nil {
					t.Fatalf("answer %d of %d (%s): %v", i+1, len(qs), qs[i], err)
				}
				if r.Id != m.Id {
					t.Errorf("answer %d: id %d (question %v), want id %d for %s: out of order", i+1, r.Id, r.Question, m.Id, qs[i])
					continue
				}
				for _, p := range sanity(m, tr, response{msg: r, size: size}) {
					t.Errorf("%s: %s", qs[i], p)
				}
				// The same query alone must get the same answer.
				alone := exchange("tcp", s.addr, m)
				if alone.err != nil {
					t.Errorf("%s alone: %v", qs[i], alone.err)
					continue
				}
				got, want := newView(r), newView(alone.msg)
				if d := diff("alone", "pipelined", want, got); d != "" {
					t.Errorf("%s pipelined differs from the same query alone:\n%s", qs[i], d)
				}
			}
		})
	}
}

func readTCP(conn net.Conn) (*dns.Msg, int, error) {
	var l [2]byte
	if _, err := io.ReadFull(conn, l[:]); err != nil {
		return nil, 0, timeoutOr(err)
	}
	buf := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(conn, buf); err != nil {
		return nil, 0, timeoutOr(err)
	}
	r := new(dns.Msg)
	if err := r.Unpack(buf); err != nil {
		return nil, len(buf), err
	}
	return r, len(buf), nil
}
