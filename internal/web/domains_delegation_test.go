package web_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

// fakeResolver answers NS queries on loopback UDP from a table: a name not
// in it is NXDOMAIN, and "slow.example." gets no answer at all.
func fakeResolver(t *testing.T, ns map[string][]string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) }, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		name := q.Question[0].Name
		if name == "slow.example." {
			return
		}
		m := new(dns.Msg)
		m.SetReply(q)
		m.RecursionAvailable = true
		hosts, ok := ns[name]
		if !ok {
			m.Rcode = dns.RcodeNameError
		}
		if q.Question[0].Qtype == dns.TypeNS {
			for _, h := range hosts {
				m.Answer = append(m.Answer, &dns.NS{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: 300}, Ns: h})
			}
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestDelegation(t *testing.T) {
	addr := fakeResolver(t, map[string][]string{
		"example.com.":   {"NS2.zonewarden.test.", "ns1.zonewarden.test."},
		"partly.com.":    {"ns1.zonewarden.test.", "ns.other-dns.net."},
		"elsewhere.com.": {"a.other-dns.net.", "b.other-dns.net."},
		"moved.com.":     {"a.other-dns.net.", "b.other-dns.net."},
	})
	served := map[string]bool{"example.com": true}
	e := newEnv(t, web.Config{Resolvers: []string{addr}, ResolverTimeout: 300 * time.Millisecond,
		Distributed: func(ctx context.Context, zone string) (bool, error) { return served[zone], nil }})
	ada, _ := e.user("ada@example.com")
	for _, d := range []string{"example.com", "partly.com", "elsewhere.com", "missing.com", "slow.example", "moved.com"} {
		if _, err := e.st.CreateDomain(context.Background(), store.Actor{UserID: &ada.ID}, 1, d); err != nil {
			t.Fatal(err)
		}
	}
	// A zone moved to other name servers is judged by its own NS records.
	if _, err := e.st.SetZoneNameServers(context.Background(), store.Actor{UserID: &ada.ID}, 1, "moved.com", []string{"a.other-dns.net", "b.other-dns.net"}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ada@example.com")
	want(t, "domain page links", b.get("/a/1/domains/example.com"), 200, `href="/a/1/domains/example.com/delegation"`)

	r := b.get("/a/1/domains/example.com/delegation")
	want(t, "delegated", r, 200, "<strong>Yes.</strong> The domain is delegated to the name servers its zone lists: ns1.zonewarden.test, ns2.zonewarden.test.",
		"through the resolver "+addr, "<strong>Yes.</strong> The name servers answer with the zone's latest version")
	golden(t, "domain_delegation", strings.ReplaceAll(r.body, addr, "RESOLVER"))
	want(t, "partly", b.get("/a/1/domains/partly.com/delegation"), 200, "<strong>Partly.</strong>", "Add ns2.zonewarden.test.", "Remove ns.other-dns.net, which the zone does not list", "<strong>Not yet.</strong>")
	want(t, "elsewhere", b.get("/a/1/domains/elsewhere.com/delegation"), 200, "<strong>No.</strong> The domain is delegated to a.other-dns.net, b.other-dns.net, not here.")
	want(t, "moved", b.get("/a/1/domains/moved.com/delegation"), 200, "<strong>Yes.</strong> The domain is delegated to the name servers its zone lists: a.other-dns.net, b.other-dns.net.")
	want(t, "missing", b.get("/a/1/domains/missing.com/delegation"), 200, "<strong>No.</strong> The domain has no NS records in the DNS")
	start := time.Now()
	want(t, "slow", b.get("/a/1/domains/slow.example/delegation"), 200, "<strong>Not known.</strong> The resolver "+addr+" did not answer within 300ms.")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the slow lookup took %s", d)
	}

	// Read-only members may look; outsiders may not.
	carol, _ := e.user("carol@example.com")
	e.user("bob@example.com")
	if err := e.st.AddMember(context.Background(), 1, carol.ID, store.RoleReadOnly); err != nil {
		t.Fatal(err)
	}
	rb, ob := e.browser(), e.browser()
	rb.signIn("carol@example.com")
	ob.signIn("bob@example.com")
	want(t, "read-only", rb.get("/a/1/domains/example.com/delegation"), 200, "<strong>Yes.</strong>")
	want(t, "outsider", ob.get("/a/1/domains/example.com/delegation"), http.StatusNotFound)
}

func TestDelegationWithoutResolver(t *testing.T) {
	e := newEnv(t, web.Config{})
	ada, _ := e.user("ada@example.com")
	if _, err := e.st.CreateDomain(context.Background(), store.Actor{UserID: &ada.ID}, 1, "example.com"); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ada@example.com")
	want(t, "no resolver", b.get("/a/1/domains/example.com/delegation"), 200, "No resolver is configured", "ns1.zonewarden.test, ns2.zonewarden.test at its registrar", "Not known here.")
}
