package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

// TestAuthorization walks every page and action of an account as its
// owner, as an outsider (404: the account might not exist) and as a
// read-only member (pages yes, writes 403), and signed out (to sign in).
func TestAuthorization(t *testing.T) {
	e := newEnv(t, web.Config{})
	ctx := context.Background()
	ada, acct := e.user("ada@example.com")
	e.user("bob@example.com")
	carol, _ := e.user("carol@example.com")
	if err := e.st.AddMember(ctx, acct.ID, carol.ID, store.RoleReadOnly); err != nil {
		t.Fatal(err)
	}
	actor := store.Actor{UserID: &ada.ID}
	if _, err := e.st.CreateDomain(ctx, actor, acct.ID, "example.com"); err != nil {
		t.Fatal(err)
	}
	rec, err := e.st.CreateRecord(ctx, actor, acct.ID, "example.com", store.RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := e.st.CreateToken(ctx, store.NewToken{AccountID: acct.ID, Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	a := fmt.Sprintf("/a/%d", acct.ID)
	d := a + "/domains/example.com"
	r := fmt.Sprintf("%s/records/%d", d, rec.ID)
	pages := []string{a + "/domains", d, d + "/zone-file", d + "/name-servers", d + "/records/new", r + "/edit", r + "/delete", d + "/delete", a + "/domains/new", a + "/tokens"}
	writePages := map[string]bool{d + "/records/new": true, r + "/edit": true, r + "/delete": true, d + "/delete": true, a + "/domains/new": true}
	actions := []struct {
		path string
		form url.Values
	}{
		{a + "/domains", url.Values{"name": {"example.org"}}},
		{d + "/delete", nil},
		{d + "/deactivate", nil},
		{d + "/activate", nil},
		{d + "/name-servers", url.Values{"ns_names": {"ns1.example.net"}}},
		{d + "/name-servers", url.Values{"defaults": {"1"}}},
		{d + "/records", url.Values{"type": {"A"}, "name": {"x"}, "content": {"192.0.2.2"}}},
		{r, url.Values{"name": {"www"}, "content": {"192.0.2.3"}}},
		{r + "/delete", nil},
		{a + "/tokens", url.Values{"kind": {"user"}, "name": {"mine"}}},
		{fmt.Sprintf("%s/tokens/%d/revoke", a, tok.ID), nil},
	}
	bob, carolB, anon := e.browser(), e.browser(), e.browser()
	bob.signIn("bob@example.com")
	carolB.signIn("carol@example.com")

	for _, p := range pages {
		want(t, "outsider GET "+p, bob.get(p), http.StatusNotFound, "Not found")
		status := http.StatusOK
		if writePages[p] {
			status = http.StatusForbidden
		}
		want(t, "read-only GET "+p, carolB.get(p), status)
		if r := anon.get(p); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/sign-in?next=") {
			t.Errorf("signed-out GET %s: %d to %q", p, r.status, r.location)
		}
	}
	// A read-only member sees no write buttons.
	for _, p := range []string{a + "/domains", d, a + "/tokens"} {
		body := carolB.get(p).body
		for _, link := range []string{"/records/new", "/edit", "/delete", "Create a token", "Add a domain"} {
			if strings.Contains(body, link) {
				t.Errorf("read-only %s shows %q", p, link)
			}
		}
	}
	for _, act := range actions {
		form := act.form
		if form == nil {
			form = url.Values{}
		}
		want(t, "outsider POST "+act.path, bob.post("/sessions", act.path, cloneForm(form)), http.StatusNotFound)
		want(t, "read-only POST "+act.path, carolB.post("/sessions", act.path, cloneForm(form)), http.StatusForbidden, "read-only member")
		// Signed out, the pre-session token gets through CSRF and the
		// page sends to sign in.
		if r := anon.post("/sign-in", act.path, cloneForm(form)); r.status != http.StatusSeeOther || r.location != "/sign-in" {
			t.Errorf("signed-out POST %s: %d to %q", act.path, r.status, r.location)
		}
	}
	// Nothing changed.
	if z, err := e.st.Zone(ctx, acct.ID, "example.com"); err != nil || !z.Active {
		t.Errorf("zone after the walk: %+v, %v", z, err)
	}
	if ns := systemNS(t, e.st, acct.ID, "example.com"); len(ns) != 2 || ns[0] != "ns1.zonewarden.test" {
		t.Errorf("name servers after the walk: %v", ns)
	}
	if got, err := e.st.Record(ctx, acct.ID, "example.com", rec.ID); err != nil || got.Content != "192.0.2.1" {
		t.Errorf("record after the walk: %+v, %v", got, err)
	}
	if toks, _ := e.st.Tokens(ctx, acct.ID); len(toks) != 1 || toks[0].RevokedAt != nil {
		t.Errorf("tokens after the walk: %+v", toks)
	}
	// Another user's session cannot be revoked.
	cs, _ := e.st.Sessions(ctx, carol.ID)
	want(t, "revoke another's session", bob.post("/sessions", fmt.Sprintf("/sessions/%d/revoke", cs[0].ID), nil), http.StatusNotFound)
}

func cloneForm(f url.Values) url.Values {
	c := url.Values{}
	for k, v := range f {
		c[k] = v
	}
	return c
}

// TestAccountSwitcher: a member of two accounts sees both and can switch.
func TestAccountSwitcher(t *testing.T) {
	e := newEnv(t, web.Config{})
	ada, _ := e.user("ada@example.com")
	team, err := e.st.CreateTeam(context.Background(), store.Actor{UserID: &ada.ID, Label: ada.Email}, ada.ID, "ops@example.com", "ops@example.com")
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ada@example.com")
	r := b.get("/a/1/domains")
	want(t, "switcher", r, 200, `<summary>ada@example.com (personal)</summary>`, fmt.Sprintf(`href="/a/%d/domains">ops@example.com</a>`, team.ID))
	want(t, "team account", b.get(fmt.Sprintf("/a/%d/domains", team.ID)), 200, "<summary>ops@example.com</summary>")
}
