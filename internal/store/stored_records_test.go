package store

import (
	"context"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// Content an earlier version accepted, and today's rules refuse, still
// loads: the zone is served as it was, its records can be deleted, and a
// template holding such a record still takes new ones. Otherwise one old
// record would stop its zone, and every zone of the process, from loading.
func TestStoredContentOfEarlierRules(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		acc := f.account.ID
		legacy := []struct {
			name, typ, valid, stored string
			check                    func(dns.RR) bool
		}{
			// ENUM regexps are often written with \1 undoubled: it
			// was read as "1".
			{"naptr", "NAPTR", `100 10 "u" "E2U+sip" "!^.*$!sip:x@example.com!" .`, `100 10 "u" "E2U+sip" "!^.*$!sip:\1@example.com!" .`,
				func(rr dns.RR) bool { return rr.(*dns.NAPTR).Regexp == "!^.*$!sip:1@example.com!" }},
			// Three strings were joined into the OS.
			{"hinfo", "HINFO", `"PC" "Linux"`, `"PC" "Linux" "6.1"`,
				func(rr dns.RR) bool { h := rr.(*dns.HINFO); return h.Cpu == "PC" && h.Os == "Linux 6.1" }},
		}
		ids := map[string]int64{}
		for _, l := range legacy {
			rec, err := s.CreateRecord(ctx, f.actor, acc, "example.com", RecordInput{Name: l.name, Type: l.typ, Content: l.valid})
			if err != nil {
				t.Fatalf("create %s: %v", l.typ, err)
			}
			ids[l.name] = rec.ID
			if err := s.tx(ctx, func(d db) error {
				_, err := d.exec(ctx, "UPDATE records SET content = ? WHERE id = ?", l.stored, rec.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		z, err := s.ZoneData(ctx, "example.com")
		if err != nil {
			t.Fatalf("zone with content of earlier rules: %v", err)
		}
		for _, l := range legacy {
			found := false
			for _, rr := range z.Records {
				if rr.Header().Name == l.name+".example.com." && dns.TypeToString[rr.Header().Rrtype] == l.typ {
					found = true
					if !l.check(rr) {
						t.Errorf("%s read as %s", l.typ, rr)
					}
				}
			}
			if !found {
				t.Errorf("%s record not served", l.typ)
			}
		}
		// A new record with such content is refused.
		if _, err := s.CreateRecord(ctx, f.actor, acc, "example.com", RecordInput{Name: "new", Type: "NAPTR", Content: legacy[0].stored}); err == nil || !strings.Contains(err.Error(), `\1`) {
			t.Errorf("new NAPTR with \\1: %v", err)
		}
		if err := s.DeleteRecord(ctx, f.actor, acc, "example.com", ids["naptr"]); err != nil {
			t.Errorf("delete a record of earlier rules: %v", err)
		}

		tpl, err := s.CreateTemplate(ctx, f.actor, acc, Template{SID: "enum", Name: "ENUM"})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := s.CreateTemplateRecord(ctx, f.actor, acc, "enum", RecordInput{Name: "e", Type: "NAPTR", Content: legacy[0].valid})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.tx(ctx, func(d db) error {
			_, err := d.exec(ctx, "UPDATE template_records SET content = ? WHERE id = ?", legacy[0].stored, tr.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateTemplateRecord(ctx, f.actor, acc, tpl.SID, RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"}); err != nil {
			t.Errorf("template holding a record of earlier rules takes a new one: %v", err)
		}
	})
}
