package app

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/store"
)

// notifyLog is a secondary that answers every NOTIFY and remembers the
// zones named.
type notifyLog struct {
	mu    sync.Mutex
	zones []string
}

func (n *notifyLog) listen(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			l, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			m := new(dns.Msg)
			if m.Unpack(buf[:l]) != nil || m.Opcode != dns.OpcodeNotify {
				continue
			}
			n.mu.Lock()
			n.zones = append(n.zones, m.Question[0].Name)
			n.mu.Unlock()
			r := new(dns.Msg)
			r.SetReply(m)
			b, _ := r.Pack()
			pc.WriteTo(b, from)
		}
	}()
	return pc.LocalAddr().String()
}

func (n *notifyLog) wait(t *testing.T, zone string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n.mu.Lock()
		for i, z := range n.zones {
			if z == zone {
				n.zones = append(n.zones[:i:i], n.zones[i+1:]...)
				n.mu.Unlock()
				return
			}
		}
		got := append([]string(nil), n.zones...)
		n.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no NOTIFY of %s; got %q", zone, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestServeTransfers: serve notifies its secondaries of each write and of
// the catalog when a domain comes or goes, serves the catalog's SOA with
// a serial that moves then, and answers transfers signed with a key made by
// `zonewarden tsig add`.
func TestServeTransfers(t *testing.T) {
	cfg := testServeConfig(t)
	var stdout, stderr bytes.Buffer
	args := []string{"add", "edge1", "--data", cfg.Data, "--algorithm", "hmac-sha512"}
	if cfg.Database != "" {
		args = append(args, "--database", cfg.Database)
	}
	if code := runTSIG(context.Background(), args, env(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("tsig add: %d %s", code, stderr.String())
	}
	parts := strings.SplitN(strings.TrimSpace(stdout.String()), ":", 3)
	if len(parts) != 3 || parts[0] != "edge1." || parts[1] != "hmac-sha512" {
		t.Fatalf("tsig add printed %q", stdout.String())
	}
	sec := &notifyLog{}
	cfg.Transfer.Notify = []string{sec.listen(t)}
	cfg.Transfer.NotifyKey = "edge1"
	cfg.Transfer.Allow = []string{"edge1"}
	s := startServe(t, cfg)
	addr := s.UDPAddr().String()
	sec.wait(t, DefaultCatalog) // at start

	catalogSerial := func() uint32 {
		r := query(t, addr, DefaultCatalog, dns.TypeSOA)
		if len(r.Answer) != 1 {
			t.Fatalf("catalog SOA: %v", r)
		}
		return r.Answer[0].(*dns.SOA).Serial
	}
	s0 := catalogSerial()
	ctx := context.Background()
	u, a, err := s.store.CreateUser(ctx, "op@example.com", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{UserID: &u.ID, Label: u.Email}
	if _, err := s.store.CreateDomain(ctx, actor, a.ID, "example.com"); err != nil {
		t.Fatal(err)
	}
	s.changed("example.com")
	sec.wait(t, "example.com.")
	sec.wait(t, DefaultCatalog)
	s1 := catalogSerial()
	if s1 == s0 {
		t.Errorf("catalog serial stayed %d after a domain was created", s0)
	}
	if _, err := s.store.CreateRecord(ctx, actor, a.ID, "example.com", store.RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	s.changed("example.com")
	sec.wait(t, "example.com.")
	if s2 := catalogSerial(); s2 != s1 {
		t.Errorf("catalog serial moved on a record change: %d → %d", s1, s2)
	}

	k, err := s.store.TSIGKey(ctx, "edge1")
	if err != nil {
		t.Fatal(err)
	}
	for _, zone := range []string{"example.com.", DefaultCatalog} {
		q := new(dns.Msg)
		q.SetAxfr(zone)
		q.SetTsig(k.Name, k.Algorithm, 300, time.Now().Unix())
		tr := &dns.Transfer{TsigSecret: map[string]string{k.Name: k.Secret}}
		ch, err := tr.In(q, s.TCPAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for env := range ch {
			if env.Error != nil {
				t.Fatalf("axfr %s: %v", zone, env.Error)
			}
			n += len(env.RR)
		}
		if n < 4 {
			t.Errorf("axfr %s: %d records", zone, n)
		}
	}

	if err := s.store.DeleteDomain(ctx, actor, a.ID, "example.com"); err != nil {
		t.Fatal(err)
	}
	s.changed("example.com")
	sec.wait(t, DefaultCatalog)
	if s3 := catalogSerial(); s3 == s1 {
		t.Errorf("catalog serial stayed %d after a domain was deleted", s1)
	}
}

func TestTSIGCommand(t *testing.T) {
	data := t.TempDir()
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := runTSIG(context.Background(), append(args, "--data", data), env(nil), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	code, out, _ := run("add", "edge1")
	if code != 0 || !strings.HasPrefix(out, "edge1.:hmac-sha256:") {
		t.Fatalf("add: %d %q", code, out)
	}
	secret := strings.TrimSpace(strings.SplitN(out, ":", 3)[2])
	tests := []struct {
		args []string
		code int
		out  string // stdout contains
		err  string // stderr contains
	}{
		{[]string{"add", "edge1"}, 1, "", "exists already"},
		{[]string{"add", "--algorithm", "hmac-sha512", "edge2"}, 0, "edge2.:hmac-sha512:", ""},
		{[]string{"add", "edge3", "--algorithm", "hmac-md5"}, 2, "", "hmac-sha256 or hmac-sha512"},
		{[]string{"add"}, 2, "", "NAME is required"},
		{[]string{"list"}, 0, "edge1.\thmac-sha256\t", ""},
		{[]string{"remove", "edge2"}, 0, "", ""},
		{[]string{"remove", "edge2"}, 1, "", "not found"},
		{[]string{"frob"}, 2, "", "unknown command"},
	}
	for _, tc := range tests {
		code, out, errOut := run(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) {
			t.Errorf("tsig %q: exit %d, stdout %q, stderr %q", tc.args, code, out, errOut)
		}
		if strings.Contains(out+errOut, secret) {
			t.Errorf("tsig %q showed the secret", tc.args)
		}
	}
	if _, out, _ := run("list"); strings.Contains(out, "edge2") {
		t.Errorf("removed key listed: %q", out)
	}
}

func TestTransferConfig(t *testing.T) {
	for _, tc := range []struct {
		set  func(*TransferConfig)
		want string
	}{
		{func(c *TransferConfig) { c.Allow = []string{"10.0.0.0/33"} }, "--transfer-allow"},
		{func(c *TransferConfig) { c.Edges = []string{"nohost"} }, "--edges"},
		{func(c *TransferConfig) { c.Notify = []string{"a:b"} }, "--notify"},
		{func(c *TransferConfig) { c.Catalog = "" }, "--catalog"},
		{func(c *TransferConfig) { c.NotifyKey = "a b" }, "--notify-key"},
	} {
		c := DefaultServeConfig()
		tc.set(&c.Transfer)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want an error about %s, got %v", tc.want, err)
		}
	}
	c, err := parseServeConfig([]string{"--transfer-allow", "edge1,192.0.2.0/24", "--edges", "127.0.0.1:53,[::1]:53", "--catalog", "cat.example"}, env(nil), &bytes.Buffer{})
	if err != nil || len(c.Transfer.Allow) != 2 || len(c.Transfer.Edges) != 2 || c.Transfer.Catalog != "cat.example" {
		t.Errorf("parsed %+v, %v", c.Transfer, err)
	}
}
