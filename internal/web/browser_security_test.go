package web_test

import (
	"context"
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
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := newChrome(t, ctx, 1100, 760)
	bctx := b.ctx
	m := &mail.Memory{}
	// The dashboard's clock moves on a TOTP step between sign-ins, as a
	// code works once: the test's codes are computed at the same clock.
	var skew atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	nextStep := func() { skew.Add(int64(30 * time.Second)) }
	e := newEnv(t, web.Config{Mail: m, Now: clock})
	base := e.srv.URL

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		b.step(bctx, name, actions...)
	}
	text := func(sel, want string) string {
		t.Helper()
		return b.text(bctx, sel, want)
	}
	shoot := func(name string) {
		t.Helper()
		b.shoot(bctx, name)
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
	codes := regexp.MustCompile(`[a-z2-7]{5}-[a-z2-7]{5}`).FindAllString(text("#recovery-codes", "-"), -1)
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
	if f := text(".flash", "recovery code"); !strings.Contains(f, "recovery code") || !strings.Contains(f, "9 are left") {
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
	link := mailLink(t, waitMailAbout(t, m, "ada@example.com", "Reset your Zonewarden password"))
	if !strings.HasPrefix(link, "/password/reset?") {
		t.Fatalf("link in the reset mail: %q", link)
	}
	step("set a new password",
		chromedp.Navigate(base+link),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), "a brand new passphrase"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if f := text(".flash", "Your password is changed"); !strings.Contains(f, "Your password is changed") {
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
