package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
)

// endpoint is one endpoint in scope, on account A's data.
type endpoint struct {
	method, path, body string
	status             int // for A's own token
}

// endpointsOf lists every endpoint in scope that takes an account, on
// account acc, its domain example.com and its record id.
func endpointsOf(acc int64, domainID, recordID int64) []endpoint {
	a := fmt.Sprintf("/v2/%d", acc)
	rec := fmt.Sprintf("%s/zones/example.com/records/%d", a, recordID)
	return []endpoint{
		{"GET", a + "/domains", "", 200},
		{"POST", a + "/domains", `{"name":"example.net"}`, 201},
		{"GET", a + "/domains/example.com", "", 200},
		{"GET", fmt.Sprintf("%s/domains/%d", a, domainID), "", 200},
		{"GET", a + "/zones", "", 200},
		{"GET", a + "/zones/example.com", "", 200},
		{"GET", a + "/zones/example.com/file", "", 200},
		{"GET", a + "/zones/example.com/distribution", "", 200},
		{"DELETE", a + "/zones/example.com/activation", "", 200},
		{"PUT", a + "/zones/example.com/activation", "", 200},
		{"PUT", a + "/zones/example.com/ns_records", `{"ns_names":["ns1.zonewarden.test","ns2.zonewarden.test"]}`, 200},
		{"GET", a + "/zones/example.com/records", "", 200},
		{"POST", a + "/zones/example.com/records", `{"name":"new","type":"TXT","content":"hello"}`, 201},
		{"GET", rec, "", 200},
		{"GET", rec + "/distribution", "", 200},
		{"PATCH", rec, `{"content":"192.0.2.99"}`, 200},
		{"POST", a + "/zones/example.com/batch", `{"creates":[{"name":"b","type":"A","content":"192.0.2.7"}]}`, 200},
		{"PATCH", a + "/zones/example.com/batch", `{"creates":[{"name":"c","type":"A","content":"192.0.2.8"}]}`, 200},
		{"DELETE", rec, "", 204},
		{"DELETE", a + "/domains/example.com", "", 204},
	}
}

// seed gives account A the domain example.com with a www record.
func seed(t *testing.T, e *env) (domainID, recordID int64) {
	t.Helper()
	ctx := context.Background()
	d, err := e.st.CreateDomain(ctx, store.Actor{Label: "test"}, e.accountA.ID, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.st.CreateRecord(ctx, store.Actor{Label: "test"}, e.accountA.ID, "example.com",
		store.RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID, r.ID
}

func isWrite(method string) bool { return method != "GET" && method != "HEAD" }

// TestScoping walks every endpoint with a token of another account (404 for
// each, as if A's data did not exist) and as a read-only member of A (403
// for each write, reads answered), and then as A itself.
func TestScoping(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		domainID, recordID := seed(t, e)
		eps := endpointsOf(e.accountA.ID, domainID, recordID)
		eps = append(eps, accountEndpointsOf(t, e)...)
		eps = append(eps, webhookEndpointsOf(t, e)...)
		eps = append(eps, secondaryDNSEndpointsOf(t, e)...)

		for _, ep := range eps {
			status, _, body := e.do(t, ep.method, ep.path, e.tokenB, ep.body)
			if status != http.StatusNotFound {
				t.Errorf("other account: %s %s = %d %s, want 404", ep.method, ep.path, status, body)
			}
			if !strings.Contains(string(body), `"message":`) {
				t.Errorf("other account: %s %s body %s", ep.method, ep.path, body)
			}
		}
		for _, ep := range eps {
			want := ep.status
			if isWrite(ep.method) || adminOnly(ep.path) {
				want = http.StatusForbidden
			}
			status, _, body := e.do(t, ep.method, ep.path, e.tokenRO, ep.body)
			if status != want {
				t.Errorf("read-only member: %s %s = %d %s, want %d", ep.method, ep.path, status, body, want)
			}
		}
		// Nothing was changed by either.
		recs, _, err := e.st.Records(context.Background(), e.accountA.ID, "example.com", store.RecordFilter{}, store.ListOptions{})
		if err != nil || len(recs) != 4 { // SOA, 2 NS, www
			t.Errorf("records after refused writes: %d, %v", len(recs), err)
		}
		// The owner's token does it all, in this order.
		for _, ep := range eps {
			status, _, body := e.do(t, ep.method, ep.path, e.tokenA, ep.body)
			if status != ep.status {
				t.Errorf("owner: %s %s = %d %s, want %d", ep.method, ep.path, status, body, ep.status)
			}
		}
	})
}
