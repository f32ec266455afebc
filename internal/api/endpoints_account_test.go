package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"

	"github.com/zonewarden/zonewarden/internal/api"
	"github.com/zonewarden/zonewarden/internal/store"
)

// checker returns what TestEndpoints calls check, for the tests of the
// account's other resources: the last response's status, headers, shape
// against DNSimple's fixture ("" for none) and golden file (with goldens,
// on SQLite).
func checker(t *testing.T, rec *recorder, goldens bool) func(err error, status int, fixture, name string) {
	return func(err error, status int, fixture, name string) {
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
		if goldens && name != "" {
			golden(t, name, rec.body)
		}
	}
}

// TestTemplateEndpoints drives templates, their records and applying them
// with DNSimple's client.
func TestTemplateEndpoints(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		rec := &recorder{}
		check := checker(t, rec, strings.HasSuffix(t.Name(), "/sqlite"))
		c := e.client(e.tokenA, rec)
		ctx := context.Background()
		acc := strconv.FormatInt(e.accountA.ID, 10)
		seed(t, e)

		tmpl, err := c.Templates.CreateTemplate(ctx, acc, dnsimple.Template{SID: "office", Name: "Office", Description: "Mail and web"})
		check(err, 201, "createTemplate/created", "templates_create")
		if tmpl.Data.SID != "office" || tmpl.Data.AccountID != e.accountA.ID {
			t.Errorf("template = %+v", tmpl.Data)
		}
		_, err = c.Templates.CreateTemplate(ctx, acc, dnsimple.Template{SID: "office", Name: "Again"})
		check(err, 400, "validation-error", "templates_create_taken")
		var er *dnsimple.ErrorResponse
		if !errors.As(err, &er) || len(er.AttributeErrors["sid"]) == 0 {
			t.Errorf("taken sid: %v, want errors on sid", err)
		}
		_, err = c.Templates.CreateTemplate(ctx, acc, dnsimple.Template{SID: "bad sid!"})
		check(err, 400, "validation-error", "templates_create_invalid")
		if !errors.As(err, &er) || len(er.AttributeErrors["name"]) == 0 || len(er.AttributeErrors["sid"]) == 0 {
			t.Errorf("invalid template: %v, want errors on name and sid", err)
		}
		if _, err := c.Templates.CreateTemplate(ctx, acc, dnsimple.Template{SID: "alpha", Name: "Alpha"}); err != nil {
			t.Fatal(err)
		}

		list, err := c.Templates.ListTemplates(ctx, acc, &dnsimple.ListOptions{Sort: dnsimple.String("sid:asc")})
		check(err, 200, "listTemplates/success", "templates_list")
		if len(list.Data) != 2 || list.Data[0].SID != "alpha" || list.Pagination.TotalEntries != 2 {
			t.Errorf("templates = %+v %+v", list.Data, list.Pagination)
		}
		got, err := c.Templates.GetTemplate(ctx, acc, "office")
		check(err, 200, "getTemplate/success", "templates_get")
		byID, err := c.Templates.GetTemplate(ctx, acc, strconv.FormatInt(got.Data.ID, 10))
		if err != nil || byID.Data.SID != "office" {
			t.Errorf("template by id: %+v, %v", byID, err)
		}
		upd, err := c.Templates.UpdateTemplate(ctx, acc, "office", dnsimple.Template{Description: "Mail, web and SPF"})
		check(err, 200, "updateTemplate/success", "templates_update")
		if upd.Data.Name != "Office" || upd.Data.Description != "Mail, web and SPF" {
			t.Errorf("updated template = %+v", upd.Data)
		}

		// Records: names relative, {{domain}} in content, checked at once.
		mx, err := c.Templates.CreateTemplateRecord(ctx, acc, "office", dnsimple.TemplateRecord{
			Name: "", Type: "MX", Content: "mx.{{domain}}", TTL: 600, Priority: 10})
		check(err, 201, "createTemplateRecord/created", "template_records_create")
		if mx.Data.Name != "" || mx.Data.Priority != 10 || mx.Data.TTL != 600 || mx.Data.Content != "mx.{{domain}}" {
			t.Errorf("MX template record = %+v", mx.Data)
		}
		www, err := c.Templates.CreateTemplateRecord(ctx, acc, "office", dnsimple.TemplateRecord{Name: "web", Type: "CNAME", Content: "{{domain}}"})
		if err != nil || www.Data.TTL != 3600 {
			t.Fatalf("CNAME template record: %+v, %v", www, err)
		}
		if _, err := c.Templates.CreateTemplateRecord(ctx, acc, "office", dnsimple.TemplateRecord{Name: "", Type: "TXT", Content: "v=spf1 mx -all"}); err != nil {
			t.Fatal(err)
		}
		_, err = c.Templates.CreateTemplateRecord(ctx, acc, "office", dnsimple.TemplateRecord{Name: "mail", Type: "A", Content: "not-an-address"})
		check(err, 400, "validation-error", "template_records_create_invalid")
		if !errors.As(err, &er) || len(er.AttributeErrors["content"]) == 0 {
			t.Errorf("invalid template record: %v, want errors on content", err)
		}
		_, err = c.Templates.CreateTemplateRecord(ctx, acc, "nope", dnsimple.TemplateRecord{Name: "a", Type: "A", Content: "192.0.2.1"})
		check(err, 404, "notfound-template", "template_records_create_missing")

		recs, err := c.Templates.ListTemplateRecords(ctx, acc, "office", nil)
		check(err, 200, "listTemplateRecords/success", "template_records_list")
		if len(recs.Data) != 3 || recs.Data[0].ID != mx.Data.ID {
			t.Errorf("template records = %+v", recs.Data)
		}
		_, err = c.Templates.GetTemplateRecord(ctx, acc, "office", mx.Data.ID)
		check(err, 200, "getTemplateRecord/success", "template_records_get")
		_, err = c.Templates.GetTemplateRecord(ctx, acc, "alpha", mx.Data.ID)
		check(err, 404, "", "template_records_get_missing")

		// Applying: all records in one write, {{domain}} replaced.
		_, err = c.Templates.ApplyTemplate(ctx, acc, "office", "example.com")
		check(err, 204, "", "templates_apply")
		zrecs, err := c.Zones.ListRecords(ctx, acc, "example.com", &dnsimple.ZoneRecordListOptions{Type: dnsimple.String("MX")})
		if err != nil || len(zrecs.Data) != 1 || zrecs.Data[0].Content != "mx.example.com" || zrecs.Data[0].Priority != 10 {
			t.Errorf("applied MX = %+v, %v", zrecs, err)
		}
		if !changedHas(e, "example.com") {
			t.Error("applying a template did not tell the DNS engine")
		}
		// Applying again would duplicate every record: refused, and nothing
		// is added.
		before := recordCount(t, e, "example.com")
		_, err = c.Templates.ApplyTemplate(ctx, acc, "office", "example.com")
		check(err, 400, "validation-error", "templates_apply_conflict")
		if !errors.As(err, &er) || len(er.AttributeErrors) == 0 {
			t.Errorf("second apply: %v, want per-field errors", err)
		}
		if after := recordCount(t, e, "example.com"); after != before {
			t.Errorf("refused apply changed the zone: %d records, then %d", before, after)
		}
		// A CNAME where the zone has other records (seed's www A): refused,
		// naming the template's record and its name.
		if _, err := c.Templates.CreateTemplateRecord(ctx, acc, "alpha", dnsimple.TemplateRecord{Name: "ok", Type: "A", Content: "192.0.2.9"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Templates.CreateTemplateRecord(ctx, acc, "alpha", dnsimple.TemplateRecord{Name: "www", Type: "CNAME", Content: "elsewhere.example.net"}); err != nil {
			t.Fatal(err)
		}
		_, err = c.Templates.ApplyTemplate(ctx, acc, "alpha", "example.com")
		check(err, 400, "validation-error", "templates_apply_cname")
		if !errors.As(err, &er) || !strings.Contains(strings.Join(er.AttributeErrors["records[1].name"], " "), "www.example.com") {
			t.Errorf("CNAME beside www's A: %v, want errors on records[1].name", err)
		}
		if after := recordCount(t, e, "example.com"); after != before {
			t.Errorf("refused apply changed the zone: %d records, then %d", before, after)
		}
		_, err = c.Templates.ApplyTemplate(ctx, acc, "nope", "example.com")
		check(err, 404, "notfound-template", "templates_apply_missing")

		_, err = c.Templates.DeleteTemplateRecord(ctx, acc, "office", www.Data.ID)
		check(err, 204, "", "template_records_delete")
		_, err = c.Templates.DeleteTemplate(ctx, acc, "office")
		check(err, 204, "", "templates_delete")
		_, err = c.Templates.GetTemplate(ctx, acc, "office")
		check(err, 404, "notfound-template", "templates_get_missing")
		// The zone keeps what the template added.
		if after := recordCount(t, e, "example.com"); after != before {
			t.Errorf("deleting the template changed the zone: %d records, then %d", before, after)
		}
	})
}

func recordCount(t *testing.T, e *env, zone string) int {
	t.Helper()
	_, p, err := e.st.Records(context.Background(), e.accountA.ID, zone, store.RecordFilter{}, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p.TotalEntries
}

func changedHas(e *env, zone string) bool {
	e.changedMu.Lock()
	defer e.changedMu.Unlock()
	for _, z := range e.changed {
		if z == zone {
			return true
		}
	}
	return false
}

// TestContactEndpoints drives contacts with DNSimple's client.
func TestContactEndpoints(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		rec := &recorder{}
		check := checker(t, rec, strings.HasSuffix(t.Name(), "/sqlite"))
		c := e.client(e.tokenA, rec)
		ctx := context.Background()
		acc := strconv.FormatInt(e.accountA.ID, 10)

		first := dnsimple.Contact{Label: "Default", FirstName: "First", LastName: "User", JobTitle: "CEO", Organization: "Awesome Company",
			Email: "first@example.com", Phone: "+18001234567", Fax: "+18011234567", Address1: "Italian Street, 10",
			City: "Roma", StateProvince: "RM", PostalCode: "00100", Country: "it"}
		ct, err := c.Contacts.CreateContact(ctx, acc, first)
		check(err, 201, "createContact/created", "contacts_create")
		if ct.Data.Country != "IT" || ct.Data.Organization != "Awesome Company" || ct.Data.AccountID != e.accountA.ID {
			t.Errorf("contact = %+v", ct.Data)
		}
		_, err = c.Contacts.CreateContact(ctx, acc, dnsimple.Contact{Label: "empty"})
		check(err, 400, "createContact/error-validation-errors", "contacts_create_blank")
		var er *dnsimple.ErrorResponse
		if !errors.As(err, &er) || len(er.AttributeErrors["email"]) == 0 || len(er.AttributeErrors["phone"]) == 0 || len(er.AttributeErrors["country"]) == 0 {
			t.Errorf("blank contact: %v", err)
		}
		bad := first
		bad.Email, bad.Phone, bad.Country = "first.example.com", "call me", "XX"
		_, err = c.Contacts.CreateContact(ctx, acc, bad)
		check(err, 400, "createContact/error-validation-errors", "contacts_create_invalid")
		if !errors.As(err, &er) || len(er.AttributeErrors["email"]) != 1 || len(er.AttributeErrors["phone"]) != 1 || len(er.AttributeErrors["country"]) != 1 {
			t.Errorf("invalid contact: %v %s", err, rec.body)
		}
		second := first
		second.Label, second.FirstName, second.Email, second.Phone, second.Country = "", "Second", "second@example.com", "+33 1 23 45 67 89", "FR"
		if _, err := c.Contacts.CreateContact(ctx, acc, second); err != nil {
			t.Fatal(err)
		}

		list, err := c.Contacts.ListContacts(ctx, acc, &dnsimple.ListOptions{Sort: dnsimple.String("email:desc")})
		check(err, 200, "listContacts/success", "contacts_list")
		if len(list.Data) != 2 || list.Data[0].Email != "second@example.com" {
			t.Errorf("contacts = %+v", list.Data)
		}
		_, err = c.Contacts.GetContact(ctx, acc, ct.Data.ID)
		check(err, 200, "getContact/success", "contacts_get")
		upd, err := c.Contacts.UpdateContact(ctx, acc, ct.Data.ID, dnsimple.Contact{City: "Milano", PostalCode: "20100"})
		check(err, 200, "updateContact/success", "contacts_update")
		if upd.Data.City != "Milano" || upd.Data.FirstName != "First" || upd.Data.Email != "first@example.com" {
			t.Errorf("updated contact = %+v", upd.Data)
		}
		_, err = c.Contacts.UpdateContact(ctx, acc, ct.Data.ID, dnsimple.Contact{Email: "nope"})
		check(err, 400, "validation-error", "contacts_update_invalid")

		_, err = c.Contacts.DeleteContact(ctx, acc, ct.Data.ID)
		check(err, 204, "", "contacts_delete")
		_, err = c.Contacts.GetContact(ctx, acc, ct.Data.ID)
		check(err, 404, "notfound-contact", "contacts_get_missing")
	})
}

// TestTLDEndpoints lists what the installation supports: the root zone's
// TLDs by default, the configured ones when Config.TLDs is set, which also
// limits the domains that can be created.
func TestTLDEndpoints(t *testing.T) {
	e := newEnv(t, dbPath(t))
	rec := &recorder{}
	check := checker(t, rec, true)
	c := e.client(e.tokenA, rec)
	ctx := context.Background()

	all, err := c.Tlds.ListTlds(ctx, &dnsimple.ListOptions{PerPage: dnsimple.Int(2)})
	check(err, 200, "listTlds/success", "")
	if len(all.Data) != 2 || all.Pagination.TotalEntries < 1000 || all.Data[0].Tld != "aaa" {
		t.Errorf("default TLDs = %+v %+v", all.Data, all.Pagination)
	}
	com, err := c.Tlds.GetTld(ctx, "com")
	check(err, 200, "getTld/success", "")
	if com.Data.Tld != "com" || com.Data.TldType != 1 || com.Data.RegistrationEnabled {
		t.Errorf("com = %+v", com.Data)
	}
	if it, err := c.Tlds.GetTld(ctx, "IT"); err != nil || it.Data.TldType != 2 {
		t.Errorf("it = %+v, %v", it, err)
	}
	_, err = c.Tlds.GetTld(ctx, "nope")
	check(err, 404, "", "")

	e = newEnv(t, dbPath(t), func(cfg *api.Config) { cfg.TLDs = []string{"org", ".COM", "com"} })
	c = e.client(e.tokenA, rec)
	list, err := c.Tlds.ListTlds(ctx, &dnsimple.ListOptions{Sort: dnsimple.String("tld:desc")})
	check(err, 200, "listTlds/success", "tlds_list")
	if len(list.Data) != 2 || list.Data[0].Tld != "org" || list.Data[1].Tld != "com" {
		t.Errorf("configured TLDs = %+v", list.Data)
	}
	_, err = c.Tlds.GetTld(ctx, "com")
	check(err, 200, "getTld/success", "tlds_get")
	_, err = c.Tlds.GetTld(ctx, "net")
	check(err, 404, "", "tlds_get_missing")
	attrs, err := c.Tlds.GetTldExtendedAttributes(ctx, "com")
	check(err, 200, "getTldExtendedAttributes/success-noattributes", "tlds_extended_attributes")
	if len(attrs.Data) != 0 {
		t.Errorf("extended attributes = %+v", attrs.Data)
	}
	acc := strconv.FormatInt(e.accountA.ID, 10)
	if _, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "example.org"}); err != nil {
		t.Errorf("domain under a configured TLD: %v", err)
	}
	_, err = c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "example.net"})
	check(err, 400, "validation-error", "tlds_domain_refused")
}

// TestAuditLog reads the writes back from the audit log, filtered, as the
// owner; members below admin may not.
func TestAuditLog(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		start := time.Now().Add(-time.Second).Truncate(time.Second)
		e := newEnv(t, dbURL(t))
		acc := fmt.Sprintf("/v2/%d", e.accountA.ID)
		for _, body := range []string{`{"name":"a","type":"A","content":"192.0.2.1"}`, `{"name":"b","type":"TXT","content":"hello"}`} {
			seedDomain(t, e)
			if status, _, b := e.do(t, "POST", acc+"/zones/example.com/records", e.tokenA, body); status != 201 {
				t.Fatalf("create record: %d %s", status, b)
			}
		}
		status, _, body := e.do(t, "GET", acc+"/audit_log?sort=id:desc&per_page=2", e.tokenA, "")
		if status != 200 {
			t.Fatalf("audit log: %d %s", status, body)
		}
		if strings.HasSuffix(t.Name(), "/sqlite") {
			golden(t, "audit_log_list", body)
		}
		var page struct {
			Data []struct {
				Action, ObjectType, Actor, SourceAddress string
				After                                    map[string]any
			}
			Pagination struct {
				TotalEntries int `json:"total_entries"`
			}
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Data) != 2 || page.Data[0].Action != "record.create" || page.Data[0].After["content"] != "hello" {
			t.Errorf("audit log = %s", body)
		}
		// The entries carry the store's clock, not the API's fixed one.
		at := func(t time.Time) string { return url.QueryEscape(t.UTC().Format(time.RFC3339)) }
		for _, tc := range []struct {
			query string
			want  int
		}{
			{"action=record.create", 2},
			{"action=domain.", 1},
			{"object_type=domain", 1},
			{"action=record.delete", 0},
			{fmt.Sprintf("actor_user_id=%d", e.bob.ID), 0},
			{"domain=example.com", 3},
			{"domain=example.net", 0},
			// Seven entries: the users, carol's membership, the tokens,
			// the domain and the records, all written since start.
			{"since=" + at(start), 7},
			{"since=" + at(start) + "&until=" + at(time.Now().Add(time.Hour)), 7},
			{"until=" + at(start), 0},
			{"since=" + at(time.Now().Add(time.Hour)), 0},
			{"since=2000-01-01", 7},
			{"until=2000-01-02", 0},
		} {
			status, _, body := e.do(t, "GET", acc+"/audit_log?"+tc.query, e.tokenA, "")
			json.Unmarshal(body, &page)
			if status != 200 || page.Pagination.TotalEntries != tc.want {
				t.Errorf("audit log ?%s = %d, %d entries, want %d: %s", tc.query, status, page.Pagination.TotalEntries, tc.want, body)
			}
		}
		for _, tc := range []struct {
			name, path, token string
			status            int
		}{
			{"read-only member", acc + "/audit_log", e.tokenRO, 403},
			{"other account", acc + "/audit_log", e.tokenB, 404},
			{"bad actor", acc + "/audit_log?actor_user_id=x", e.tokenA, 400},
			{"bad since", acc + "/audit_log?since=yesterday", e.tokenA, 400},
			{"until before since", acc + "/audit_log?since=2026-01-02&until=2026-01-01", e.tokenA, 400},
			{"bad sort", acc + "/audit_log?sort=action", e.tokenA, 400},
		} {
			if status, _, body := e.do(t, "GET", tc.path, tc.token, ""); status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.status)
			}
		}
		// A plain member may write but not read the log; an admin may.
		ctx := context.Background()
		for _, tc := range []struct {
			role   store.Role
			status int
		}{{store.RoleMember, 403}, {store.RoleAdmin, 200}} {
			u, _ := mustUser(t, e.st, string(tc.role)+"@example.com")
			if err := e.st.AddMember(ctx, e.accountA.ID, u.ID, tc.role); err != nil {
				t.Fatal(err)
			}
			tok := mustToken(t, e.st, store.NewToken{AccountID: e.accountA.ID, UserID: &u.ID, Name: string(tc.role)})
			if status, _, body := e.do(t, "GET", acc+"/audit_log", tok, ""); status != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.role, status, body, tc.status)
			}
		}
	})
}

// seedDomain creates example.com in account A once.
func seedDomain(t *testing.T, e *env) {
	t.Helper()
	if _, err := e.st.Domain(context.Background(), e.accountA.ID, "example.com"); err == nil {
		return
	}
	if _, err := e.st.CreateDomain(context.Background(), store.Actor{Label: "test"}, e.accountA.ID, "example.com"); err != nil {
		t.Fatal(err)
	}
}

// accountEndpointsOf seeds account A with a template "seeded" with one
// record and a contact, and lists the endpoints of templates, contacts and
// the audit log on them, for TestScoping (TLDs belong to no account). Applying the template
// goes to example.net, which the owner's walk creates.
func accountEndpointsOf(t *testing.T, e *env) []endpoint {
	t.Helper()
	ctx := context.Background()
	who := store.Actor{Label: "test"}
	if _, err := e.st.CreateTemplate(ctx, who, e.accountA.ID, store.Template{SID: "seeded", Name: "Seeded"}); err != nil {
		t.Fatal(err)
	}
	tr, err := e.st.CreateTemplateRecord(ctx, who, e.accountA.ID, "seeded", store.RecordInput{Name: "t", Type: "TXT", Content: "from a template"})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := e.st.CreateContact(ctx, who, e.accountA.ID, store.Contact{FirstName: "F", LastName: "L", Address1: "A", City: "C",
		StateProvince: "S", PostalCode: "1", Country: "IT", Email: "f@example.com", Phone: "+390612345678"})
	if err != nil {
		t.Fatal(err)
	}
	a := fmt.Sprintf("/v2/%d", e.accountA.ID)
	trPath := fmt.Sprintf("%s/templates/seeded/records/%d", a, tr.ID)
	ctPath := fmt.Sprintf("%s/contacts/%d", a, ct.ID)
	return []endpoint{
		{"GET", a + "/templates", "", 200},
		{"POST", a + "/templates", `{"sid":"new","name":"New"}`, 201},
		{"GET", a + "/templates/seeded", "", 200},
		{"PATCH", a + "/templates/seeded", `{"description":"changed"}`, 200},
		{"GET", a + "/templates/seeded/records", "", 200},
		{"POST", a + "/templates/seeded/records", `{"name":"u","type":"A","content":"192.0.2.5"}`, 201},
		{"GET", trPath, "", 200},
		{"POST", a + "/domains/example.net/templates/seeded", "", 204},
		{"DELETE", trPath, "", 204},
		{"DELETE", a + "/templates/seeded", "", 204},
		{"GET", a + "/contacts", "", 200},
		{"POST", a + "/contacts", `{"first_name":"G","last_name":"L","address1":"A","city":"C","state_province":"S","postal_code":"1","country":"FR","email":"g@example.com","phone":"+33123456789"}`, 201},
		{"GET", ctPath, "", 200},
		{"PATCH", ctPath, `{"city":"D"}`, 200},
		{"DELETE", ctPath, "", 204},
		{"GET", a + "/audit_log", "", 200},
	}
}

// adminOnly are the reads a read-only member is refused (403).
// adminOnly are the endpoints only owners and admins use: the audit log,
// and webhooks, which receive the same events.
func adminOnly(path string) bool {
	return strings.HasSuffix(path, "/audit_log") || strings.Contains(path, "/webhooks")
}
