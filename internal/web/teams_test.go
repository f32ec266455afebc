package web_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

// team is a team account with a member of each role and a domain:
// ada owns it, erin administers it, dan is a member, carol is read-only;
// bob is in no part of it.
type team struct {
	e                            *env
	acct, bobAcct                store.Account
	ada, bob, carol, dan, erin   store.User
	adaB, bobB, carolB, danB, eB *browser
	path                         string // /a/{team}
}

func newTeam(t *testing.T, cfg web.Config) *team {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, cfg)
	tm := &team{e: e}
	tm.ada, _ = e.user("ada@example.com")
	tm.bob, tm.bobAcct = e.user("bob@example.com")
	tm.carol, _ = e.user("carol@example.com")
	tm.dan, _ = e.user("dan@example.com")
	tm.erin, _ = e.user("erin@example.com")
	actor := store.Actor{UserID: &tm.ada.ID, Label: tm.ada.Email, RemoteAddr: "192.0.2.5"}
	var err error
	if tm.acct, err = e.st.CreateTeam(ctx, actor, tm.ada.ID, "Ops", "ops@example.com"); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		u    store.User
		role store.Role
	}{{tm.carol, store.RoleReadOnly}, {tm.dan, store.RoleMember}, {tm.erin, store.RoleAdmin}} {
		if err := e.st.AddMember(ctx, tm.acct.ID, m.u.ID, m.role); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.st.CreateDomain(ctx, actor, tm.acct.ID, "example.com"); err != nil {
		t.Fatal(err)
	}
	tm.path = fmt.Sprintf("/a/%d", tm.acct.ID)
	tm.adaB, tm.bobB, tm.carolB, tm.danB, tm.eB = e.browser(), e.browser(), e.browser(), e.browser(), e.browser()
	tm.adaB.signIn("ada@example.com")
	tm.bobB.signIn("bob@example.com")
	tm.carolB.signIn("carol@example.com")
	tm.danB.signIn("dan@example.com")
	tm.eB.signIn("erin@example.com")
	return tm
}

func (tm *team) role(t *testing.T, u store.User) store.Role {
	t.Helper()
	r, err := tm.e.st.Role(context.Background(), tm.acct.ID, u.ID)
	if err != nil {
		return ""
	}
	return r
}

// TestTeamAuthorization walks every team, activity and webhook page and
// action as an outsider (404), a read-only member (pages yes, writes 403),
// a member (no managing) and signed out (to sign in).
func TestTeamAuthorization(t *testing.T) {
	tm := newTeam(t, web.Config{Mail: &mail.Memory{}})
	ctx := context.Background()
	e, a := tm.e, tm.path
	ada := store.Actor{UserID: &tm.ada.ID}
	hook, err := e.st.CreateWebhook(ctx, ada, tm.acct.ID, "https://hooks.example.net/dns")
	if err != nil {
		t.Fatal(err)
	}
	_, inv, err := e.st.CreateInvitation(ctx, ada, tm.acct.ID, "fred@example.com", store.RoleMember, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	h := fmt.Sprintf("%s/webhooks/%d", a, hook.ID)
	pages := []string{a + "/members", a + "/webhooks", h, a + "/activity", a + "/domains/example.com/activity"}
	// Webhooks receive every event of the account, as the activity log
	// shows them: owners and admins only.
	managerPages := map[string]bool{a + "/activity": true, a + "/webhooks": true, h: true}

	for _, p := range pages {
		want(t, "outsider GET "+p, tm.bobB.get(p), http.StatusNotFound, "Not found")
		status := http.StatusOK
		if managerPages[p] {
			status = http.StatusForbidden
		}
		want(t, "read-only GET "+p, tm.carolB.get(p), status)
		want(t, "member GET "+p, tm.danB.get(p), status)
		want(t, "admin GET "+p, tm.eB.get(p), http.StatusOK)
		if r := e.browser().get(p); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/sign-in?next=") {
			t.Errorf("signed-out GET %s: %d to %q", p, r.status, r.location)
		}
	}
	// Read-only members and members see no forms they may not use.
	for _, c := range []struct {
		b      *browser
		page   string
		absent []string
	}{
		{tm.carolB, a + "/members", []string{"Send the invitation", "Set role", "/remove", "fred@example.com"}},
		{tm.danB, a + "/members", []string{"Send the invitation", "Set role", "/remove", "fred@example.com"}},
		{tm.carolB, a + "/domains", []string{a + "/activity", a + "/webhooks"}},
		{tm.danB, a + "/domains", []string{a + "/activity", a + "/webhooks"}},
	} {
		body := c.b.get(c.page).body
		for _, s := range c.absent {
			if strings.Contains(body, s) {
				t.Errorf("%s shows %q", c.page, s)
			}
		}
	}

	type action struct {
		path string
		form url.Values
	}
	manage := []action{
		{a + "/invitations", url.Values{"email": {"gina@example.com"}, "role": {"member"}}},
		{fmt.Sprintf("%s/invitations/%d/revoke", a, inv.ID), nil},
		{fmt.Sprintf("%s/members/%d", a, tm.dan.ID), url.Values{"role": {"admin"}}},
		{fmt.Sprintf("%s/members/%d/remove", a, tm.dan.ID), nil},
	}
	write := []action{
		{a + "/webhooks", url.Values{"url": {"https://other.example.net/"}}},
		{h + "/delete", nil},
	}
	for _, act := range append(append([]action{}, manage...), write...) {
		want(t, "outsider POST "+act.path, tm.bobB.post("/sessions", act.path, cloneForm(act.form)), http.StatusNotFound)
		want(t, "read-only POST "+act.path, tm.carolB.post("/sessions", act.path, cloneForm(act.form)), http.StatusForbidden)
		if r := e.browser().post("/sign-in", act.path, cloneForm(act.form)); r.status != http.StatusSeeOther || r.location != "/sign-in" {
			t.Errorf("signed-out POST %s: %d to %q", act.path, r.status, r.location)
		}
	}
	for _, act := range append(append([]action{}, manage...), write...) {
		want(t, "member POST "+act.path, tm.danB.post("/sessions", act.path, cloneForm(act.form)), http.StatusForbidden, "owners and admins")
	}
	want(t, "outsider leaves", tm.bobB.post("/sessions", a+"/leave", nil), http.StatusNotFound)
	// The pages of signed-in users who are in no account yet.
	anon := e.browser()
	if r := anon.get("/teams/new"); r.status != http.StatusSeeOther || r.location != "/sign-in?next=%2Fteams%2Fnew" {
		t.Errorf("signed-out GET /teams/new: %d to %q", r.status, r.location)
	}
	for _, p := range []string{"/teams", "/invitation/accept"} {
		if r := anon.post("/sign-in", p, url.Values{"name": {"x"}, "email": {"x@example.com"}, "token": {"zwi_x"}}); r.status != http.StatusSeeOther || r.location != "/sign-in" {
			t.Errorf("signed-out POST %s: %d to %q", p, r.status, r.location)
		}
	}
	// Without the CSRF token, nothing.
	for _, p := range []string{"/teams", a + "/invitations", a + "/leave", a + "/webhooks"} {
		want(t, "POST without CSRF "+p, tm.adaB.post("/sessions", p, url.Values{"csrf": {"forged"}, "name": {"x"}, "email": {"x@example.com"}, "url": {"https://x.example/"}}), http.StatusForbidden, "This form has expired")
	}

	// Admins manage members but not owners.
	for _, act := range []action{
		{a + "/invitations", url.Values{"email": {"gina@example.com"}, "role": {"owner"}}},
		{fmt.Sprintf("%s/members/%d", a, tm.dan.ID), url.Values{"role": {"owner"}}},
		{fmt.Sprintf("%s/members/%d", a, tm.ada.ID), url.Values{"role": {"member"}}},
		{fmt.Sprintf("%s/members/%d/remove", a, tm.ada.ID), nil},
	} {
		want(t, "admin POST "+act.path+" "+act.form.Encode(), tm.eB.post("/sessions", act.path, cloneForm(act.form)), http.StatusForbidden, "owners of this account")
	}
	// Members of one account cannot reach another's members through it.
	bobAcct := fmt.Sprintf("/a/%d", tm.bobAcct.ID)
	want(t, "remove a non-member", tm.adaB.post("/sessions", fmt.Sprintf("%s/members/%d/remove", a, tm.bob.ID), nil), http.StatusNotFound)
	want(t, "another account's members", tm.adaB.get(bobAcct+"/members"), http.StatusNotFound)

	// Nothing changed.
	for u, r := range map[*store.User]store.Role{&tm.ada: store.RoleOwner, &tm.carol: store.RoleReadOnly, &tm.dan: store.RoleMember, &tm.erin: store.RoleAdmin} {
		if got := tm.role(t, *u); got != r {
			t.Errorf("role of %s after the walk: %q, want %q", u.Email, got, r)
		}
	}
	if hs, _ := e.st.Webhooks(ctx, tm.acct.ID); len(hs) != 1 {
		t.Errorf("webhooks after the walk: %+v", hs)
	}
	if is, _ := e.st.Invitations(ctx, tm.acct.ID); len(is) != 1 || is[0].ID != inv.ID {
		t.Errorf("invitations after the walk: %+v", is)
	}
}

// logBuffer is a log the test reads, safe for the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var inviteLinkRE = regexp.MustCompile(`http://[^\s]+/invitation\?token=(zwi_[A-Za-z0-9_-]+)`)

// lastInvitation reads the link of the last mail to addr.
func lastInvitation(t *testing.T, m *mail.Memory, addr string) (link, token string) {
	t.Helper()
	sent := m.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].To == addr {
			mt := inviteLinkRE.FindStringSubmatch(sent[i].Body)
			if mt == nil {
				t.Fatalf("no link in the mail to %s:\n%s", addr, sent[i].Body)
			}
			return mt[0], mt[1]
		}
	}
	t.Fatalf("no mail to %s in %+v", addr, sent)
	return "", ""
}

// TestInvitations: an owner creates a team and invites; the invitee signs
// up from the link (--signup invite) and sees the team's domains; the link
// works once; a signed-in user accepts only an invitation for their own
// address; revoked invitations stop working.
func TestInvitations(t *testing.T) {
	m := &mail.Memory{}
	logs := &logBuffer{}
	e := newEnv(t, web.Config{Mail: m, SignUp: web.SignUpInvite,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := context.Background()
	e.user("ada@example.com")
	e.user("carol@example.com")
	ada := e.browser()
	ada.signIn("ada@example.com")

	// The sign-up page is closed under --signup invite and says why.
	want(t, "sign-up page", e.browser().get("/sign-up"), http.StatusForbidden, "by invitation")

	// A team.
	want(t, "new team page", ada.get("/teams/new"), http.StatusOK, `<label for="team-name">`, `value="ada@example.com"`)
	want(t, "team without a name", ada.post("/teams/new", "/teams", url.Values{"name": {""}, "email": {"ops@example.com"}}),
		http.StatusUnprocessableEntity, "Name the team", `aria-invalid="true"`)
	want(t, "team name with a line break", ada.post("/teams/new", "/teams", url.Values{"name": {"Ops\nBcc: eve@example.com"}, "email": {"ops@example.com"}}),
		http.StatusUnprocessableEntity, "The name must be one line of text.")
	want(t, "team with a bad email", ada.post("/teams/new", "/teams", url.Values{"name": {"Ops"}, "email": {"ops"}}),
		http.StatusUnprocessableEntity, "not an email address")
	r := ada.post("/teams/new", "/teams", url.Values{"name": {"Ops"}, "email": {"ops@example.com"}})
	if r.status != http.StatusSeeOther || !regexp.MustCompile(`^/a/\d+/members$`).MatchString(r.location) {
		t.Fatalf("create team: %d to %q: %s", r.status, r.location, r.body)
	}
	members := r.location
	a := strings.TrimSuffix(members, "/members")
	want(t, "members page", ada.get(members), http.StatusOK, "The team Ops is created", "ada@example.com", "No pending invitations", `<label for="invite-email">`)
	want(t, "home", ada.get("/"), http.StatusOK, "Your accounts", "ada@example.com (personal)", `href="`+a+`/domains">Ops</a>`, "your role: owner")
	var acctID int64
	fmt.Sscanf(a, "/a/%d", &acctID)
	if _, err := e.st.CreateDomain(ctx, store.Actor{}, acctID, "example.com"); err != nil {
		t.Fatal(err)
	}

	// Invitations: bad input comes back on the form.
	want(t, "invite nobody", ada.post(members, a+"/invitations", url.Values{"email": {""}, "role": {"member"}}),
		http.StatusUnprocessableEntity, "Enter the email address", `aria-invalid="true"`)
	want(t, "invite a bad address", ada.post(members, a+"/invitations", url.Values{"email": {"bob"}, "role": {"member"}}),
		http.StatusUnprocessableEntity, "not an email address")
	want(t, "invite with a bad role", ada.post(members, a+"/invitations", url.Values{"email": {"bob@example.com"}, "role": {"boss"}}),
		http.StatusUnprocessableEntity, "Choose a role")
	want(t, "invite a member", ada.post(members, a+"/invitations", url.Values{"email": {"ada@example.com"}, "role": {"member"}}),
		http.StatusConflict, "a member of the team already")
	want(t, "invite into a personal account", ada.post(members, "/a/1/invitations", url.Values{"email": {"bob@example.com"}, "role": {"member"}}),
		http.StatusConflict, "personal account")

	r = ada.post(members, a+"/invitations", url.Values{"email": {"bob@example.com"}, "role": {"member"}})
	if r.status != http.StatusSeeOther || r.location != members {
		t.Fatalf("invite: %d to %q: %s", r.status, r.location, r.body)
	}
	page := ada.get(members)
	want(t, "pending invitation", page, http.StatusOK, "Invitation sent to bob@example.com", "<td>bob@example.com</td>")
	link, token := lastInvitation(t, m, "bob@example.com")
	if strings.Contains(page.body, token) {
		t.Error("the members page shows the invitation's token")
	}
	if mail := m.Sent()[len(m.Sent())-1]; !strings.Contains(mail.Subject, "Ops") || !strings.Contains(mail.Body, "ada@example.com invited you") {
		t.Errorf("mail: %+v", mail)
	}
	inviteURL := strings.TrimPrefix(link, e.srv.URL)

	// Bob, signed out, opens the link and signs up.
	bob := e.browser()
	want(t, "invitation page", bob.get(inviteURL), http.StatusOK, "Join Ops", "bob@example.com", `action="/invitation/sign-up"`, "Sign in to accept")
	form := url.Values{"token": {token}, "password": {"short"}}
	want(t, "weak password", bob.post(inviteURL, "/invitation/sign-up", form), http.StatusUnprocessableEntity, "at least 10 characters", `aria-invalid="true"`)
	want(t, "forged token", bob.post(inviteURL, "/invitation/sign-up", url.Values{"token": {"zwi_forged"}, "password": {password}}),
		http.StatusNotFound, "cannot be used")
	r = bob.post(inviteURL, "/invitation/sign-up", url.Values{"token": {token}, "password": {password}})
	if r.status != http.StatusSeeOther || r.location != a+"/domains" {
		t.Fatalf("sign up from the invitation: %d to %q: %s", r.status, r.location, r.body)
	}
	want(t, "bob sees the team's domains", bob.get(a+"/domains"), http.StatusOK, "You are a member of Ops", "example.com")
	want(t, "the link again", e.browser().get(inviteURL), http.StatusNotFound, "cannot be used")
	want(t, "bob's switcher", bob.get(a+"/domains"), http.StatusOK, "bob@example.com (personal)")

	// Carol has a user: she signs in to accept; Bob cannot use her link.
	r = ada.post(members, a+"/invitations", url.Values{"email": {"carol@example.com"}, "role": {"read-only"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("invite carol: %d %s", r.status, r.body)
	}
	carolLink, carolToken := lastInvitation(t, m, "carol@example.com")
	carolURL := strings.TrimPrefix(carolLink, e.srv.URL)
	want(t, "bob opens carol's link", bob.get(carolURL), http.StatusOK, "this invitation is for carol@example.com")
	want(t, "bob accepts carol's link", bob.post(carolURL, "/invitation/accept", url.Values{"token": {carolToken}}), http.StatusForbidden, "this invitation is for carol@example.com")
	want(t, "sign up as a user that exists", e.browser().post(carolURL, "/invitation/sign-up", url.Values{"token": {carolToken}, "password": {password}}),
		http.StatusConflict, "has a user already")
	carol := e.browser()
	carol.signIn("carol@example.com")
	want(t, "carol opens her link", carol.get(carolURL), http.StatusOK, "Join the team")
	r = carol.post(carolURL, "/invitation/accept", url.Values{"token": {carolToken}})
	if r.status != http.StatusSeeOther || r.location != a+"/domains" {
		t.Fatalf("carol accepts: %d to %q: %s", r.status, r.location, r.body)
	}
	want(t, "carol accepts again", carol.post(carolURL, "/invitation/accept", url.Values{"token": {carolToken}}), http.StatusNotFound, "cannot be used")
	want(t, "members after", ada.get(members), http.StatusOK, "bob@example.com", "carol@example.com", "No pending invitations")

	// A revoked invitation stops working.
	r = ada.post(members, a+"/invitations", url.Values{"email": {"dan@example.com"}, "role": {"admin"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("invite dan: %d %s", r.status, r.body)
	}
	danLink, _ := lastInvitation(t, m, "dan@example.com")
	is, _ := e.st.Invitations(ctx, acctID)
	if len(is) != 1 {
		t.Fatalf("invitations: %+v", is)
	}
	r = ada.post(members, fmt.Sprintf("%s/invitations/%d/revoke", a, is[0].ID), nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	want(t, "revoked link", e.browser().get(strings.TrimPrefix(danLink, e.srv.URL)), http.StatusNotFound, "cannot be used")
	want(t, "revoke again", ada.post(members, fmt.Sprintf("%s/invitations/%d/revoke", a, is[0].ID), nil), http.StatusNotFound)

	// Every membership change is in the team's log.
	es, _, err := e.st.Audit(ctx, acctID, store.AuditFilter{}, store.ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, en := range es {
		acts = append(acts, en.Action)
	}
	if g, w := strings.Join(acts, " "), "account.create member.add domain.create invitation.create member.add invitation.create member.add invitation.create invitation.revoke"; g != w {
		t.Errorf("audit log: %s\nwant %s", g, w)
	}
	// No invitation token reached the log.
	if strings.Contains(logs.String(), "zwi_") {
		t.Errorf("the log holds an invitation token:\n%s", logs.String())
	}
}

// TestInvitationsClosedSignUp: with sign-ups closed, an invitation is
// accepted by signing in; the link offers no sign-up.
func TestInvitationsClosedSignUp(t *testing.T) {
	m := &mail.Memory{}
	e := newEnv(t, web.Config{Mail: m})
	ctx := context.Background()
	ada, _ := e.user("ada@example.com")
	acct, err := e.st.CreateTeam(ctx, store.Actor{}, ada.ID, "Ops", "ops@example.com")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := e.st.CreateInvitation(ctx, store.Actor{}, acct.ID, "bob@example.com", store.RoleMember, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	page := "/invitation?token=" + token
	r := b.get(page)
	want(t, "invitation page", r, http.StatusOK, "Sign-ups are closed", "sign in to accept")
	if strings.Contains(r.body, "/invitation/sign-up") {
		t.Error("closed sign-ups: the invitation page has a sign-up form")
	}
	want(t, "sign up anyway", b.post("/sign-in", "/invitation/sign-up", url.Values{"token": {token}, "password": {password}}), http.StatusForbidden)
	if n, _ := e.st.UserCount(ctx); n != 1 {
		t.Errorf("users: %d", n)
	}
	// The sign-in link comes back to the invitation.
	want(t, "sign-in link", r, http.StatusOK, `href="/sign-in?next=%2Finvitation%3Ftoken%3D`)
}

// TestMembers: roles are set and members removed by owners and admins; the
// last owner can be neither demoted, removed nor leave; anyone else may
// leave, read-only members too.
func TestMembers(t *testing.T) {
	tm := newTeam(t, web.Config{})
	a := tm.path
	members := a + "/members"
	member := func(u store.User) string { return fmt.Sprintf("%s/members/%d", a, u.ID) }

	if _, _, err := tm.e.st.CreateInvitation(context.Background(), store.Actor{}, tm.acct.ID, "fred@example.com", store.RoleMember, time.Hour); err != nil {
		t.Fatal(err)
	}
	r := tm.adaB.get(members)
	want(t, "members page", r, http.StatusOK, `<label class="visually-hidden" for="role-`, "ada@example.com", "erin@example.com", "fred@example.com")
	golden(t, "members", r.body)
	want(t, "bad role", tm.adaB.post(members, member(tm.dan), url.Values{"role": {"boss"}}), http.StatusBadRequest, "Choose a role")
	want(t, "demote the last owner", tm.adaB.post(members, member(tm.ada), url.Values{"role": {"admin"}}), http.StatusConflict, "An account needs an owner")
	want(t, "remove the last owner", tm.adaB.post(members, member(tm.ada)+"/remove", nil), http.StatusConflict, "An account needs an owner")
	want(t, "last owner leaves", tm.adaB.post(members, a+"/leave", nil), http.StatusConflict, "last owner")

	r = tm.eB.post(members, member(tm.dan), url.Values{"role": {"read-only"}})
	if r.status != http.StatusSeeOther || tm.role(t, tm.dan) != store.RoleReadOnly {
		t.Errorf("admin sets a role: %d, role %q", r.status, tm.role(t, tm.dan))
	}
	want(t, "flash", tm.eB.get(members), http.StatusOK, "dan@example.com is now a read-only member.")
	r = tm.adaB.post(members, member(tm.erin), url.Values{"role": {"owner"}})
	if r.status != http.StatusSeeOther || tm.role(t, tm.erin) != store.RoleOwner {
		t.Errorf("owner makes an owner: %d, role %q", r.status, tm.role(t, tm.erin))
	}
	r = tm.eB.post(members, member(tm.ada), url.Values{"role": {"member"}})
	if r.status != http.StatusSeeOther || tm.role(t, tm.ada) != store.RoleMember {
		t.Errorf("one of two owners demotes the other: %d, role %q", r.status, tm.role(t, tm.ada))
	}

	// Removal.
	r = tm.eB.post(members, member(tm.dan)+"/remove", nil)
	if r.status != http.StatusSeeOther || tm.role(t, tm.dan) != "" {
		t.Errorf("remove: %d, role %q", r.status, tm.role(t, tm.dan))
	}
	want(t, "removed member", tm.danB.get(a+"/domains"), http.StatusNotFound)

	// A read-only member leaves.
	r = tm.carolB.post(members, a+"/leave", nil)
	if r.status != http.StatusSeeOther || r.location != "/" || tm.role(t, tm.carol) != "" {
		t.Errorf("read-only leaves: %d to %q, role %q", r.status, r.location, tm.role(t, tm.carol))
	}
	want(t, "home after leaving", tm.carolB.get("/"), http.StatusOK, "You left Ops")
	want(t, "leave a personal account", tm.carolB.post("/", fmt.Sprintf("/a/%d/leave", tm.carol.ID), nil), http.StatusForbidden, "cannot be left")

	es, _, _ := tm.e.st.Audit(context.Background(), tm.acct.ID, store.AuditFilter{Action: "member."}, store.ListOptions{PerPage: 100})
	var acts []string
	for _, en := range es {
		acts = append(acts, en.Action+":"+en.ActorLabel)
	}
	if g, w := strings.Join(acts, " "), "member.add:ada@example.com member.add:zonewarden admin member.add:zonewarden admin member.add:zonewarden admin member.update:erin@example.com member.update:ada@example.com member.update:erin@example.com member.remove:erin@example.com member.leave:carol@example.com"; g != w {
		t.Errorf("membership log:\n%s\nwant\n%s", g, w)
	}
}

// TestActivity: the account's and a domain's log say who changed what,
// from where, before and after; filters and pages narrow it.
func TestActivity(t *testing.T) {
	tm := newTeam(t, web.Config{})
	a, b := tm.path, tm.adaB
	rec := "/a/%d/domains/example.com/records"
	page := fmt.Sprintf(rec+"/new?type=A", tm.acct.ID)
	r := b.post(page, fmt.Sprintf(rec, tm.acct.ID), url.Values{"type": {"A"}, "name": {"www"}, "content": {"192.0.2.1"}, "ttl": {"3600"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add record: %d %s", r.status, r.body)
	}
	rs, _, _ := tm.e.st.Records(context.Background(), tm.acct.ID, "example.com", store.RecordFilter{Type: "A"}, store.ListOptions{})
	r = b.post(page, fmt.Sprintf(rec+"/%d", tm.acct.ID, rs[0].ID), url.Values{"name": {"www"}, "content": {"192.0.2.2"}, "ttl": {"3600"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("update record: %d %s", r.status, r.body)
	}
	_, tok, _ := tm.e.st.CreateToken(context.Background(), store.NewToken{AccountID: tm.acct.ID, Name: "deploy"})
	if _, err := tm.e.st.CreateRecord(context.Background(), store.Actor{TokenID: &tok.ID, Label: "token 1", RemoteAddr: "198.51.100.4"}, tm.acct.ID, "example.com",
		store.RecordInput{Name: "api", Type: "TXT", Content: "v=1"}); err != nil {
		t.Fatal(err)
	}

	if _, err := tm.e.st.BatchChange(context.Background(), store.Actor{}, tm.acct.ID, "example.com", store.Batch{Creates: []store.RecordInput{
		{Name: "b1", Type: "A", Content: "192.0.2.31"}, {Name: "b2", Type: "MX", Content: "mx.example.net", Priority: new(uint16(10))}}}); err != nil {
		t.Fatal(err)
	}
	want(t, "account activity", b.get(a+"/activity"), http.StatusOK,
		`<span aria-hidden="true">&#43;</span><span class="visually-hidden">added</span> <code>b1 3600 A 192.0.2.31</code>`,
		"<code>b2 3600 MX 10 mx.example.net</code>", "by <span class=\"who who-system\">Zonewarden</span>",
		"<strong>record.update</strong> <code>www 3600 A 192.0.2.2</code>",
		"<del>192.0.2.1</del>", "<ins>192.0.2.2</ins>", "by <span class=\"who who-user\">ada@example.com</span>", "from 127.0.0.1",
		`by <span class="who who-token">token “deploy”</span> (API) · from 198.51.100.4`,
		"member.add", "account.create", `<option value="record.">every record change</option>`)
	want(t, "filter by action", b.get(a+"/activity?action=record.update"), http.StatusOK, "record.update", `<option value="record.update" selected>`)
	if body := b.get(a + "/activity?action=record.").body; strings.Contains(body, "member.add</strong>") || !strings.Contains(body, "record.create</strong>") {
		t.Errorf("filter by object: %s", body)
	}
	if body := b.get(a + "/activity?domain=example.org").body; !strings.Contains(body, "No change matches this filter") {
		t.Errorf("filter by another domain: %s", body)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	want(t, "today", b.get(a+"/activity?from="+today+"&to="+today), http.StatusOK, "record.update")
	want(t, "tomorrow", b.get(a+"/activity?from="+time.Now().UTC().Add(24*time.Hour).Format(time.DateOnly)), http.StatusOK, "No change matches this filter")
	want(t, "bad date", b.get(a+"/activity?from=yesterday"), http.StatusBadRequest, "is not a date", `aria-invalid="true"`)

	d := tm.danB.get(a + "/domains/example.com/activity")
	want(t, "domain activity for a member", d, http.StatusOK, "Activity of example.com", "record.update", "domain.create")
	golden(t, "domain_activity", d.body)
	if strings.Contains(d.body, "member.add") {
		t.Error("the domain's activity shows membership changes")
	}
	want(t, "activity of a domain elsewhere", b.get(a+"/domains/example.org/activity"), http.StatusNotFound)
	want(t, "domain page links its activity", b.get(a+"/domains/example.com"), http.StatusOK, a+"/domains/example.com/activity")

	// Pages: newest first, 30 a page.
	for i := range 35 {
		if _, err := tm.e.st.CreateRecord(context.Background(), store.Actor{}, tm.acct.ID, "example.com", store.RecordInput{Name: fmt.Sprintf("h%d", i), Type: "A", Content: "192.0.2.9"}); err != nil {
			t.Fatal(err)
		}
	}
	p1 := b.get(a + "/activity?action=record.create")
	want(t, "page 1", p1, http.StatusOK, "h34 3600 A", "Page 1 of 2", `href="?action=record.create&amp;page=2"`)
	p2 := b.get(a + "/activity?action=record.create&page=2")
	want(t, "page 2", p2, http.StatusOK, "www 3600 A 192.0.2.1", "Page 2 of 2")
	if strings.Contains(p2.body, "h34 ") {
		t.Error("page 2 repeats page 1")
	}
	want(t, "empty log", tm.adaB.get(fmt.Sprintf("/a/%d/domains", tm.ada.ID)), http.StatusOK)
}

// TestWebhooksPages: webhooks are added (the URL checked as by the API, the
// secret shown once), listed with their state, their deliveries shown, and
// deleted.
func TestWebhooksPages(t *testing.T) {
	tm := newTeam(t, web.Config{})
	a, b := tm.path, tm.eB // an admin: members do not manage webhooks
	hooks := a + "/webhooks"
	want(t, "empty", b.get(hooks), http.StatusOK, "No webhooks yet", `<label for="webhook-url">`)
	for _, bad := range []string{"", "ftp://example.net/", "hooks.example.net/dns", "https://"} {
		want(t, "bad url "+bad, b.post(hooks, hooks, url.Values{"url": {bad}}), http.StatusUnprocessableEntity, "Enter the full address", `aria-invalid="true"`)
	}
	want(t, "a URL too long", b.post(hooks, hooks, url.Values{"url": {"https://hooks.example.net/" + strings.Repeat("a", 3000)}}),
		http.StatusUnprocessableEntity, "The address is longer than 2,048 characters.")
	r := b.post(hooks, hooks, url.Values{"url": {"https://hooks.example.net/dns"}})
	want(t, "create", r, http.StatusCreated, "Copy its secret now", `id="webhook-secret"`)
	hs, _ := tm.e.st.Webhooks(context.Background(), tm.acct.ID)
	if len(hs) != 1 {
		t.Fatalf("webhooks: %+v", hs)
	}
	secret := regexp.MustCompile(`id="webhook-secret" class="secret" readonly value="([0-9a-f]{64})"`).FindStringSubmatch(r.body)
	if secret == nil {
		t.Fatalf("no secret on the page: %s", r.body)
	}
	list := b.get(hooks)
	want(t, "list", list, http.StatusOK, "https://hooks.example.net/dns", "active")
	if strings.Contains(list.body, secret[1]) {
		t.Error("the list shows the secret again")
	}
	show := fmt.Sprintf("%s/%d", hooks, hs[0].ID)
	want(t, "a read-only member's deliveries", tm.carolB.get(show), http.StatusForbidden)
	want(t, "deliveries", tm.adaB.get(show), http.StatusOK, "<code>webhook.create</code>", `<span class="state-pending">pending</span>`, "not yet", "next attempt")

	// A delivery that failed, and a suppressed webhook.
	ctx := context.Background()
	ds, _ := tm.e.st.WebhookDeliveries(ctx, tm.acct.ID, hs[0].ID, 10)
	if _, err := tm.e.st.RecordDeliveryAttempt(ctx, ds[0].ID, store.DeliveryAttempt{Attempt: 3, StatusCode: 500, Err: "HTTP 500 from the receiver", Final: true}, 1); err != nil {
		t.Fatal(err)
	}
	want(t, "failed delivery", b.get(show), http.StatusOK, `<span class="state-failed">failed</span>`, "<td>3</td>", "HTTP 500", "HTTP 500 from the receiver", "was suppressed")
	want(t, "suppressed in the list", b.get(hooks), http.StatusOK, `<span class="status-bad">suppressed</span>`)
	want(t, "another account's webhook", tm.bobB.get(show), http.StatusNotFound)
	want(t, "no such webhook", b.get(hooks+"/999"), http.StatusNotFound)

	r = b.post(hooks, show+"/delete", nil)
	if r.status != http.StatusSeeOther || r.location != hooks {
		t.Fatalf("delete: %d to %q", r.status, r.location)
	}
	want(t, "after delete", b.get(hooks), http.StatusOK, "The webhook is deleted", "No webhooks yet")
	want(t, "delete again", b.post(hooks, show+"/delete", nil), http.StatusNotFound)
}
