package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
)

func TestApplyTemplate(t *testing.T) {
	e, b, a := importEnv(t)
	ctx := context.Background()
	page := "/a/1/domains/example.com/templates"
	want(t, "no templates", b.get(page), 200, "This account has no templates yet")
	tpl, err := e.st.CreateTemplate(ctx, a, 1, store.Template{SID: "mail", Name: "Mail host", Description: "MX and SPF"})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []store.RecordInput{
		{Type: "MX", Content: "mx.{{domain}}", Priority: new(uint16(10))},
		{Type: "TXT", Content: "v=spf1 mx -all"},
		{Name: "webmail", Type: "CNAME", Content: "{{domain}}"},
	} {
		if _, err := e.st.CreateTemplateRecord(ctx, a, 1, "mail", in); err != nil {
			t.Fatal(err)
		}
	}
	want(t, "domain page links", b.get("/a/1/domains/example.com"), 200, `href="/a/1/domains/example.com/templates"`)
	r := b.get(page)
	want(t, "templates page", r, 200, "Mail host", "mx.{{domain}}", "v=spf1 mx -all")
	golden(t, "domain_templates", r.body)

	apply := fmt.Sprintf("%s/%d/apply", page, tpl.ID)
	r = b.post(page, apply, nil)
	if r.status != http.StatusSeeOther || r.location != "/a/1/domains/example.com" {
		t.Fatalf("apply: %d to %q: %s", r.status, r.location, r.body)
	}
	if z := <-e.changed; z != "example.com" {
		t.Errorf("changed %q", z)
	}
	want(t, "flash", b.get("/a/1/domains/example.com"), 200, "The template Mail host is applied: 3 records added and served.")
	got := records(t, e)
	for _, k := range []string{" MX mx.example.com", " TXT v=spf1 mx -all", "webmail CNAME example.com"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q after applying: %v", k, keys(got))
		}
	}

	// Again: the records are there, so nothing is added.
	r = b.post(page, apply, nil)
	want(t, "apply twice", r, http.StatusUnprocessableEntity, "The template Mail host was not applied, and nothing was added", "Its MX record @: the zone already has this MX record")
	if n := len(records(t, e)); n != len(got) {
		t.Errorf("%d records after a refused apply, %d before", n, len(got))
	}
	want(t, "unknown template", b.post(page, page+"/999/apply", nil), http.StatusNotFound)

	// Outsiders and read-only members.
	bob, _ := e.user("bob@example.com")
	carol, _ := e.user("carol@example.com")
	if err := e.st.AddMember(ctx, 1, carol.ID, store.RoleReadOnly); err != nil {
		t.Fatal(err)
	}
	// Bob's own template cannot be applied to Ada's domain either.
	bobT, err := e.st.CreateTemplate(ctx, store.Actor{UserID: &bob.ID}, 2, store.Template{SID: "bobs", Name: "Bob's"})
	if err != nil {
		t.Fatal(err)
	}
	want(t, "another account's template", b.post(page, fmt.Sprintf("%s/%d/apply", page, bobT.ID), nil), http.StatusNotFound)
	ob, rb := e.browser(), e.browser()
	ob.signIn("bob@example.com")
	rb.signIn("carol@example.com")
	want(t, "outsider GET", ob.get(page), http.StatusNotFound)
	want(t, "read-only GET", rb.get(page), http.StatusForbidden)
	want(t, "outsider POST", ob.post("/sessions", apply, nil), http.StatusNotFound)
	want(t, "read-only POST", rb.post("/sessions", apply, nil), http.StatusForbidden, "read-only member")
	if body := rb.get("/a/1/domains/example.com").body; contains(body, "example.com/templates") || contains(body, "example.com/import") {
		t.Error("read-only member sees the template or import links")
	}
}
