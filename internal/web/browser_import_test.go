package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/zonewarden/zonewarden/internal/app"
)

// TestBrowserImport drives the domain tools of a whole `zonewarden serve`
// in headless Chromium: import a zone file with its preview and
// confirmation (then the DNS listener of the same process answers the
// imported records), see the delegation page, and copy a new token with
// the copy button.
func TestBrowserImport(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := newChrome(t, ctx, 1100, 900)
	srv, base := runServe(t, ctx, app.DefaultServeConfig())
	bctx := b.ctx

	b.step(bctx, "sign up",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/a/1/domains/new"]`)))
	b.step(bctx, "add a domain",
		chromedp.Click(chromedp.CSS(`a[href="/a/1/domains/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "example.com"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/import"]`)))

	zoneFile := "$TTL 600\n@ IN SOA ns.old.example. host.old.example. 1 7200 3600 1209600 300\n@ NS ns.old.example.\nwww A 192.0.2.80\n@ CNAME elsewhere.example.\nftp CNAME www\n"
	b.step(bctx, "paste a zone file",
		chromedp.Click(chromedp.CSS(`a[href$="/import"]`)),
		chromedp.WaitVisible(chromedp.CSS("textarea#zone")),
		chromedp.SendKeys(chromedp.CSS("textarea#zone"), zoneFile))
	b.shoot(bctx, "import")
	b.step(bctx, "preview",
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("table.import.added")))
	b.shoot(bctx, "import-preview")
	if got := b.text(bctx, "table.import.added tbody", ""); !strings.Contains(got, "192.0.2.80") || !strings.Contains(got, "www.example.com") {
		t.Errorf("added: %q", got)
	}
	if got := b.text(bctx, "table.import.skipped tbody", ""); !strings.Contains(got, "cannot be at the zone apex") || !strings.Contains(got, "SOA") {
		t.Errorf("skipped: %q", got)
	}
	waitDNS(t, srv, "www.example.com.", "") // the preview writes nothing
	b.step(bctx, "confirm",
		chromedp.Click(chromedp.CSS("form.confirm button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := b.text(bctx, ".flash", ""); !strings.Contains(got, "2 records added") {
		t.Errorf("flash after the import: %q", got)
	}
	waitDNS(t, srv, "www.example.com.", "192.0.2.80")
	waitDNS(t, srv, "ftp.example.com.", "192.0.2.80") // through the imported CNAME

	b.step(bctx, "delegation page",
		chromedp.Click(chromedp.CSS(`a[href$="/delegation"]`)),
		chromedp.WaitVisible(chromedp.CSS("#distribution-h")))
	b.shoot(bctx, "delegation")
	if got := b.text(bctx, "main", ""); !strings.Contains(got, "The name servers answer with the zone's latest version") {
		t.Errorf("delegation page: %q", got)
	}

	b.step(bctx, "create a token and copy it",
		chromedp.Navigate(base+"/a/1/tokens"),
		chromedp.WaitVisible(chromedp.CSS("#token-name")),
		chromedp.SendKeys(chromedp.CSS("#token-name"), "deploy"),
		chromedp.Click(chromedp.CSS("form.inline-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="new-token"]`)),
		chromedp.Click(chromedp.CSS(`button[data-copy="new-token"]`)),
		chromedp.WaitVisible(chromedp.CSS("#new-token-copied")))
	b.shoot(bctx, "token-copied")
	deadline := time.Now().Add(10 * time.Second)
	for b.text(bctx, "#new-token-copied", "") != "Copied." {
		if time.Now().After(deadline) {
			t.Fatalf("after clicking Copy: %q", b.text(bctx, "#new-token-copied", ""))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
