package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/app"
)

var screenshots = flag.String("screenshots", "", "save screenshots of the main pages in this `directory` (docs/screenshots)")

// chromium finds the browser: a skip without it, a failure in CI.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (apt-get install chromium); CI runs the browser tests")
	}
	t.Skip("chromium is not installed (apt-get install chromium); skipping the browser tests")
	return ""
}

// TestBrowser drives the dashboard of a whole `zonewarden serve` in a real
// headless Chromium: sign up, add a domain, add, edit and delete records,
// deactivate and activate the domain's DNS, change its name servers (each
// seen by the DNS listener of the same process), create a token and use it
// against the API.
func TestBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := newChrome(t, ctx, 1100, 760)
	bctx := b.ctx
	cfg := app.DefaultServeConfig()
	cfg.NameServers = []string{"ns1.example.net.", "ns2.example.net."}
	srv, base := runServe(t, ctx, cfg)

	b.step(bctx, "sign up",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"))
	b.shoot(bctx, "sign-up")
	b.step(bctx, "submit sign-up",
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/a/1/domains/new"]`)))

	b.step(bctx, "add a domain",
		chromedp.Click(chromedp.CSS(`a[href="/a/1/domains/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "example.com"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/records/new"]`)))

	addRecord := func(typ string, fields map[string]string, order []string) {
		t.Helper()
		actions := []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.CSS(`a[href$="/records/new"]`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href="?type=` + typ + `"]`)),
			chromedp.Click(chromedp.CSS(`a[href="?type=` + typ + `"]`)),
			chromedp.WaitVisible(chromedp.CSS("#content")),
		}
		for _, k := range order {
			actions = append(actions, chromedp.Clear(chromedp.CSS("#"+k)), chromedp.SendKeys(chromedp.CSS("#"+k), fields[k]))
		}
		b.step(bctx, "fill "+typ, actions...)
		if typ == "MX" {
			b.shoot(bctx, "record-form")
		}
		b.step(bctx, "submit "+typ,
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".flash")),
			chromedp.WaitVisible(chromedp.CSS("td.content")))
	}
	addRecord("A", map[string]string{"name": "www", "content": "192.0.2.10"}, []string{"name", "content"})
	waitDNS(t, srv, "www.example.com.", "192.0.2.10")

	addRecord("MX", map[string]string{"priority": "10", "content": "mail.example.com"}, []string{"priority", "content"})
	b.shoot(bctx, "domain")

	// An invalid record comes back with the problem beside its field.
	b.step(bctx, "invalid record",
		chromedp.Click(chromedp.CSS(`a[href$="/records/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="?type=AAAA"]`)),
		chromedp.Click(chromedp.CSS(`a[href="?type=AAAA"]`)),
		chromedp.WaitVisible(chromedp.CSS("#content")),
		chromedp.SendKeys(chromedp.CSS("#content"), "192.0.2.1"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#content-error")),
		chromedp.Navigate(base+"/a/1/domains/example.com"),
		chromedp.WaitVisible(chromedp.CSS("td.content")))

	b.step(bctx, "edit the A record",
		chromedp.Navigate(base+"/a/1/domains/example.com?type=A"),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/edit"]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/edit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#content")),
		chromedp.Clear(chromedp.CSS("#content")),
		chromedp.SendKeys(chromedp.CSS("#content"), "192.0.2.11"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.WaitVisible(chromedp.CSS("td.content")))
	waitDNS(t, srv, "www.example.com.", "192.0.2.11")

	// Deactivated, the domain is REFUSED as one not hosted here; activated,
	// it is answered again.
	b.step(bctx, "deactivate DNS",
		chromedp.Navigate(base+"/a/1/domains/example.com"),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/deactivate"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/deactivate"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/activate"] button`)))
	waitAnswer(t, srv, "www.example.com.", dns.TypeA, "REFUSED")
	b.step(bctx, "activate DNS",
		chromedp.Click(chromedp.CSS(`form[action$="/activate"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/deactivate"] button`)))
	waitAnswer(t, srv, "www.example.com.", dns.TypeA, "192.0.2.11")

	b.step(bctx, "fill the name servers",
		chromedp.Click(chromedp.CSS(`a[href$="/name-servers"]`)),
		chromedp.WaitVisible(chromedp.CSS("#ns-names")),
		chromedp.Clear(chromedp.CSS("#ns-names")),
		chromedp.SendKeys(chromedp.CSS("#ns-names"), "ns1.example.org\nns2.example.org"))
	b.shoot(bctx, "name-servers")
	b.step(bctx, "save the name servers",
		chromedp.Click(chromedp.CSS(`form:has(#ns-names) button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.WaitVisible(chromedp.CSS("td.content")))
	waitAnswer(t, srv, "example.com.", dns.TypeNS, "ns1.example.org. ns2.example.org.")

	b.step(bctx, "delete the A record",
		chromedp.Navigate(base+"/a/1/domains/example.com?type=A"),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/delete"][href*="/records/"]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/delete"][href*="/records/"]`)),
		chromedp.WaitVisible(chromedp.CSS("button.danger")),
		chromedp.Click(chromedp.CSS("button.danger")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	flash, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".flash")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, "deleted") {
		t.Errorf("flash after delete: %q", flash)
	}
	waitDNS(t, srv, "www.example.com.", "")

	b.step(bctx, "domains list", chromedp.Navigate(base+"/a/1/domains"), chromedp.WaitVisible(chromedp.CSS("table")))
	b.shoot(bctx, "domains")

	// Secondary DNS: a primary server and a zone pulled from it, linked.
	b.step(bctx, "secondary DNS",
		chromedp.Navigate(base+"/a/1/secondary-dns"),
		chromedp.WaitVisible(chromedp.CSS("#primary-name")),
		chromedp.SendKeys(chromedp.CSS("#primary-name"), "ns1"),
		chromedp.SendKeys(chromedp.CSS("#primary-ip"), "192.0.2.53"),
		chromedp.Click(chromedp.CSS(`form[action$="/secondary-dns/primaries"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.SendKeys(chromedp.CSS("#zone-name"), "pulled.example"),
		chromedp.Click(chromedp.CSS(`form[action$="/secondary-dns/zones"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.Click(chromedp.CSS(`form[action$="/link"] button`)),
		// The server's row now offers to unlink the zone.
		chromedp.WaitReady(chromedp.CSS(`form[action$="/unlink"] input[name=zone][value^="pulled.example"]`)))
	b.shoot(bctx, "secondary-dns")

	b.step(bctx, "create a token",
		chromedp.Click(chromedp.CSS(`a[href="/a/1/tokens"]`)),
		chromedp.WaitVisible(chromedp.CSS("#token-name")),
		chromedp.SendKeys(chromedp.CSS("#token-name"), "deploy script"),
		chromedp.Click(chromedp.CSS("form.inline-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#new-token")))
	token, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS("#new-token")))
	if err != nil {
		t.Fatal(err)
	}
	b.shoot(bctx, "tokens")

	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/v2/whoami", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var who struct {
		Data struct {
			Account *struct{ ID int64 } `json:"account"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&who); err != nil || resp.StatusCode != 200 || who.Data.Account == nil || who.Data.Account.ID != 1 {
		t.Fatalf("whoami with the token from the page: %d %+v %v", resp.StatusCode, who, err)
	}
}

// waitDNS asks the process's DNS listener for name's A record until the
// answer is want ("" for none), for up to ten seconds: the bound only
// ends a failing run, and a loaded machine can take seconds to serve a write.
func waitDNS(t *testing.T, srv *app.Serve, name, want string) {
	t.Helper()
	c := &dns.Client{Timeout: time.Second}
	var got string
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		m := new(dns.Msg)
		m.SetQuestion(name, dns.TypeA)
		var in *dns.Msg
		in, _, err = c.Exchange(m, srv.UDPAddr().String())
		if err != nil {
			continue
		}
		got = ""
		for _, rr := range in.Answer {
			if a, ok := rr.(*dns.A); ok {
				got = a.A.String()
			}
		}
		if got == want {
			return
		}
	}
	t.Fatalf("DNS %s A: %q, want %q (%v)", name, got, want, errors.Join(err, fmt.Errorf("after 10s")))
}

// waitAnswer asks the process's DNS listener for name's records of type
// qtype until the answer is want, for up to two seconds: the records'
// data, sorted and separated by spaces, or the RCODE when it is not
// NOERROR ("REFUSED").
func waitAnswer(t *testing.T, srv *app.Serve, name string, qtype uint16, want string) {
	t.Helper()
	c := &dns.Client{Timeout: time.Second}
	var got string
	var err error
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		m := new(dns.Msg)
		m.SetQuestion(name, qtype)
		var in *dns.Msg
		in, _, err = c.Exchange(m, srv.UDPAddr().String())
		if err != nil {
			continue
		}
		got = dns.RcodeToString[in.Rcode]
		if in.Rcode == dns.RcodeSuccess {
			var data []string
			for _, rr := range in.Answer {
				if rr.Header().Rrtype == qtype {
					data = append(data, strings.TrimPrefix(rr.String(), rr.Header().String()))
				}
			}
			slices.Sort(data)
			got = strings.Join(data, " ")
		}
		if got == want {
			return
		}
	}
	t.Fatalf("DNS %s %s: %q, want %q (%v)", name, dns.TypeToString[qtype], got, want, errors.Join(err, fmt.Errorf("after 2s")))
}
