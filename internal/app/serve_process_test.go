package app

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"
	"github.com/miekg/dns"
)

// TestServeProcess builds the binary and uses it as an operator and a
// customer's tool would: serve on free ports, admin create-user and
// create-token, DNSimple's client creates a domain and a record, and the DNS
// server answers with it.
func TestServeProcess(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")

	p := startProcess(t, bin, "serve", "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0", "--data", data,
		"--nameservers", "ns1.example.net,ns2.example.net", "--alias-upstream", "", "--log-format", "json")
	// The bound addresses are in the "serving" line.
	rec := p.waitLog(t, "serving")
	httpURL, _ := rec["http"].(string)
	udp, _ := rec["udp"].(string)

	admin := func(stdin string, v any, args ...string) {
		t.Helper()
		c := exec.Command(bin, append([]string{"admin"}, append(args, "--data", data)...)...)
		c.Env = environ()
		c.Stdin = strings.NewReader(stdin)
		out, err := c.Output()
		if err != nil {
			msg := ""
			if ee, ok := err.(*exec.ExitError); ok {
				msg = string(ee.Stderr)
			}
			t.Fatalf("admin %q: %v\n%s", args, err, msg)
		}
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("admin %q printed %q: %v", args, out, err)
		}
	}
	var user struct {
		UserID    int64 `json:"user_id"`
		AccountID int64 `json:"account_id"`
	}
	admin("password for e2e\n", &user, "create-user", "--email", "e2e@example.com", "--password-stdin")
	var tok struct {
		AccountID int64  `json:"account_id"`
		Token     string `json:"token"`
	}
	admin("", &tok, "create-token", "--email", "e2e@example.com", "--name", "e2e")
	if tok.AccountID != user.AccountID {
		t.Fatalf("token of account %d, user's account %d", tok.AccountID, user.AccountID)
	}

	ctx := context.Background()
	c := dnsimple.NewClient(dnsimple.StaticTokenHTTPClient(ctx, tok.Token))
	c.BaseURL = httpURL
	acc := strconv.FormatInt(tok.AccountID, 10)
	if _, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "e2e.example"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Zones.CreateRecord(ctx, acc, "e2e.example", dnsimple.ZoneRecordAttributes{
		Name: dnsimple.String("www"), Type: "A", Content: "192.0.2.44", TTL: 120}); err != nil {
		t.Fatal(err)
	}
	waitAnswer(t, udp, "www.e2e.example.", dns.TypeA, 10*time.Second, "www.e2e.example.\t120\tIN\tA\t192.0.2.44")
	r := query(t, udp, "e2e.example.", dns.TypeSOA)
	if len(r.Answer) != 1 || r.Answer[0].(*dns.SOA).Ns != "ns1.example.net." {
		t.Errorf("SOA: %v", r.Answer)
	}

	p.terminate(t)
}
