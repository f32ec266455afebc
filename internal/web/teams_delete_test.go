package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

// TestTeamDelete: only an owner deletes a team, from its security page,
// with its name and their password, once it has no domains; its members'
// pages of it are then 404 and their switchers forget it.
func TestTeamDelete(t *testing.T) {
	mails := &mail.Memory{}
	tm := newTeam(t, web.Config{Mail: mails})
	ctx := context.Background()
	e, a := tm.e, tm.path
	security, del := a+"/security", a+"/delete"
	var adaPersonal store.Account
	accs, err := e.st.Accounts(ctx, tm.ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range accs {
		if acc.Personal {
			adaPersonal = acc
		}
	}

	// The owner sees what stands in the way; others see no deletion.
	want(t, "owner's security page with a domain", tm.adaB.get(security), http.StatusOK,
		"Delete this team", "A team with domains cannot be deleted", a+"/domains/example.com/delete")
	if body := tm.adaB.get(security).body; strings.Contains(body, `action="`+del+`"`) {
		t.Errorf("the deletion form is offered while the team has domains")
	}
	want(t, "owner's members page", tm.adaB.get(a+"/members"), http.StatusOK, a+"/security#delete")
	for _, b := range []*browser{tm.eB, tm.danB, tm.carolB} {
		for _, p := range []string{security, a + "/members"} {
			if r := b.get(p); r.status != http.StatusOK || strings.Contains(r.body, "Delete this team") {
				t.Errorf("a non-owner's %s: %d, offers deletion: %v", p, r.status, strings.Contains(r.body, "Delete this team"))
			}
		}
	}
	if body := tm.adaB.get(fmt.Sprintf("/a/%d/security", adaPersonal.ID)).body; strings.Contains(body, "Delete this team") {
		t.Errorf("a personal account offers its deletion")
	}

	good := func() url.Values { return url.Values{"confirm": {"Ops"}, "password": {password}} }
	with := func(k, v string) url.Values { f := good(); f.Set(k, v); return f }
	refused := []struct {
		name     string
		b        *browser
		path     string
		form     url.Values
		status   int
		contains string
	}{
		{"an outsider", tm.bobB, del, good(), http.StatusNotFound, "Not found"},
		{"a read-only member", tm.carolB, del, good(), http.StatusForbidden, "read-only"},
		{"a member", tm.danB, del, good(), http.StatusForbidden, "Only the owners"},
		{"an admin", tm.eB, del, good(), http.StatusForbidden, "Only the owners"},
		{"a personal account", tm.adaB, fmt.Sprintf("/a/%d/delete", adaPersonal.ID), good(), http.StatusForbidden, "cannot be deleted"},
		{"a forged CSRF token", tm.adaB, del, with("csrf", "forged"), http.StatusForbidden, "This form has expired"},
		{"a team with domains", tm.adaB, del, good(), http.StatusConflict, "still has domains"},
	}
	for _, c := range refused {
		r := c.b.post("/sessions", c.path, c.form)
		want(t, c.name, r, c.status, c.contains)
		if _, err := e.st.Account(ctx, tm.acct.ID); err != nil {
			t.Fatalf("after %s the team is gone: %v", c.name, err)
		}
	}
	if r := tm.adaB.post("/sessions", del, good()); !strings.Contains(r.body, a+"/domains/example.com/delete") {
		t.Errorf("the refusal does not name the domain to delete:\n%s", r.body)
	}

	// Without domains, the owner deletes it; tokens and webhooks go too.
	if err := e.st.DeleteDomain(ctx, store.Actor{UserID: &tm.ada.ID}, tm.acct.ID, "example.com"); err != nil {
		t.Fatal(err)
	}
	want(t, "owner's security page without domains", tm.adaB.get(security), http.StatusOK, `action="`+del+`"`, "to confirm")
	for _, c := range []struct {
		name     string
		form     url.Values
		status   int
		contains string
	}{
		{"no confirmation", with("confirm", ""), http.StatusUnprocessableEntity, "Type the team&#39;s name exactly"},
		{"a wrong confirmation", with("confirm", "ops"), http.StatusUnprocessableEntity, "Type the team&#39;s name exactly"},
		{"a wrong password", with("password", "not my password"), http.StatusUnauthorized, "This is not your password"},
		{"a forged CSRF token", with("csrf", "forged"), http.StatusForbidden, "This form has expired"},
	} {
		want(t, c.name, tm.adaB.post(security, del, c.form), c.status, c.contains)
		if _, err := e.st.Account(ctx, tm.acct.ID); err != nil {
			t.Fatalf("after %s the team is gone: %v", c.name, err)
		}
	}
	token, _, err := e.st.CreateToken(ctx, store.NewToken{AccountID: tm.acct.ID, Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CreateWebhook(ctx, store.Actor{UserID: &tm.ada.ID}, tm.acct.ID, "https://hooks.example.net/dns"); err != nil {
		t.Fatal(err)
	}
	r := tm.adaB.post(security, del, url.Values{"confirm": {" Ops "}, "password": {password}})
	if r.status != http.StatusSeeOther || r.location != "/" {
		t.Fatalf("delete: %d to %q\n%s", r.status, r.location, r.body)
	}
	want(t, "home after the deletion", tm.adaB.get("/"), http.StatusOK, "The team Ops is deleted")
	// The other members are told by mail who deleted it; the owner is
	// not mailed about what they just did.
	for _, u := range []store.User{tm.erin, tm.dan, tm.carol} {
		m := waitMailAbout(t, mails, u.Email, "Zonewarden: the team Ops was deleted")
		if !strings.Contains(m.Body, tm.ada.Email+" deleted the team Ops") {
			t.Errorf("mail to %s:\n%s", u.Email, m.Body)
		}
	}
	for _, m := range mails.Sent() {
		if m.To == tm.ada.Email && strings.Contains(m.Subject, "was deleted") {
			t.Errorf("the owner is mailed about their own deletion: %+v", m)
		}
	}
	if _, err := e.st.Account(ctx, tm.acct.ID); err == nil {
		t.Errorf("the team is still there")
	}
	if _, err := e.st.Authenticate(ctx, token); err == nil {
		t.Errorf("the team's token still authenticates")
	}
	if hs, _ := e.st.Webhooks(ctx, tm.acct.ID); len(hs) != 0 {
		t.Errorf("the team's webhooks: %+v", hs)
	}

	// Members who had it open: its pages are 404 and the switcher and home
	// page no longer list it.
	for _, b := range []*browser{tm.adaB, tm.eB, tm.danB, tm.carolB} {
		for _, p := range []string{a + "/domains", a + "/members", security} {
			want(t, "a page of the deleted team "+p, b.get(p), http.StatusNotFound, "Not found")
		}
		if r := b.get("/"); r.status != http.StatusOK || strings.Contains(r.body, ">Ops<") || strings.Contains(r.body, a+"/") {
			t.Errorf("home after the deletion: %d, lists the team:\n%s", r.status, r.body)
		}
	}
	if body := tm.danB.get(fmt.Sprintf("/a/%d/domains", accountOf(t, e, tm.dan).ID)).body; strings.Contains(body, a+"/domains") {
		t.Errorf("the switcher lists the deleted team:\n%s", body)
	}
	// The owner's own activity log says what they did.
	es, _, err := e.st.Audit(ctx, adaPersonal.ID, store.AuditFilter{Action: "account.delete"}, store.ListOptions{})
	if err != nil || len(es) != 1 || es[0].ObjectID != fmt.Sprint(tm.acct.ID) {
		t.Errorf("account.delete in ada's log: %+v, %v", es, err)
	}
}

// accountOf is a user's personal account.
func accountOf(t *testing.T, e *env, u store.User) store.Account {
	t.Helper()
	accs, err := e.st.Accounts(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accs {
		if a.Personal {
			return a
		}
	}
	t.Fatalf("%s has no personal account", u.Email)
	return store.Account{}
}
