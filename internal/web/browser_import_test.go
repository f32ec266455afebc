package web_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
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
	exe := chromium(t)
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	cfg := app.DefaultServeConfig()
	cfg.Data, cfg.HTTP, cfg.DNS, cfg.AliasUpstream = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", nil
	srv, err := app.NewServe(cfg, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srvCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Run(srvCtx) }()
	defer func() { stop(); <-done }()
	base := "http://" + srv.HTTPAddr()

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 900))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			shot, cancelShot := context.WithTimeout(bctx, 5*time.Second)
			defer cancelShot()
			if png, err := chromedp.Run(shot, chromedp.CaptureScreenshot()); err == nil {
				path := filepath.Join("testdata", "out", strings.ReplaceAll(t.Name()+"-"+name, " ", "_")+".png")
				if os.WriteFile(path, png, 0o644) == nil {
					t.Logf("screenshot: %s", path)
				}
			}
			loc, _ := chromedp.Run(shot, chromedp.Location())
			t.Fatalf("%s (at %s): %v", name, loc, err)
		}
	}
	shoot := func(name string) {
		t.Helper()
		if *screenshots == "" {
			return
		}
		png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(*screenshots, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	step("sign up",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/a/1/domains/new"]`)))
	step("add a domain",
		chromedp.Click(chromedp.CSS(`a[href="/a/1/domains/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "example.com"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/import"]`)))

	zoneFile := "$TTL 600\n@ IN SOA ns.old.example. host.old.example. 1 7200 3600 1209600 300\n@ NS ns.old.example.\nwww A 192.0.2.80\n@ CNAME elsewhere.example.\nftp CNAME www\n"
	step("paste a zone file",
		chromedp.Click(chromedp.CSS(`a[href$="/import"]`)),
		chromedp.WaitVisible(chromedp.CSS("textarea#zone")),
		chromedp.SendKeys(chromedp.CSS("textarea#zone"), zoneFile))
	shoot("import")
	step("preview",
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("table.import.added")))
	shoot("import-preview")
	if got := text("table.import.added tbody"); !strings.Contains(got, "192.0.2.80") || !strings.Contains(got, "www.example.com") {
		t.Errorf("added: %q", got)
	}
	if got := text("table.import.skipped tbody"); !strings.Contains(got, "cannot be at the zone apex") || !strings.Contains(got, "SOA") {
		t.Errorf("skipped: %q", got)
	}
	waitDNS(t, srv, "www.example.com.", "") // the preview writes nothing
	step("confirm",
		chromedp.Click(chromedp.CSS("form.confirm button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := text(".flash"); !strings.Contains(got, "2 records added") {
		t.Errorf("flash after the import: %q", got)
	}
	waitDNS(t, srv, "www.example.com.", "192.0.2.80")
	waitDNS(t, srv, "ftp.example.com.", "192.0.2.80") // through the imported CNAME

	step("delegation page",
		chromedp.Click(chromedp.CSS(`a[href$="/delegation"]`)),
		chromedp.WaitVisible(chromedp.CSS("#distribution-h")))
	shoot("delegation")
	if got := text("main"); !strings.Contains(got, "The name servers answer with the zone's latest version") {
		t.Errorf("delegation page: %q", got)
	}

	step("create a token and copy it",
		chromedp.Navigate(base+"/a/1/tokens"),
		chromedp.WaitVisible(chromedp.CSS("#token-name")),
		chromedp.SendKeys(chromedp.CSS("#token-name"), "deploy"),
		chromedp.Click(chromedp.CSS("form.inline-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="new-token"]`)),
		chromedp.Click(chromedp.CSS(`button[data-copy="new-token"]`)),
		chromedp.WaitVisible(chromedp.CSS("#new-token-copied")))
	shoot("token-copied")
	deadline := time.Now().Add(5 * time.Second)
	for text("#new-token-copied") != "Copied." {
		if time.Now().After(deadline) {
			t.Fatalf("after clicking Copy: %q", text("#new-token-copied"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
