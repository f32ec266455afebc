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
			{"CNAME beside an A", `{"name":"www","type":"CNAME","content":"example.net"}`, "name", "CNAME record at www.example.com., which has other records"},
			{"A beside a CNAME", `{"name":"docs","type":"A","content":"192.0.2.2"}`, "name", "A record at docs.example.com., which has a CNAME"},
			{"second CNAME", `{"name":"docs","type":"CNAME","content":"other.example.net"}`, "name", "second CNAME record at docs.example.com."},
			{"ALIAS beside an A", `{"name":"www","type":"ALIAS","content":"example.net"}`, "name", "ALIAS record at www.example.com., which has A or AAAA records"},
			{"below a DNAME", `{"name":"a.old","type":"TXT","content":"x"}`, "name", "is below the DNAME at old.example.com."},
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
