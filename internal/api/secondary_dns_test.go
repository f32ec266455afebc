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

// secondaryDNSEndpointsOf lists the secondary DNS endpoints on account A's
// data, for TestScoping: a primary server "seeded" and a secondary zone
// sec.example, which the owner links, unlinks and then deletes the server.
func secondaryDNSEndpointsOf(t *testing.T, e *env) []endpoint {
	t.Helper()
	ctx := context.Background()
	who := store.Actor{Label: "test"}
	p, err := e.st.CreatePrimaryServer(ctx, who, e.accountA.ID, store.PrimaryServerInput{Name: "seeded", IP: "192.0.2.53"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CreateSecondaryZone(ctx, who, e.accountA.ID, "sec.example"); err != nil {
		t.Fatal(err)
	}
	a := fmt.Sprintf("/v2/%d/secondary_dns", e.accountA.ID)
	pp := fmt.Sprintf("%s/primaries/%d", a, p.ID)
	return []endpoint{
		{"GET", a + "/primaries", "", 200},
		{"POST", a + "/primaries", `{"name":"new","ip":"192.0.2.54","port":5353}`, 201},
		{"GET", pp, "", 200},
		{"PUT", pp + "/link", `{"zone":"sec.example"}`, 200},
		{"PUT", pp + "/unlink", `{"zone":"sec.example"}`, 200},
		{"POST", a + "/zones", `{"name":"sec2.example"}`, 201},
		{"DELETE", pp, "", 204},
	}
}

// keys returns the sorted keys of a JSON object.
func keys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not an object: %s", raw)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The fields of DNSimple's PrimaryServer and Zone, as the declarations of
// its TypeScript client give them.
var (
	primaryServerKeys = []string{"account_id", "created_at", "id", "ip", "linked_secondary_zones", "name", "port", "updated_at"}
	zoneKeys          = []string{"account_id", "active", "created_at", "id", "last_transferred_at", "name", "reverse", "secondary", "updated_at"}
)

func TestSecondaryDNSEndpoints(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		a := fmt.Sprintf("/v2/%d/secondary_dns", e.accountA.ID)
		do := func(method, path, body string, wantStatus int) json.RawMessage {
			t.Helper()
			status, _, b := e.do(t, method, path, e.tokenA, body)
			if status != wantStatus {
				t.Fatalf("%s %s %s = %d %s, want %d", method, path, body, status, b, wantStatus)
			}
			var env struct {
				Data       json.RawMessage `json:"data"`
				Pagination json.RawMessage `json:"pagination"`
				Message    string          `json:"message"`
			}
			if len(b) > 0 {
				if err := json.Unmarshal(b, &env); err != nil {
					t.Fatalf("%s %s: body %s", method, path, b)
				}
			}
			if status >= 400 {
				return b
			}
			return env.Data
		}

		z := do("POST", a+"/zones", `{"name":"Sec.Example."}`, 201)
		if got := keys(t, z); !slices.Equal(got, zoneKeys) {
			t.Errorf("zone keys %q, want %q", got, zoneKeys)
		}
		var zone struct {
			Name      string `json:"name"`
			Secondary bool   `json:"secondary"`
		}
		json.Unmarshal(z, &zone)
		if zone.Name != "sec.example" || !zone.Secondary {
			t.Errorf("created zone %s", z)
		}
		if zz := do("GET", fmt.Sprintf("/v2/%d/zones/sec.example", e.accountA.ID), "", 200); !strings.Contains(string(zz), `"secondary":true`) {
			t.Errorf("zone as read: %s", zz)
		}
		if _, err := e.st.CreateDomain(context.Background(), store.Actor{Label: "t"}, e.accountA.ID, "plain.example"); err != nil {
			t.Fatal(err)
		}

		p := do("POST", a+"/primaries", `{"name":"ns1","ip":"192.0.2.1","port":5353}`, 201)
		if got := keys(t, p); !slices.Equal(got, primaryServerKeys) {
			t.Errorf("primary server keys %q, want %q", got, primaryServerKeys)
		}
		var ps struct {
			ID     int64    `json:"id"`
			Port   int      `json:"port"`
			IP     string   `json:"ip"`
			Linked []string `json:"linked_secondary_zones"`
		}
		json.Unmarshal(p, &ps)
		if ps.Port != 5353 || ps.IP != "192.0.2.1" || ps.Linked == nil || len(ps.Linked) != 0 {
			t.Errorf("created %s", p)
		}
		do("POST", a+"/primaries", `{"name":"ns0","ip":"2001:db8::53"}`, 201)
		pp := fmt.Sprintf("%s/primaries/%d", a, ps.ID)

		for _, tc := range []struct {
			method, path, body string
			status             int
			says               string
		}{
			{"POST", a + "/primaries", `{"name":"ns1","ip":"192.0.2.2"}`, 400, "ns1"},
			{"POST", a + "/primaries", `{"name":"x","ip":"not-an-ip"}`, 400, `"ip"`},
			{"POST", a + "/primaries", `{"name":"x","ip":"192.0.2.2","port":"53"}`, 400, `"port"`},
			{"GET", a + "/primaries/999999", "", 404, "Primary server `999999` not found"},
			{"PUT", pp + "/link", `{"zone":"nope.example"}`, 404, "Zone `nope.example` not found"},
			{"PUT", pp + "/link", `{"zone":"plain.example"}`, 400, "not a secondary zone"},
			{"PUT", pp + "/link", `{}`, 400, "blank"},
			{"PUT", pp + "/unlink", `{"zone":"sec.example"}`, 400, "not linked"},
			{"POST", a + "/zones", `{"name":"sec.example"}`, 400, "already"},
		} {
			b := do(tc.method, tc.path, tc.body, tc.status)
			if !strings.Contains(string(b), tc.says) || !strings.Contains(string(b), `"message"`) {
				t.Errorf("%s %s %s: %s, want it to say %q", tc.method, tc.path, tc.body, b, tc.says)
			}
		}

		linked := do("PUT", pp+"/link", `{"zone":"sec.example"}`, 200)
		if !strings.Contains(string(linked), `"linked_secondary_zones":["sec.example"]`) {
			t.Errorf("link: %s", linked)
		}
		// DNSimple's sort and pagination.
		status, _, b := e.do(t, "GET", a+"/primaries?sort=name:asc&per_page=1", e.tokenA, "")
		if status != 200 || !strings.Contains(string(b), `"name":"ns0"`) || !strings.Contains(string(b), `"total_entries":2`) {
			t.Errorf("list sorted by name: %d %s", status, b)
		}
		if g := do("GET", a+"/primaries/ns1", "", 200); !strings.Contains(string(g), `"linked_secondary_zones":["sec.example"]`) {
			t.Errorf("get by name: %s", g)
		}

		// A linked server is not deleted; record writes to a secondary
		// zone are refused.
		if b := do("DELETE", pp, "", 400); !strings.Contains(string(b), "unlink") {
			t.Errorf("delete a linked server: %s", b)
		}
		rec := fmt.Sprintf("/v2/%d/zones/sec.example/records", e.accountA.ID)
		if b := do("POST", rec, `{"name":"x","type":"A","content":"192.0.2.9"}`, 400); !strings.Contains(string(b), "secondary zone") {
			t.Errorf("record write: %s", b)
		}
		batch := fmt.Sprintf("/v2/%d/zones/sec.example/batch", e.accountA.ID)
		do("POST", batch, `{"creates":[{"name":"x","type":"A","content":"192.0.2.9"}]}`, 400)

		do("PUT", pp+"/unlink", `{"zone":"sec.example"}`, 200)
		do("DELETE", pp, "", 204)
		do("GET", pp, "", 404)
	})
}
