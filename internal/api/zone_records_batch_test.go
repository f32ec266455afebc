package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
)

// TestBatchErrorsNameTheChange: every refused batch names the change at
// fault in DNSimple's shape, {"errors": {"creates": [{"index": 1, "message":
// ..., "errors": {"name": [...]}}]}}, whether the record alone is wrong or
// it conflicts with a record of the zone or of the batch; and nothing of a
// refused batch is applied.
func TestBatchErrorsNameTheChange(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		_, www := seed(t, e) // www A 192.0.2.1
		ctx := context.Background()
		if _, err := e.st.CreateRecord(ctx, store.Actor{Label: "test"}, e.accountA.ID, "example.com",
			store.RecordInput{Name: "docs", Type: "CNAME", Content: "example.net"}); err != nil {
			t.Fatal(err)
		}
		zoneNow := func() []string {
			recs, err := e.st.ZoneRecords(ctx, e.accountA.ID, "example.com")
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range recs {
				out = append(out, fmt.Sprintf("%d %s %s %s %d", r.ID, r.Name, r.Type, r.Content, r.TTL))
			}
			slices.Sort(out)
			return out
		}
		before := zoneNow()
		path := fmt.Sprintf("/v2/%d/zones/example.com/batch", e.accountA.ID)

		tests := []struct {
			name, body string
			list       string // creates, updates or deletes
			index      int
			field      string // the item's errors member; "" when its message says it
			msg        string
		}{
			{"CNAME beside an existing A", `{"creates":[{"name":"ok","type":"A","content":"192.0.2.9"},{"name":"www","type":"CNAME","content":"example.net"}]}`,
				"creates", 1, "name", "CNAME record at www.example.com., which has other records"},
			{"A beside an existing CNAME", `{"creates":[{"name":"docs","type":"A","content":"192.0.2.2"}]}`,
				"creates", 0, "name", "A record at docs.example.com., which has a CNAME"},
			{"CNAME beside an A of the batch", `{"creates":[{"name":"n","type":"A","content":"192.0.2.2"},{"name":"n","type":"CNAME","content":"example.net"}]}`,
				"creates", 1, "name", "which has other records"},
			{"two CNAMEs of the batch at one name", `{"creates":[{"name":"c","type":"CNAME","content":"a.example.net"},{"name":"c","type":"CNAME","content":"b.example.net"}]}`,
				"creates", 1, "name", "second CNAME record at c.example.com."},
			{"ALIAS beside an existing A", `{"creates":[{"name":"www","type":"ALIAS","content":"example.net"}]}`,
				"creates", 0, "name", "ALIAS record at www.example.com., which has A or AAAA records"},
			{"CNAME at the apex", `{"creates":[{"name":"ok","type":"A","content":"192.0.2.9"},{"name":"","type":"CNAME","content":"example.net"}]}`,
				"creates", 1, "record_type", "cannot be at the zone apex"},
			{"duplicate within the batch", `{"creates":[{"name":"d","type":"A","content":"192.0.2.3"},{"name":"d","type":"A","content":"192.0.2.3"}]}`,
				"creates", 1, "content", "the zone already has this A record"},
			{"duplicate of a record of the zone", `{"creates":[{"name":"www","type":"A","content":"192.0.2.1"}]}`,
				"creates", 0, "content", "the zone already has this A record"},
			{"update into a CNAME's name", fmt.Sprintf(`{"updates":[{"id":%d,"name":"docs"}]}`, www),
				"updates", 0, "name", "which has a CNAME"},
			{"delete applied only with the batch", fmt.Sprintf(`{"deletes":[{"id":%d}],"creates":[{"name":"docs","type":"A","content":"192.0.2.2"}]}`, www),
				"creates", 0, "name", "which has a CNAME"},
			{"delete of a missing record", `{"deletes":[{"id":999999}]}`, "deletes", 0, "", "Record not found ID=999999"},
			{"update of a missing record", `{"updates":[{"id":999999,"content":"192.0.2.4"}]}`, "updates", 0, "", "Record not found ID=999999"},
			{"bad content", `{"creates":[{"name":"ok","type":"A","content":"192.0.2.9"},{"name":"h","type":"HINFO","content":"a b c"}]}`,
				"creates", 1, "content", "is not two strings"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, _, body := e.do(t, "POST", path, e.tokenA, tt.body)
				if status != 400 {
					t.Fatalf("%d %s", status, body)
				}
				var got struct {
					Message string `json:"message"`
					Errors  map[string][]struct {
						Index   int                 `json:"index"`
						Message string              `json:"message"`
						Errors  map[string][]string `json:"errors"`
					} `json:"errors"`
				}
				if err := json.Unmarshal(body, &got); err != nil || got.Message != "Validation failed" {
					t.Fatalf("not a refused batch: %s (%v)", body, err)
				}
				items := got.Errors[tt.list]
				if len(items) != 1 || items[0].Index != tt.index {
					t.Fatalf("want %s item %d named: %s", tt.list, tt.index, body)
				}
				text := items[0].Message
				if tt.field != "" {
					text = strings.Join(items[0].Errors[tt.field], "; ")
				}
				if !strings.Contains(text, tt.msg) {
					t.Errorf("%s[%d] %s: %q, want %q: %s", tt.list, tt.index, tt.field, text, tt.msg, body)
				}
				if after := zoneNow(); !slices.Equal(after, before) {
					t.Errorf("the refused batch changed the zone:\n%v\nto\n%v", before, after)
				}
			})
		}
	})
}

// TestBatchTypeErrorsNameTheChange: a value of the wrong JSON type in a
// batch is reported on its change, in the batch's per-item shape, and an
// update or delete without a usable id is a 400 on that change, not a
// lookup of record 0. Nothing is applied.
func TestBatchTypeErrorsNameTheChange(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		_, www := seed(t, e)
		path := fmt.Sprintf("/v2/%d/zones/example.com/batch", e.accountA.ID)
		tests := []struct {
			name, body string
			want       []string // "list index field: message" for each failed change, in order; field "-" for the item's message
		}{
			{"id of the wrong type, and missing", `{"deletes":[{"id":1},{"id":"abc"},{}]}`,
				[]string{"deletes 1 id: must be a number", "deletes 2 id: is required"}},
			{"id too large", `{"deletes":[{"id":1e30}]}`, []string{"deletes 0 id: 1e30 is not a record id"}},
			{"id not whole", fmt.Sprintf(`{"deletes":[{"id":%d.5}]}`, www), []string{fmt.Sprintf("deletes 0 id: %d.5 is not a record id", www)}},
			{"id zero", `{"deletes":[{"id":0}]}`, []string{"deletes 0 id: 0 is not a record id"}},
			{"id negative", `{"updates":[{"id":-3,"content":"192.0.2.2"}]}`, []string{"updates 0 id: -3 is not a record id"}},
			{"changes that are not objects", `{"creates":[1,null]}`,
				[]string{"creates 0 -: creates[0] must be an object, not a number", "creates 1 -: creates[1] must be an object, not null"}},
			{"update id null", `{"updates":[{"id":null,"content":"192.0.2.2"}]}`, []string{"updates 0 id: is required"}},
			{"update without id", fmt.Sprintf(`{"updates":[{"id":%d,"content":"192.0.2.2"},{"content":"192.0.2.3"}]}`, www),
				[]string{"updates 1 id: is required"}},
			{"ttl a string", `{"creates":[{"name":"a","type":"A","content":"192.0.2.5"},{"name":"b","type":"A","content":"192.0.2.6","ttl":"60"}]}`,
				[]string{"creates 1 ttl: must be a number"}},
			{"regions not a list", `{"creates":[{"name":"a","type":"A","content":"192.0.2.5","regions":"global"}]}`,
				[]string{"creates 0 regions: must be a list"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := zoneLines(t, e)
				status, _, body := e.do(t, "POST", path, e.tokenA, tt.body)
				if status != 400 {
					t.Fatalf("%d %s", status, body)
				}
				var got struct {
					Message string `json:"message"`
					Errors  map[string][]struct {
						Index   int                 `json:"index"`
						Message string              `json:"message"`
						Errors  map[string][]string `json:"errors"`
					} `json:"errors"`
				}
				if err := json.Unmarshal(body, &got); err != nil || got.Message != "Validation failed" {
					t.Fatalf("not a refused batch: %s (%v)", body, err)
				}
				var items []string
				for _, list := range []string{"creates", "updates", "deletes"} {
					for _, it := range got.Errors[list] {
						if len(it.Errors) == 0 {
							items = append(items, fmt.Sprintf("%s %d -: %s", list, it.Index, it.Message))
						}
						for f, msgs := range it.Errors {
							for _, m := range msgs {
								items = append(items, fmt.Sprintf("%s %d %s: %s", list, it.Index, f, m))
							}
						}
					}
				}
				if !slices.Equal(items, tt.want) {
					t.Errorf("got %q\nwant %q\n%s", items, tt.want, body)
				}
				if after := zoneLines(t, e); !slices.Equal(after, before) {
					t.Errorf("the refused batch changed the zone:\n%v\nto\n%v", before, after)
				}
			})
		}
	})
}

// zoneLines is example.com's records, one line each, sorted.
func zoneLines(t *testing.T, e *env) []string {
	t.Helper()
	recs, err := e.st.ZoneRecords(context.Background(), e.accountA.ID, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, fmt.Sprintf("%d %s %s %s %d", r.ID, r.Name, r.Type, r.Content, r.TTL))
	}
	slices.Sort(out)
	return out
}
