package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// checkHeld checks the version cache's accounting: what it holds is the sum
// of its entries' shares, within its bound.
func checkHeld(t *testing.T, c *versionCache) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := 0
	for e := c.lru.Front(); e != nil; e = e.Next() {
		sn := e.Value.(*zoneVersion)
		if !sn.cached {
			t.Errorf("version %+v in the cache is not marked cached", sn.key)
		}
		sum += sn.held
	}
	if sum != c.held || c.held > c.max || len(c.entries) != c.lru.Len() {
		t.Errorf("cache holds %d (bound %d), its %d entries (%d in the map) %d", c.held, c.max, c.lru.Len(), len(c.entries), sum)
	}
}

func fillZone(t *testing.T, s *Store, f fixture, zoneName string, n int) {
	t.Helper()
	var b Batch
	for i := range n {
		b.Creates = append(b.Creates, RecordInput{Name: fmt.Sprintf("h%03d", i), Type: "A", Content: "192.0.2.1"})
	}
	if _, err := s.BatchChange(context.Background(), f.actor, f.account.ID, zoneName, b); err != nil {
		t.Fatal(err)
	}
}

// TestVersionCacheBound: versions past the bound leave the cache, least
// recently used first; a zone larger than the bound is still listed, read
// for each request; the accounting stays exact.
func TestVersionCacheBound(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "a.example")
		for _, d := range []string{"b.example", "huge.example"} {
			if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, d); err != nil {
				t.Fatal(err)
			}
		}
		fillZone(t, s, f, "a.example", 300)
		fillZone(t, s, f, "b.example", 300)
		fillZone(t, s, f, "huge.example", 800)
		// a and b fit, but not with an order of either; huge does not fit.
		s.snaps = newVersionCache(2*versionBytes(recsOf(t, s, f, "a.example")) + 303*orderBytes - 1)
		list := func(zone, sort string) Page {
			t.Helper()
			rs, p, err := s.Records(ctx, f.account.ID, zone, RecordFilter{}, ListOptions{PerPage: 100, Sort: sort})
			if err != nil || len(rs) != 100 {
				t.Fatalf("list %s: %d records, %v", zone, len(rs), err)
			}
			checkHeld(t, s.snaps)
			return p
		}
		cached := func() []int64 {
			s.snaps.mu.Lock()
			defer s.snaps.mu.Unlock()
			var ids []int64
			for e := s.snaps.lru.Front(); e != nil; e = e.Next() {
				ids = append(ids, e.Value.(*zoneVersion).zone.ID)
			}
			return ids
		}
		za, _ := s.Zone(ctx, f.account.ID, "a.example")
		zb, _ := s.Zone(ctx, f.account.ID, "b.example")

		list("a.example", "")
		list("b.example", "") // 606 records held
		if got := cached(); !slices.Equal(got, []int64{zb.ID, za.ID}) {
			t.Errorf("cached zones %v, want b and a", got)
		}
		list("a.example", "name:desc") // a's order pushes out b, the least recently used
		if got := cached(); !slices.Equal(got, []int64{za.ID}) {
			t.Errorf("cached zones %v, want a alone", got)
		}
		if p := list("huge.example", ""); p.TotalEntries != 803 {
			t.Errorf("huge zone: %+v", p)
		}
		if got := cached(); !slices.Equal(got, []int64{za.ID}) {
			t.Errorf("cached zones %v after the huge zone, want a alone", got)
		}
		// A write makes a new version; the old one ages out.
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "a.example", RecordInput{Name: "new", Type: "A", Content: "192.0.2.2"}); err != nil {
			t.Fatal(err)
		}
		if p := list("a.example", ""); p.TotalEntries != 304 {
			t.Errorf("after a create: %+v", p)
		}
		if got := cached(); len(got) != 1 || s.snaps.held != versionBytes(recsOf(t, s, f, "a.example")) {
			t.Errorf("cached zones %v holding %d after a write, want the new version of a alone", got, s.snaps.held)
		}
	})
}

// TestVersionCacheConcurrent pages through a zone from several readers
// while it is written: every page is whole and consistent with its own
// totals, and once writes stop every reader sees the last version. Run
// with -race.
func TestVersionCacheConcurrent(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		fillZone(t, s, f, "example.com", 500)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		wg.Go(func() {
			defer close(stop)
			for i := range 20 {
				if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: fmt.Sprintf("w%d", i), Type: "A", Content: "192.0.2.3"}); err != nil {
					t.Error(err)
					return
				}
			}
		})
		for r := range 4 {
			wg.Go(func() {
				sorts := []string{"", "name:desc", "content,id:desc", "ttl"}
				for {
					for page := 1; page <= 6; page++ {
						rs, p, err := s.Records(ctx, f.account.ID, "example.com", RecordFilter{}, ListOptions{Page: page, PerPage: 100, Sort: sorts[r]})
						if err != nil {
							t.Error(err)
							return
						}
						if want := min(100, max(0, p.TotalEntries-(page-1)*100)); len(rs) != want {
							t.Errorf("page %d of %d entries: %d records", page, p.TotalEntries, len(rs))
						}
					}
					select {
					case <-stop:
						return
					default:
					}
				}
			})
		}
		wg.Wait()
		checkHeld(t, s.snaps)
		_, p, err := s.Records(ctx, f.account.ID, "example.com", RecordFilter{}, ListOptions{})
		if err != nil || p.TotalEntries != 523 {
			t.Errorf("after the writes: %+v, %v; want 523 entries", p, err)
		}
	})
}

func recsOf(t *testing.T, s *Store, f fixture, zoneName string) []Record {
	t.Helper()
	_, recs, err := s.readVersion(context.Background(), f.account.ID, zoneName)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestParseSQLiteTime(t *testing.T) {
	want := time.Date(2026, 1, 2, 3, 4, 5, 678900000, time.UTC)
	for _, in := range []string{
		"2026-01-02 03:04:05.6789+00:00",
		"2026-01-02 04:04:05.6789+01:00",
		"2026-01-02 00:34:05.6789-02:30",
		"2026-01-02 03:04:05.6789Z",
		"2026-01-02T03:04:05.6789Z",
		"2026-01-02 03:04:05.6789",
	} {
		got, err := parseSQLiteTime([]byte(in))
		if err != nil || !got.Equal(want) {
			t.Errorf("parseSQLiteTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2026-02-31 03:04:05+00:00", "2026-01-02 25:04:05+00:00", "yesterday"} {
		if got, err := parseSQLiteTime([]byte(in)); err == nil {
			t.Errorf("parseSQLiteTime(%q) = %v, want an error", in, got)
		}
	}
}
