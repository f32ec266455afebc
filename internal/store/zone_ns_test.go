package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

func TestSetZoneNameServers(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		nsOf := func() []string {
			t.Helper()
			recs, _, err := s.Records(ctx, f.account.ID, "example.com", RecordFilter{Name: new(""), Type: "NS"}, ListOptions{Sort: "id"})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range recs {
				out = append(out, fmt.Sprintf("%s %d %v", r.Content, r.TTL, r.SystemRecord))
			}
			return out
		}
		// A user's own apex NS record stays through every change.
		own, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Type: "NS", Content: "ns.example.net"})
		if err != nil {
			t.Fatal(err)
		}
		// ns3.example.com is in the zone: its address is the glue.
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "ns3", Type: "A", Content: "192.0.2.53"}); err != nil {
			t.Fatal(err)
		}
		start, _ := s.Zone(ctx, f.account.ID, "example.com")

		for _, tc := range []struct {
			name  string
			names []string
			want  []string // the system NS records after, in id order
			write bool     // the serial moves
			// The journal's difference: the NS targets removed and added.
			removed, added []string
		}{
			{"replace one, keep one", []string{"ns2.zonewarden.test", "NS3.Example.COM."},
				[]string{"ns2.zonewarden.test 3600 true", "ns3.example.com 3600 true"}, true,
				[]string{"ns1.zonewarden.test."}, []string{"ns3.example.com."}},
			{"the same again", []string{"ns3.example.com", "ns2.zonewarden.test"},
				[]string{"ns2.zonewarden.test 3600 true", "ns3.example.com 3600 true"}, false, nil, nil},
			{"one", []string{"a.ns.example"}, []string{"a.ns.example 3600 true"}, true,
				[]string{"ns2.zonewarden.test.", "ns3.example.com."}, []string{"a.ns.example."}},
			{"unicode", []string{"ns.bücher.example"}, []string{"ns.xn--bcher-kva.example 3600 true"}, true,
				[]string{"a.ns.example."}, []string{"ns.xn--bcher-kva.example."}},
		} {
			prev, _ := s.Zone(ctx, f.account.ID, "example.com")
			_, journal0, _ := s.ZoneNames(ctx)
			got, err := s.SetZoneNameServers(ctx, f.actor, f.account.ID, "example.com", tc.names)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var gotNS []string
			for _, r := range got {
				gotNS = append(gotNS, fmt.Sprintf("%s %d %v", r.Content, r.TTL, r.SystemRecord))
				if r.Name != "" || r.Type != "NS" || r.ZoneName != "example.com" {
					t.Errorf("%s: returned %+v", tc.name, r)
				}
			}
			if !slices.Equal(gotNS, tc.want) {
				t.Errorf("%s: returned %q, want %q", tc.name, gotNS, tc.want)
			}
			if all, want := nsOf(), append([]string{"ns.example.net 3600 false"}, tc.want...); !slices.Equal(slices.Sorted(slices.Values(all)), slices.Sorted(slices.Values(want))) {
				t.Errorf("%s: apex NS records %q", tc.name, all)
			}
			now, _ := s.Zone(ctx, f.account.ID, "example.com")
			if moved := now.Serial != prev.Serial; moved != tc.write {
				t.Errorf("%s: serial %d → %d", tc.name, prev.Serial, now.Serial)
			}
			// The journal has the difference, for IXFR and the engine.
			changes, err := s.Changes(ctx, "example.com", journal0)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.write {
				if len(changes) != 0 {
					t.Errorf("%s: journal %+v", tc.name, changes)
				}
				continue
			}
			if len(changes) != 1 || changes[0].Kind != "update" || changes[0].PrevSerial != prev.Serial || changes[0].Serial != now.Serial {
				t.Fatalf("%s: journal %+v", tc.name, changes)
			}
			for _, side := range []struct {
				text  string
				hosts []string
			}{{changes[0].Removed, tc.removed}, {changes[0].Added, tc.added}} {
				rrs, err := zone.ParseLines(side.text)
				if err != nil {
					t.Fatal(err)
				}
				var hosts []string
				for _, rr := range rrs {
					if ns, ok := rr.(*dns.NS); ok {
						hosts = append(hosts, ns.Ns)
					}
				}
				if !slices.Equal(hosts, side.hosts) {
					t.Errorf("%s: journal has NS %q, want %q", tc.name, hosts, side.hosts)
				}
			}
			data, err := s.ZoneData(ctx, "example.com")
			if err != nil || data.SOA().Serial != now.Serial {
				t.Errorf("%s: served %v, %v", tc.name, data, err)
			}
		}
		if now, _ := s.Zone(ctx, f.account.ID, "example.com"); now.Serial == start.Serial {
			t.Error("the serial never moved")
		}
		entries, _, _ := s.Audit(ctx, f.account.ID, AuditFilter{Action: "zone.ns_records_update"}, ListOptions{})
		if len(entries) != 3 || entries[0].Before != `{"ns_names":["ns1.zonewarden.test","ns2.zonewarden.test"]}` ||
			entries[0].After != `{"ns_names":["ns2.zonewarden.test","ns3.example.com"]}` || entries[0].Domain != "example.com" {
			t.Errorf("audit: %+v", entries)
		}
		if _, err := s.Record(ctx, f.account.ID, "example.com", own.ID); err != nil {
			t.Errorf("the user's NS record: %v", err)
		}
	})
}

func TestSetZoneNameServersRefused(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		other := newFixture(t, s, "eve@example.com", "")
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Type: "NS", Content: "ns.example.net"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "alias", Type: "CNAME", Content: "ns.example.net"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateSecondaryZone(ctx, f.actor, f.account.ID, "sec.example"); err != nil {
			t.Fatal(err)
		}
		fourteen := make([]string, 14)
		for i := range fourteen {
			fourteen[i] = fmt.Sprintf("ns%d.example.net", i)
		}
		before, _ := s.Zone(ctx, f.account.ID, "example.com")
		for _, tc := range []struct {
			name    string
			account int64
			zone    string
			names   []string
			kind    error
			msg     string // in the error, for the field ns_names
		}{
			{"none", f.account.ID, "example.com", nil, zone.ErrInvalid, "at least one"},
			{"too many", f.account.ID, "example.com", fourteen, zone.ErrInvalid, "more than the 13"},
			{"empty", f.account.ID, "example.com", []string{""}, zone.ErrInvalid, "it is empty"},
			{"one label", f.account.ID, "example.com", []string{"localhost"}, zone.ErrInvalid, "single label"},
			{"underscore", f.account.ID, "example.com", []string{"ns_1.example.net"}, zone.ErrInvalid, `contains '_'`},
			{"hyphen", f.account.ID, "example.com", []string{"-ns.example.net"}, zone.ErrInvalid, "hyphen"},
			{"address", f.account.ID, "example.com", []string{"192.0.2.1"}, zone.ErrInvalid, "IP address"},
			{"space before", f.account.ID, "example.com", []string{" ns1.example.net"}, zone.ErrInvalid, `" ns1.example.net" is not a host name: it contains ' '`},
			{"newline after", f.account.ID, "example.com", []string{"ns1.example.net\n"}, zone.ErrInvalid, `it contains '\n'`},
			{"space after an address", f.account.ID, "example.com", []string{"192.0.2.1 "}, zone.ErrInvalid, "it contains ' '"},
			{"space inside", f.account.ID, "example.com", []string{"ns 1.example.net"}, zone.ErrInvalid, "it contains ' '"},
			{"bad punycode", f.account.ID, "example.com", []string{"xn--zz.example"}, zone.ErrInvalid, `the label "xn--zz" is not valid punycode`},
			{"bad punycode below", f.account.ID, "example.com", []string{"ns1.xn--a.example"}, zone.ErrInvalid, `the label "xn--a" is not valid punycode`},
			{"bad non-ASCII label", f.account.ID, "example.com", []string{"ns1.a☃\u200d.example"}, zone.ErrInvalid, `the label "a☃\u200d" is not a valid internationalized label`},
			{"the zone itself without an address", f.account.ID, "example.com", []string{"example.com"}, zone.ErrInvalid, "example.com is in the zone example.com, which has no A or AAAA record for it"},
			{"in the zone without an address", f.account.ID, "example.com", []string{"ns2.example.net", "NS1.example.com."}, zone.ErrInvalid, "ns1.example.com is in the zone example.com, which has no A or AAAA record for it: resolvers could not find the name server's address (no glue)"},
			{"in the zone beside a CNAME", f.account.ID, "example.com", []string{"alias.example.com"}, zone.ErrInvalid, "no A or AAAA record"},
			{"numeric top label", f.account.ID, "example.com", []string{"ns.example.123"}, zone.ErrInvalid, "number"},
			{"twice", f.account.ID, "example.com", []string{"ns1.example.net", "NS1.example.net."}, zone.ErrInvalid, "given twice"},
			{"a user's record", f.account.ID, "example.com", []string{"ns.example.net"}, zone.ErrInvalid, "added by hand"},
			{"secondary zone", f.account.ID, "sec.example", []string{"ns1.example.net"}, zone.ErrInvalid, "secondary zone"},
			{"another account's zone", other.account.ID, "example.com", []string{"ns1.example.net"}, zone.ErrNotFound, ""},
			{"no zone", f.account.ID, "nope.example", []string{"ns1.example.net"}, zone.ErrNotFound, ""},
		} {
			_, err := s.SetZoneNameServers(ctx, f.actor, tc.account, tc.zone, tc.names)
			if !errors.Is(err, tc.kind) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.kind)
				continue
			}
			var ve *ValidationError
			if tc.kind == zone.ErrInvalid && tc.name != "secondary zone" {
				if !errors.As(err, &ve) || ve.Fields[0].Field != "ns_names" || !strings.Contains(ve.Fields[0].Msg, tc.msg) {
					t.Errorf("%s: %v, want ns_names: …%s…", tc.name, err, tc.msg)
				}
			}
		}
		if after, _ := s.Zone(ctx, f.account.ID, "example.com"); after.Serial != before.Serial {
			t.Errorf("refused writes moved the serial")
		}
	})
}

// TestSetZoneNameServersInZone: a name server inside the zone is taken
// when the zone has its address (the glue), A or AAAA; valid punycode and
// non-ASCII names are taken in their ASCII form.
func TestSetZoneNameServersInZone(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		for _, in := range []RecordInput{
			{Name: "ns1", Type: "A", Content: "192.0.2.53"},
			{Name: "ns2.sub", Type: "AAAA", Content: "2001:db8::53"},
		} {
			if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", in); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := s.SetZoneNameServers(ctx, f.actor, f.account.ID, "example.com",
			[]string{"ns1.example.com", "NS2.sub.example.com.", "ns.bücher.example", "ns.xn--bcher-kva.test"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs {
			got = append(got, r.Content)
		}
		if want := []string{"ns1.example.com", "ns2.sub.example.com", "ns.xn--bcher-kva.example", "ns.xn--bcher-kva.test"}; !slices.Equal(got, want) {
			t.Errorf("name servers %q, want %q", got, want)
		}
	})
}
