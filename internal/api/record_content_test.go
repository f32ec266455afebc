package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestRecordContentRefused: content with more or fewer fields than its type
// has is a 400 on content, on create and on update, and nothing is stored:
// the record created is missing, the record updated is as it was.
func TestRecordContentRefused(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		seed(t, e)
		ctx := context.Background()
		records := fmt.Sprintf("/v2/%d/zones/example.com/records", e.accountA.ID)
		status, _, body := e.do(t, "POST", records, e.tokenA, `{"name":"h","type":"HINFO","content":"\"PC\" \"Linux\""}`)
		if status != 201 {
			t.Fatalf("create HINFO: %d %s", status, body)
		}
		var created struct {
			Data struct{ ID int64 } `json:"data"`
		}
		if err := json.Unmarshal(body, &created); err != nil {
			t.Fatal(err)
		}
		hinfo := fmt.Sprintf("%s/%d", records, created.Data.ID)

		tests := []struct {
			typ, content, msg string
		}{
			{"HINFO", `"PC" "Linux" "extra"`, "is not two strings"},
			{"HINFO", `PC Linux extra`, "is not two strings"},
			{"HINFO", `"Intel Xeon"`, "is not two strings"},
			{"MX", "mx.example.com extra", "is not a host name"},
			{"SRV", "60 5060 sip.example.com extra", `is not \"weight port target\"`},
			{"CAA", `0 issue "letsencrypt.org" "other.org"`, "is not valid CAA content"},
			{"SSHFP", "4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789 extra", "is not valid SSHFP content"},
		}
		for _, tt := range tests {
			content, _ := json.Marshal(tt.content)
			status, _, body := e.do(t, "POST", records, e.tokenA, fmt.Sprintf(`{"name":"x","type":%q,"content":%s}`, tt.typ, content))
			if status != 400 || !strings.Contains(string(body), `"errors":{"content":[`) || !strings.Contains(string(body), tt.msg) {
				t.Errorf("create %s %s: %d %s", tt.typ, tt.content, status, body)
			}
			if tt.typ != "HINFO" {
				continue
			}
			status, _, body = e.do(t, "PATCH", hinfo, e.tokenA, fmt.Sprintf(`{"content":%s}`, content))
			if status != 400 || !strings.Contains(string(body), `"errors":{"content":[`) || !strings.Contains(string(body), tt.msg) {
				t.Errorf("update to %s: %d %s", tt.content, status, body)
			}
		}
		recs, err := e.st.ZoneRecords(ctx, e.accountA.ID, "example.com")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Name == "x" || r.Type == "HINFO" && r.Content != `"PC" "Linux"` {
				t.Errorf("refused content left %+v", r)
			}
		}
	})
}
