package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/zonewarden/zonewarden/internal/web"
)

func TestSignUp(t *testing.T) {
	e := newEnv(t, web.Config{})
	b := e.browser()
	if r := b.get("/"); r.status != http.StatusSeeOther || r.location != "/sign-up" {
		t.Fatalf("GET / on a fresh installation: %d to %q, want /sign-up", r.status, r.location)
	}
	want(t, "sign-up page", b.get("/sign-up"), 200, "your user will administer this Zonewarden installation")

	for _, c := range []struct{ email, password, msg string }{
		{"ada@example.com", "short", "Use at least 10 characters"},
		{"ada@example.com", "Password123", "one of the most common ones"},
		{"not-an-email", password, "This is not an email address."},
		{"", password, "Enter your email address."},
	} {
		r := b.post("/sign-up", "/sign-up", url.Values{"email": {c.email}, "password": {c.password}})
		want(t, "sign up "+c.email+"/"+c.password, r, http.StatusUnprocessableEntity, c.msg, `aria-invalid="true"`)
	}
	pre := b.cookie("zw_pre")
	r := b.post("/sign-up", "/sign-up", url.Values{"email": {"ada@example.com"}, "password": {password}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/a/") {
		t.Fatalf("sign up: %d to %q", r.status, r.location)
	}
	if b.cookie("zw_session") == "" || b.cookie("zw_pre") != "" || pre == "" {
		t.Errorf("after sign-up: session %q, pre-session token %q (was %q)", b.cookie("zw_session"), b.cookie("zw_pre"), pre)
	}
	want(t, "first page", b.get(r.location), 200, "Welcome to Zonewarden", "This account has no domains yet", "Add your first domain")

	// Closed after the first user, by default.
	other := e.browser()
	want(t, "closed sign-up page", other.get("/sign-up"), http.StatusForbidden, "Sign-ups are closed")
	want(t, "closed sign-up", other.post("/sign-in", "/sign-up", url.Values{"email": {"bob@example.com"}, "password": {password}}),
		http.StatusForbidden, "Sign-ups are closed")
	if n, _ := e.st.UserCount(context.Background()); n != 1 {
		t.Errorf("%d users, want 1", n)
	}
}

func TestSignUpOpen(t *testing.T) {
	e := newEnv(t, web.Config{SignUp: web.SignUpOpen})
	e.user("ada@example.com")
	b := e.browser()
	r := b.post("/sign-up", "/sign-up", url.Values{"email": {"bob@example.com"}, "password": {password}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("open sign-up: %d %s", r.status, r.body)
	}
	r = e.browser().post("/sign-up", "/sign-up", url.Values{"email": {"BOB@example.com"}, "password": {password}})
	want(t, "taken email", r, http.StatusUnprocessableEntity, "has a user already")
}

func TestSignInAndOut(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b := e.browser()
	if r := b.get("/a/1/domains?q=x"); r.status != http.StatusSeeOther || r.location != "/sign-in?next=%2Fa%2F1%2Fdomains%3Fq%3Dx" {
		t.Fatalf("signed-out page: %d to %q", r.status, r.location)
	}
	want(t, "wrong password", b.post("/sign-in", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {"wrong password"}}),
		http.StatusUnauthorized, "The email address or the password is wrong.")
	r := b.post("/sign-in", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {password}, "next": {"/a/1/domains?q=x"}})
	if r.status != http.StatusSeeOther || r.location != "/a/1/domains?q=x" {
		t.Fatalf("sign in: %d to %q", r.status, r.location)
	}
	evil := []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example/login", "/\n/evil.example", "/a/\\/evil.example", "/\x7f/evil.example"}
	for _, next := range evil {
		c := e.browser()
		r := c.post("/sign-in", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {password}, "next": {next}})
		if r.location != "/" {
			t.Errorf("next=%q sent to %q, want /", next, r.location)
		}
	}
	first := b.cookie("zw_session")
	// Signing in again rotates the id and ends the old session.
	if r := b.post("/sessions", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {password}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign in again: %d", r.status)
	}
	if second := b.cookie("zw_session"); second == first || second == "" {
		t.Errorf("session id not rotated at sign-in: %q then %q", first, second)
	}
	want(t, "sessions page", b.get("/sessions"), 200, "this one", "Go-http-client")

	r = b.post("/sessions", "/sign-out", nil)
	if r.status != http.StatusSeeOther || r.location != "/sign-in" {
		t.Fatalf("sign out: %d to %q", r.status, r.location)
	}
	if r := b.get("/a/1/domains"); r.status != http.StatusSeeOther {
		t.Errorf("after sign-out: %d, want a redirect to sign in", r.status)
	}
	if list, _ := e.st.Sessions(context.Background(), 1); len(list) != len(evil) {
		// The browsers of the "next" cases are signed in still.
		t.Errorf("%d sessions left, want %d", len(list), len(evil))
	}
}

func TestSignInThrottled(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b := e.browser()
	for range 5 {
		b.post("/sign-in", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {"wrong password"}})
	}
	r := b.post("/sign-in", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {password}})
	want(t, "sign-in after 5 failures", r, http.StatusTooManyRequests, "Too many failed sign-ins", "15 minutes")
	// Another account from the same address may still sign in.
	e.user("bob@example.com")
	b.signIn("bob@example.com")
}

func TestSecondFactor(t *testing.T) {
	e := newEnv(t, web.Config{})
	u, _ := e.user("ada@example.com")
	secret := "JBSWY3DPEHPK3PXP"
	if err := e.st.SetOTPSecret(context.Background(), u.ID, secret); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	r := b.post("/sign-in", "/sign-in", url.Values{"email": {"ada@example.com"}, "password": {password}})
	if r.status != http.StatusSeeOther || r.location != "/sign-in/code" {
		t.Fatalf("sign in with 2FA: %d to %q", r.status, r.location)
	}
	pending := b.cookie("zw_session")
	if r := b.get("/a/1/domains"); r.location != "/sign-in/code" {
		t.Errorf("page before the code: %d to %q, want /sign-in/code", r.status, r.location)
	}
	want(t, "wrong code", b.post("/sign-in/code", "/sign-in/code", url.Values{"code": {"000000"}}), http.StatusUnauthorized, "This code is wrong")
	code, _ := totp.GenerateCode(secret, time.Now())
	r = b.post("/sign-in/code", "/sign-in/code", url.Values{"code": {code}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("right code: %d %s", r.status, r.body)
	}
	if now := b.cookie("zw_session"); now == pending || now == "" {
		t.Errorf("session id not rotated after the code")
	}
	want(t, "domains after 2FA", b.get("/a/1/domains"), 200, "Domains")
	// The pending session's id no longer works.
	old := e.browser()
	u2, _ := url.Parse(e.srv.URL)
	old.c.Jar.SetCookies(u2, []*http.Cookie{{Name: "zw_session", Value: pending}})
	if r := old.get("/a/1/domains"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/sign-in?") {
		t.Errorf("pending session id after rotation: %d to %q", r.status, r.location)
	}
}

func TestCSRFAndHeaders(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b := e.browser()
	b.signIn("ada@example.com")

	r := b.post("/a/1/domains", "/a/1/domains", url.Values{"name": {"example.com"}, "csrf": {"forged"}})
	want(t, "wrong CSRF token", r, http.StatusForbidden, "This form has expired")

	req, _ := http.NewRequest("POST", e.srv.URL+"/a/1/domains", strings.NewReader("name=example.com&csrf="+url.QueryEscape(b.csrf("/a/1/domains"))))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	want(t, "cross-site POST", b.do(req), http.StatusForbidden, "sent from another site")

	r = b.get("/a/1/domains")
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	if r.header.Get("X-Frame-Options") != "DENY" || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", r.header)
	}
	if strings.Contains(r.body, "<script") || strings.Contains(r.body, " style=") {
		t.Error("a page has inline script or style")
	}

	// Cookies: HttpOnly and SameSite=Lax; Secure with the __Host- prefix
	// when configured.
	s := newEnv(t, web.Config{SecureCookies: true})
	resp, err := http.Get(s.srv.URL + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	set := resp.Header.Get("Set-Cookie")
	for _, part := range []string{"__Host-zw_pre=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(set, part) {
			t.Errorf("Set-Cookie %q lacks %s", set, part)
		}
	}
}
