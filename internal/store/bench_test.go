package store

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
)

// benchZone makes a SQLite store with a zone of n A records.
func benchZone(b *testing.B, n int) (*Store, fixture) {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "z.db"), WithPasswordParams(cheapArgon), WithRecordLimit(max(n+b.N+10, 100000)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	u, a, err := s.CreateUser(ctx, "ada@example.com", "correct horse battery")
	if err != nil {
		b.Fatal(err)
	}
	f := fixture{user: u, account: a, actor: Actor{UserID: &u.ID, Label: u.Email}}
	if f.domain, err = s.CreateDomain(ctx, f.actor, a.ID, "example.com"); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i += 1000 {
		var batch Batch
		for j := i; j < min(i+1000, n); j++ {
			batch.Creates = append(batch.Creates, RecordInput{Name: "h" + strconv.Itoa(j), Type: "A", Content: "192.0.2.1"})
		}
		if _, err := s.BatchChange(ctx, f.actor, a.ID, "example.com", batch); err != nil {
			b.Fatal(err)
		}
	}
	return s, f
}

func BenchmarkCreateRecord(b *testing.B) {
	s, f := benchZone(b, 1000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "new" + strconv.Itoa(i), Type: "A", Content: "192.0.2.1"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkZoneData10k(b *testing.B) {
	s, _ := benchZone(b, 10000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.ZoneData(ctx, "example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecords10k(b *testing.B) {
	s, f := benchZone(b, 10000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, err := s.Records(ctx, f.account.ID, "example.com", RecordFilter{}, ListOptions{Page: 50, PerPage: 100, Sort: "name"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListAll reads a zone of 20,000 records page by page, 100 a page,
// as a client paging through the whole zone does, sorted by name.
func BenchmarkListAll20k(b *testing.B) {
	const n = 20000
	s, f := benchZone(b, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		seen := 0
		for page := 1; ; page++ {
			rs, p, err := s.Records(ctx, f.account.ID, "example.com", RecordFilter{}, ListOptions{Page: page, PerPage: 100, Sort: "name"})
			if err != nil {
				b.Fatal(err)
			}
			seen += len(rs)
			if page >= p.TotalPages {
				break
			}
		}
		if seen != n+3 {
			b.Fatalf("listed %d records, want %d", seen, n+3)
		}
	}
}

// BenchmarkLoad20k loads a zone of 20,000 records 2,000 a batch, as
// bench/api loads its list zone.
func BenchmarkLoad20k(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		s, f := benchZone(b, 0)
		b.StartTimer()
		for i := 0; i < 20000; i += 2000 {
			var batch Batch
			for j := i; j < i+2000; j++ {
				batch.Creates = append(batch.Creates, RecordInput{Name: "h" + strconv.Itoa(j), Type: "A", Content: "192.0.2.1"})
			}
			if _, err := s.BatchChange(ctx, f.actor, f.account.ID, "example.com", batch); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCreateRecord100k creates records one by one in a zone of
// 100,000: a create must not cost time in proportion to the zone.
func BenchmarkCreateRecord100k(b *testing.B) {
	s, f := benchZone(b, 100000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "new" + strconv.Itoa(i), Type: "A", Content: "192.0.2.1"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkZoneData100k(b *testing.B) {
	s, _ := benchZone(b, 100000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.ZoneData(ctx, "example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadVersion reads a 100,000-record zone into memory, as the
// first list of a version does.
func BenchmarkReadVersion(b *testing.B) {
	s, f := benchZone(b, 100000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, recs, err := s.readVersion(ctx, f.account.ID, "example.com"); err != nil || len(recs) < 100000 {
			b.Fatal(len(recs), err)
		}
	}
}
