package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

// TestRecordFormErrors: a refused record comes back with the problem in
// plain words beside the field at fault, whichever part of the system
// found it (the form, the record's rules, the zone's rules).
func TestRecordFormErrors(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b := e.browser()
	b.signIn("ada@example.com")
	b.post("/a/1/domains/new", "/a/1/domains", url.Values{"name": {"example.com"}})
	page := "/a/1/domains/example.com/records/new?type=A"
	path := "/a/1/domains/example.com/records"
	add := func(f url.Values) {
		if r := b.post(page, path, f); r.status != http.StatusSeeOther {
			t.Fatalf("add %v: %d", f, r.status)
		}
	}
	add(url.Values{"type": {"A"}, "name": {"www"}, "content": {"192.0.2.1"}, "ttl": {"3600"}})
	add(url.Values{"type": {"CNAME"}, "name": {"docs"}, "content": {"example.net"}, "ttl": {"3600"}})

	tests := []struct {
		name  string
		form  url.Values
		field string // the id of the error's element
		msg   string
	}{
		{"CNAME at the apex", url.Values{"type": {"CNAME"}, "name": {""}, "content": {"example.net"}}, "name-error", "A CNAME record cannot be at the zone apex; use an ALIAS record."},
		{"CNAME beside A", url.Values{"type": {"CNAME"}, "name": {"www"}, "content": {"example.net"}}, "name-error", "The name www.example.com has other records, and a CNAME record must be alone at its name. Choose another name, or delete the other records first."},
		{"A beside CNAME", url.Values{"type": {"A"}, "name": {"docs"}, "content": {"192.0.2.2"}}, "name-error", "The name docs.example.com has a CNAME record, which must be alone at its name, so no A record can be added beside it."},
		{"ALIAS beside A", url.Values{"type": {"ALIAS"}, "name": {"www"}, "content": {"example.net"}}, "name-error", "an ALIAS record answers with addresses itself, so it cannot be beside them."},
		{"name with a space", url.Values{"type": {"A"}, "name": {"a b"}, "content": {"192.0.2.1"}}, "name-error", "The name &#34;a b&#34; contains &#39; &#39;, which is not allowed in a name."},
		{"TTL too low", url.Values{"type": {"A"}, "name": {"x"}, "content": {"192.0.2.1"}, "ttl": {"30"}}, "ttl-error", "The TTL 30 is below the minimum of 60 seconds."},
		{"TTL not a number", url.Values{"type": {"A"}, "name": {"x"}, "content": {"192.0.2.1"}, "ttl": {"an hour"}}, "ttl-error", "Enter the TTL as a number of seconds"},
		{"IPv6 in A", url.Values{"type": {"A"}, "name": {"x"}, "content": {"2001:db8::1"}}, "content-error", "&#34;2001:db8::1&#34; is not an IPv4 address."},
		{"empty content", url.Values{"type": {"A"}, "name": {"x"}, "content": {""}}, "content-error", "The content is empty."},
		{"duplicate", url.Values{"type": {"A"}, "name": {"www"}, "content": {"192.0.2.1"}}, "content-error", "The zone already has this A record at www.example.com."},
		{"MX priority", url.Values{"type": {"MX"}, "name": {""}, "priority": {"70000"}, "content": {"mail.example.com"}}, "priority-error", "Enter the priority as a number from 0 to 65535."},
		{"MX with the preference in content", url.Values{"type": {"MX"}, "name": {""}, "priority": {"10"}, "content": {"10 mail.example.com"}}, "content-error", "the preference goes in priority."},
		{"SRV weight", url.Values{"type": {"SRV"}, "name": {"_sip._tcp"}, "priority": {"1"}, "weight": {"x"}, "port": {"5060"}, "target": {"sip.example.com"}}, "weight-error", "Enter the weight as a number from 0 to 65535."},
		{"SRV port", url.Values{"type": {"SRV"}, "name": {"_sip._tcp"}, "priority": {"1"}, "weight": {"1"}, "port": {"70000"}, "target": {"sip.example.com"}}, "port-error", "Enter the port as a number from 0 to 65535."},
		{"SRV target with a space", url.Values{"type": {"SRV"}, "name": {"_sip._tcp"}, "priority": {"1"}, "weight": {"1"}, "port": {"5060"}, "target": {"sip example"}}, "target-error", "Enter one host name, without spaces."},
		{"SRV bad target", url.Values{"type": {"SRV"}, "name": {"_sip._tcp"}, "priority": {"1"}, "weight": {"1"}, "port": {"5060"}, "target": {"sip_!.example.com"}}, "target-error", "is not a host name"},
		{"CAA flags", url.Values{"type": {"CAA"}, "name": {""}, "flags": {"300"}, "tag": {"issue"}, "value": {"letsencrypt.org"}}, "flags-error", "Enter the flags as a number from 0 to 255"},
		{"CAA tag", url.Values{"type": {"CAA"}, "name": {""}, "flags": {"0"}, "tag": {"is-bad"}, "value": {"letsencrypt.org"}}, "tag-error", "is not letters and digits"},
		{"CAA no tag", url.Values{"type": {"CAA"}, "name": {""}, "flags": {"0"}, "value": {"letsencrypt.org"}}, "tag-error", "Choose what the record allows"},
		{"CAA value", url.Values{"type": {"CAA"}, "name": {""}, "flags": {"0"}, "tag": {"issue"}, "value": {""}}, "value-error", "Enter the certificate authority&#39;s domain"},
		{"TXT quotes", url.Values{"type": {"TXT"}, "name": {""}, "content": {`"unterminated`}}, "content-error", "is not a list of quoted strings: a quote is not closed."},
		{"HINFO with three strings", url.Values{"type": {"HINFO"}, "name": {"h"}, "content": {`"PC" "Linux" "6.1"`}}, "content-error", "is not two strings: HINFO content is the CPU and the operating system"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.form
			if f.Get("ttl") == "" {
				f.Set("ttl", "3600")
			}
			r := b.post(page, path, f)
			want(t, tt.name, r, http.StatusUnprocessableEntity, `<p class="error" id="`+tt.field+`">`, tt.msg, `aria-invalid="true"`)
		})
	}
}

// TestRecordFormCAATags: the tag field offers the registered tags, and a
// record with another tag (from the API or an import) edits without losing
// it.
func TestRecordFormCAATags(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b := e.browser()
	b.signIn("ada@example.com")
	b.post("/a/1/domains/new", "/a/1/domains", url.Values{"name": {"example.com"}})
	page := "/a/1/domains/example.com/records/new?type=CAA"
	path := "/a/1/domains/example.com/records"
	want(t, "new CAA", b.get(page), 200, `<option value="issuemail">`, `<option value="contactemail">`)
	for _, tag := range []string{"issuemail", "custom"} {
		f := url.Values{"type": {"CAA"}, "name": {""}, "flags": {"0"}, "tag": {tag}, "value": {"ca.example.net"}, "ttl": {"3600"}}
		if r := b.post(page, path, f); r.status != http.StatusSeeOther {
			t.Fatalf("add CAA %s: %d %.600s", tag, r.status, r.body)
		}
	}
	recs, _, err := e.st.Records(context.Background(), 1, "example.com", store.RecordFilter{Type: "CAA"}, store.ListOptions{})
	if err != nil || len(recs) != 2 {
		t.Fatalf("CAA records: %v %v", recs, err)
	}
	for _, rec := range recs {
		tag := strings.Fields(rec.Content)[1]
		edit := fmt.Sprintf("/a/1/domains/example.com/records/%d/edit", rec.ID)
		want(t, "edit CAA "+tag, b.get(edit), 200, `<option value="`+tag+`" selected>`, `<option value="issue">`)
	}
}
