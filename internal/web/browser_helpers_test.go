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

// chrome is one headless Chromium for one test. Its first tab is ctx;
// person opens another with cookies of its own, for a second person.
type chrome struct {
	t   *testing.T
	ctx context.Context
}

// newChrome starts Chromium (skipping the test without it, or under
// -short) and stops it when the test ends.
func newChrome(t *testing.T, ctx context.Context, width, height int) *chrome {
	t.Helper()
	exe := chromium(t)
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		// Without these, Chromium tries the network at every start,
		// which this machine's closed network refuses.
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height))
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	// The browser starts with the first action and lives as long as the
	// context of that action: start it with bctx, not a step's.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &chrome{t: t, ctx: bctx}
}

// person opens a tab in a browser context of its own: its own cookies.
func (b *chrome) person() context.Context {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open a browser context: %v", err)
	}
	return ctx
}

// step runs actions in tab who within 20 s. On failure it saves a
// screenshot in testdata/out and fails the test with the page's address.
func (b *chrome) step(who context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	sctx, cancel := context.WithTimeout(who, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		shot, cancelShot := context.WithTimeout(who, 5*time.Second)
		defer cancelShot()
		if png, err := chromedp.Run(shot, chromedp.CaptureScreenshot()); err == nil {
			path := filepath.Join("testdata", "out", strings.ReplaceAll(b.t.Name()+"-"+name, " ", "_")+".png")
			if os.MkdirAll(filepath.Dir(path), 0o755) == nil && os.WriteFile(path, png, 0o644) == nil {
				b.t.Logf("screenshot: %s", path)
			}
		}
		loc, _ := chromedp.Run(shot, chromedp.Location())
		b.t.Fatalf("%s (at %s): %v", name, loc, err)
	}
}

// shoot saves a screenshot of tab who as docs/screenshots material when
// the test runs with -screenshots DIR.
func (b *chrome) shoot(who context.Context, name string) {
	b.t.Helper()
	if *screenshots == "" {
		return
	}
	png, err := chromedp.Run(who, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// text returns the text of sel once it holds want, or what it holds after
// 10 s. A click's navigation may still be under way when a step's wait is
// satisfied (by the previous page's flash, say), so it polls rather than
// reads once.
func (b *chrome) text(who context.Context, sel, want string) string {
	b.t.Helper()
	var s string
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		sctx, cancel := context.WithTimeout(who, 2*time.Second)
		s, err = chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil && strings.Contains(s, want) {
			return s
		}
	}
	if err != nil {
		html, _ := chromedp.Run(who, chromedp.OuterHTML(chromedp.CSS("main")))
		b.t.Fatalf("text of %s: %v; the page's main:\n%s", sel, err, html)
	}
	return s
}

// runServe runs a whole `zonewarden serve` on loopback ports until the
// test ends and returns it with its dashboard's base URL.
func runServe(t *testing.T, ctx context.Context, cfg app.ServeConfig) (*app.Serve, string) {
	t.Helper()
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
	t.Cleanup(func() { stop(); <-done })
	return srv, "http://" + srv.HTTPAddr()
}
