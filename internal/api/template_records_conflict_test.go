package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
)

// TestTemplateRecordConflicts: a template record that could never be
// applied beside the template's other records (a CNAME beside other
// records, two CNAMEs at one name, an ALIAS beside addresses, a duplicate)
// is refused when it is added, with a 400 naming the field, as a zone
// record would be; the template keeps only what it had.
func TestTemplateRecordConflicts(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		ctx := context.Background()
		who := store.Actor{Label: "test"}
		if _, err := e.st.CreateTemplate(ctx, who, e.accountA.ID, store.Template{SID: "web", Name: "Web"}); err != nil {
			t.Fatal(err)
		}
		for _, in := range []store.RecordInput{
			{Name: "www", Type: "A", Content: "192.0.2.1"},
			{Name: "docs", Type: "CNAME", Content: "docs.{{domain}}.example.net"},
			{Name: "old", Type: "DNAME", Content: "new.example.net"},
		} {
			if _, err := e.st.CreateTemplateRecord(ctx, who, e.accountA.ID, "web", in); err != nil {
				t.Fatal(err)
			}
		}
		path := fmt.Sprintf("/v2/%d/templates/web/records", e.accountA.ID)
		tests := []struct {
			name, body, field, msg string
		}{
			{"CNAME beside an A", `{"name":"www","type":"CNAME","content":"example.net"}`, "name", "CNAME record at www, which has other records"},
			{"A beside a CNAME", `{"name":"docs","type":"A","content":"192.0.2.2"}`, "name", "A record at docs, which has a CNAME"},
			{"second CNAME", `{"name":"docs","type":"CNAME","content":"other.example.net"}`, "name", "second CNAME record at docs"},
			{"ALIAS beside an A", `{"name":"www","type":"ALIAS","content":"example.net"}`, "name", "ALIAS record at www, which has A or AAAA records"},
			{"below a DNAME", `{"name":"a.old","type":"TXT","content":"x"}`, "name", "a.old is below the DNAME at old"},
			{"CNAME at the apex", `{"name":"","type":"CNAME","content":"example.net"}`, "record_type", "cannot be at the zone apex"},
			{"duplicate", `{"name":"www","type":"A","content":"192.0.2.1"}`, "content", "the template already has this A record at www"},
		}
		for _, tt := range tests {
			status, _, body := e.do(t, "POST", path, e.tokenA, tt.body)
			var got struct {
				Message string              `json:"message"`
				Errors  map[string][]string `json:"errors"`
			}
			if err := json.Unmarshal(body, &got); status != 400 || err != nil || !strings.Contains(strings.Join(got.Errors[tt.field], " "), tt.msg) {
				t.Errorf("%s: %d %s, want a 400 on %s with %q", tt.name, status, body, tt.field, tt.msg)
			}
		}
		trs, _, err := e.st.TemplateRecords(ctx, e.accountA.ID, "web", store.ListOptions{})
		if err != nil || len(trs) != 3 {
			t.Errorf("the template after refused records: %+v, %v", trs, err)
		}
		// What does not clash is still added.
		if status, _, body := e.do(t, "POST", path, e.tokenA, `{"name":"www","type":"AAAA","content":"2001:db8::1"}`); status != 201 {
			t.Errorf("AAAA beside the A: %d %s", status, body)
		}
	})
}

// TestTemplateRecordNames: a template record's name is relative to the
// domain the template is applied to and kept as written; a name ending in
// a dot is refused as absolute, and no message speaks of the sample zone
// records are checked in.
func TestTemplateRecordNames(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		ctx := context.Background()
		if _, err := e.st.CreateTemplate(ctx, store.Actor{Label: "test"}, e.accountA.ID, store.Template{SID: "web", Name: "Web"}); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/v2/%d/templates/web/records", e.accountA.ID)
		tests := []struct {
			name, typ, content string
			want               string // the name stored
			field, msg         string // or the 400
		}{
			{name: "www.example.com", typ: "A", content: "192.0.2.1", want: "www.example.com"},
			{name: "example.com", typ: "A", content: "192.0.2.2", want: "example.com"},
			{name: "WWW", typ: "A", content: "192.0.2.3", want: "www"},
			{name: "@", typ: "TXT", content: "x", want: ""},
			{name: "foo.example.com.", typ: "A", content: "192.0.2.1", field: "name",
				msg: `"foo.example.com." ends in a dot, which makes it an absolute name; a template's record names are relative to the domain it is applied to: write "foo.example.com"`},
			{name: "example.com.", typ: "A", content: "192.0.2.1", field: "name", msg: "ends in a dot"},
			{name: "other.org.", typ: "A", content: "192.0.2.1", field: "name", msg: "ends in a dot"},
			{name: ".", typ: "A", content: "192.0.2.1", field: "name", msg: `"." ends in a dot, which makes it an absolute name; a template's record names are relative to the domain it is applied to: leave the name empty`},
			{name: "a b", typ: "A", content: "192.0.2.1", field: "name", msg: `"a b" `},
			{name: "", typ: "CNAME", content: "{{domain}}", field: "record_type", msg: "cannot be at the zone apex"},
			{name: "mx", typ: "MX", content: "mx.{{domain}} extra", field: "content", msg: `"mx.{{domain}} extra" is not a host name`},
			{name: "www.example.com", typ: "CNAME", content: "example.net", field: "name", msg: "CNAME record at www.example.com, which has other records"},
			{name: "", typ: "ALIAS", content: "example.net", field: "name", msg: "ALIAS record at @, which has A or AAAA records"},
		}
		for _, tt := range tests {
			body := fmt.Sprintf(`{"name":%q,"type":%q,"content":%q}`, tt.name, tt.typ, tt.content)
			if tt.typ == "ALIAS" {
				// An address at the apex first, for the ALIAS to clash with.
				if status, _, b := e.do(t, "POST", path, e.tokenA, `{"name":"","type":"A","content":"192.0.2.9"}`); status != 201 {
					t.Fatalf("apex A: %d %s", status, b)
				}
			}
			status, _, resp := e.do(t, "POST", path, e.tokenA, body)
			if strings.Contains(string(resp), "template.invalid") || strings.Contains(string(resp), "zone example.com") || strings.Contains(string(resp), "example.com.,") {
				t.Errorf("%s: the answer speaks of the sample zone: %s", body, resp)
			}
			if tt.msg == "" {
				var got struct {
					Data struct{ Name string } `json:"data"`
				}
				if err := json.Unmarshal(resp, &got); status != 201 || err != nil || got.Data.Name != tt.want {
					t.Errorf("%s: %d %s, want the name %q", body, status, resp, tt.want)
				}
				continue
			}
			var got struct {
				Errors map[string][]string `json:"errors"`
			}
			if err := json.Unmarshal(resp, &got); status != 400 || err != nil || !strings.Contains(strings.Join(got.Errors[tt.field], " "), tt.msg) {
				t.Errorf("%s: %d %s, want a 400 on %s with %q", body, status, resp, tt.field, tt.msg)
			}
		}
	})
}
