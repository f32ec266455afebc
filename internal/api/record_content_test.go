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
			{"HINFO", `"a\999" b`, `escape \\999 is above \\255`},
			{"HINFO", `"a\25" b`, `escape \\25 is not a \\DDD escape`},
			{"TXT", `"a\25"`, `escape \\25 is not a \\DDD escape`},
			{"CAA", `0 issue "ca\999.example"`, `escape \\999 is above \\255`},
			{"NAPTR", `100 10 "S\999" "SIP+D2U" "" .`, `escape \\999 is above \\255`},
			{"URI", `10 1 "https://ex\25.example/"`, `escape \\25 is not a \\DDD escape`},
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

// TestRecordContentUTF8: HINFO and CAA text that is UTF-8 comes back as it
// was sent, as TXT's does, not as \DDD escapes a client would see as drift.
func TestRecordContentUTF8(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		seed(t, e)
		records := fmt.Sprintf("/v2/%d/zones/example.com/records", e.accountA.ID)
		tests := []struct{ typ, content, want string }{
			{"HINFO", `"é" "ü"`, `"é" "ü"`},
			{"HINFO", `é ü`, `"é" "ü"`},
			{"CAA", `0 iodef "mailto:sécurité@example.com"`, `0 iodef "mailto:sécurité@example.com"`},
			{"TXT", `é ü`, `é ü`},
		}
		for i, tt := range tests {
			content, _ := json.Marshal(tt.content)
			status, _, body := e.do(t, "POST", records, e.tokenA, fmt.Sprintf(`{"name":"u%d","type":%q,"content":%s}`, i, tt.typ, content))
			var got struct {
				Data struct {
					ID      int64  `json:"id"`
					Content string `json:"content"`
				} `json:"data"`
			}
			if status != 201 || json.Unmarshal(body, &got) != nil {
				t.Fatalf("create %s %s: %d %s", tt.typ, tt.content, status, body)
			}
			if got.Data.Content != tt.want {
				t.Errorf("create %s %s: content %q, want %q", tt.typ, tt.content, got.Data.Content, tt.want)
			}
			status, _, body = e.do(t, "GET", fmt.Sprintf("%s/%d", records, got.Data.ID), e.tokenA, "")
			if status != 200 || json.Unmarshal(body, &got) != nil || got.Data.Content != tt.want {
				t.Errorf("get %s %s: %d %s, want content %q", tt.typ, tt.content, status, body, tt.want)
			}
		}
	})
}
