package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

// TestBrowserTeams drives the team pages in a real headless Chromium, with
// two people in two browser contexts: Ada creates a team, adds a domain and
// invites Bob; Bob signs up from the link in the mail (--signup invite)
// and sees the team's domain; Ada makes him read-only, then removes him.
func TestBrowserTeams(t *testing.T) {
	exe := chromium(t)
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m := &mail.Memory{}
	e := newEnv(t, web.Config{Mail: m, SignUp: web.SignUpInvite})
	e.user("ada@example.com")
	base := e.srv.URL

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 760))
	defer cancelAlloc()
	adaCtx, cancelAda := chromedp.NewContext(alloc)
	defer cancelAda()
	if err := chromedp.Do(adaCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// Bob has a browser context of his own: his own cookies.
	bobCtx, cancelBob := chromedp.NewContext(adaCtx, chromedp.WithNewBrowserContext())
	defer cancelBob()
	if err := chromedp.Do(bobCtx); err != nil {
		t.Fatalf("open bob's browser context: %v", err)
	}

	step := func(who context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(who, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			shot, cancelShot := context.WithTimeout(who, 5*time.Second)
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
	text := func(who context.Context, sel string) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(who, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			html, _ := chromedp.Run(who, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("text of %s: %v; the page's main:\n%s", sel, err, html)
		}
		return s
	}

	step(adaCtx, "sign in",
		chromedp.Navigate(base+"/sign-in"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a.button[href="/teams/new"]`)))
	step(adaCtx, "create a team",
		chromedp.Click(chromedp.CSS(`a.button[href="/teams/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#team-name")),
		chromedp.SendKeys(chromedp.CSS("#team-name"), "Ops"),
		chromedp.Clear(chromedp.CSS("#team-email")),
		chromedp.SendKeys(chromedp.CSS("#team-email"), "ops@example.com"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#invite-email")))
	loc, err := chromedp.Run(adaCtx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	mt := regexp.MustCompile(`/a/(\d+)/members$`).FindStringSubmatch(loc)
	if mt == nil {
		t.Fatalf("after creating the team: at %s", loc)
	}
	team := "/a/" + mt[1]

	step(adaCtx, "add a domain to the team",
		chromedp.Navigate(base+team+"/domains/new"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "example.com"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/records/new"]`)))

	step(adaCtx, "invite bob",
		chromedp.Navigate(base+team+"/members"),
		chromedp.WaitVisible(chromedp.CSS("#invite-email")),
		chromedp.SendKeys(chromedp.CSS("#invite-email"), "bob@example.com"),
		chromedp.SetValue(chromedp.CSS("#invite-role"), "member"),
		chromedp.Click(chromedp.CSS(`form[action="`+team+`/invitations"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if f := text(adaCtx, ".flash"); !strings.Contains(f, "Invitation sent to bob@example.com") {
		t.Errorf("flash after inviting: %q", f)
	}
	link, _ := lastInvitation(t, m, "bob@example.com")

	step(bobCtx, "bob opens the link and signs up",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), "bobs long passphrase"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+team+`/domains/example.com"]`)))
	if f := text(bobCtx, ".flash"); !strings.Contains(f, "You are a member of Ops") {
		t.Errorf("flash after signing up: %q", f)
	}
	step(bobCtx, "bob may add records", chromedp.WaitVisible(chromedp.CSS(`a.button[href="`+team+`/domains/new"]`)))
	bob, err := e.st.UserByEmail(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}

	memberForm := fmt.Sprintf(`form[action="%s/members/%d"]`, team, bob.ID)
	step(adaCtx, "make bob read-only",
		chromedp.Navigate(base+team+"/members"),
		chromedp.WaitVisible(chromedp.CSS(memberForm+" select")),
		chromedp.SetValue(chromedp.CSS(memberForm+" select"), "read-only"),
		chromedp.Click(chromedp.CSS(memberForm+" button")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if f := text(adaCtx, ".flash"); !strings.Contains(f, "bob@example.com is now a read-only member") {
		t.Errorf("flash after the role change: %q", f)
	}
	if r, err := e.st.Role(ctx, mustID(t, team), bob.ID); err != nil || r != store.RoleReadOnly {
		t.Errorf("bob's role: %q, %v", r, err)
	}
	step(bobCtx, "bob is read-only",
		chromedp.Navigate(base+team+"/domains"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+team+`/domains/example.com"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`a.button[href="`+team+`/domains/new"]`)))

	step(adaCtx, "remove bob",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action="%s/members/%d/remove"] button`, team, bob.ID))),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if f := text(adaCtx, ".flash"); !strings.Contains(f, "bob@example.com is no longer a member") {
		t.Errorf("flash after removal: %q", f)
	}
	step(bobCtx, "bob is out",
		chromedp.Navigate(base+team+"/domains"),
		chromedp.WaitVisible(chromedp.CSS("h1")))
	if h := text(bobCtx, "h1"); h != "Not found" {
		t.Errorf("bob on the team's domains after removal: %q", h)
	}

	step(adaCtx, "the team's activity",
		chromedp.Navigate(base+team+"/activity?action=member."),
		chromedp.WaitVisible(chromedp.CSS("ol.activity")))
	if a := text(adaCtx, "ol.activity"); !strings.Contains(a, "member.remove") || !strings.Contains(a, "member.update") {
		t.Errorf("activity: %q", a)
	}
}

func mustID(t *testing.T, accountPath string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(accountPath, "/a/%d", &id); err != nil {
		t.Fatal(err)
	}
	return id
}
