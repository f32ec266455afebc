package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

// postMultipart sends a multipart form from page (whose CSRF token it uses)
// to path, with a file part when file is not nil.
func (b *browser) postMultipart(page, path string, fields map[string]string, file []byte) response {
	b.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if _, ok := fields["csrf"]; !ok {
		mw.WriteField("csrf", b.csrf(page))
	}
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "example.com.zone")
		fw.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

var digestRE = regexp.MustCompile(`name="digest" value="([^"]+)"`)

func importEnv(t *testing.T) (*env, *browser, store.Actor) {
	t.Helper()
	e := newEnv(t, web.Config{})
	ada, _ := e.user("ada@example.com")
	a := store.Actor{UserID: &ada.ID}
	ctx := context.Background()
	if _, err := e.st.CreateDomain(ctx, a, 1, "example.com"); err != nil {
		t.Fatal(err)
	}
	for _, in := range []store.RecordInput{
		{Name: "www", Type: "A", Content: "192.0.2.1"},
		{Name: "mail", Type: "A", Content: "192.0.2.5"},
		{Name: "old", Type: "CNAME", Content: "a.example.net"},
		{Name: "", Type: "TXT", Content: "google-site-verification=abc"},
	} {
		if _, err := e.st.CreateRecord(ctx, a, 1, "example.com", in); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	b.signIn("ada@example.com")
	return e, b, a
}

const importFile = `$ORIGIN example.com.
$TTL 600
@ IN SOA ns.old.example. host.old.example. 1 7200 3600 1209600 300
@ NS ns1.old.example.
www A 192.0.2.1
mail 3600 A 192.0.2.5
api A 192.0.2.9
@ CNAME other.example.
@ MX 10 mx.example.net.
api A 192.0.2.9
ftp CNAME www
ftp A 192.0.2.10
short 30 A 192.0.2.11
old CNAME b.example.net.
$ORIGIN sub.example.com.
host A 192.0.2.12
other.org. A 192.0.2.1
`

func records(t *testing.T, e *env) map[string]store.Record {
	t.Helper()
	recs, _, err := e.st.Records(context.Background(), 1, "example.com", store.RecordFilter{}, store.ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]store.Record{}
	for _, r := range recs {
		m[r.Name+" "+r.Type+" "+r.Content] = r
	}
	return m
}

func TestImportPreviewAndConfirm(t *testing.T) {
	e, b, _ := importEnv(t)
	page := "/a/1/domains/example.com/import"
	want(t, "domain page links to import", b.get("/a/1/domains/example.com"), 200, `href="/a/1/domains/example.com/import"`)
	golden(t, "domain_import", b.get(page).body)
	before := records(t, e)

	r := b.postMultipart(page, page, map[string]string{"zone": importFile}, nil)
	want(t, "preview", r, 200, "adds 4, changes 2 and skips 8 records",
		// added
		"<td>7</td><td>api</td><td>A</td><td>600</td>", "<td>9</td><td>@</td><td>MX</td><td>600</td><td>10</td>",
		"<td>11</td><td>ftp</td><td>CNAME</td>", "<td>16</td><td>host.sub</td><td>A</td>",
		// changed: the TTL of www, the target of old
		"<td>5</td><td>www</td><td>A</td>", "TTL 3600", "<code>b.example.net</code>",
		// skipped, with reasons
		"<td>3</td><td>@</td><td>SOA</td>", "The SOA record is managed by Zonewarden",
		"The name servers of the domain itself are managed by Zonewarden",
		"<td>6</td><td>mail</td><td>A</td>", "The zone has this record already.",
		"A CNAME record cannot be at the zone apex; use an ALIAS record.",
		"The same record is on line 7.",
		"<td>12</td><td>ftp</td><td>A</td>", "The name ftp.example.com has a CNAME record, which must be alone at its name, so no A record can be added beside it.",
		"The TTL 30 is below the minimum of 60 seconds.",
		"other.org is outside example.com.")
	golden(t, "domain_import_preview", r.body)
	if got := records(t, e); len(got) != len(before) {
		t.Fatalf("the preview wrote: %d records, were %d", len(got), len(before))
	}
	digest := digestRE.FindStringSubmatch(r.body)[1]

	// The plan is made again from the text: a different text with the
	// previewed digest applies nothing.
	r = b.postMultipart(page, page+"/confirm", map[string]string{"zone": importFile + "evil A 192.0.2.66\n", "digest": digest}, nil)
	want(t, "confirm another text", r, http.StatusConflict, "The zone changed since this preview", "evil")
	if got := records(t, e); len(got) != len(before) {
		t.Fatalf("a forged confirmation wrote: %d records, were %d", len(got), len(before))
	}

	r = b.postMultipart(page, page+"/confirm", map[string]string{"zone": importFile, "digest": digest}, nil)
	if r.status != http.StatusSeeOther || r.location != "/a/1/domains/example.com" {
		t.Fatalf("confirm: %d to %q: %s", r.status, r.location, r.body)
	}
	if z := <-e.changed; z != "example.com" {
		t.Errorf("changed %q", z)
	}
	want(t, "flash", b.get("/a/1/domains/example.com"), 200, "The zone file is imported: 4 records added, 2 records changed, 8 records skipped.")
	got := records(t, e)
	for _, k := range []string{"api A 192.0.2.9", " MX mx.example.net", "ftp CNAME www.example.com", "host.sub A 192.0.2.12", "old CNAME b.example.net", "mail A 192.0.2.5", " TXT google-site-verification=abc"} {
		if _, ok := got[k]; !ok {
			t.Errorf("after the import, no %q in %v", k, keys(got))
		}
	}
	if w := got["www A 192.0.2.1"]; w.TTL != 600 {
		t.Errorf("www TTL %d, want 600", w.TTL)
	}
	if _, ok := got["old CNAME a.example.net"]; ok {
		t.Error("old CNAME not changed")
	}
	if len(got) != len(before)+4 {
		t.Errorf("%d records after, %d before: want 4 more", len(got), len(before))
	}

	// Again: everything is there now.
	r = b.postMultipart(page, page, map[string]string{"zone": importFile}, nil)
	want(t, "preview again", r, 200, "adds 0, changes 0 and skips 14 records")
	if strings.Contains(r.body, "Import 0") {
		t.Error("an empty import offers to confirm")
	}
}

func TestImportUploadAndErrors(t *testing.T) {
	e, b, _ := importEnv(t)
	page := "/a/1/domains/example.com/import"

	r := b.postMultipart(page, page, nil, []byte("www2 IN A 192.0.2.7\r\n"))
	want(t, "upload", r, 200, "adds 1, changes 0 and skips 0 records", "<td>1</td><td>www2</td>")

	r = b.postMultipart(page, page, map[string]string{"zone": "www A 192.0.2.1\n\nbad A 1.2.3\n"}, nil)
	want(t, "syntax error", r, http.StatusUnprocessableEntity, "Line 3: bad A address &#34;1.2.3&#34;.", `aria-invalid="true"`, "bad A 1.2.3")

	want(t, "not UTF-8", b.postMultipart(page, page, nil, []byte("txt TXT \"caf\xe9\"\n")), http.StatusUnprocessableEntity, "The zone file is not UTF-8 text.")
	want(t, "empty", b.postMultipart(page, page, map[string]string{"zone": "  \n"}, nil), http.StatusUnprocessableEntity, "Paste the records of a zone file")
	want(t, "include", b.postMultipart(page, page, map[string]string{"zone": "$INCLUDE /etc/passwd\n"}, nil), http.StatusUnprocessableEntity, "Line 1:")

	big := strings.Repeat("; padding line of a large file\n", 34000) // 1.05 MB
	want(t, "too large", b.postMultipart(page, page, map[string]string{"zone": big}, nil), http.StatusUnprocessableEntity, "larger than 1024 KB")
	huge := strings.Repeat("x", 3<<20)
	want(t, "far too large", b.postMultipart(page, page, map[string]string{"zone": huge}, nil), http.StatusRequestEntityTooLarge, "larger than")

	// What only the zone as a whole refuses (a name below a DNAME) is
	// refused at confirmation, and nothing is written.
	before := records(t, e)
	file := "d DNAME x.example.net.\nfine A 192.0.2.3\na.d A 192.0.2.1\n"
	r = b.postMultipart(page, page, map[string]string{"zone": file}, nil)
	want(t, "DNAME preview", r, 200, "adds 3")
	digest := digestRE.FindStringSubmatch(r.body)[1]
	r = b.postMultipart(page, page+"/confirm", map[string]string{"zone": file, "digest": digest}, nil)
	want(t, "refused as a whole", r, http.StatusConflict, "Nothing was imported: the zone refused the import as a whole.")
	if got := records(t, e); len(got) != len(before) {
		t.Errorf("a refused import wrote: %d records, were %d", len(got), len(before))
	}
}

// TestImportAuthorization: outsiders get 404, read-only members 403, on
// every page and action of the import.
func TestImportAuthorization(t *testing.T) {
	e, _, _ := importEnv(t)
	bob, _ := e.user("bob@example.com")
	carol, _ := e.user("carol@example.com")
	_ = bob
	if err := e.st.AddMember(context.Background(), 1, carol.ID, store.RoleReadOnly); err != nil {
		t.Fatal(err)
	}
	ob, rb := e.browser(), e.browser()
	ob.signIn("bob@example.com")
	rb.signIn("carol@example.com")
	page := "/a/1/domains/example.com/import"
	want(t, "outsider GET", ob.get(page), http.StatusNotFound)
	want(t, "read-only GET", rb.get(page), http.StatusForbidden)
	for _, p := range []string{page, page + "/confirm"} {
		want(t, "outsider POST "+p, ob.postMultipart("/sessions", p, map[string]string{"zone": "x A 192.0.2.1\n", "digest": "d"}, nil), http.StatusNotFound)
		want(t, "read-only POST "+p, rb.postMultipart("/sessions", p, map[string]string{"zone": "x A 192.0.2.1\n", "digest": "d"}, nil), http.StatusForbidden, "read-only member")
	}
	if _, ok := records(t, e)["x A 192.0.2.1"]; ok {
		t.Error("an unauthorized import wrote")
	}
}

func keys(m map[string]store.Record) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
