package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"
)

// TestEndpoints drives every endpoint in scope with DNSimple's official
// client, as a customer's tool would, and checks each response: status,
// headers, the shape of DNSimple's fixture for the endpoint, and our own
// golden file.
func TestEndpoints(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		goldens := strings.HasSuffix(t.Name(), "/sqlite")
		rec := &recorder{}
		c := e.client(e.tokenA, rec)
		ctx := context.Background()
		acc := strconv.FormatInt(e.accountA.ID, 10)

		// check checks the last response: its status, its shape against
		// DNSimple's fixture (none for "") and the golden file name.
		check := func(err error, status int, fixture, name string) {
			t.Helper()
			if err != nil && status < 400 {
				t.Fatalf("%s: %v\nbody: %s", name, err, rec.body)
			}
			if rec.status != status {
				t.Fatalf("%s: status %d, want %d\nbody: %s", name, rec.status, status, rec.body)
			}
			for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-Request-Id"} {
				if rec.header.Get(h) == "" {
					t.Errorf("%s: no %s header", name, h)
				}
			}
			if status != http.StatusNoContent {
				if ct := rec.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
					t.Errorf("%s: Content-Type %q", name, ct)
				}
			}
			if fixture != "" {
				checkShape(t, fixture, rec.body)
			}
			if goldens {
				golden(t, name, rec.body)
			}
		}

		who, err := c.Identity.Whoami(ctx)
		check(err, 200, "whoami/success-account", "whoami")
		if who.Data.User != nil || who.Data.Account == nil || who.Data.Account.ID != e.accountA.ID {
			t.Errorf("whoami = %+v, want account %d", who.Data, e.accountA.ID)
		}

		accounts, err := c.Accounts.ListAccounts(ctx, nil)
		check(err, 200, "accounts/success-account", "accounts_list")
		if len(accounts.Data) != 1 || accounts.Data[0].ID != e.accountA.ID {
			t.Errorf("accounts = %+v", accounts.Data)
		}

		// Domains.
		dom, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "Example.COM."})
		check(err, 201, "createDomain/created", "domains_create")
		if dom.Data.Name != "example.com" || dom.Data.State != "hosted" || dom.Data.AccountID != e.accountA.ID {
			t.Errorf("created domain = %+v", dom.Data)
		}
		if _, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "example.org"}); err != nil {
			t.Fatal(err)
		}
		_, err = c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "example.com"})
		check(err, 400, "", "domains_create_conflict")

		domains, err := c.Domains.ListDomains(ctx, acc, &dnsimple.DomainListOptions{NameLike: dnsimple.String("example.c")})
		check(err, 200, "listDomains/success", "domains_list")
		if len(domains.Data) != 1 || domains.Data[0].Name != "example.com" || domains.Pagination.TotalEntries != 1 {
			t.Errorf("domains name_like example.c = %+v %+v", domains.Data, domains.Pagination)
		}
		domains, err = c.Domains.ListDomains(ctx, acc, &dnsimple.DomainListOptions{ListOptions: dnsimple.ListOptions{Sort: dnsimple.String("name:desc"), PerPage: dnsimple.Int(1)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(domains.Data) != 1 || domains.Data[0].Name != "example.org" || domains.Pagination.TotalPages != 2 || domains.Pagination.PerPage != 1 {
			t.Errorf("domains sort name:desc per_page 1 = %+v %+v", domains.Data, domains.Pagination)
		}

		got, err := c.Domains.GetDomain(ctx, acc, "example.com")
		check(err, 200, "getDomain/success", "domains_get")
		byID, err := c.Domains.GetDomain(ctx, acc, strconv.FormatInt(got.Data.ID, 10))
		if err != nil || byID.Data.Name != "example.com" {
			t.Errorf("domain by id: %+v, %v", byID, err)
		}

		// Zones.
		zones, err := c.Zones.ListZones(ctx, acc, &dnsimple.ZoneListOptions{NameLike: dnsimple.String("example")})
		check(err, 200, "listZones/success", "zones_list")
		if len(zones.Data) != 2 {
			t.Errorf("zones = %+v", zones.Data)
		}
		z, err := c.Zones.GetZone(ctx, acc, "example.com")
		check(err, 200, "getZone/success", "zones_get")
		if z.Data.Name != "example.com" || !z.Data.Active {
			t.Errorf("zone = %+v", z.Data)
		}
		file, err := c.Zones.GetZoneFile(ctx, acc, "example.com.")
		check(err, 200, "getZoneFile/success", "zones_file")
		if !strings.HasPrefix(file.Data.Zone, "$ORIGIN example.com.\n") || !strings.Contains(file.Data.Zone, "ns2.zonewarden.test.") {
			t.Errorf("zone file:\n%s", file.Data.Zone)
		}
		dist, err := c.Zones.CheckZoneDistribution(ctx, acc, "example.com")
		check(err, 200, "checkZoneDistribution/success", "zones_distribution")
		if !dist.Data.Distributed {
			t.Error("zone not distributed")
		}

		// Zone activation: deactivated, the zone says so everywhere; both
		// answer 200 with the zone, again when there is nothing to do.
		off, err := c.Zones.DeactivateZoneDns(ctx, acc, "example.com")
		check(err, 200, "deactivateZoneService/success", "zones_deactivate")
		if off.Data.Active || off.Data.Name != "example.com" {
			t.Errorf("deactivated zone = %+v", off.Data)
		}
		if again, err := c.Zones.DeactivateZoneDns(ctx, acc, "example.com"); err != nil || again.Data.Active {
			t.Errorf("deactivating again: %+v, %v", again, err)
		}
		if z, err := c.Zones.GetZone(ctx, acc, "example.com"); err != nil || z.Data.Active {
			t.Errorf("GET of a deactivated zone: %+v, %v", z, err)
		}
		zones, err = c.Zones.ListZones(ctx, acc, nil)
		for _, z := range zones.Data {
			if err != nil || z.Active != (z.Name != "example.com") {
				t.Errorf("listed zone %s active %v, %v", z.Name, z.Active, err)
			}
		}
		if file, err := c.Zones.GetZoneFile(ctx, acc, "example.com"); err != nil || !strings.Contains(file.Data.Zone, "ns2.zonewarden.test.") {
			t.Errorf("zone file of a deactivated zone: %+v, %v", file, err)
		}
		on, err := c.Zones.ActivateZoneDns(ctx, acc, "example.com")
		check(err, 200, "activateZoneService/success", "zones_activate")
		if !on.Data.Active {
			t.Errorf("activated zone = %+v", on.Data)
		}
		if again, err := c.Zones.ActivateZoneDns(ctx, acc, "example.com"); err != nil || !again.Data.Active {
			t.Errorf("activating again: %+v, %v", again, err)
		}
		_, err = c.Zones.ActivateZoneDns(ctx, acc, "example.net")
		check(err, 404, "notfound-zone", "zones_activate_missing")

		// The zone's name servers: dnsimple-go v8 has no method for it.
		nsPath := "/v2/" + acc + "/zones/example.com/ns_records"
		status, _, body := e.do(t, "PUT", nsPath, e.tokenA, `{"ns_names":["ns1.zonewarden.test","NS3.example.net."]}`)
		if status != 200 {
			t.Fatalf("PUT ns_records: %d %s", status, body)
		}
		checkShape(t, "updateZoneNsRecords/success", body)
		if goldens {
			golden(t, "zones_ns_records", body)
		}
		var ns struct {
			Data []dnsimple.ZoneRecord `json:"data"`
		}
		if err := json.Unmarshal(body, &ns); err != nil {
			t.Fatal(err)
		}
		var contents []string
		for _, r := range ns.Data {
			contents = append(contents, r.Content)
			if r.Type != "NS" || r.Name != "" || !r.SystemRecord || r.ZoneID != "example.com" {
				t.Errorf("ns record %+v", r)
			}
		}
		if !slices.Equal(contents, []string{"ns1.zonewarden.test", "ns3.example.net"}) {
			t.Errorf("ns records %q", contents)
		}
		for _, tc := range []struct {
			name, body, field string
		}{
			{"zones_ns_records_invalid", `{"ns_names":["ns1.example.net","not a host"]}`, "ns_names"},
			{"zones_ns_records_empty", `{"ns_names":[]}`, "ns_names"},
			{"zones_ns_records_sets", `{"ns_names":["ns1.example.net"],"ns_set_ids":[1,2]}`, "ns_set_ids"},
		} {
			status, _, body := e.do(t, "PUT", nsPath, e.tokenA, tc.body)
			var er struct {
				Message string
				Errors  map[string][]string
			}
			json.Unmarshal(body, &er)
			if status != 400 || len(er.Errors[tc.field]) == 0 {
				t.Errorf("%s: %d %s, want 400 naming %s", tc.name, status, body, tc.field)
			}
			checkShape(t, "validation-error", body)
			if goldens {
				golden(t, tc.name, body)
			}
		}

		// Records.
		apex, err := c.Zones.CreateRecord(ctx, acc, "example.com", dnsimple.ZoneRecordAttributes{
			Name: dnsimple.String(""), Type: "A", Content: "192.0.2.1", TTL: 600})
		check(err, 201, "createZoneRecord/created-apex", "zone_records_create_apex")
		if apex.Data.Name != "" || apex.Data.ZoneID != "example.com" || apex.Data.TTL != 600 {
			t.Errorf("apex record = %+v", apex.Data)
		}
		www, err := c.Zones.CreateRecord(ctx, acc, "example.com", dnsimple.ZoneRecordAttributes{
			Name: dnsimple.String("www"), Type: "A", Content: "192.0.2.2", TTL: 600})
		check(err, 201, "createZoneRecord/created", "zone_records_create")
		at, err := c.Zones.CreateRecord(ctx, acc, "example.com", dnsimple.ZoneRecordAttributes{
			Name: dnsimple.String("@"), Type: "TXT", Content: "v=spf1 -all"})
		if err != nil || at.Data.Name != "" || at.Data.TTL != 3600 {
			t.Errorf(`"@" record: %+v, %v`, at, err)
		}
		mx, err := c.Zones.CreateRecord(ctx, acc, "example.com", dnsimple.ZoneRecordAttributes{
			Name: dnsimple.String("example.com."), Type: "MX", Content: "mxa.example.com", Priority: 10, TTL: 600})
		if err != nil || mx.Data.Name != "" || mx.Data.Priority != 10 {
			t.Fatalf("MX record: %+v, %v", mx, err)
		}
		_, err = c.Zones.CreateRecord(ctx, acc, "example.com", dnsimple.ZoneRecordAttributes{
			Name: dnsimple.String("bad"), Type: "A", Content: "not-an-address"})
		check(err, 400, "validation-error", "zone_records_create_invalid")
		var er *dnsimple.ErrorResponse
		if !errors.As(err, &er) || len(er.AttributeErrors["content"]) == 0 {
			t.Errorf("invalid record: %v, want errors on content", err)
		}

		records, err := c.Zones.ListRecords(ctx, acc, "example.com", nil)
		check(err, 200, "listZoneRecords/success", "zone_records_list")
		var types []string
		for _, r := range records.Data {
			types = append(types, r.Type)
		}
		slices.Sort(types)
		if want := []string{"A", "A", "MX", "NS", "NS", "SOA", "TXT"}; !slices.Equal(types, want) {
			t.Errorf("record types = %q, want %q", types, want)
		}
		for _, tc := range []struct {
			opts *dnsimple.ZoneRecordListOptions
			want int
		}{
			{&dnsimple.ZoneRecordListOptions{Name: dnsimple.String("www")}, 1},
			{&dnsimple.ZoneRecordListOptions{Name: dnsimple.String("")}, 6},
			{&dnsimple.ZoneRecordListOptions{NameLike: dnsimple.String("ww")}, 1},
			{&dnsimple.ZoneRecordListOptions{Type: dnsimple.String("MX")}, 1},
			{&dnsimple.ZoneRecordListOptions{Type: dnsimple.String("A"), ListOptions: dnsimple.ListOptions{Sort: dnsimple.String("id:desc")}}, 2},
		} {
			res, err := c.Zones.ListRecords(ctx, acc, "example.com", tc.opts)
			if err != nil || len(res.Data) != tc.want {
				t.Errorf("records %+v: %d, %v; want %d", *tc.opts, len(res.Data), err, tc.want)
			}
		}

		_, err = c.Zones.GetRecord(ctx, acc, "example.com", mx.Data.ID)
		check(err, 200, "getZoneRecord/success", "zone_records_get")
		upd, err := c.Zones.UpdateRecord(ctx, acc, "example.com", mx.Data.ID, dnsimple.ZoneRecordAttributes{
			Content: "mxb.example.com", Priority: 20, TTL: 3600})
		check(err, 200, "updateZoneRecord/success", "zone_records_update")
		if upd.Data.Content != "mxb.example.com" || upd.Data.Priority != 20 || upd.Data.TTL != 3600 {
			t.Errorf("updated = %+v", upd.Data)
		}
		rd, err := c.Zones.CheckZoneRecordDistribution(ctx, acc, "example.com", mx.Data.ID)
		check(err, 200, "checkZoneRecordDistribution/success", "zone_records_distribution")
		if !rd.Data.Distributed {
			t.Error("record not distributed")
		}

		// The batch endpoint.
		batch, err := c.Zones.BatchChangeZoneRecords(ctx, acc, "example.com", dnsimple.BatchChangeZoneRecordsRequest{
			Creates: []dnsimple.ZoneRecordAttributes{
				{Name: dnsimple.String("ab"), Type: "A", Content: "192.0.2.3"},
				{Name: dnsimple.String("ab"), Type: "A", Content: "192.0.2.4"},
			},
			Updates: []dnsimple.ZoneRecordUpdateRequest{{ID: www.Data.ID, Content: "192.0.2.20"}},
			Deletes: []dnsimple.ZoneRecordDeleteRequest{{ID: apex.Data.ID}},
		})
		check(err, 200, "batchChangeZoneRecords/success", "zone_records_batch")
		if len(batch.Data.Creates) != 2 || len(batch.Data.Updates) != 1 || batch.Data.Updates[0].Content != "192.0.2.20" ||
			len(batch.Data.Deletes) != 1 || batch.Data.Deletes[0].ID != apex.Data.ID {
			t.Errorf("batch = %+v", batch.Data)
		}
		_, err = c.Zones.BatchChangeZoneRecords(ctx, acc, "example.com", dnsimple.BatchChangeZoneRecordsRequest{
			Deletes: []dnsimple.ZoneRecordDeleteRequest{{ID: apex.Data.ID}}})
		check(err, 400, "batchChangeZoneRecords/error_400_delete_validation_failed", "zone_records_batch_delete_missing")
		_, err = c.Zones.BatchChangeZoneRecords(ctx, acc, "example.com", dnsimple.BatchChangeZoneRecordsRequest{
			Updates: []dnsimple.ZoneRecordUpdateRequest{{ID: 99999999, Content: "192.0.2.9"}}})
		check(err, 400, "batchChangeZoneRecords/error_400_update_validation_failed", "zone_records_batch_update_missing")
		_, err = c.Zones.BatchChangeZoneRecords(ctx, acc, "example.com", dnsimple.BatchChangeZoneRecordsRequest{
			Creates: []dnsimple.ZoneRecordAttributes{{Name: dnsimple.String("x"), Type: "BOGUS", Content: "1"}}})
		check(err, 400, "batchChangeZoneRecords/error_400_create_validation_failed", "zone_records_batch_create_invalid")
		if !errors.As(err, &er) || len(er.AttributeErrors["creates[0]"]) == 0 {
			t.Errorf("batch create error: %#v", err)
		}
		// Nothing of a refused batch is applied.
		after, err := c.Zones.ListRecords(ctx, acc, "example.com", &dnsimple.ZoneRecordListOptions{Name: dnsimple.String("x")})
		if err != nil || len(after.Data) != 0 {
			t.Errorf("refused batch left %+v, %v", after, err)
		}

		_, err = c.Zones.DeleteRecord(ctx, acc, "example.com", www.Data.ID)
		check(err, 204, "", "zone_records_delete")
		_, err = c.Zones.GetRecord(ctx, acc, "example.com", www.Data.ID)
		check(err, 404, "notfound-record", "zone_records_get_missing")
		_, err = c.Zones.GetZone(ctx, acc, "example.net")
		check(err, 404, "notfound-zone", "zones_get_missing")

		_, err = c.Domains.DeleteDomain(ctx, acc, "example.com")
		check(err, 204, "", "domains_delete")
		_, err = c.Domains.GetDomain(ctx, acc, "example.com")
		check(err, 404, "notfound-domain", "domains_get_missing")

		e.changedMu.Lock()
		changed := slices.Compact(slices.Clone(e.changed))
		e.changedMu.Unlock()
		if !slices.Contains(changed, "example.com") || !slices.Contains(changed, "example.org") {
			t.Errorf("Changed called with %q", changed)
		}
	})
}
