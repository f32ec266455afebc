package store

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/zone"
)

func TestTSIGKeys(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		k, err := s.CreateTSIGKey(ctx, "Edge1.Example", "hmac-sha512")
		if err != nil {
			t.Fatal(err)
		}
		if b, err := base64.StdEncoding.DecodeString(k.Secret); err != nil || len(b) != 64 || k.Name != "edge1.example." || k.Algorithm != "hmac-sha512." {
			t.Fatalf("created %+v (%v)", k, err)
		}
		if _, err := s.CreateTSIGKey(ctx, "edge1.example.", "hmac-sha256"); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("same name again: %v", err)
		}
		for _, bad := range [][2]string{{"", "hmac-sha256"}, {"a b", "hmac-sha256"}, {"ok", "hmac-md5"},
			{strings.TrimSuffix(strings.Repeat(strings.Repeat("a", 63)+".", 4), "."), "hmac-sha256"}} {
			if _, err := s.CreateTSIGKey(ctx, bad[0], bad[1]); !errors.Is(err, zone.ErrInvalid) {
				t.Errorf("create %q %q: %v", bad[0], bad[1], err)
			}
		}
		if _, err := s.CreateTSIGKey(ctx, "edge2", "hmac-sha256"); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
			if _, err := s.ImportTSIGKey(ctx, "imported", "hmac-sha256", bad); !errors.Is(err, zone.ErrInvalid) {
				t.Errorf("import %q: %v", bad, err)
			}
		}
		secret := base64.StdEncoding.EncodeToString([]byte("a secret of the existing fleet, 32"))
		if k, err := s.ImportTSIGKey(ctx, "imported", "hmac-sha256", secret); err != nil || k.Secret != secret {
			t.Fatalf("import: %+v %v", k, err)
		}
		if k, err := s.TSIGKey(ctx, "imported."); err != nil || k.Secret != secret {
			t.Fatalf("imported key: %+v %v", k, err)
		}
		if err := s.DeleteTSIGKey(ctx, "imported"); err != nil {
			t.Fatal(err)
		}
		list, err := s.TSIGKeys(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "edge1.example." || list[1].Name != "edge2." || list[0].Secret != "" {
			t.Fatalf("list %+v %v", list, err)
		}
		got, err := s.TSIGKey(ctx, "EDGE1.example")
		if err != nil || got.Secret != k.Secret || got.Algorithm != k.Algorithm {
			t.Fatalf("get %+v %v", got, err)
		}
		// The secret is sealed at rest.
		var raw string
		if err := s.read().row(ctx, "SELECT secret FROM tsig_keys WHERE name = ?", k.Name).Scan(&raw); err != nil || strings.Contains(raw, k.Secret) {
			t.Errorf("stored secret %q (%v)", raw, err)
		}
		if err := s.DeleteTSIGKey(ctx, "edge1.example"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TSIGKey(ctx, "edge1.example"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("get deleted: %v", err)
		}
		if err := s.DeleteTSIGKey(ctx, "edge1.example"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("delete again: %v", err)
		}
	})
}

func TestCatalog(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		members, last, err := s.Catalog(ctx)
		if err != nil || len(members) != 0 || last != 0 {
			t.Fatalf("empty: %v %d %v", members, last, err)
		}
		f := newFixture(t, s, "a@example.com", "a.example")
		b, err := s.CreateDomain(ctx, f.actor, f.account.ID, "b.example")
		if err != nil {
			t.Fatal(err)
		}
		members, last1, err := s.Catalog(ctx)
		if err != nil || len(members) != 2 || members[0].Name != "a.example." || members[1].Name != "b.example." || last1 == 0 {
			t.Fatalf("two zones: %+v %d %v", members, last1, err)
		}
		// Record changes are not catalog changes.
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "a.example", RecordInput{Type: "A", Content: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		if _, l, _ := s.Catalog(ctx); l != last1 {
			t.Errorf("last id moved on a record change: %d, want %d", l, last1)
		}
		if err := s.DeleteDomain(ctx, f.actor, f.account.ID, "b.example"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, "b.example"); err != nil {
			t.Fatal(err)
		}
		members, last2, err := s.Catalog(ctx)
		if err != nil || len(members) != 2 || members[1].Created != last2 || last2 <= last1 {
			t.Fatalf("after re-create: %+v %d %v", members, last2, err)
		}
		ev, err := s.CatalogEvents(ctx, last1)
		if err != nil || len(ev) != 3 || ev[0].ID != last1 || ev[1].Name != "b.example." || !ev[1].Deleted || ev[2].Deleted || ev[2].ID != last2 {
			t.Fatalf("events %+v %v", ev, err)
		}
		if ev[1].Created != ev[0].ID || ev[2].Created != last2 || ev[0].Created != ev[0].ID {
			t.Errorf("members: %+v (b was domain %d)", ev, b.ID)
		}
	})
}

func TestChangesSince(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "a@example.com", "a.example")
		z, _ := s.ZoneData(ctx, "a.example")
		s0 := z.SOA().Serial
		for _, ip := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
			if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "a.example", RecordInput{Type: "A", Content: ip}); err != nil {
				t.Fatal(err)
			}
		}
		all, _ := s.Changes(ctx, "a.example", 0)
		for i, tc := range []struct {
			serial uint32
			want   int
		}{{s0, 3}, {all[1].Serial, 2}, {all[2].Serial, 1}, {all[3].Serial, 0}, {12345, 0}} {
			got, err := s.ChangesSince(ctx, "a.example.", tc.serial)
			if err != nil || len(got) != tc.want || (tc.want > 0 && got[0].PrevSerial != tc.serial) {
				t.Errorf("%d: ChangesSince(%d) = %d changes, %v; want %d", i, tc.serial, len(got), err, tc.want)
			}
		}
	})
}

func TestBumpSerial(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		newFixture(t, s, "a@example.com", "a.example")
		before, _ := s.ZoneData(ctx, "a.example")
		serial, err := s.BumpSerial(ctx, "a.example.", "alias refresh")
		if err != nil {
			t.Fatal(err)
		}
		after, _ := s.ZoneData(ctx, "a.example")
		if serial == before.SOA().Serial || after.SOA().Serial != serial || len(after.Records) != len(before.Records) {
			t.Errorf("serial %d → %d (returned %d)", before.SOA().Serial, after.SOA().Serial, serial)
		}
		changes, err := s.ChangesSince(ctx, "a.example", before.SOA().Serial)
		if err != nil || len(changes) != 1 || changes[0].Serial != serial || strings.Count(changes[0].Added, "\n") != 1 {
			t.Errorf("journal %+v %v", changes, err)
		}
		if _, err := s.BumpSerial(ctx, "nope.example", "x"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("unknown zone: %v", err)
		}
	})
}
