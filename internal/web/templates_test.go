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

// TestTemplates: create a template, edit it, add and remove its records,
// delete it; refusals beside their fields.
func TestTemplates(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b := e.browser()
	b.signIn("ada@example.com")
	ctx := context.Background()
	list := "/a/1/templates"
	want(t, "nav", b.get("/a/1/domains"), 200, `<a href="/a/1/templates">Templates</a>`)
	golden(t, "templates_empty", b.get(list).body)

	want(t, "no name", b.post(list, list, url.Values{"sid": {"mail"}}), http.StatusUnprocessableEntity, `id="name-error">Name the template`)
	want(t, "bad sid", b.post(list, list, url.Values{"name": {"Mail"}, "sid": {"a b"}}), http.StatusUnprocessableEntity, `id="sid-error">The short name &#34;a b&#34; has &#39; &#39;; use letters, digits, - and _.`)
	r := b.post(list, list, url.Values{"name": {"Mail"}, "sid": {"mail"}, "description": {"MX and SPF"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	tpl, err := e.st.Template(ctx, 1, "mail")
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/a/1/templates/%d", tpl.ID)
	if r.location != page {
		t.Errorf("create sent to %q, want %q", r.location, page)
	}
	want(t, "taken sid", b.post(list, list, url.Values{"name": {"Mail 2"}, "sid": {"mail"}}), http.StatusUnprocessableEntity, "Another template of this account has the short name &#34;mail&#34;.")

	recs := page + "/records"
	want(t, "bad record", b.post(page, recs, url.Values{"type": {"A"}, "name": {"www"}, "content": {"1.2.3"}, "ttl": {"3600"}}), http.StatusUnprocessableEntity, `id="content-error">&#34;1.2.3&#34; is not an IPv4 address.`, `value="1.2.3"`)
	want(t, "bad ttl", b.post(page, recs, url.Values{"type": {"A"}, "name": {"www"}, "content": {"192.0.2.1"}, "ttl": {"x"}}), http.StatusUnprocessableEntity, `id="ttl-error"`)
	want(t, "bad type", b.post(page, recs, url.Values{"type": {"BOGUS"}, "content": {"x"}}), http.StatusUnprocessableEntity, `id="type-error"`)
	for _, f := range []url.Values{
		{"type": {"MX"}, "name": {""}, "priority": {"10"}, "content": {"mx.{{domain}}"}, "ttl": {"3600"}},
		{"type": {"TXT"}, "name": {""}, "content": {"v=spf1 mx -all"}, "ttl": {"3600"}},
	} {
		if r := b.post(page, recs, f); r.status != http.StatusSeeOther {
			t.Fatalf("add %v: %d %s", f, r.status, r.body)
		}
	}
	r = b.get(page)
	want(t, "template page", r, 200, "The TXT record @ is added to the template.", "mx.{{domain}}", "v=spf1 mx -all")
	golden(t, "template", r.body)

	// A record the template's others would refuse when applied is
	// refused now, beside the field at fault.
	want(t, "CNAME beside the template's records", b.post(page, recs, url.Values{"type": {"CNAME"}, "name": {"mail"}, "content": {"example.net"}, "ttl": {"3600"}}),
		http.StatusSeeOther)
	want(t, "A beside the template's CNAME", b.post(page, recs, url.Values{"type": {"A"}, "name": {"mail"}, "content": {"192.0.2.1"}, "ttl": {"3600"}}),
		http.StatusUnprocessableEntity, `id="name-error">The name mail has a CNAME record, which must be alone at its name`)
	// Names are relative to the domain the template is applied to: one
	// ending in a dot is refused, with nothing said of a sample zone.
	r = b.post(page, recs, url.Values{"type": {"A"}, "name": {"foo.example.com."}, "content": {"192.0.2.1"}, "ttl": {"3600"}})
	want(t, "absolute name", r, http.StatusUnprocessableEntity,
		`id="name-error">The name &#34;foo.example.com.&#34; ends in a dot, which makes it an absolute name`)
	if strings.Contains(r.body, "not in the zone") {
		t.Errorf("the refusal speaks of a zone: %s", r.body)
	}
	if trs, _, _ := e.st.TemplateRecords(ctx, 1, "mail", store.ListOptions{}); len(trs) != 3 {
		t.Errorf("%d records after a refused one, want 3", len(trs))
	}
	added, _, _ := e.st.TemplateRecords(ctx, 1, "mail", store.ListOptions{})
	for _, tr := range added {
		if tr.Type == "CNAME" {
			if err := e.st.DeleteTemplateRecord(ctx, store.Actor{Label: "test"}, 1, "mail", tr.ID); err != nil {
				t.Fatal(err)
			}
		}
	}

	r = b.post(page, page, url.Values{"name": {"Mail host"}, "sid": {"mail-host"}, "description": {"MX and SPF"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	want(t, "updated", b.get(list), 200, "Mail host", "<code>mail-host</code>")
	want(t, "update refused", b.post(page, page, url.Values{"name": {""}, "sid": {"mail-host"}}), http.StatusUnprocessableEntity, `id="t-name-error"`)

	trs, _, _ := e.st.TemplateRecords(ctx, 1, "mail-host", store.ListOptions{})
	del := fmt.Sprintf("%s/records/%d/delete", page, trs[1].ID)
	if r := b.post(page, del, nil); r.status != http.StatusSeeOther {
		t.Fatalf("remove record: %d", r.status)
	}
	if trs, _, _ := e.st.TemplateRecords(ctx, 1, "mail-host", store.ListOptions{}); len(trs) != 1 {
		t.Errorf("%d records after removing one of 2", len(trs))
	}
	want(t, "delete page", b.get(page+"/delete"), 200, "Delete the template Mail host?")
	if r := b.post(page+"/delete", page+"/delete", nil); r.status != http.StatusSeeOther || r.location != list {
		t.Fatalf("delete: %d to %q", r.status, r.location)
	}
	want(t, "deleted", b.get(page), http.StatusNotFound)
}

// TestTemplatesAuthorization walks the templates pages and actions as an
// outsider (404) and a read-only member (pages yes, writes 403).
func TestTemplatesAuthorization(t *testing.T) {
	e := newEnv(t, web.Config{})
	ada, _ := e.user("ada@example.com")
	e.user("bob@example.com")
	carol, _ := e.user("carol@example.com")
	ctx := context.Background()
	if err := e.st.AddMember(ctx, 1, carol.ID, store.RoleReadOnly); err != nil {
		t.Fatal(err)
	}
	a := store.Actor{UserID: &ada.ID}
	tpl, err := e.st.CreateTemplate(ctx, a, 1, store.Template{SID: "mail", Name: "Mail"})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := e.st.CreateTemplateRecord(ctx, a, 1, "mail", store.RecordInput{Type: "TXT", Content: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/a/1/templates/%d", tpl.ID)
	bob, carolB := e.browser(), e.browser()
	bob.signIn("bob@example.com")
	carolB.signIn("carol@example.com")
	for _, p := range []string{"/a/1/templates", page} {
		want(t, "outsider GET "+p, bob.get(p), http.StatusNotFound)
		r := carolB.get(p)
		want(t, "read-only GET "+p, r, http.StatusOK)
		for _, s := range []string{"<form class=\"inline-form\"", "/delete", "Remove"} {
			if strings.Contains(r.body, s) {
				t.Errorf("read-only %s shows %q", p, s)
			}
		}
	}
	want(t, "outsider GET delete", bob.get(page+"/delete"), http.StatusNotFound)
	want(t, "read-only GET delete", carolB.get(page+"/delete"), http.StatusForbidden)
	for _, act := range []struct {
		path string
		form url.Values
	}{
		{"/a/1/templates", url.Values{"name": {"X"}, "sid": {"x"}}},
		{page, url.Values{"name": {"X"}, "sid": {"x"}}},
		{page + "/delete", nil},
		{page + "/records", url.Values{"type": {"A"}, "name": {"www"}, "content": {"192.0.2.1"}}},
		{fmt.Sprintf("%s/records/%d/delete", page, tr.ID), nil},
	} {
		f := act.form
		if f == nil {
			f = url.Values{}
		}
		want(t, "outsider POST "+act.path, bob.post("/sessions", act.path, cloneForm(f)), http.StatusNotFound)
		want(t, "read-only POST "+act.path, carolB.post("/sessions", act.path, cloneForm(f)), http.StatusForbidden, "read-only member")
	}
	if got, err := e.st.Template(ctx, 1, "mail"); err != nil || got.Name != "Mail" {
		t.Errorf("template after the walk: %+v, %v", got, err)
	}
	if trs, _, _ := e.st.TemplateRecords(ctx, 1, "mail", store.ListOptions{}); len(trs) != 1 {
		t.Errorf("%d template records after the walk", len(trs))
	}
}
