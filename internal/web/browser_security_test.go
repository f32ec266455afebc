package web_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/web"
)

// TestBrowserSecurity drives the account-security pages in a real headless
// Chromium: sign up, turn on 2FA (the key read from the page, the code
// computed here), sign out and in with a code, sign out and in with a
// recovery code; then forget the password, follow the mailed link, set a
// new one and sign in with it (and a code).
func TestBrowserSecurity(t *testing.T) {
	exe := chromium(t)
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m := &mail.Memory{}
	// The dashboard's clock moves on a TOTP step between sign-ins, as a
	// code works once: the test's codes are computed at the same clock.
	var skew atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	nextStep := func() { skew.Add(int64(30 * time.Second)) }
	e := newEnv(t, web.Config{Mail: m, Now: clock})
	base := e.srv.URL

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 760))
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
				os.MkdirAll(filepath.Join("testdata", "out"), 0o755)
				path := filepath.Join("testdata", "out", strings.ReplaceAll(t.Name()+"-"+name, " ", "_")+".png")
				if os.WriteFile(path, png, 0o644) == nil {
					t.Logf("screenshot: %s", path)
				}
			}
			loc, _ := chromedp.Run(shot, chromedp.Location())
			t.Fatalf("%s (at %s): %v", name, loc, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
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
	signedIn := chromedp.WaitVisible(chromedp.CSS(`nav.user a[href="/sessions"]`))
	signOut := func() {
		t.Helper()
		step("sign out",
			chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/password/forgot"]`)))
	}
	signInPassword := func(pw string) {
		t.Helper()
		step("sign in with the password",
			chromedp.Navigate(base+"/sign-in"),
			chromedp.WaitVisible(chromedp.CSS("#email")),
			chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("#code")))
	}

	step("sign up",
		chromedp.Navigate(base+"/sign-up"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".banner")))

	step("open the enrollment",
		chromedp.Navigate(base+"/security"),
		chromedp.WaitVisible(chromedp.CSS(`a.button[href="/security/two-factor"]`)),
		chromedp.Click(chromedp.CSS(`a.button[href="/security/two-factor"]`)),
		chromedp.WaitVisible(chromedp.CSS("#otp-secret")),
		chromedp.WaitVisible(chromedp.CSS("img.qr")))
	shoot("two-factor")
	secret, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS("#otp-secret")))
	if err != nil || secret == "" {
		t.Fatalf("secret on the page: %q, %v", secret, err)
	}
	// The QR code was drawn: the image loaded under the CSP.
	width, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelector("img.qr").naturalWidth`))
	if err != nil || width != 240 {
		t.Errorf("QR code image: natural width %d, %v (blocked by the CSP?)", width, err)
	}
	code, _ := totp.GenerateCode(secret, clock())
	step("confirm with a code",
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS(`form[action="/security/two-factor"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")))
	shoot("recovery-codes")
	codes := regexp.MustCompile(`[a-z2-7]{5}-[a-z2-7]{5}`).FindAllString(text("#recovery-codes"), -1)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes on the page", len(codes))
	}

	signOut()
	signInPassword(password)
	nextStep()
	code, _ = totp.GenerateCode(secret, clock())
	step("sign in with a code",
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		signedIn)

	signOut()
	signInPassword(password)
	step("sign in with a recovery code",
		chromedp.SendKeys(chromedp.CSS("#code"), codes[3]),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		signedIn,
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if f := text(".flash"); !strings.Contains(f, "recovery code") || !strings.Contains(f, "9 are left") {
		t.Errorf("flash after a recovery code: %q", f)
	}

	// A forgotten password.
	signOut()
	step("ask for a reset link",
		chromedp.Click(chromedp.CSS(`a[href="/password/forgot"]`)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	link := mailLink(t, waitMail(t, m, "ada@example.com", 2)) // after the verification mail
	if !strings.HasPrefix(link, "/password/reset?") {
		t.Fatalf("link in the reset mail: %q", link)
	}
	step("set a new password",
		chromedp.Navigate(base+link),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), "a brand new passphrase"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if f := text(".flash"); !strings.Contains(f, "Your password is changed") {
		t.Errorf("flash after the reset: %q", f)
	}
	signInPassword("a brand new passphrase")
	nextStep()
	code, _ = totp.GenerateCode(secret, clock())
	step("sign in after the reset",
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		signedIn)
}
