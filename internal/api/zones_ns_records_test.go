package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestZoneNSRecordsRefused: PUT ns_records refuses, with a 400 on ns_names
// that says why, items that are not strings, names with whitespace around
// them, bad punycode, and a name inside the zone that has no address
// there; the zone's name servers stay as they were.
func TestZoneNSRecordsRefused(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		seed(t, e) // www A 192.0.2.1
		path := fmt.Sprintf("/v2/%d/zones/example.com/ns_records", e.accountA.ID)
		records := fmt.Sprintf("/v2/%d/zones/example.com/records?type=NS", e.accountA.ID)
		_, _, before := e.do(t, "GET", records, e.tokenA, "")
		tests := []struct{ body, msg string }{
			{`{"ns_names":[null]}`, "ns_names[0] must be a string, not null"},
			{`{"ns_names":["ns1.example.net",5]}`, "ns_names[1] must be a string, not a number"},
			{`{"ns_names":[" ns1.example.net"]}`, `\" ns1.example.net\" is not a host name: it contains ' '`},
			{`{"ns_names":["ns1.example.net\n"]}`, `it contains '\\n'`},
			{`{"ns_names":["ns 1.example.net"]}`, `it contains ' '`},
			{`{"ns_names":["xn--zz.example"]}`, `the label \"xn--zz\" is not valid punycode`},
			{`{"ns_names":["ns1.example.com"]}`, "ns1.example.com is in the zone example.com, which has no A or AAAA record for it"},
			{`{"ns_names":["example.com"]}`, "example.com is in the zone example.com, which has no A or AAAA record for it"},
		}
		for _, tt := range tests {
			status, _, body := e.do(t, "PUT", path, e.tokenA, tt.body)
			var got struct {
				Errors map[string][]string `json:"errors"`
			}
			if err := json.Unmarshal(body, &got); status != 400 || err != nil || len(got.Errors["ns_names"]) == 0 || !strings.Contains(string(body), tt.msg) {
				t.Errorf("%s: %d %s, want a 400 on ns_names with %q", tt.body, status, body, tt.msg)
			}
		}
		if _, _, after := e.do(t, "GET", records, e.tokenA, ""); string(after) != string(before) {
			t.Errorf("refused writes changed the NS records:\n%s\n%s", before, after)
		}
		// With its address, a name server inside the zone is taken.
		if status, _, body := e.do(t, "PUT", path, e.tokenA, `{"ns_names":["www.example.com","ns2.example.net"]}`); status != 200 {
			t.Errorf("in-zone name server with glue: %d %s", status, body)
		}
	})
}
