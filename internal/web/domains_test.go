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

func TestDomainsAndRecords(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b := e.browser()
	b.signIn("ada@example.com")
	golden(t, "domains_empty", b.get("/a/1/domains").body)
	golden(t, "domain_new", b.get("/a/1/domains/new").body)

	want(t, "bad domain", b.post("/a/1/domains/new", "/a/1/domains", url.Values{"name": {"not a domain"}}),
		http.StatusUnprocessableEntity, "is not a domain name", `aria-invalid="true"`)
	r := b.post("/a/1/domains/new", "/a/1/domains", url.Values{"name": {"Example.COM"}})
	if r.status != http.StatusSeeOther || r.location != "/a/1/domains/example.com" {
		t.Fatalf("add domain: %d to %q: %s", r.status, r.location, r.body)
	}
	if z := <-e.changed; z != "example.com" {
		t.Errorf("changed %q", z)
	}
	want(t, "domain again", b.post("/a/1/domains/new", "/a/1/domains", url.Values{"name": {"example.com"}}),
		http.StatusUnprocessableEntity, "Example.com is already hosted here")

	want(t, "type chooser", b.get("/a/1/domains/example.com/records/new"), 200, `href="?type=MX"`)
	page := "/a/1/domains/example.com/records/new?type=MX"
	golden(t, "record_new_mx", b.get(page).body)
	want(t, "SRV form", b.get("/a/1/domains/example.com/records/new?type=SRV"), 200, `name="weight"`, `name="port"`, `name="target"`, `name="priority"`)
	want(t, "CAA form", b.get("/a/1/domains/example.com/records/new?type=CAA"), 200, `name="flags"`, `name="tag"`, `name="value"`)

	// Inline errors from the form and from the zone package.
	r = b.post(page, "/a/1/domains/example.com/records", url.Values{"type": {"MX"}, "name": {""}, "priority": {"ten"}, "content": {"mail.example.com"}, "ttl": {"3600"}})
	want(t, "bad priority", r, http.StatusUnprocessableEntity, "Enter the priority as a number", `value="ten"`)
	r = b.post(page, "/a/1/domains/example.com/records", url.Values{"type": {"A"}, "name": {"www"}, "content": {"1.2.3"}, "ttl": {"3600"}})
	want(t, "bad address", r, http.StatusUnprocessableEntity, "is not an IPv4 address", `id="content-error"`)
	r = b.post(page, "/a/1/domains/example.com/records", url.Values{"type": {"A"}, "name": {"www"}, "content": {"192.0.2.1"}, "ttl": {"5"}})
	want(t, "bad TTL", r, http.StatusUnprocessableEntity, `id="ttl-error"`)

	add := func(form url.Values) {
		t.Helper()
		r := b.post(page, "/a/1/domains/example.com/records", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("add %v: %d %s", form, r.status, r.body)
		}
	}
	add(url.Values{"type": {"A"}, "name": {"www"}, "content": {"192.0.2.1"}, "ttl": {"3600"}})
	add(url.Values{"type": {"MX"}, "name": {""}, "priority": {"10"}, "content": {"mail.example.com"}, "ttl": {"3600"}})
	add(url.Values{"type": {"SRV"}, "name": {"_sip._tcp"}, "priority": {"10"}, "weight": {"5"}, "port": {"5060"}, "target": {"sip.example.com"}, "ttl": {"600"}})
	add(url.Values{"type": {"CAA"}, "name": {""}, "flags": {"0"}, "tag": {"issue"}, "value": {"letsencrypt.org"}, "ttl": {"3600"}})
	r = b.post(page, "/a/1/domains/example.com/records", url.Values{"type": {"CNAME"}, "name": {"www"}, "content": {"example.net"}, "ttl": {"3600"}})
	want(t, "CNAME beside A", r, http.StatusUnprocessableEntity, `id="name-error"`)
	add(url.Values{"type": {"TXT"}, "name": {""}, "content": {"v=spf1 mx -all"}, "ttl": {"3600"}})

	show := b.get("/a/1/domains/example.com")
	want(t, "domain page", show, 200, "The TXT record @ is added", "5 5060 sip.example.com", `0 issue &#34;letsencrypt.org&#34;`, "ns1.zonewarden.test")
	golden(t, "domain", show.body)
	want(t, "filter by type", b.get("/a/1/domains/example.com?type=MX"), 200, "mail.example.com")
	if r := b.get("/a/1/domains/example.com?type=MX"); strings.Contains(r.body, "192.0.2.1") {
		t.Error("type filter shows an A record")
	}
	if r := b.get("/a/1/domains/example.com?name=ww&sort=name:desc"); !strings.Contains(r.body, "192.0.2.1") || strings.Contains(r.body, "mail.example.com") {
		t.Error("name filter")
	}

	// Edit: the SRV form comes back split into its fields.
	recs, _, _ := e.st.Records(context.Background(), 1, "example.com", store.RecordFilter{Type: "SRV"}, store.ListOptions{})
	srv := recs[0]
	edit := fmt.Sprintf("/a/1/domains/example.com/records/%d/edit", srv.ID)
	want(t, "edit SRV", b.get(edit), 200, `name="weight" value="5"`, `name="port" value="5060"`, `name="target" value="sip.example.com"`)
	r = b.post(edit, fmt.Sprintf("/a/1/domains/example.com/records/%d", srv.ID), url.Values{"name": {"_sip._tcp"}, "priority": {"20"}, "weight": {"1"}, "port": {"5061"}, "target": {"sip2.example.com"}, "ttl": {"600"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit SRV: %d %s", r.status, r.body)
	}
	if got, _ := e.st.Record(context.Background(), 1, "example.com", srv.ID); got.Content != "1 5061 sip2.example.com" || *got.Priority != 20 {
		t.Errorf("edited SRV: %q priority %d", got.Content, *got.Priority)
	}

	// Delete, after the confirmation page.
	del := fmt.Sprintf("/a/1/domains/example.com/records/%d/delete", srv.ID)
	want(t, "delete page", b.get(del), 200, "Delete this record?")
	if r := b.post(del, del, nil); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if _, err := e.st.Record(context.Background(), 1, "example.com", srv.ID); err == nil {
		t.Error("record still there")
	}

	// System records offer no edit.
	soa, _, _ := e.st.Records(context.Background(), 1, "example.com", store.RecordFilter{Type: "SOA"}, store.ListOptions{})
	want(t, "edit SOA", b.get(fmt.Sprintf("/a/1/domains/example.com/records/%d/edit", soa[0].ID)), http.StatusForbidden, "managed by Zonewarden")

	// Zone file.
	zf := b.get("/a/1/domains/example.com/zone-file")
	want(t, "zone file", zf, 200, "$ORIGIN example.com.", "192.0.2.1", "letsencrypt.org")
	if cd := zf.header.Get("Content-Disposition"); cd != `attachment; filename="example.com.zone"` {
		t.Errorf("Content-Disposition %q", cd)
	}

	// Search and pagination of domains.
	for i := range 30 {
		if _, err := e.st.CreateDomain(context.Background(), store.Actor{}, 1, fmt.Sprintf("d%02d.example.org", i)); err != nil {
			t.Fatal(err)
		}
	}
	list := b.get("/a/1/domains")
	want(t, "domains page 1", list, 200, "Page 1 of 2 (31 in all)", `href="?page=2"`)
	want(t, "domains page 2", b.get("/a/1/domains?page=2"), 200, "d29.example.org", "Page 2 of 2")
	r = b.get("/a/1/domains?q=d07")
	want(t, "domain search", r, 200, "d07.example.org")
	if strings.Contains(r.body, "d08.example.org") {
		t.Error("search shows d08")
	}
	want(t, "search without match", b.get("/a/1/domains?q=nothing"), 200, "No domain of this account contains")

	// Delete the domain.
	if r := b.post("/a/1/domains/example.com/delete", "/a/1/domains/example.com/delete", nil); r.status != http.StatusSeeOther {
		t.Fatalf("delete domain: %d", r.status)
	}
	want(t, "deleted domain", b.get("/a/1/domains/example.com"), http.StatusNotFound, "Not found")
}

func TestTokens(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b := e.browser()
	b.signIn("ada@example.com")
	golden(t, "tokens_empty", b.get("/a/1/tokens").body)
	want(t, "unnamed token", b.post("/a/1/tokens", "/a/1/tokens", url.Values{"kind": {"account"}}), http.StatusUnprocessableEntity, "Name the token")
	r := b.post("/a/1/tokens", "/a/1/tokens", url.Values{"kind": {"account"}, "name": {"certbot"}})
	want(t, "create token", r, http.StatusCreated, "shown only this once")
	m := tokenRE.FindString(r.body)
	if m == "" {
		t.Fatal("no token on the page")
	}
	golden(t, "tokens_created", r.body)
	p, err := e.st.Authenticate(context.Background(), m)
	if err != nil || p.Account == nil || p.Account.ID != 1 {
		t.Fatalf("the token shown: %+v, %v", p, err)
	}
	list := b.get("/a/1/tokens")
	if strings.Contains(list.body, m) {
		t.Error("the token is shown twice")
	}
	want(t, "token list", list, 200, "certbot", "active")
	if r := b.post("/a/1/tokens", "/a/1/tokens/1/revoke", nil); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	want(t, "revoked", b.get("/a/1/tokens"), 200, "The token is revoked", "revoked DATE"[:7])
	if _, err := e.st.Authenticate(context.Background(), m); err == nil {
		t.Error("revoked token still works")
	}
}
