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

// TestDomainActivation: the domain page says whether DNS is active, and a
// member deactivates and activates it with a button; the process is told
// each time, and the page follows.
func TestDomainActivation(t *testing.T) {
	backends(t, func(t *testing.T, dbURL string) {
		e := newEnvOn(t, dbURL, web.Config{})
		ctx := context.Background()
		_, acct := e.user("ada@example.com")
		b := e.browser()
		b.signIn("ada@example.com")
		page := fmt.Sprintf("/a/%d/domains/example.com", acct.ID)
		if r := b.post(fmt.Sprintf("/a/%d/domains/new", acct.ID), fmt.Sprintf("/a/%d/domains", acct.ID), url.Values{"name": {"example.com"}}); r.status != http.StatusSeeOther {
			t.Fatalf("add domain: %d %s", r.status, r.body)
		}
		<-e.changed

		want(t, "active domain page", b.get(page), 200, "DNS active ·", `action="`+page+`/deactivate"`, "Deactivate DNS")
		r := b.post(page, page+"/deactivate", nil)
		if r.status != http.StatusSeeOther || r.location != page {
			t.Fatalf("deactivate: %d to %q %s", r.status, r.location, r.body)
		}
		if z := <-e.changed; z != "example.com" {
			t.Errorf("Changed(%q)", z)
		}
		if z, _ := e.st.Zone(ctx, acct.ID, "example.com"); z.Active {
			t.Errorf("zone after deactivate: %+v", z)
		}
		show := b.get(page)
		want(t, "deactivated domain page", show, 200, "DNS for example.com is deactivated", "DNS is deactivated.", `action="`+page+`/activate"`, "Activate DNS", "DNS deactivated ·")
		if strings.Contains(show.body, "/deactivate") {
			t.Error("a deactivated domain's page offers to deactivate it")
		}
		golden(t, "domain_deactivated", show.body)
		// Records can still change.
		if r := b.post(page+"/records/new", page+"/records", url.Values{"type": {"A"}, "name": {"www"}, "content": {"192.0.2.1"}, "ttl": {"3600"}}); r.status != http.StatusSeeOther {
			t.Errorf("add a record while deactivated: %d %s", r.status, r.body)
		}
		<-e.changed

		if r := b.post(page, page+"/activate", nil); r.status != http.StatusSeeOther || r.location != page {
			t.Fatalf("activate: %d to %q %s", r.status, r.location, r.body)
		}
		<-e.changed
		want(t, "activated domain page", b.get(page), 200, "DNS for example.com is active", "Deactivate DNS")
		if z, _ := e.st.Zone(ctx, acct.ID, "example.com"); !z.Active {
			t.Errorf("zone after activate: %+v", z)
		}
		// Twice is no error.
		if r := b.post(page, page+"/activate", nil); r.status != http.StatusSeeOther {
			t.Errorf("activate again: %d %s", r.status, r.body)
		}
		entries, _, _ := e.st.Audit(ctx, acct.ID, store.AuditFilter{Action: "zone."}, store.ListOptions{})
		if len(entries) != 2 || entries[0].Action != "zone.deactivate" || entries[1].Action != "zone.activate" || entries[0].ActorLabel != "ada@example.com" {
			t.Errorf("audit: %+v", entries)
		}
	})
}

// TestDomainActivationAuthorization: an outsider gets 404, a read-only
// member sees the state without its buttons and gets 403, and a forged or
// missing CSRF token is refused; nothing changes.
func TestDomainActivationAuthorization(t *testing.T) {
	backends(t, func(t *testing.T, dbURL string) {
		e := newEnvOn(t, dbURL, web.Config{})
		ctx := context.Background()
		ada, acct := e.user("ada@example.com")
		_, bobAcct := e.user("bob@example.com")
		carol, _ := e.user("carol@example.com")
		if err := e.st.AddMember(ctx, acct.ID, carol.ID, store.RoleReadOnly); err != nil {
			t.Fatal(err)
		}
		adaActor := store.Actor{UserID: &ada.ID, Label: ada.Email}
		for _, d := range []string{"on.example", "off.example"} {
			if _, err := e.st.CreateDomain(ctx, adaActor, acct.ID, d); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.st.DeactivateZone(ctx, adaActor, acct.ID, "off.example"); err != nil {
			t.Fatal(err)
		}
		a := fmt.Sprintf("/a/%d/domains", acct.ID)
		adaB, bobB, carolB := e.browser(), e.browser(), e.browser()
		adaB.signIn("ada@example.com")
		bobB.signIn("bob@example.com")
		carolB.signIn("carol@example.com")

		want(t, "read-only, active", carolB.get(a+"/on.example"), 200, "DNS active")
		want(t, "read-only, deactivated", carolB.get(a+"/off.example"), 200, "DNS is deactivated.")
		for _, d := range []string{"on.example", "off.example"} {
			if body := carolB.get(a + "/" + d).body; strings.Contains(body, "activate\"") || strings.Contains(body, "Activate DNS") || strings.Contains(body, "Deactivate DNS") {
				t.Errorf("read-only page of %s offers activation buttons", d)
			}
		}
		for _, path := range []string{a + "/on.example/deactivate", a + "/off.example/activate", a + "/on.example/activate", a + "/off.example/deactivate"} {
			want(t, "outsider POST "+path, bobB.post("/sessions", path, url.Values{}), http.StatusNotFound)
			want(t, "read-only POST "+path, carolB.post("/sessions", path, url.Values{}), http.StatusForbidden, "read-only member")
			want(t, "forged CSRF POST "+path, adaB.post("/sessions", path, url.Values{"csrf": {"forged"}}), http.StatusForbidden, "This form has expired")
			want(t, "missing CSRF POST "+path, adaB.postWithoutCSRF(path, url.Values{}), http.StatusForbidden, "This form has expired")
		}
		// Another account's domain, or none, through ada's own account.
		if _, err := e.st.CreateDomain(ctx, store.Actor{Label: "bob"}, bobAcct.ID, "bob.example"); err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{"bob.example", "nope.example"} {
			want(t, "POST deactivate "+d, adaB.post("/sessions", a+"/"+d+"/deactivate", url.Values{}), http.StatusNotFound)
		}
		for d, active := range map[string]bool{"on.example": true, "off.example": false} {
			if z, _ := e.st.Zone(ctx, acct.ID, d); z.Active != active {
				t.Errorf("%s after the walk: active %v", d, z.Active)
			}
		}
		if z, _ := e.st.Zone(ctx, bobAcct.ID, "bob.example"); !z.Active {
			t.Errorf("bob's zone after the walk: %+v", z)
		}
	})
}
