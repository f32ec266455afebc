package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

var cellRE = regexp.MustCompile(`<tr>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>`)

// rows are the name, type and TTL of each row of a records table.
func rows(body string) []string {
	var out []string
	for _, m := range cellRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+" "+m[2]+" "+m[3])
	}
	return out
}

// TestRecordsTable: the domain page's records sort by name, type and TTL,
// filter by type and name, and come a page at a time, the filter and sort
// kept across pages.
func TestRecordsTable(t *testing.T) {
	e := newEnv(t, web.Config{})
	ada, _ := e.user("ada@example.com")
	a := store.Actor{UserID: &ada.ID}
	ctx := context.Background()
	if _, err := e.st.CreateDomain(ctx, a, 1, "example.com"); err != nil {
		t.Fatal(err)
	}
	b := store.Batch{}
	for i := range 60 {
		b.Creates = append(b.Creates, store.RecordInput{Name: fmt.Sprintf("h%02d", i), Type: "A", Content: fmt.Sprintf("192.0.2.%d", i), TTL: uint32(60 + 60*(i%7))})
	}
	b.Creates = append(b.Creates, store.RecordInput{Name: "h05", Type: "TXT", Content: "hello", TTL: 120})
	if _, err := e.st.BatchChange(ctx, a, 1, "example.com", b); err != nil {
		t.Fatal(err)
	}
	br := e.browser()
	br.signIn("ada@example.com")
	d := "/a/1/domains/example.com"

	r := br.get(d)
	want(t, "page 1", r, 200, "Page 1 of 2 (64 in all)", `href="?page=2"`, `href="?sort=ttl%3Aasc"`)
	if got := rows(r.body); len(got) != 50 || got[0] != "@ NS 3600" {
		t.Errorf("page 1 by name: %d rows, first %q", len(got), got[0])
	}
	r = br.get(d + "?sort=ttl:desc")
	want(t, "by TTL", r, 200, `aria-sort="descending"><a href="?sort=ttl%3Aasc">TTL`)
	if got := rows(r.body); got[0] != "@ NS 3600" || !strings.HasSuffix(got[len(got)-1], " 120") {
		t.Errorf("by TTL descending: first %q, last %q", got[0], got[len(got)-1])
	}
	r = br.get(d + "?sort=ttl:asc&page=2")
	want(t, "by TTL, page 2", r, 200, "Page 2 of 2", `href="?page=1&amp;sort=ttl%3Aasc"`)
	if got := rows(r.body); len(got) != 14 || !strings.HasSuffix(got[len(got)-1], " 3600") {
		t.Errorf("by TTL ascending, page 2: %q", got)
	}
	r = br.get(d + "?sort=type:desc")
	if got := rows(r.body); got[0] != "h05 TXT 120" {
		t.Errorf("by type descending: first %q", got[0])
	}
	r = br.get(d + "?type=TXT")
	if got := rows(r.body); len(got) != 1 || got[0] != "h05 TXT 120" {
		t.Errorf("type filter: %q", got)
	}
	r = br.get(d + "?name=h1&sort=name:desc")
	want(t, "name filter", r, 200)
	if got := rows(r.body); len(got) != 10 || got[0] != "h19 A 360" || got[9] != "h10 A 240" {
		t.Errorf("name filter, by name descending: %q", got)
	}
	want(t, "bad sort is ignored", br.get(d+"?sort=content;drop"), 200, "Page 1 of 2")
	if r := br.get(d + "?type=A&page=5"); r.status != 303 || r.location != "/a/1/domains/example.com?page=2&type=A" {
		t.Errorf("records past the end: %d to %q", r.status, r.location)
	}
}

// TestDomainsSearchPages: a search is kept across the pages of its
// results.
func TestDomainsSearchPages(t *testing.T) {
	e := newEnv(t, web.Config{})
	ada, _ := e.user("ada@example.com")
	for i := range 30 {
		for _, n := range []string{"shop%02d.example", "blog%02d.example"} {
			if _, err := e.st.CreateDomain(context.Background(), store.Actor{UserID: &ada.ID}, 1, fmt.Sprintf(n, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	b := e.browser()
	b.signIn("ada@example.com")
	r := b.get("/a/1/domains?q=SHOP")
	want(t, "search page 1", r, 200, "Page 1 of 2 (30 in all)", `href="?page=2&amp;q=SHOP"`, "shop00.example", `value="SHOP"`)
	if strings.Contains(r.body, "blog") {
		t.Error("search for shop shows a blog")
	}
	want(t, "search page 2", b.get("/a/1/domains?q=SHOP&page=2"), 200, "shop29.example", `href="?page=1&amp;q=SHOP"`)
	if r := b.get("/a/1/domains?q=shop&page=9"); r.status != 303 || r.location != "/a/1/domains?page=2&q=shop" {
		t.Errorf("past the end: %d to %q", r.status, r.location)
	}
}

// TestHugePage: a page number past any list leads to the last page, never
// a dropped connection (its offset overflowed once).
func TestHugePage(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b := e.browser()
	b.signIn("ada@example.com")
	b.post("/a/1/domains/new", "/a/1/domains", url.Values{"name": {"example.com"}})
	for _, p := range []string{"/a/1/domains/example.com", "/a/1/domains", "/a/1/templates", "/a/1/secondary-dns"} {
		for _, page := range []string{"4611686018427387904", "9223372036854775807"} {
			r := b.get(p + "?page=" + page)
			if r.status != http.StatusOK && r.status != http.StatusSeeOther {
				t.Errorf("GET %s page %s: %d", p, page, r.status)
			}
		}
	}
}
