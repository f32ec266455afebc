package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

// systemNS is the zone's apex NS records that Zonewarden manages, sorted.
func systemNS(t *testing.T, st *store.Store, accountID int64, zoneName string) []string {
	t.Helper()
	recs, _, err := st.Records(context.Background(), accountID, zoneName, store.RecordFilter{Name: new(""), Type: "NS"}, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, r := range recs {
		if r.SystemRecord {
			ns = append(ns, r.Content)
		}
	}
	slices.Sort(ns)
	return ns
}

// TestDomainNameServers: a member replaces a zone's name servers from the
// domain's name servers page; refusals come back in words beside the
// field with the text as entered, and the defaults can be restored.
func TestDomainNameServers(t *testing.T) {
	backends(t, func(t *testing.T, dbURL string) {
		e := newEnvOn(t, dbURL, web.Config{})
		ctx := context.Background()
		ada, acct := e.user("ada@example.com")
		adaActor := store.Actor{UserID: &ada.ID, Label: ada.Email}
		if _, err := e.st.CreateDomain(ctx, adaActor, acct.ID, "example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.CreateRecord(ctx, adaActor, acct.ID, "example.com", store.RecordInput{Type: "NS", Content: "ns.elsewhere.example"}); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.signIn("ada@example.com")
		d := fmt.Sprintf("/a/%d/domains/example.com", acct.ID)
		page := d + "/name-servers"

		want(t, "domain page", b.get(d), 200, `href="`+page+`">change</a>`)
		r := b.get(page)
		want(t, "name servers page", r, 200, "ns1.zonewarden.test, ns2.zonewarden.test</strong> (this installation's own)",
			"added by hand for ns.elsewhere.example", `name="ns_names"`, ">\nns1.zonewarden.test\nns2.zonewarden.test</textarea>")
		if strings.Contains(r.body, `name="defaults"`) {
			t.Error("the page offers to reset name servers that are the defaults")
		}
		golden(t, "domain_name_servers", r.body)

		for _, c := range []struct{ text, msg string }{
			{"", "Give at least one name server."},
			{"ns1.example.net\n192.0.2.1", "&#34;192.0.2.1&#34; is not a host name: it is an IP address"},
			{"ns1.example.net\nNS1.example.net.", "ns1.example.net is given twice."},
			{"ns1.example.net\nns_2.example.net", "&#34;ns_2.example.net&#34; is not a host name: it contains &#39;_&#39;"},
			{"localhost", "it has a single label"},
			{"a.example.net b.example.net c.example.net d.example.net e.example.net f.example.net g.example.net h.example.net i.example.net j.example.net k.example.net l.example.net m.example.net n.example.net", "14 name servers are more than the 13"},
			{"ns1.example.net\nns.elsewhere.example", "added by hand"},
		} {
			r := b.post(page, page, url.Values{"ns_names": {c.text}})
			want(t, fmt.Sprintf("POST %q", c.text), r, http.StatusUnprocessableEntity, c.msg, `id="ns-error"`, `aria-invalid="true"`,
				">\n"+strings.NewReplacer("'", "&#39;", `"`, "&#34;").Replace(c.text)+"</textarea>")
		}
		if got := systemNS(t, e.st, acct.ID, "example.com"); !slices.Equal(got, []string{"ns1.zonewarden.test", "ns2.zonewarden.test"}) {
			t.Fatalf("name servers after the refusals: %v", got)
		}
		select {
		case z := <-e.changed:
			t.Fatalf("Changed(%q) after refusals", z)
		default:
		}

		// Lines, commas and spaces separate names; a final dot is fine.
		r = b.post(page, page, url.Values{"ns_names": {"ns1.example.net.\r\nns2.example.net, ns3.example.org\n"}})
		if r.status != http.StatusSeeOther || r.location != d {
			t.Fatalf("save: %d to %q %s", r.status, r.location, r.body)
		}
		if z := <-e.changed; z != "example.com" {
			t.Errorf("Changed(%q)", z)
		}
		if got := systemNS(t, e.st, acct.ID, "example.com"); !slices.Equal(got, []string{"ns1.example.net", "ns2.example.net", "ns3.example.org"}) {
			t.Errorf("name servers after saving: %v", got)
		}
		want(t, "domain page after saving", b.get(d), 200, "The name servers of example.com are now ns1.example.net, ns2.example.net, ns3.example.org.")
		want(t, "page after saving", b.get(page), 200, `name="defaults"`, "Reset to ns1.zonewarden.test, ns2.zonewarden.test")

		// The same names again write nothing and say so.
		if r := b.post(page, page, url.Values{"ns_names": {"ns3.example.org\nns2.example.net\nns1.example.net"}}); r.status != http.StatusSeeOther {
			t.Fatalf("save again: %d %s", r.status, r.body)
		}
		want(t, "domain page after the same names", b.get(d), 200, "are unchanged")
		select {
		case z := <-e.changed:
			t.Errorf("Changed(%q) for no change", z)
		default:
		}

		// Reset, whatever the text says.
		if r := b.post(page, page, url.Values{"defaults": {"1"}, "ns_names": {"ignored"}}); r.status != http.StatusSeeOther {
			t.Fatalf("reset: %d %s", r.status, r.body)
		}
		<-e.changed
		if got := systemNS(t, e.st, acct.ID, "example.com"); !slices.Equal(got, []string{"ns1.zonewarden.test", "ns2.zonewarden.test"}) {
			t.Errorf("name servers after the reset: %v", got)
		}
		entries, _, _ := e.st.Audit(ctx, acct.ID, store.AuditFilter{Action: "zone.ns_records_update"}, store.ListOptions{})
		if len(entries) != 2 || entries[0].ActorLabel != "ada@example.com" {
			t.Errorf("audit: %+v", entries)
		}
	})
}

// TestDomainNameServersAuthorization: an outsider gets 404, a read-only
// member sees the name servers without the form and gets 403, a forged or
// missing CSRF token is refused, and a secondary zone's page says why it
// has no form; nothing changes.
func TestDomainNameServersAuthorization(t *testing.T) {
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
		if _, err := e.st.CreateDomain(ctx, adaActor, acct.ID, "example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.CreateSecondaryZone(ctx, adaActor, acct.ID, "sec.example"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.CreateDomain(ctx, store.Actor{Label: "bob"}, bobAcct.ID, "bob.example"); err != nil {
			t.Fatal(err)
		}
		a := fmt.Sprintf("/a/%d/domains", acct.ID)
		page := a + "/example.com/name-servers"
		adaB, bobB, carolB := e.browser(), e.browser(), e.browser()
		adaB.signIn("ada@example.com")
		bobB.signIn("bob@example.com")
		carolB.signIn("carol@example.com")
		form := func() url.Values { return url.Values{"ns_names": {"ns1.example.net"}} }

		want(t, "outsider GET", bobB.get(page), http.StatusNotFound)
		r := carolB.get(page)
		want(t, "read-only GET", r, 200, "ns1.zonewarden.test, ns2.zonewarden.test")
		if strings.Contains(r.body, `name="ns_names"`) || strings.Contains(r.body, `name="defaults"`) {
			t.Error("a read-only member is shown the form")
		}
		if strings.Contains(carolB.get(a+"/example.com").body, "/name-servers") {
			t.Error("a read-only member's domain page links to the form")
		}
		want(t, "outsider POST", bobB.post("/sessions", page, form()), http.StatusNotFound)
		want(t, "read-only POST", carolB.post("/sessions", page, form()), http.StatusForbidden, "read-only member")
		want(t, "forged CSRF POST", adaB.post("/sessions", page, url.Values{"ns_names": {"ns1.example.net"}, "csrf": {"forged"}}), http.StatusForbidden, "This form has expired")
		want(t, "missing CSRF POST", adaB.postWithoutCSRF(page, form()), http.StatusForbidden, "This form has expired")
		for _, d := range []string{"bob.example", "nope.example"} {
			want(t, "GET "+d, adaB.get(a+"/"+d+"/name-servers"), http.StatusNotFound)
			want(t, "POST "+d, adaB.post("/sessions", a+"/"+d+"/name-servers", form()), http.StatusNotFound)
		}

		sec := a + "/sec.example/name-servers"
		r = adaB.get(sec)
		want(t, "secondary zone page", r, 200, "This is a secondary zone", "Change its name servers on the primary")
		if strings.Contains(r.body, `name="ns_names"`) {
			t.Error("a secondary zone's page shows the form")
		}
		if strings.Contains(adaB.get(a+"/sec.example").body, "/name-servers") {
			t.Error("a secondary zone's domain page links to the form")
		}
		want(t, "POST to a secondary zone", adaB.post(page, sec, form()), http.StatusUnprocessableEntity, "is a secondary zone")

		for _, z := range []struct {
			acct int64
			name string
		}{{acct.ID, "example.com"}, {acct.ID, "sec.example"}, {bobAcct.ID, "bob.example"}} {
			if got := systemNS(t, e.st, z.acct, z.name); !slices.Equal(got, []string{"ns1.zonewarden.test", "ns2.zonewarden.test"}) {
				t.Errorf("%s after the walk: %v", z.name, got)
			}
		}
	})
}
