package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/zone"
)

func TestPrimaryServers(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "primary.example")
		other := newFixture(t, s, "eve@example.com", "")

		for _, tc := range []struct {
			name string
			in   PrimaryServerInput
			want error
		}{
			{"no name", PrimaryServerInput{IP: "192.0.2.1"}, zone.ErrInvalid},
			{"bad ip", PrimaryServerInput{Name: "x", IP: "192.0.2.300"}, zone.ErrInvalid},
			{"bad port", PrimaryServerInput{Name: "x", IP: "192.0.2.1", Port: 70000}, zone.ErrInvalid},
		} {
			if _, err := s.CreatePrimaryServer(ctx, f.actor, f.account.ID, tc.in); !errors.Is(err, tc.want) {
				t.Errorf("%s: CreatePrimaryServer = %v, want %v", tc.name, err, tc.want)
			}
		}
		p1, err := s.CreatePrimaryServer(ctx, f.actor, f.account.ID, PrimaryServerInput{Name: "ns-a", IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		if p1.Port != 53 || p1.IP != "192.0.2.1" || len(p1.LinkedZones) != 0 {
			t.Errorf("created %+v", p1)
		}
		if _, err := s.CreatePrimaryServer(ctx, f.actor, f.account.ID, PrimaryServerInput{Name: "ns-a", IP: "192.0.2.2"}); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("same name: %v, want conflict", err)
		}
		p2, err := s.CreatePrimaryServer(ctx, f.actor, f.account.ID, PrimaryServerInput{Name: "b-ns", IP: "2001:db8::1", Port: 5353})
		if err != nil {
			t.Fatal(err)
		}
		if p2.Addr() != "[2001:db8::1]:5353" {
			t.Errorf("Addr = %s", p2.Addr())
		}
		list, page, err := s.PrimaryServers(ctx, f.account.ID, ListOptions{Sort: "name:asc"})
		if err != nil || page.TotalEntries != 2 || len(list) != 2 || list[0].Name != "b-ns" {
			t.Fatalf("PrimaryServers = %+v, %+v, %v", list, page, err)
		}
		if _, err := s.PrimaryServer(ctx, other.account.ID, "ns-a"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("another account's primary: %v, want not found", err)
		}

		z, err := s.CreateSecondaryZone(ctx, f.actor, f.account.ID, "sec.example")
		if err != nil {
			t.Fatal(err)
		}
		if !z.Secondary || z.Serial != 0 {
			t.Errorf("secondary zone = %+v", z)
		}
		// Linking: only a secondary zone of the account.
		if _, err := s.LinkPrimaryServer(ctx, f.actor, f.account.ID, "ns-a", "primary.example"); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("link a primary zone: %v, want invalid", err)
		}
		if _, err := s.LinkPrimaryServer(ctx, other.actor, other.account.ID, "ns-a", "sec.example"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("link from another account: %v, want not found", err)
		}
		for range 2 { // twice is no change
			got, err := s.LinkPrimaryServer(ctx, f.actor, f.account.ID, strings.TrimSpace(" ns-a"), "sec.example")
			if err != nil || !slices.Equal(got.LinkedZones, []string{"sec.example"}) {
				t.Fatalf("link = %+v, %v", got, err)
			}
		}
		if _, err := s.LinkPrimaryServer(ctx, f.actor, f.account.ID, "b-ns", "sec.example"); err != nil {
			t.Fatal(err)
		}
		sz, err := s.SecondaryZones(ctx)
		if err != nil || len(sz) != 1 || sz[0].Name != "sec.example." || !slices.Equal(sz[0].Primaries, []string{"192.0.2.1:53", "[2001:db8::1]:5353"}) {
			t.Errorf("SecondaryZones = %+v, %v", sz, err)
		}
		if err := s.DeletePrimaryServer(ctx, f.actor, f.account.ID, "ns-a"); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("delete a linked primary: %v, want invalid", err)
		}
		got, err := s.UnlinkPrimaryServer(ctx, f.actor, f.account.ID, "ns-a", "sec.example")
		if err != nil || len(got.LinkedZones) != 0 {
			t.Fatalf("unlink = %+v, %v", got, err)
		}
		if _, err := s.UnlinkPrimaryServer(ctx, f.actor, f.account.ID, "ns-a", "sec.example"); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("unlink twice: %v, want invalid", err)
		}
		if err := s.DeletePrimaryServer(ctx, f.actor, f.account.ID, "ns-a"); err != nil {
			t.Fatal(err)
		}
		// Deleting the zone unlinks it.
		if err := s.DeleteDomain(ctx, f.actor, f.account.ID, "sec.example"); err != nil {
			t.Fatal(err)
		}
		if p, err := s.PrimaryServer(ctx, f.account.ID, "b-ns"); err != nil || len(p.LinkedZones) != 0 {
			t.Errorf("after the zone's deletion: %+v, %v", p, err)
		}
		if acts := auditActions(t, s, f.account.ID, AuditFilter{}); !slices.Contains(acts, "primary_server.link") || !slices.Contains(acts, "primary_server.delete") {
			t.Errorf("audit log: %q", acts)
		}
	})
}

func TestReplaceSecondaryZone(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "primary.example")
		if _, err := s.CreateSecondaryZone(ctx, f.actor, f.account.ID, "sec.example"); err != nil {
			t.Fatal(err)
		}
		parse := func(text string) *zone.Zone {
			t.Helper()
			z, err := zone.Parse(strings.NewReader(text), "sec.example.", "test")
			if err != nil {
				t.Fatal(err)
			}
			return z
		}
		v1 := parse("@ 300 SOA ns.customer.example. h.customer.example. 7 60 30 600 60\n@ 300 NS ns.customer.example.\nwww 300 A 192.0.2.1\nmail 300 MX 10 mx.customer.example.\n")
		changed, err := s.ReplaceSecondaryZone(ctx, v1)
		if err != nil || !changed {
			t.Fatalf("first version: %t, %v", changed, err)
		}
		z, _ := s.Zone(ctx, f.account.ID, "sec.example")
		if z.Serial != 7 || z.LastTransferredAt == nil {
			t.Errorf("zone after the first version: %+v", z)
		}
		data, err := s.ZoneData(ctx, "sec.example")
		if err != nil || len(data.Records) != 4 || data.SOA().Serial != 7 {
			t.Fatalf("ZoneData = %v, %v", data, err)
		}
		// The record limit reads zones.record_count: it must follow.
		var count int
		if err := s.read().row(ctx, "SELECT record_count FROM zones WHERE name = ?", "sec.example").Scan(&count); err != nil || count != 4 {
			t.Errorf("record_count after the first version = %d, %v; want 4", count, err)
		}
		// The same version again changes nothing.
		if changed, err := s.ReplaceSecondaryZone(ctx, v1); err != nil || changed {
			t.Errorf("same version: %t, %v", changed, err)
		}
		v2 := parse("@ 300 SOA ns.customer.example. h.customer.example. 8 60 30 600 60\n@ 300 NS ns.customer.example.\nwww 300 A 192.0.2.2\nmail 300 MX 10 mx.customer.example.\n")
		if _, err := s.ReplaceSecondaryZone(ctx, v2); err != nil {
			t.Fatal(err)
		}
		// An older version (from another process, or from disk) is ignored.
		if changed, err := s.ReplaceSecondaryZone(ctx, v1); err != nil || changed {
			t.Errorf("older version: %t, %v", changed, err)
		}
		ch, err := s.ChangesSince(ctx, "sec.example", 7)
		if err != nil || len(ch) != 1 {
			t.Fatalf("ChangesSince(7) = %+v, %v", ch, err)
		}
		if !strings.Contains(ch[0].Removed, "192.0.2.1") || !strings.Contains(ch[0].Added, "192.0.2.2") ||
			strings.Contains(ch[0].Added, "mx.customer") || !strings.HasPrefix(ch[0].Added, "sec.example.\t300\tIN\tSOA") {
			t.Errorf("journal entry: removed %q added %q", ch[0].Removed, ch[0].Added)
		}
		// Writes through the API are refused, and change nothing.
		_, err = s.CreateRecord(ctx, f.actor, f.account.ID, "sec.example", RecordInput{Name: "x", Type: "A", Content: "192.0.2.9"})
		if !errors.Is(err, zone.ErrInvalid) || !strings.Contains(err.Error(), "secondary zone") {
			t.Errorf("record write to a secondary zone: %v", err)
		}
		// A first version with a serial past 2^31 (not after 0 in RFC 1982
		// terms) still replaces the placeholder.
		if _, err := s.CreateSecondaryZone(ctx, f.actor, f.account.ID, "big.example"); err != nil {
			t.Fatal(err)
		}
		big, err := zone.Parse(strings.NewReader("@ 300 SOA a. b. 3000000000 1 1 1 1\n@ 300 NS a.\n"), "big.example.", "test")
		if err != nil {
			t.Fatal(err)
		}
		if changed, err := s.ReplaceSecondaryZone(ctx, big); err != nil || !changed {
			t.Errorf("first version with serial 3000000000: %t, %v", changed, err)
		}
		// A primary zone is not replaced.
		other := parse("@ 300 SOA a. b. 1 1 1 1 1\n@ 300 NS a.\n")
		other.Origin = "primary.example."
		if _, err := s.ReplaceSecondaryZone(ctx, other); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("replace a primary zone: %v, want invalid", err)
		}
	})
}
