package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

// secondaryEnv is the dashboard with ada, the owner of her personal account
// on the Secondary DNS pages, carol a read-only member of it, bob an
// outsider with an account of his own; links counts LinksChanged.
type secondaryEnv struct {
	*env
	ada, bob, carol    store.User
	acct, bobAcct      store.Account
	adaB, bobB, carolB *browser
	links              *atomic.Int32
	path               string // /a/{ada's account}/secondary-dns
}

func newSecondaryEnv(t *testing.T, dbURL string) *secondaryEnv {
	t.Helper()
	links := new(atomic.Int32)
	e := newEnvOn(t, dbURL, web.Config{LinksChanged: func() { links.Add(1) }})
	s := &secondaryEnv{env: e, links: links}
	s.ada, s.acct = e.user("ada@example.com")
	s.bob, s.bobAcct = e.user("bob@example.com")
	s.carol, _ = e.user("carol@example.com")
	if err := e.st.AddMember(context.Background(), s.acct.ID, s.carol.ID, store.RoleReadOnly); err != nil {
		t.Fatal(err)
	}
	s.adaB, s.bobB, s.carolB = e.browser(), e.browser(), e.browser()
	s.adaB.signIn("ada@example.com")
	s.bobB.signIn("bob@example.com")
	s.carolB.signIn("carol@example.com")
	s.path = fmt.Sprintf("/a/%d/secondary-dns", s.acct.ID)
	return s
}

// primaries are the account's primary servers, by name, with their links.
func (s *secondaryEnv) primaries(t *testing.T) map[string]store.PrimaryServer {
	t.Helper()
	ps, _, err := s.st.PrimaryServers(context.Background(), s.acct.ID, store.ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.PrimaryServer{}
	for _, p := range ps {
		out[p.Name] = p
	}
	return out
}

// seeOther checks that a write was accepted: a redirect to the Secondary
// DNS page, whose flash then says msg.
func (s *secondaryEnv) seeOther(t *testing.T, what string, r response, msg string) {
	t.Helper()
	if r.status != http.StatusSeeOther || r.location != s.path {
		t.Fatalf("%s: %d to %q, want 303 to %s:\n%.2000s", what, r.status, r.location, s.path, r.body)
	}
	want(t, what+": the page after", s.adaB.get(s.path), http.StatusOK, msg)
}

// TestSecondaryDNSPages: a member adds a primary server and a secondary
// zone, links and unlinks them and deletes the server, each visible in the
// store, audited as the member, and followed by the hooks; the list page
// is compared with its golden file.
func TestSecondaryDNSPages(t *testing.T) {
	backends(t, func(t *testing.T, dbURL string) {
		s := newSecondaryEnv(t, dbURL)
		ctx := context.Background()
		p := s.path

		want(t, "the empty page", s.adaB.get(p), http.StatusOK,
			"<h1>Secondary DNS</h1>", "allow zone transfers to Zonewarden", "send NOTIFY",
			"This account has no primary servers yet", "Add a primary server", "Add a secondary zone")
		if body := s.adaB.get(fmt.Sprintf("/a/%d/domains", s.acct.ID)).body; !strings.Contains(body, `href="`+p+`">Secondary DNS</a>`) {
			t.Errorf("the account's navigation does not link the Secondary DNS page")
		}

		// Primary servers: the port is 53 unless said.
		s.seeOther(t, "add ns1", s.adaB.post(p, p+"/primaries", url.Values{"name": {" ns1 "}, "ip": {"192.0.2.1"}, "port": {""}}),
			"The primary server ns1 (192.0.2.1:53) is added")
		s.seeOther(t, "add ns2", s.adaB.post(p, p+"/primaries", url.Values{"name": {"ns2"}, "ip": {"2001:db8::2"}, "port": {"5353"}}),
			"The primary server ns2 ([2001:db8::2]:5353) is added")
		ps := s.primaries(t)
		if ns1, ns2 := ps["ns1"], ps["ns2"]; ns1.IP != "192.0.2.1" || ns1.Port != 53 || ns2.IP != "2001:db8::2" || ns2.Port != 5353 {
			t.Fatalf("primary servers in the store: %+v", ps)
		}
		ns1, ns2 := ps["ns1"], ps["ns2"]
		pp := func(ps store.PrimaryServer, rest string) string {
			return fmt.Sprintf("%s/primaries/%d%s", p, ps.ID, rest)
		}

		// A secondary zone, and a primary one beside it.
		s.seeOther(t, "add a secondary zone", s.adaB.post(p, p+"/zones", url.Values{"name": {"Sec.Example."}}),
			"sec.example is added as a secondary zone")
		z, err := s.st.Zone(ctx, s.acct.ID, "sec.example")
		if err != nil || !z.Secondary {
			t.Fatalf("the secondary zone in the store: %+v, %v", z, err)
		}
		if got := drain(s.changed); !slices.Contains(got, "sec.example") {
			t.Errorf("changed after the zone was added: %q", got)
		}
		if _, err := s.st.CreateDomain(ctx, store.Actor{UserID: &s.ada.ID}, s.acct.ID, "plain.example"); err != nil {
			t.Fatal(err)
		}
		want(t, "the page offers the secondary zone to link", s.adaB.get(p), http.StatusOK,
			fmt.Sprintf(`<select id="link-%d" name="zone"><option>sec.example</option>`, ns1.ID))

		// Link.
		if n := s.links.Load(); n != 0 {
			t.Fatalf("LinksChanged called %d times before any link", n)
		}
		s.seeOther(t, "link", s.adaB.post(p, pp(ns1, "/link"), url.Values{"zone": {"sec.example"}}),
			"sec.example is linked to ns1 (192.0.2.1:53)")
		if got := s.primaries(t)["ns1"].LinkedZones; !slices.Equal(got, []string{"sec.example"}) {
			t.Errorf("ns1's zones after the link: %q", got)
		}
		if n := s.links.Load(); n != 1 {
			t.Errorf("LinksChanged called %d times after the link, want 1", n)
		}
		if got := drain(s.changed); !slices.Contains(got, "sec.example") {
			t.Errorf("changed after the link: %q", got)
		}
		golden(t, "secondary_dns", s.adaB.get(p).body)

		// Refused links, beside the zone field of the server's row.
		for _, c := range []struct {
			name, zone, msg string
		}{
			{"a primary zone", "plain.example", "plain.example is not a secondary zone"},
			{"no such zone", "nowhere.example", "This account has no zone nowhere.example"},
			{"no zone", "", "Choose the secondary zone to link"},
			{"another account's zone", "bob.example", "This account has no zone bob.example"},
		} {
			if c.zone == "bob.example" {
				if _, err := s.st.CreateSecondaryZone(ctx, store.Actor{UserID: &s.bob.ID}, s.bobAcct.ID, "bob.example"); err != nil {
					t.Fatal(err)
				}
			}
			r := s.adaB.post(p, pp(ns2, "/link"), url.Values{"zone": {c.zone}})
			want(t, "link "+c.name, r, http.StatusUnprocessableEntity, fmt.Sprintf(`<p class="error" id="link-%d-error">%s`, ns2.ID, c.msg))
			if got := s.primaries(t)["ns2"].LinkedZones; len(got) != 0 {
				t.Errorf("after linking %s ns2 has %q", c.name, got)
			}
		}
		if n := s.links.Load(); n != 1 {
			t.Errorf("LinksChanged called %d times after refused links, want 1", n)
		}

		// A linked server is not deleted: the page says why, and so does
		// a POST that tries.
		want(t, "the delete page of a linked server", s.adaB.get(pp(ns1, "/delete")), http.StatusOK,
			"These zones are pulled from it: sec.example", "cannot be deleted while zones are linked")
		if body := s.adaB.get(pp(ns1, "/delete")).body; strings.Contains(body, `action="`+pp(ns1, "/delete")+`"`) {
			t.Errorf("the delete page offers to delete a linked server")
		}
		want(t, "delete a linked server", s.adaB.post(p, pp(ns1, "/delete"), nil), http.StatusConflict,
			"The primary server ns1 is not deleted. It still has sec.example linked to it. Unlink them first")
		if _, ok := s.primaries(t)["ns1"]; !ok {
			t.Fatalf("a linked server was deleted")
		}

		// Unlink, then delete.
		s.seeOther(t, "unlink", s.adaB.post(p, pp(ns1, "/unlink"), url.Values{"zone": {"sec.example"}}),
			"sec.example is unlinked from ns1")
		if got := s.primaries(t)["ns1"].LinkedZones; len(got) != 0 {
			t.Errorf("ns1's zones after the unlink: %q", got)
		}
		if n := s.links.Load(); n != 2 {
			t.Errorf("LinksChanged called %d times after the unlink, want 2", n)
		}
		want(t, "unlink again", s.adaB.post(p, pp(ns1, "/unlink"), url.Values{"zone": {"sec.example"}}),
			http.StatusUnprocessableEntity, "sec.example is not linked to primary server ns1")
		want(t, "the delete page", s.adaB.get(pp(ns1, "/delete")), http.StatusOK,
			"Delete the primary server ns1?", `action="`+pp(ns1, "/delete")+`"`)
		s.seeOther(t, "delete", s.adaB.post(pp(ns1, "/delete"), pp(ns1, "/delete"), nil), "The primary server ns1 is deleted")
		if _, ok := s.primaries(t)["ns1"]; ok {
			t.Errorf("ns1 is still there after its deletion")
		}
		if n := s.links.Load(); n != 3 {
			t.Errorf("LinksChanged called %d times after the deletion, want 3", n)
		}
		want(t, "the deleted server's page", s.adaB.get(pp(ns1, "/delete")), http.StatusNotFound)

		// Deleting the zone's domain from the dashboard unlinks it.
		if _, err := s.st.LinkPrimaryServer(ctx, store.Actor{UserID: &s.ada.ID}, s.acct.ID, "ns2", "sec.example"); err != nil {
			t.Fatal(err)
		}
		d := fmt.Sprintf("/a/%d/domains/sec.example", s.acct.ID)
		if r := s.adaB.post(d+"/delete", d+"/delete", nil); r.status != http.StatusSeeOther {
			t.Fatalf("delete the domain: %d\n%s", r.status, r.body)
		}
		if n := s.links.Load(); n != 4 {
			t.Errorf("LinksChanged called %d times after the domain's deletion, want 4", n)
		}

		// The audit log names ada, from her address, for each write.
		es, _, err := s.st.Audit(ctx, s.acct.ID, store.AuditFilter{}, store.ListOptions{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range es {
			if !strings.HasPrefix(e.Action, "primary_server.") && !(e.Action == "domain.create" && strings.Contains(e.After, "sec.example")) {
				continue
			}
			if e.Action == "primary_server.link" && e.ActorLabel != s.ada.Email {
				continue // the store's own link, above
			}
			seen[e.Action] = true
			if e.ActorUserID == nil || *e.ActorUserID != s.ada.ID || e.ActorLabel != s.ada.Email || e.RemoteAddr != "127.0.0.1" {
				t.Errorf("%s audited as user %v %q from %q, want ada from 127.0.0.1", e.Action, e.ActorUserID, e.ActorLabel, e.RemoteAddr)
			}
		}
		for _, a := range []string{"primary_server.create", "primary_server.link", "primary_server.unlink", "primary_server.delete", "domain.create"} {
			if !seen[a] {
				t.Errorf("no %s in the audit log by ada: %+v", a, es)
			}
		}
	})
}

// drain returns what the channel holds now.
func drain(c chan string) []string {
	var out []string
	for {
		select {
		case z := <-c:
			out = append(out, z)
		default:
			return out
		}
	}
}

// TestSecondaryDNSRefused: what the forms refuse comes back as a 422 with
// the reason beside the field at fault, and nothing is written.
func TestSecondaryDNSRefused(t *testing.T) {
	backends(t, func(t *testing.T, dbURL string) {
		s := newSecondaryEnv(t, dbURL)
		ctx := context.Background()
		p := s.path
		if _, err := s.st.CreatePrimaryServer(ctx, store.Actor{UserID: &s.ada.ID}, s.acct.ID, store.PrimaryServerInput{Name: "taken", IP: "192.0.2.9"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.st.CreateDomain(ctx, store.Actor{UserID: &s.bob.ID}, s.bobAcct.ID, "bob.example"); err != nil {
			t.Fatal(err)
		}
		good := func() url.Values { return url.Values{"name": {"ns1"}, "ip": {"192.0.2.1"}, "port": {"53"}} }
		with := func(kv ...string) url.Values {
			f := good()
			for i := 0; i < len(kv); i += 2 {
				f.Set(kv[i], kv[i+1])
			}
			return f
		}
		for _, c := range []struct {
			name  string
			form  url.Values
			field string // the field the message is beside
			msg   string
		}{
			{"an empty name", with("name", " "), "name", "Name the server, for example ns1"},
			{"a taken name", with("name", "taken"), "name", "This account has a primary server named taken already"},
			{"a host name for the IP", with("ip", "ns1.example.com"), "ip", "Enter the server&#39;s IPv4 or IPv6 address"},
			{"no IP", with("ip", ""), "ip", "Enter the server&#39;s IPv4 or IPv6 address"},
			{"an IP with a zone", with("ip", "fe80::1%eth0"), "ip", "Enter the server&#39;s IPv4 or IPv6 address"},
			{"a port too large", with("port", "65536"), "port", "a number from 1 to 65535"},
			{"port 0", with("port", "0"), "port", "a number from 1 to 65535"},
			{"a port that is no number", with("port", "dns"), "port", "a number from 1 to 65535"},
		} {
			r := s.adaB.post(p, p+"/primaries", c.form)
			want(t, c.name, r, http.StatusUnprocessableEntity,
				fmt.Sprintf(`<p class="error" id="primary-%s-error">`, c.field), c.msg, `aria-invalid="true"`)
			// The form keeps what was typed.
			if v := c.form.Get(c.field); v != "" && !strings.Contains(r.body, `value="`+strings.TrimSpace(v)+`"`) {
				t.Errorf("%s: the form lost %q", c.name, v)
			}
			if ps := s.primaries(t); len(ps) != 1 {
				t.Errorf("after %s the account has %d primary servers", c.name, len(ps))
			}
		}
		// Every field at once.
		r := s.adaB.post(p, p+"/primaries", url.Values{"name": {""}, "ip": {"x"}, "port": {"x"}})
		want(t, "every field wrong", r, http.StatusUnprocessableEntity, `id="primary-name-error"`, `id="primary-ip-error"`, `id="primary-port-error"`)

		for _, c := range []struct{ name, zone, msg string }{
			{"no name", "", "Enter the zone&#39;s domain name"},
			{"a bad name", "not a name", "is not a domain name"},
			{"another account's domain", "bob.example", "bob.example"},
		} {
			r := s.adaB.post(p, p+"/zones", url.Values{"name": {c.zone}})
			want(t, "secondary zone: "+c.name, r, http.StatusUnprocessableEntity, `<p class="error" id="zone-name-error">`, c.msg)
		}
		if zs, _, _ := s.st.Zones(ctx, s.acct.ID, "", store.ListOptions{}); len(zs) != 0 {
			t.Errorf("zones after the refusals: %+v", zs)
		}
		if n := s.links.Load(); n != 0 {
			t.Errorf("LinksChanged called %d times by refused writes", n)
		}
	})
}

// TestSecondaryDNSAuthorization walks every Secondary DNS page and action
// as an outsider (404), as a read-only member (pages without their write
// controls, writes 403), with a forged or missing CSRF token (403), and
// for a server of another account (404); nothing changes.
func TestSecondaryDNSAuthorization(t *testing.T) {
	backends(t, func(t *testing.T, dbURL string) {
		s := newSecondaryEnv(t, dbURL)
		ctx := context.Background()
		adaActor := store.Actor{UserID: &s.ada.ID}
		ns1, err := s.st.CreatePrimaryServer(ctx, adaActor, s.acct.ID, store.PrimaryServerInput{Name: "ns1", IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range []string{"sec.example", "other.example"} {
			if _, err := s.st.CreateSecondaryZone(ctx, adaActor, s.acct.ID, z); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.st.LinkPrimaryServer(ctx, adaActor, s.acct.ID, "ns1", "sec.example"); err != nil {
			t.Fatal(err)
		}
		bobs, err := s.st.CreatePrimaryServer(ctx, store.Actor{UserID: &s.bob.ID}, s.bobAcct.ID, store.PrimaryServerInput{Name: "bob", IP: "192.0.2.2"})
		if err != nil {
			t.Fatal(err)
		}
		p := s.path
		pp := fmt.Sprintf("%s/primaries/%d", p, ns1.ID)
		pages := []string{p, pp + "/delete"}
		writePages := map[string]bool{pp + "/delete": true}
		actions := []struct {
			path string
			form url.Values
		}{
			{p + "/primaries", url.Values{"name": {"ns2"}, "ip": {"192.0.2.3"}, "port": {"53"}}},
			{pp + "/delete", nil},
			{pp + "/link", url.Values{"zone": {"other.example"}}},
			{pp + "/unlink", url.Values{"zone": {"sec.example"}}},
			{p + "/zones", url.Values{"name": {"new.example"}}},
		}
		anon := s.browser()
		for _, pg := range pages {
			want(t, "outsider GET "+pg, s.bobB.get(pg), http.StatusNotFound, "Not found")
			status := http.StatusOK
			if writePages[pg] {
				status = http.StatusForbidden
			}
			want(t, "read-only GET "+pg, s.carolB.get(pg), status)
			if r := anon.get(pg); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/sign-in?next=") {
				t.Errorf("signed-out GET %s: %d to %q", pg, r.status, r.location)
			}
		}
		// A read-only member sees the servers and links, and no control
		// that would change them.
		body := s.carolB.get(p).body
		for _, w := range []string{"ns1", "192.0.2.1", "sec.example", "other.example"} {
			if !strings.Contains(body, w) {
				t.Errorf("read-only page lacks %q", w)
			}
		}
		for _, c := range []string{"Add a primary server", "Add a secondary zone", "/link", "/unlink", "/delete", "Unlink", `name="zone"`} {
			if strings.Contains(body, c) {
				t.Errorf("read-only page shows %q", c)
			}
		}
		for _, act := range actions {
			form := act.form
			if form == nil {
				form = url.Values{}
			}
			want(t, "outsider POST "+act.path, s.bobB.post("/sessions", act.path, cloneForm(form)), http.StatusNotFound)
			want(t, "read-only POST "+act.path, s.carolB.post("/sessions", act.path, cloneForm(form)), http.StatusForbidden, "read-only member")
			forged := cloneForm(form)
			forged.Set("csrf", "forged")
			want(t, "forged CSRF POST "+act.path, s.adaB.post("/sessions", act.path, forged), http.StatusForbidden, "This form has expired")
			want(t, "missing CSRF POST "+act.path, s.adaB.postWithoutCSRF(act.path, cloneForm(form)), http.StatusForbidden, "This form has expired")
			if r := anon.post("/sign-in", act.path, cloneForm(form)); r.status != http.StatusSeeOther || r.location != "/sign-in" {
				t.Errorf("signed-out POST %s: %d to %q", act.path, r.status, r.location)
			}
		}
		// Another account's server, or none, through ada's own account.
		for _, id := range []string{fmt.Sprint(bobs.ID), "999", "ns1", "-1"} {
			other := fmt.Sprintf("%s/primaries/%s", p, id)
			want(t, "GET "+other+"/delete", s.adaB.get(other+"/delete"), http.StatusNotFound)
			for _, a := range []string{"/delete", "/link", "/unlink"} {
				want(t, "POST "+other+a, s.adaB.post(p, other+a, url.Values{"zone": {"sec.example"}}), http.StatusNotFound)
			}
		}

		// Nothing changed.
		ps := s.primaries(t)
		if len(ps) != 1 || !slices.Equal(ps["ns1"].LinkedZones, []string{"sec.example"}) {
			t.Errorf("ada's primary servers after the walk: %+v", ps)
		}
		if _, err := s.st.PrimaryServer(ctx, s.bobAcct.ID, "bob"); err != nil {
			t.Errorf("bob's server after the walk: %v", err)
		}
		if _, err := s.st.Zone(ctx, s.acct.ID, "new.example"); err == nil {
			t.Errorf("a secondary zone was created in the walk")
		}
		if n := s.links.Load(); n != 0 {
			t.Errorf("LinksChanged called %d times in the walk", n)
		}
	})
}

// postWithoutCSRF sends a form with no CSRF token at all.
func (b *browser) postWithoutCSRF(path string, form url.Values) response {
	b.e.t.Helper()
	form.Del("csrf")
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// TestSecondaryDNSPagination: the primary servers come 25 a page, by name;
// a page past the end goes to the last.
func TestSecondaryDNSPagination(t *testing.T) {
	s := newSecondaryEnv(t, filepath.Join(t.TempDir(), "zonewarden.db"))
	ctx := context.Background()
	for i := range 27 {
		in := store.PrimaryServerInput{Name: fmt.Sprintf("ns%02d", i), IP: fmt.Sprintf("192.0.2.%d", i+1)}
		if _, err := s.st.CreatePrimaryServer(ctx, store.Actor{UserID: &s.ada.ID}, s.acct.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	p := s.path
	r := s.adaB.get(p)
	want(t, "page 1", r, http.StatusOK, "<td>ns00</td>", "<td>ns24</td>", "Page 1 of 2 (27 in all)", `href="`+p+`?page=2"`)
	if strings.Contains(r.body, "<td>ns25</td>") {
		t.Errorf("page 1 shows the 26th server")
	}
	want(t, "page 2", s.adaB.get(p+"?page=2"), http.StatusOK, "<td>ns25</td>", "<td>ns26</td>", `href="`+p+`?page=1"`)
	if r := s.adaB.get(p + "?page=9"); r.status != http.StatusSeeOther || r.location != p+"?page=2" {
		t.Errorf("a page past the end: %d to %q", r.status, r.location)
	}
	// A refused form is shown with links to the list's pages, not to the
	// form's path.
	r = s.adaB.post(p, p+"/primaries", url.Values{"name": {""}, "ip": {"192.0.2.99"}})
	want(t, "a refused form", r, http.StatusUnprocessableEntity, `href="`+p+`?page=2"`)
}
