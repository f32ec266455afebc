package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// TestZoneActivation: a deactivated zone keeps its records, which can still
// change, but is not served (ZoneData, ZoneNames), leaves the catalog and
// tells the processes that follow the journal; activation undoes each, and
// both are idempotent.
func TestZoneActivation(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, "example.org"); err != nil {
			t.Fatal(err)
		}
		other := newFixture(t, s, "eve@example.com", "")
		_, last0, err := s.Catalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, journal0, _ := s.ZoneNames(ctx)
		before, _ := s.Zone(ctx, f.account.ID, "example.com")

		z, err := s.DeactivateZone(ctx, f.actor, f.account.ID, "Example.COM.")
		if err != nil {
			t.Fatal(err)
		}
		if z.Active || z.Name != "example.com" || z.Serial != before.Serial {
			t.Errorf("DeactivateZone = %+v, want inactive at serial %d", z, before.Serial)
		}
		if got, _ := s.Zone(ctx, f.account.ID, "example.com"); got.Active {
			t.Errorf("Zone after deactivation: %+v", got)
		}
		if _, err := s.ZoneData(ctx, "example.com"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("ZoneData of an inactive zone: %v, want ErrNotFound", err)
		}
		if c, err := s.ZoneContents(ctx, "example.com"); err != nil || len(c.Records) != 3 {
			t.Errorf("ZoneContents of an inactive zone: %v, %v", c, err)
		}
		names, _, _ := s.ZoneNames(ctx)
		if !slices.Equal(names, []string{"example.org."}) {
			t.Errorf("ZoneNames = %q", names)
		}
		changed, _, deleted, err := s.ChangedZones(ctx, journal0)
		if err != nil || len(changed) != 0 || !slices.Equal(deleted, []string{"example.com."}) {
			t.Errorf("ChangedZones after deactivation: %q, deleted %q, %v", changed, deleted, err)
		}
		members, last1, _ := s.Catalog(ctx)
		if len(members) != 1 || members[0].Name != "example.org." || last1 <= last0 {
			t.Errorf("catalog after deactivation: %+v at %d (was %d)", members, last1, last0)
		}
		// Idempotent: no journal entry, no catalog change.
		if z, err := s.DeactivateZone(ctx, f.actor, f.account.ID, "example.com"); err != nil || z.Active {
			t.Errorf("deactivating again: %+v, %v", z, err)
		}
		if _, l, _ := s.Catalog(ctx); l != last1 {
			t.Errorf("deactivating again moved the catalog: %d → %d", last1, l)
		}

		// Records change while inactive, with serial and journal.
		r, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
		if err != nil {
			t.Fatalf("a record in an inactive zone: %v", err)
		}
		inactive, _ := s.Zone(ctx, f.account.ID, "example.com")
		if inactive.Serial == before.Serial || inactive.Active {
			t.Errorf("zone after a write while inactive: %+v", inactive)
		}

		z, err = s.ActivateZone(ctx, f.actor, f.account.ID, "example.com")
		if err != nil || !z.Active {
			t.Fatalf("ActivateZone = %+v, %v", z, err)
		}
		data, err := s.ZoneData(ctx, "example.com")
		if err != nil || len(data.Records) != 4 || data.SOA().Serial != inactive.Serial {
			t.Errorf("ZoneData after activation: %v, %v", data, err)
		}
		members, last2, _ := s.Catalog(ctx)
		if len(members) != 2 || members[0].Name != "example.com." || members[0].Created != last2 || last2 <= last1 {
			t.Errorf("catalog after activation: %+v at %d", members, last2)
		}
		ev, err := s.CatalogEvents(ctx, last0)
		if err != nil || len(ev) != 3 || !ev[1].Deleted || ev[1].ID != last1 || ev[2].Deleted || ev[2].ID != last2 || ev[2].Created != last2 {
			t.Errorf("catalog events: %+v, %v", ev, err)
		}
		if z, err := s.ActivateZone(ctx, f.actor, f.account.ID, "example.com"); err != nil || !z.Active {
			t.Errorf("activating again: %+v, %v", z, err)
		}

		// Each change once in the audit log, with its actor.
		entries, _, err := s.Audit(ctx, f.account.ID, AuditFilter{Action: "zone."}, ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Action+" "+e.Domain+" "+e.Before+" → "+e.After)
			if e.ActorLabel != "ada@example.com" || e.RemoteAddr != "192.0.2.9" {
				t.Errorf("audit entry %+v", e)
			}
		}
		want := []string{
			`zone.deactivate example.com {"active":true,"name":"example.com"} → {"active":false,"name":"example.com"}`,
			`zone.activate example.com {"active":false,"name":"example.com"} → {"active":true,"name":"example.com"}`,
		}
		if !slices.Equal(got, want) {
			t.Errorf("audit:\n got %q\nwant %q", got, want)
		}

		// Another account's zone, or none, is not found.
		for _, tc := range []struct {
			account int64
			name    string
		}{{other.account.ID, "example.com"}, {f.account.ID, "nope.example"}} {
			if _, err := s.DeactivateZone(ctx, other.actor, tc.account, tc.name); !errors.Is(err, zone.ErrNotFound) {
				t.Errorf("deactivate %s of account %d: %v", tc.name, tc.account, err)
			}
		}
		if _, err := s.Record(ctx, f.account.ID, "example.com", r.ID); err != nil {
			t.Errorf("the record after all: %v", err)
		}
	})
}

// TestDeleteDeactivatedZone: deleting a zone that has left the catalog
// already does not move the catalog, nor name the member twice.
func TestDeleteDeactivatedZone(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		_, last0, _ := s.Catalog(ctx)
		if _, err := s.DeactivateZone(ctx, f.actor, f.account.ID, "example.com"); err != nil {
			t.Fatal(err)
		}
		_, last1, _ := s.Catalog(ctx)
		_, journal1, _ := s.ZoneNames(ctx)
		if err := s.DeleteDomain(ctx, f.actor, f.account.ID, "example.com"); err != nil {
			t.Fatal(err)
		}
		if _, l, _ := s.Catalog(ctx); l != last1 {
			t.Errorf("deleting an inactive zone moved the catalog: %d → %d", last1, l)
		}
		ev, err := s.CatalogEvents(ctx, last0)
		if err != nil || len(ev) != 2 || !ev[1].Deleted || ev[1].ID != last1 {
			t.Errorf("catalog events: %+v, %v", ev, err)
		}
		// The journal still tells other processes the zone is gone.
		if _, _, deleted, _ := s.ChangedZones(ctx, journal1); !slices.Equal(deleted, []string{"example.com."}) {
			t.Errorf("ChangedZones after the delete: %q", deleted)
		}
		// Created again, it is a new member.
		if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, "example.com"); err != nil {
			t.Fatal(err)
		}
		members, last2, _ := s.Catalog(ctx)
		if len(members) != 1 || members[0].Created != last2 || last2 <= last1 {
			t.Errorf("catalog after re-create: %+v at %d", members, last2)
		}
	})
}
