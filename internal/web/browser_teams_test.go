package web_test

import (
	"context"
	"fmt"
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
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := newChrome(t, ctx, 1100, 760)
	m := &mail.Memory{}
	e := newEnv(t, web.Config{Mail: m, SignUp: web.SignUpInvite})
	e.user("ada@example.com")
	base := e.srv.URL

	adaCtx := b.ctx
	// Bob has a browser context of his own: his own cookies.
	bobCtx := b.person()

	b.step(adaCtx, "sign in",
		chromedp.Navigate(base+"/sign-in"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a.button[href="/teams/new"]`)))
	b.step(adaCtx, "create a team",
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

	b.step(adaCtx, "add a domain to the team",
		chromedp.Navigate(base+team+"/domains/new"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), "example.com"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/records/new"]`)))

	b.step(adaCtx, "invite bob",
		chromedp.Navigate(base+team+"/members"),
		chromedp.WaitVisible(chromedp.CSS("#invite-email")),
		chromedp.SendKeys(chromedp.CSS("#invite-email"), "bob@example.com"),
		chromedp.SetValue(chromedp.CSS("#invite-role"), "member"),
		chromedp.Click(chromedp.CSS(`form[action="`+team+`/invitations"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if f := b.text(adaCtx, ".flash", "Invitation sent to bob@example.com"); !strings.Contains(f, "Invitation sent to bob@example.com") {
		t.Errorf("flash after inviting: %q", f)
	}
	link, _ := lastInvitation(t, m, "bob@example.com")

	b.step(bobCtx, "bob opens the link and signs up",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#password")))
	b.shoot(bobCtx, "invitation")
	b.step(bobCtx, "bob signs up",
		chromedp.SendKeys(chromedp.CSS("#password"), "bobs long passphrase"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+team+`/domains/example.com"]`)))
	if f := b.text(bobCtx, ".flash", "You are a member of Ops"); !strings.Contains(f, "You are a member of Ops") {
		t.Errorf("flash after signing up: %q", f)
	}
	b.step(bobCtx, "bob may add records", chromedp.WaitVisible(chromedp.CSS(`a.button[href="`+team+`/domains/new"]`)))
	bob, err := e.st.UserByEmail(ctx, "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}

	memberForm := fmt.Sprintf(`form[action="%s/members/%d"]`, team, bob.ID)
	b.step(adaCtx, "bob is a member",
		chromedp.Navigate(base+team+"/members"),
		chromedp.WaitVisible(chromedp.CSS(memberForm+" select")))
	b.shoot(adaCtx, "members")
	b.step(adaCtx, "make bob read-only",
		chromedp.SetValue(chromedp.CSS(memberForm+" select"), "read-only"),
		chromedp.Click(chromedp.CSS(memberForm+" button")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if f := b.text(adaCtx, ".flash", "bob@example.com is now a read-only member"); !strings.Contains(f, "bob@example.com is now a read-only member") {
		t.Errorf("flash after the role change: %q", f)
	}
	if r, err := e.st.Role(ctx, mustID(t, team), bob.ID); err != nil || r != store.RoleReadOnly {
		t.Errorf("bob's role: %q, %v", r, err)
	}
	b.step(bobCtx, "bob is read-only",
		chromedp.Navigate(base+team+"/domains"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+team+`/domains/example.com"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`a.button[href="`+team+`/domains/new"]`)))

	b.step(adaCtx, "remove bob",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action="%s/members/%d/remove"] button`, team, bob.ID))),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	if f := b.text(adaCtx, ".flash", "bob@example.com is no longer a member"); !strings.Contains(f, "bob@example.com is no longer a member") {
		t.Errorf("flash after removal: %q", f)
	}
	b.step(bobCtx, "bob is out",
		chromedp.Navigate(base+team+"/domains"),
		chromedp.WaitVisible(chromedp.CSS("h1")))
	if h := b.text(bobCtx, "h1", "Not found"); h != "Not found" {
		t.Errorf("bob on the team's domains after removal: %q", h)
	}

	b.step(adaCtx, "the team's activity",
		chromedp.Navigate(base+team+"/activity?action=member."),
		chromedp.WaitVisible(chromedp.CSS("ol.activity")))
	b.shoot(adaCtx, "activity")
	if a := b.text(adaCtx, "ol.activity", "member.remove"); !strings.Contains(a, "member.remove") || !strings.Contains(a, "member.update") {
		t.Errorf("activity: %q", a)
	}
	b.step(adaCtx, "home", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("ul.cards")))
	b.shoot(adaCtx, "accounts")
}

func mustID(t *testing.T, accountPath string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(accountPath, "/a/%d", &id); err != nil {
		t.Fatal(err)
	}
	return id
}
