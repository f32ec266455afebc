package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

var (
	secretRE   = regexp.MustCompile(`id="otp-secret" class="secret" readonly value="([A-Z2-7]+)"`)
	recoveryRE = regexp.MustCompile(`<code>([a-z2-7]{5}-[a-z2-7]{5})</code>`)
	linkRE     = regexp.MustCompile(`(/[a-z/-]+)\?token=(\S+)`)
)

// enroll turns 2FA on for b's user through the pages, and returns the
// secret and the recovery codes.
func (b *browser) enroll() (string, []string) {
	t := b.e.t
	t.Helper()
	r := b.get("/security/two-factor")
	m := secretRE.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("enrollment page: %d, no secret:\n%.1500s", r.status, r.body)
	}
	code, _ := totp.GenerateCode(m[1], time.Now())
	r = b.post("/security", "/security/two-factor", url.Values{"code": {code}})
	codes := recoveryRE.FindAllStringSubmatch(r.body, -1)
	if r.status != 200 || len(codes) != store.RecoveryCodeCount {
		t.Fatalf("confirm enrollment: %d, %d codes:\n%.1500s", r.status, len(codes), r.body)
	}
	var out []string
	for _, c := range codes {
		out = append(out, c[1])
	}
	return m[1], out
}

// signInWithCode signs in with the password and then code.
func (b *browser) signInWithCode(email, code string) response {
	t := b.e.t
	t.Helper()
	r := b.post("/sign-in", "/sign-in", url.Values{"email": {email}, "password": {password}})
	if r.status != http.StatusSeeOther || r.location != "/sign-in/code" {
		t.Fatalf("sign in %s: %d to %q", email, r.status, r.location)
	}
	return b.post("/sign-in/code", "/sign-in/code", url.Values{"code": {code}})
}

func TestTwoFactorEnrollment(t *testing.T) {
	e := newEnv(t, web.Config{})
	ctx := context.Background()
	ada, _ := e.user("ada@example.com")
	b, elsewhere := e.browser(), e.browser()
	b.signIn("ada@example.com")
	elsewhere.signIn("ada@example.com")
	want(t, "security page", b.get("/security"), 200, "Turn on two-factor authentication", "<span class=\"badge\">off</span>")

	// Each visit is a new secret, as text and as a QR code in a data: URL,
	// which the CSP's img-src allows without any script.
	r := b.get("/security/two-factor")
	want(t, "enrollment page", r, 200, `<img class="qr" src="data:image/png;base64,iVBOR`)
	csp := r.header.Get("Content-Security-Policy")
	if !regexp.MustCompile(`img-src [^;]*data:`).MatchString(csp) || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q: the QR code needs img-src data:, and nothing inline", csp)
	}
	first := secretRE.FindStringSubmatch(r.body)[1]
	r = b.get("/security/two-factor")
	second := secretRE.FindStringSubmatch(r.body)[1]
	if first == second {
		t.Errorf("the same secret was shown twice")
	}
	if u, _ := e.st.User(ctx, ada.ID); u.OTPSecret != "" {
		t.Fatal("2FA on before a code confirmed it")
	}

	// A code of the first, replaced secret, and a wrong code, are refused;
	// the page that says so does not show the secret again.
	old, _ := totp.GenerateCode(first, time.Now())
	r = b.post("/security", "/security/two-factor", url.Values{"code": {old}})
	want(t, "code of a replaced secret", r, http.StatusUnprocessableEntity, "This code is wrong")
	if strings.Contains(r.body, second) {
		t.Error("the secret is shown again after a wrong code")
	}
	want(t, "forged CSRF", b.post("/security", "/security/two-factor", url.Values{"code": {"123456"}, "csrf": {"forged"}}), http.StatusForbidden, "This form has expired")

	before := b.cookie("zw_session")
	code, _ := totp.GenerateCode(second, time.Now())
	r = b.post("/security", "/security/two-factor", url.Values{"code": {code}})
	want(t, "confirm", r, 200, "Your recovery codes", "shown only this once")
	codes := recoveryRE.FindAllStringSubmatch(r.body, -1)
	if len(codes) != store.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	if after := b.cookie("zw_session"); after == before || after == "" {
		t.Error("session id not rotated when 2FA was turned on")
	}
	if u, _ := e.st.User(ctx, ada.ID); u.OTPSecret != second {
		t.Error("2FA not on after confirmation")
	}
	// Codes are shown once; the other browser is signed out.
	r = b.get("/security")
	want(t, "security page with 2FA", r, 200, `<strong id="codes-left">10</strong>`, "Turn two-factor authentication off")
	if strings.Contains(r.body, codes[0][1]) || strings.Contains(r.body, second) {
		t.Error("a recovery code or the secret is shown again")
	}
	if r := elsewhere.get("/security"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/sign-in") {
		t.Errorf("another session after 2FA was turned on: %d to %q", r.status, r.location)
	}

	// Sign in with a recovery code, once.
	c := e.browser()
	r = c.signInWithCode("ada@example.com", strings.ToUpper(codes[0][1]))
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign in with a recovery code: %d %s", r.status, r.body)
	}
	want(t, "after a recovery code", c.get("/security"), 200, "You signed in with a recovery code", `<strong id="codes-left">9</strong>`)
	want(t, "a used recovery code", e.browser().signInWithCode("ada@example.com", codes[0][1]), http.StatusUnauthorized, "This code is wrong")

	// New codes replace the old ones.
	r = b.post("/security", "/security/recovery-codes", nil)
	fresh := recoveryRE.FindAllStringSubmatch(r.body, -1)
	if r.status != 200 || len(fresh) != store.RecoveryCodeCount {
		t.Fatalf("regenerate: %d, %d codes", r.status, len(fresh))
	}
	want(t, "an old recovery code", e.browser().signInWithCode("ada@example.com", codes[1][1]), http.StatusUnauthorized)

	// Turning it off takes the password or a code.
	want(t, "disable without proof", b.post("/security", "/security/two-factor/disable", nil), http.StatusUnprocessableEntity, "Enter your password or a code")
	want(t, "disable, wrong password", b.post("/security", "/security/two-factor/disable", url.Values{"password": {"wrong password"}}), http.StatusUnauthorized, "Two-factor authentication is still on")
	// The code that turned 2FA on does not work again; the next one does.
	want(t, "disable with the enrollment's code", b.post("/security", "/security/two-factor/disable", url.Values{"code": {code}}), http.StatusUnauthorized)
	code, _ = totp.GenerateCode(second, time.Now().Add(30*time.Second))
	if r := b.post("/security", "/security/two-factor/disable", url.Values{"code": {code}}); r.status != http.StatusSeeOther {
		t.Fatalf("disable with a code: %d %s", r.status, r.body)
	}
	if u, _ := e.st.User(ctx, ada.ID); u.OTPSecret != "" {
		t.Error("2FA still on")
	}
	want(t, "a recovery code after disabling", b.post("/security", "/security/two-factor/disable", url.Values{"code": {fresh[0][1]}}), http.StatusSeeOther)
	if n, _ := e.st.RecoveryCodesLeft(ctx, ada.ID); n != 0 {
		t.Errorf("%d recovery codes left after disabling", n)
	}

	// With the password, too.
	b.enroll()
	if r := b.post("/security", "/security/two-factor/disable", url.Values{"password": {password}}); r.status != http.StatusSeeOther {
		t.Errorf("disable with the password: %d", r.status)
	}
}

// TestSecurityUnauthorized: signed out, every page and action sends to
// sign in and changes nothing; a pending session (password without code)
// is sent to the code step.
func TestSecurityUnauthorized(t *testing.T) {
	e := newEnv(t, web.Config{})
	ada, _ := e.user("ada@example.com")
	e.st.SetOTPSecret(context.Background(), ada.ID, "JBSWY3DPEHPK3PXP")
	anon, pending := e.browser(), e.browser()
	pending.post("/sign-in", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {password}})
	for _, p := range []string{"/security", "/security/two-factor", "/a/1/security"} {
		if r := anon.get(p); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/sign-in?next=") {
			t.Errorf("signed-out GET %s: %d to %q", p, r.status, r.location)
		}
		if r := pending.get(p); r.status != http.StatusSeeOther || r.location != "/sign-in/code" {
			t.Errorf("pending GET %s: %d to %q", p, r.status, r.location)
		}
	}
	for _, p := range []string{"/security/password", "/security/two-factor", "/security/two-factor/disable", "/security/recovery-codes", "/security/verify-email", "/a/1/security"} {
		form := url.Values{"password": {password}, "current": {password}, "code": {"123456"}, "require_2fa": {"on"}}
		if r := anon.post("/sign-in", p, cloneForm(form)); r.status != http.StatusSeeOther || r.location != "/sign-in" {
			t.Errorf("signed-out POST %s: %d to %q", p, r.status, r.location)
		}
		if r := pending.post("/sign-in/code", p, cloneForm(form)); r.status != http.StatusSeeOther || r.location != "/sign-in/code" {
			t.Errorf("pending POST %s: %d to %q", p, r.status, r.location)
		}
		form.Set("csrf", "forged")
		want(t, "forged POST "+p, pending.post("", p, form), http.StatusForbidden, "This form has expired")
	}
	if u, _ := e.st.User(context.Background(), ada.ID); u.OTPSecret != "JBSWY3DPEHPK3PXP" {
		t.Error("2FA changed by the walk")
	}
	if on, _ := e.st.TwoFactorRequired(context.Background(), 1); on {
		t.Error("requirement changed by the walk")
	}
}

// TestSignInCodeReplay: a code that signed in does not sign in again.
func TestSignInCodeReplay(t *testing.T) {
	e := newEnv(t, web.Config{})
	ada, _ := e.user("ada@example.com")
	e.st.SetOTPSecret(context.Background(), ada.ID, "JBSWY3DPEHPK3PXP")
	code := mustCode(t, "JBSWY3DPEHPK3PXP")
	if r := e.browser().signInWithCode("ada@example.com", code); r.status != http.StatusSeeOther {
		t.Fatalf("first use: %d", r.status)
	}
	want(t, "the same code again", e.browser().signInWithCode("ada@example.com", code), http.StatusUnauthorized, "This code is wrong")
	// Nor an earlier one.
	earlier, _ := totp.GenerateCode("JBSWY3DPEHPK3PXP", time.Now().Add(-30*time.Second))
	want(t, "an earlier code", e.browser().signInWithCode("ada@example.com", earlier), http.StatusUnauthorized)
	later, _ := totp.GenerateCode("JBSWY3DPEHPK3PXP", time.Now().Add(30*time.Second))
	if r := e.browser().signInWithCode("ada@example.com", later); r.status != http.StatusSeeOther {
		t.Errorf("the next code: %d", r.status)
	}
}

func TestSignInCodeThrottled(t *testing.T) {
	e := newEnv(t, web.Config{})
	ada, _ := e.user("ada@example.com")
	e.st.SetOTPSecret(context.Background(), ada.ID, "JBSWY3DPEHPK3PXP")
	b := e.browser()
	b.post("/sign-in", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {password}})
	for range 5 {
		want(t, "wrong code", b.post("/sign-in/code", "/sign-in/code", url.Values{"code": {"000000"}}), http.StatusUnauthorized)
	}
	code, _ := totp.GenerateCode("JBSWY3DPEHPK3PXP", time.Now())
	want(t, "right code after 5 wrong ones", b.post("/sign-in/code", "/sign-in/code", url.Values{"code": {code}}), http.StatusTooManyRequests, "Too many wrong codes", "15 minutes")
	// The password step counts them too.
	want(t, "password after 5 wrong codes", e.browser().post("/sign-in", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {password}}),
		http.StatusTooManyRequests, "Too many failed sign-ins", "reset your password")
}

func TestPasswordChange(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b, elsewhere := e.browser(), e.browser()
	b.signIn("ada@example.com")
	elsewhere.signIn("ada@example.com")
	const newPassword = "a brand new passphrase"
	want(t, "wrong current", b.post("/security", "/security/password", url.Values{"current": {"wrong password"}, "password": {newPassword}}),
		http.StatusUnauthorized, "This is not your current password", `aria-invalid="true"`)
	want(t, "short", b.post("/security", "/security/password", url.Values{"current": {password}, "password": {"short"}}),
		http.StatusUnprocessableEntity, "Use at least 10 characters")
	want(t, "common", b.post("/security", "/security/password", url.Values{"current": {password}, "password": {"Password123"}}),
		http.StatusUnprocessableEntity, "one of the most common ones")
	r := b.post("/security", "/security/password", url.Values{"current": {password}, "password": {newPassword}})
	if r.status != http.StatusSeeOther || r.location != "/security" {
		t.Fatalf("change: %d to %q", r.status, r.location)
	}
	want(t, "after the change", b.get("/security"), 200, "Your password is changed")
	if r := elsewhere.get("/security"); r.status != http.StatusSeeOther {
		t.Errorf("the other session after a change: %d, want signed out", r.status)
	}
	if _, err := e.st.UserByPassword(context.Background(), "ada@example.com", newPassword); err != nil {
		t.Errorf("new password: %v", err)
	}
}

// waitMail waits for the mail number n (from 1) to addr.
func waitMail(t *testing.T, m *mail.Memory, addr string, n int) mail.Message {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var got []mail.Message
		for _, msg := range m.Sent() {
			if msg.To == addr {
				got = append(got, msg)
			}
		}
		if len(got) >= n {
			return got[n-1]
		}
	}
	t.Fatalf("no mail %d to %s", n, addr)
	return mail.Message{}
}

// waitMailAbout waits for a mail to addr whose subject is subject, and
// returns the latest.
func waitMailAbout(t *testing.T, m *mail.Memory, addr, subject string) mail.Message {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var last *mail.Message
		for _, msg := range m.Sent() {
			if msg.To == addr && msg.Subject == subject {
				last = &msg
			}
		}
		if last != nil {
			return *last
		}
	}
	t.Fatalf("no mail %q to %s", subject, addr)
	return mail.Message{}
}

// mailLink is the path and query of the link in a mail.
func mailLink(t *testing.T, m mail.Message) string {
	t.Helper()
	l := linkRE.FindStringSubmatch(m.Body)
	if l == nil {
		t.Fatalf("no link in %q", m.Body)
	}
	return l[0]
}

func TestPasswordReset(t *testing.T) {
	mem := &mail.Memory{}
	e := newEnv(t, web.Config{Mail: mem, PublicURL: "https://dns.example.com"})
	ada, _ := e.user("ada@example.com")
	e.st.SetOTPSecret(context.Background(), ada.ID, "JBSWY3DPEHPK3PXP")
	signedIn := e.browser()
	signedIn.signInWithCode("ada@example.com", mustCode(t, "JBSWY3DPEHPK3PXP"))

	b := e.browser()
	want(t, "sign-in links to reset", b.get("/sign-in"), 200, `href="/password/forgot"`)
	want(t, "forgot page", b.get("/password/forgot"), 200, "Send me a link")
	want(t, "no address", b.post("/password/forgot", "/password/forgot", url.Values{"email": {""}}), http.StatusUnprocessableEntity, "Enter the email address")

	// The same answer whether or not the address has a user.
	known := b.post("/password/forgot", "/password/forgot", url.Values{"email": {"ada@example.com"}})
	unknown := b.post("/password/forgot", "/password/forgot", url.Values{"email": {"nobody@example.com"}})
	want(t, "known address", known, 200, "If <strong>ada@example.com</strong> has a user here")
	if strings.ReplaceAll(known.body, "ada@", "x@") != strings.ReplaceAll(unknown.body, "nobody@", "x@") || known.status != unknown.status {
		t.Errorf("the answers differ for a known and an unknown address")
	}
	msg := waitMail(t, mem, "ada@example.com", 1)
	if !strings.Contains(msg.Body, "https://dns.example.com/password/reset?token=") {
		t.Errorf("reset mail: %q", msg.Body)
	}
	time.Sleep(50 * time.Millisecond)
	if _, ok := mem.Last("nobody@example.com"); ok {
		t.Error("a mail went to an address without a user")
	}
	link := mailLink(t, msg)
	want(t, "reset page", b.get(link), 200, "Choose a new password", "ada@example.com")
	want(t, "made-up link", b.get("/password/reset?token=made-up"), http.StatusNotFound, "This link does not work")
	token, _ := url.QueryUnescape(strings.SplitN(link, "token=", 2)[1])
	want(t, "weak password", b.post(link, "/password/reset", url.Values{"token": {token}, "password": {"password123"}}), http.StatusUnprocessableEntity, "one of the most common ones")
	want(t, "forged CSRF", b.post(link, "/password/reset", url.Values{"token": {token}, "password": {"a brand new passphrase"}, "csrf": {"forged"}}), http.StatusForbidden)
	r := b.post(link, "/password/reset", url.Values{"token": {token}, "password": {"a brand new passphrase"}})
	if r.status != http.StatusSeeOther || r.location != "/sign-in" {
		t.Fatalf("reset: %d to %q: %s", r.status, r.location, r.body)
	}
	want(t, "sign-in after reset", b.get("/sign-in"), 200, "Your password is changed")
	if r := signedIn.get("/security"); r.status != http.StatusSeeOther {
		t.Errorf("a session after the reset: %d, want signed out", r.status)
	}
	want(t, "link used twice", b.post("/sign-in", "/password/reset", url.Values{"token": {token}, "password": {"another new passphrase"}}), http.StatusNotFound, "This link does not work")
	// Signing in still asks for the second factor.
	r = b.post("/sign-in", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {"a brand new passphrase"}})
	if r.status != http.StatusSeeOther || r.location != "/sign-in/code" {
		t.Errorf("sign in with the new password: %d to %q", r.status, r.location)
	}

	// Throttled per address asked for.
	c := e.browser()
	for range 2 {
		want(t, "ask again", c.post("/password/forgot", "/password/forgot", url.Values{"email": {"ada@example.com"}}), 200)
	}
	want(t, "fourth ask", c.post("/password/forgot", "/password/forgot", url.Values{"email": {"ada@example.com"}}), http.StatusTooManyRequests, "Too many reset links")
}

func mustCode(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEmailVerification(t *testing.T) {
	mem := &mail.Memory{}
	e := newEnv(t, web.Config{Mail: mem, SignUp: web.SignUpOpen})
	ctx := context.Background()
	b := e.browser()
	r := b.post("/sign-up", "/sign-up", url.Values{"email": {"ada@example.com"}, "password": {password}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign up: %d", r.status)
	}
	first := waitMail(t, mem, "ada@example.com", 1)
	if first.Subject != "Verify your email address for Zonewarden" {
		t.Errorf("subject %q", first.Subject)
	}
	want(t, "banner", b.get(r.location), 200, `class="banner"`, "Verify your email address")
	want(t, "security page", b.get("/security"), 200, "not verified", "Send the link again")

	// Unverified users may not invite people nor join teams.
	ada, _ := e.st.UserByEmail(ctx, "ada@example.com")
	team, err := e.st.CreateTeam(ctx, store.Actor{UserID: &ada.ID, Label: ada.Email}, ada.ID, "ops@example.com", "ops@example.com")
	if err != nil {
		t.Fatal(err)
	}
	invite := fmt.Sprintf("/a/%d/invitations", team.ID)
	want(t, "unverified invites", b.post("/security", invite, url.Values{"email": {"bob@example.com"}, "role": {"member"}}), http.StatusForbidden, "Verify your email address before inviting people")
	bob, _ := e.user("bob@example.com")
	bobTeam, err := e.st.CreateTeam(ctx, store.Actor{UserID: &bob.ID}, bob.ID, "Bob's", "bobteam@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := e.st.CreateInvitation(ctx, store.Actor{UserID: &bob.ID}, bobTeam.ID, "ada@example.com", store.RoleMember, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "unverified joins", b.post("/security", "/invitation/accept", url.Values{"token": {token}}), http.StatusForbidden, "before joining a team")

	// A new link replaces the first.
	if r := b.post("/security", "/security/verify-email", nil); r.status != http.StatusSeeOther {
		t.Fatalf("resend: %d", r.status)
	}
	second := waitMail(t, mem, "ada@example.com", 2)
	want(t, "first link", b.get(mailLink(t, first)), http.StatusNotFound, "This link does not work")
	link := mailLink(t, second)
	// The link works in any browser: it proves the mailbox, not the session.
	other := e.browser()
	want(t, "verify page", other.get(link), 200, "Verify my address", "ada@example.com")
	tok, _ := url.QueryUnescape(strings.SplitN(link, "token=", 2)[1])
	if r := other.post(link, "/verify-email", url.Values{"token": {tok}}); r.status != http.StatusSeeOther {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	if u, _ := e.st.User(ctx, ada.ID); u.EmailVerifiedAt == nil {
		t.Fatal("not verified")
	}
	if r := b.get("/security"); strings.Contains(r.body, `class="banner"`) || !strings.Contains(r.body, ">verified<") {
		t.Errorf("banner after verification:\n%.1500s", r.body)
	}
	want(t, "link used twice", other.post("/sign-in", "/verify-email", url.Values{"token": {tok}}), http.StatusNotFound)
	if r := b.post("/security", invite, url.Values{"email": {"bob@example.com"}, "role": {"member"}}); r.status != http.StatusSeeOther {
		t.Errorf("verified invites: %d %s", r.status, r.body)
	}
}

func TestVerificationResendThrottled(t *testing.T) {
	mem := &mail.Memory{}
	e := newEnv(t, web.Config{Mail: mem})
	b := e.browser()
	b.post("/sign-up", "/sign-up", url.Values{"email": {"ada@example.com"}, "password": {password}})
	for range 3 {
		b.post("/security", "/security/verify-email", nil)
	}
	b.post("/security", "/security/verify-email", nil)
	want(t, "fourth resend", b.get("/security"), 200, "We sent you several links already")
	waitMail(t, mem, "ada@example.com", 4) // the sign-up's and three more
	time.Sleep(50 * time.Millisecond)
	if n := len(mem.Sent()); n != 4 {
		t.Errorf("%d mails, want 4", n)
	}
}

func TestRequireTwoFactor(t *testing.T) {
	e := newEnv(t, web.Config{})
	ctx := context.Background()
	ada, _ := e.user("ada@example.com")
	bob, bobAcct := e.user("bob@example.com")
	carol, _ := e.user("carol@example.com")
	e.user("dan@example.com")
	team, err := e.st.CreateTeam(ctx, store.Actor{UserID: &ada.ID, Label: ada.Email}, ada.ID, "ops@example.com", "ops@example.com")
	if err != nil {
		t.Fatal(err)
	}
	e.st.AddMember(ctx, team.ID, bob.ID, store.RoleMember)
	e.st.AddMember(ctx, team.ID, carol.ID, store.RoleReadOnly)
	a := fmt.Sprintf("/a/%d", team.ID)
	adaB, bobB, carolB, danB := e.browser(), e.browser(), e.browser(), e.browser()
	adaB.signIn("ada@example.com")
	bobB.signIn("bob@example.com")
	carolB.signIn("carol@example.com")
	danB.signIn("dan@example.com")

	want(t, "settings page", adaB.get(a+"/security"), 200, "not required", `name="require_2fa"`)
	want(t, "require without 2FA oneself", adaB.post(a+"/security", a+"/security", url.Values{"require_2fa": {"on"}}), http.StatusConflict, "Turn on two-factor authentication for yourself first")
	adaB.enroll()
	if r := adaB.post(a+"/security", a+"/security", url.Values{"require_2fa": {"on"}}); r.status != http.StatusSeeOther {
		t.Fatalf("require: %d %s", r.status, r.body)
	}
	want(t, "settings page, required", adaB.get(a+"/security"), 200, ">required<")
	want(t, "the owner's pages", adaB.get(a+"/domains"), 200)

	// A member without 2FA is sent to turn it on, on every page of the
	// account, and comes back afterwards; other accounts are open.
	bobB.get(a + "/domains")
	want(t, "the flash", bobB.get("/security/two-factor"), 200, "This account requires two-factor authentication")
	for _, p := range []string{a + "/domains", a + "/tokens", a + "/security"} {
		if r := bobB.get(p); r.status != http.StatusSeeOther || r.location != "/security/two-factor?next="+url.QueryEscape(p) {
			t.Errorf("member without 2FA GET %s: %d to %q", p, r.status, r.location)
		}
	}
	if r := bobB.post("/security", a+"/domains", url.Values{"name": {"example.org"}}); r.status != http.StatusSeeOther || r.location != "/security/two-factor" {
		t.Errorf("member without 2FA POST: %d to %q", r.status, r.location)
	}
	want(t, "the member's own account", bobB.get(fmt.Sprintf("/a/%d/domains", bobAcct.ID)), 200)
	// An outsider gets the 404 of any account not theirs.
	want(t, "outsider", danB.get(a+"/domains"), http.StatusNotFound)

	_, _ = bobB.enroll()
	want(t, "member with 2FA", bobB.get(a+"/domains"), 200)
	want(t, "member may not change the setting", bobB.post(a+"/security", a+"/security", nil), http.StatusForbidden, "Only the owners and admins")
	e.st.SetOTPSecret(ctx, carol.ID, "JBSWY3DPEHPK3PXP")
	want(t, "read-only member", carolB.post(a+"/security", a+"/security", nil), http.StatusForbidden)
	want(t, "outsider POST", danB.post("/security", a+"/security", nil), http.StatusNotFound)
	if on, _ := e.st.TwoFactorRequired(ctx, team.ID); !on {
		t.Error("the requirement was turned off by someone who may not")
	}
	// The owner turns it off.
	if r := adaB.post(a+"/security", a+"/security", nil); r.status != http.StatusSeeOther {
		t.Errorf("turn off: %d", r.status)
	}
	if on, _ := e.st.TwoFactorRequired(ctx, team.ID); on {
		t.Error("still required")
	}
	want(t, "security page lists the team", adaB.get("/security"), 200, a+"/security")
}

// TestSecurityNotices: a change to what guards an account is mailed to its
// user, without a secret or a link that acts.
func TestSecurityNotices(t *testing.T) {
	mem := &mail.Memory{}
	e := newEnv(t, web.Config{Mail: mem, PublicURL: "https://dns.example.com"})
	e.user("ada@example.com")
	b := e.browser()
	b.signIn("ada@example.com")
	b.enroll()
	if r := b.post("/security", "/security/recovery-codes", nil); r.status != 200 {
		t.Fatalf("regenerate: %d", r.status)
	}
	if r := b.post("/security", "/security/two-factor/disable", url.Values{"password": {password}}); r.status != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	const newPassword = "a brand new passphrase 42"
	if r := b.post("/security", "/security/password", url.Values{"current": {password}, "password": {newPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("change password: %d %s", r.status, r.body)
	}
	waitMail(t, mem, "ada@example.com", 4) // mailed in the background: in any order
	for i, about := range []string{
		"two-factor authentication was turned on",
		"new recovery codes were made",
		"two-factor authentication was turned off",
		"your password was changed",
	} {
		var m mail.Message
		for _, msg := range mem.Sent() {
			if strings.Contains(msg.Subject, about) {
				m = msg
			}
		}
		if !strings.Contains(m.Subject, about) || !strings.Contains(m.Body, "https://dns.example.com/password/forgot") ||
			!strings.Contains(m.Body, "from the address 127.0.0.1") {
			t.Errorf("notice %d: %q\n%s", i+1, m.Subject, m.Body)
		}
		if strings.Contains(m.Body, password) || strings.Contains(m.Body, newPassword) || linkRE.MatchString(m.Body) {
			t.Errorf("notice %d holds a password or a link with a token:\n%s", i+1, m.Body)
		}
	}
}
