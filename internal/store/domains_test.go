package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

func TestCreateDomain(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "Example.COM.")
		other := newFixture(t, s, "eve@example.com", "")
		if f.domain.Name != "example.com" || f.domain.State != "hosted" || f.domain.AccountID != f.account.ID {
			t.Errorf("CreateDomain = %+v", f.domain)
		}
		z, err := s.Zone(ctx, f.account.ID, "example.com")
		if err != nil {
			t.Fatal(err)
		}
		if want := nextSerial(0, time.Now()); z.Serial != want || !z.Active || z.Reverse || z.Secondary {
			t.Errorf("Zone = %+v, want serial %d", z, want)
		}
		recs, _, err := s.Records(ctx, f.account.ID, "example.com", RecordFilter{}, ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs {
			if !r.SystemRecord || r.ZoneName != "example.com" {
				t.Errorf("record %+v is not a system record of example.com", r)
			}
			got = append(got, fmt.Sprintf("%q %s %s %d", r.Name, r.Type, r.Content, r.TTL))
		}
		want := []string{
			fmt.Sprintf(`"" SOA ns1.zonewarden.test hostmaster.example.com %d 86400 7200 604800 300 3600`, z.Serial),
			`"" NS ns1.zonewarden.test 3600`,
			`"" NS ns2.zonewarden.test 3600`,
		}
		if !slices.Equal(got, want) {
			t.Errorf("records of a new zone:\n got %q\nwant %q", got, want)
		}

		for _, tc := range []struct {
			name    string
			account int64
			domain  string
			want    error
		}{
			{"same name", f.account.ID, "example.com", zone.ErrConflict},
			{"same name, other account", other.account.ID, "EXAMPLE.com.", zone.ErrConflict},
			{"below another account's", other.account.ID, "sub.example.com", zone.ErrConflict},
			{"above another account's", other.account.ID, "com", zone.ErrInvalid}, // one label
			{"empty", f.account.ID, "", zone.ErrInvalid},
			{"space", f.account.ID, "exa mple.com", zone.ErrInvalid},
			{"empty label", f.account.ID, "example..com", zone.ErrInvalid},
			{"no account", 999999, "fine.example", zone.ErrNotFound},
		} {
			if _, err := s.CreateDomain(ctx, other.actor, tc.account, tc.domain); !errors.Is(err, tc.want) {
				t.Errorf("%s: CreateDomain(%q) = %v, want %v", tc.name, tc.domain, err, tc.want)
			}
		}
		// The same account may host a zone below its own.
		if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, "sub.example.com"); err != nil {
			t.Errorf("CreateDomain below own domain: %v", err)
		}
		// Above another account's domain, with two labels.
		if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, "deep.inside.example.org"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateDomain(ctx, other.actor, other.account.ID, "example.org"); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("CreateDomain above another account's = %v, want ErrConflict", err)
		}

		idn, err := s.CreateDomain(ctx, f.actor, f.account.ID, "bücher.example")
		if err != nil || idn.Name != "xn--bcher-kva.example" || idn.UnicodeName != "bücher.example" {
			t.Errorf("CreateDomain(IDN) = %+v, %v", idn, err)
		}
		if d, err := s.Domain(ctx, f.account.ID, "BÜCHER.example"); err != nil || d.ID != idn.ID {
			t.Errorf("Domain by Unicode name = %+v, %v", d, err)
		}
		if d, err := s.Domain(ctx, f.account.ID, strconv.FormatInt(idn.ID, 10)); err != nil || d.Name != idn.Name {
			t.Errorf("Domain by id = %+v, %v", d, err)
		}
		rev, err := s.CreateDomain(ctx, f.actor, f.account.ID, "2.0.192.in-addr.arpa")
		if err != nil {
			t.Fatal(err)
		}
		if z, _ := s.Zone(ctx, f.account.ID, rev.Name); !z.Reverse {
			t.Errorf("zone %s is not reverse", rev.Name)
		}
	})
}

func TestDeleteDomain(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		other := newFixture(t, s, "eve@example.com", "")
		old, _ := s.Zone(ctx, f.account.ID, "example.com")
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteDomain(ctx, other.actor, other.account.ID, "example.com"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("DeleteDomain from another account = %v, want ErrNotFound", err)
		}
		if err := s.DeleteDomain(ctx, f.actor, f.account.ID, strconv.FormatInt(f.domain.ID, 10)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Domain(ctx, f.account.ID, "example.com"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("Domain after delete = %v", err)
		}
		if _, err := s.ZoneData(ctx, "example.com"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("ZoneData after delete = %v", err)
		}
		var n int
		if err := s.read().row(ctx, "SELECT COUNT(*) FROM records").Scan(&n); err != nil || n != 0 {
			t.Errorf("%d records left after delete (%v)", n, err)
		}
		// Created again, by another account, it continues the serials.
		if _, err := s.CreateDomain(ctx, other.actor, other.account.ID, "example.com"); err != nil {
			t.Fatal(err)
		}
		z, _ := s.Zone(ctx, other.account.ID, "example.com")
		if !zone.SerialLess(old.Serial+1, z.Serial) {
			t.Errorf("serial of the zone created again = %d, want above %d", z.Serial, old.Serial+1)
		}
	})
}

func TestListDomains(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "")
		other := newFixture(t, s, "eve@example.com", "other.example")
		for _, n := range []string{"c.example", "a.example", "b.example", "a_b.test", "axb.test"} {
			if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, n); err != nil {
				t.Fatal(err)
			}
		}
		_ = other
		for _, tc := range []struct {
			like string
			o    ListOptions
			want []string
			page Page
		}{
			{"", ListOptions{}, []string{"c.example", "a.example", "b.example", "a_b.test", "axb.test"}, Page{1, 30, 5, 1}},
			{"", ListOptions{Sort: "name:asc"}, []string{"a.example", "a_b.test", "axb.test", "b.example", "c.example"}, Page{1, 30, 5, 1}},
			{"", ListOptions{Sort: "name:desc", PerPage: 2}, []string{"c.example", "b.example"}, Page{1, 2, 5, 3}},
			{"", ListOptions{Sort: "name:desc", PerPage: 2, Page: 3}, []string{"a.example"}, Page{3, 2, 5, 3}},
			{"", ListOptions{Sort: "id:desc", PerPage: 500}, []string{"axb.test", "a_b.test", "b.example", "a.example", "c.example"}, Page{1, 100, 5, 1}},
			{"EXAMPLE", ListOptions{Sort: "name"}, []string{"a.example", "b.example", "c.example"}, Page{1, 30, 3, 1}},
			{"a_b", ListOptions{}, []string{"a_b.test"}, Page{1, 30, 1, 1}}, // _ is not a wildcard
			{"other", ListOptions{}, nil, Page{1, 30, 0, 0}},
		} {
			ds, p, err := s.Domains(ctx, f.account.ID, tc.like, tc.o)
			if err != nil {
				t.Errorf("Domains(%q, %+v): %v", tc.like, tc.o, err)
				continue
			}
			var got []string
			for _, d := range ds {
				got = append(got, d.Name)
			}
			if !slices.Equal(got, tc.want) || p != tc.page {
				t.Errorf("Domains(%q, %+v) = %v %+v, want %v %+v", tc.like, tc.o, got, p, tc.want, tc.page)
			}
		}
		for _, sort := range []string{"content", "name:up", "name; DROP TABLE domains"} {
			if _, _, err := s.Domains(ctx, f.account.ID, "", ListOptions{Sort: sort}); !errors.Is(err, zone.ErrInvalid) {
				t.Errorf("Domains(sort %q) = %v, want ErrInvalid", sort, err)
			}
		}
		zs, p, err := s.Zones(ctx, f.account.ID, "example", ListOptions{Sort: "name:desc"})
		if err != nil || len(zs) != 3 || zs[0].Name != "c.example" || p.TotalEntries != 3 {
			t.Errorf("Zones = %+v %+v, %v", zs, p, err)
		}
	})
}

// TestListBadQueries: a name filter longer than any name, and a page past
// any list (whose offset would overflow), answer an empty page.
func TestListBadQueries(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "example.com")
		for _, like := range []string{strings.Repeat("x", 50_000), strings.Repeat("_", 30_000), strings.Repeat("%", 1021)} {
			ds, p, err := s.Domains(ctx, ada.account.ID, like, ListOptions{})
			if err != nil || len(ds) != 0 || p.TotalEntries != 0 {
				t.Errorf("domains like %d × %q: %d, %+v, %v", len(like), like[:1], len(ds), p, err)
			}
			zs, _, err := s.Zones(ctx, ada.account.ID, like, ListOptions{})
			if err != nil || len(zs) != 0 {
				t.Errorf("zones like %d × %q: %d, %v", len(like), like[:1], len(zs), err)
			}
		}
		for _, o := range []ListOptions{{Page: 1 << 62, PerPage: 100}, {Page: 1<<62 + 1, PerPage: 2}, {Page: math.MaxInt, PerPage: 100}} {
			ds, p, err := s.Domains(ctx, ada.account.ID, "", o)
			if err != nil || len(ds) != 0 || p.TotalEntries != 1 {
				t.Errorf("domains page %d: %d, %+v, %v", o.Page, len(ds), p, err)
			}
			recs, _, err := s.Records(ctx, ada.account.ID, "example.com", RecordFilter{}, o)
			if err != nil || len(recs) != 0 {
				t.Errorf("records page %d: %d, %v", o.Page, len(recs), err)
			}
			recs, _, err = s.Records(ctx, ada.account.ID, "example.com", RecordFilter{Type: "NS"}, o)
			if err != nil || len(recs) != 0 {
				t.Errorf("NS records page %d: %d, %v", o.Page, len(recs), err)
			}
		}
	})
}

// TestReservedZones: no domain may be, be under or be above the catalog
// zone, which the DNS server answers for itself.
func TestReservedZones(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		for _, name := range []string{"catalog.zonewarden.invalid", "CATALOG.zonewarden.invalid.", "zones.catalog.zonewarden.invalid", "zonewarden.invalid"} {
			_, err := s.CreateDomain(ctx, ada.actor, ada.account.ID, name)
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != "name" || !strings.Contains(ve.Fields[0].Msg, "reserved") {
				t.Errorf("domain %s: %v, want it refused as reserved", name, err)
			}
		}
		if _, err := s.CreateDomain(ctx, ada.actor, ada.account.ID, "other.invalid"); err != nil {
			t.Errorf("a domain beside the catalog: %v", err)
		}
	}, WithReservedZones("catalog.zonewarden.invalid."))
}
