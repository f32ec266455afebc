package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestRecordPaging pages through a zone larger than a page in each order and
// filter, and checks that writes between pages, by this Store or another on
// the same database, show at once: the order of a list is cached per version
// of the zone.
func TestRecordPaging(t *testing.T) {
	for _, db := range testDBs(t) {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			url := db.url(t)
			s, other := open(t, url), open(t, url)
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			f := newFixture(t, s, "ada@example.com", "example.com")
			var batch Batch
			for i := range 450 {
				typ, content := "A", fmt.Sprintf("192.0.2.%d", i%250)
				if i%3 == 0 {
					typ, content = "TXT", fmt.Sprintf("t%03d", 449-i)
				}
				batch.Creates = append(batch.Creates, RecordInput{Name: fmt.Sprintf("h%03d", (i*7)%450), Type: typ, Content: content})
			}
			if _, err := s.BatchChange(ctx, f.actor, f.account.ID, "example.com", batch); err != nil {
				t.Fatal(err)
			}

			// all reads every page, checking the pagination of each.
			all := func(st *Store, rf RecordFilter, sort string, per int) []Record {
				t.Helper()
				var out []Record
				for page := 1; ; page++ {
					rs, p, err := st.Records(ctx, f.account.ID, "example.com", rf, ListOptions{Page: page, PerPage: per, Sort: sort})
					if err != nil {
						t.Fatalf("Records(%+v, %q, page %d): %v", rf, sort, page, err)
					}
					out = append(out, rs...)
					if p.CurrentPage != page || p.PerPage != per || p.TotalPages != (p.TotalEntries+per-1)/per {
						t.Fatalf("page %d of %q: pagination %+v", page, sort, p)
					}
					if page >= p.TotalPages {
						if p.TotalEntries != len(out) {
							t.Fatalf("%q: total_entries %d, listed %d", sort, p.TotalEntries, len(out))
						}
						return out
					}
					if len(rs) != per {
						t.Fatalf("page %d of %q: %d records, want %d", page, sort, len(rs), per)
					}
				}
			}
			byID := all(s, RecordFilter{}, "", 100)
			if len(byID) != 453 {
				t.Fatalf("listed %d records, want 453 (450 and the SOA and NS)", len(byID))
			}
			for _, tc := range []struct {
				f    RecordFilter
				sort string
				keep func(Record) bool
				cmp  func(a, b Record) int
			}{
				{RecordFilter{}, "id:desc", nil, func(a, b Record) int { return int(b.ID - a.ID) }},
				{RecordFilter{}, "name", nil, func(a, b Record) int { return strings.Compare(a.Name, b.Name) }},
				{RecordFilter{}, "name:desc,type", nil, func(a, b Record) int {
					return -strings.Compare(a.Name, b.Name)*2 + strings.Compare(a.Type, b.Type)
				}},
				{RecordFilter{}, "content", nil, func(a, b Record) int { return strings.Compare(a.Content, b.Content) }},
				{RecordFilter{Type: "txt"}, "content:desc", func(r Record) bool { return r.Type == "TXT" },
					func(a, b Record) int { return -strings.Compare(a.Content, b.Content) }},
				{RecordFilter{NameLike: "h1"}, "name", func(r Record) bool { return strings.Contains(r.Name, "h1") },
					func(a, b Record) int { return strings.Compare(a.Name, b.Name) }},
				{RecordFilter{Name: str("h007")}, "", func(r Record) bool { return r.Name == "h007" }, nil},
				// name_like matches regardless of case, on both databases.
				{RecordFilter{NameLike: "H1"}, "", func(r Record) bool { return strings.Contains(r.Name, "h1") }, nil},
				{RecordFilter{Name: str("H007.example.com.")}, "", func(r Record) bool { return r.Name == "h007" }, nil},
				{RecordFilter{Type: "a"}, "ttl:desc,name:desc", func(r Record) bool { return r.Type == "A" },
					func(a, b Record) int { return -strings.Compare(a.Name, b.Name) }},
			} {
				var want []int64
				rs := slices.Clone(byID)
				if tc.keep != nil {
					rs = slices.DeleteFunc(rs, func(r Record) bool { return !tc.keep(r) })
				}
				if tc.cmp != nil {
					slices.SortStableFunc(rs, tc.cmp) // byID is in id order: ties stay by id
				}
				for _, r := range rs {
					want = append(want, r.ID)
				}
				for _, per := range []int{100, 7} {
					var got []int64
					for _, r := range all(s, tc.f, tc.sort, per) {
						got = append(got, r.ID)
					}
					if !slices.Equal(got, want) {
						t.Errorf("Records(%+v, sort %q, per_page %d): %d records, not in the order wanted (%d)", tc.f, tc.sort, per, len(got), len(want))
					}
				}
			}

			// A write shows on the next page read, whoever wrote it.
			first := func(st *Store) (Record, Page) {
				rs, p, err := st.Records(ctx, f.account.ID, "example.com", RecordFilter{}, ListOptions{PerPage: 100, Sort: "name:desc"})
				if err != nil {
					t.Fatal(err)
				}
				return rs[0], p
			}
			_, p0 := first(s)
			for _, writer := range []*Store{s, other} {
				r, err := writer.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "z" + fmt.Sprint(p0.TotalEntries), Type: "A", Content: "192.0.2.1"})
				if err != nil {
					t.Fatal(err)
				}
				for _, reader := range []*Store{s, other} {
					got, p := first(reader)
					if got.ID != r.ID || p.TotalEntries != p0.TotalEntries+1 {
						t.Errorf("after a create: first record %d, total %d; want %d, %d", got.ID, p.TotalEntries, r.ID, p0.TotalEntries+1)
					}
				}
				if err := writer.DeleteRecord(ctx, f.actor, f.account.ID, "example.com", r.ID); err != nil {
					t.Fatal(err)
				}
				if got, p := first(s); got.ID == r.ID || p.TotalEntries != p0.TotalEntries {
					t.Errorf("after a delete: first record %d, total %d", got.ID, p.TotalEntries)
				}
			}
			// The count the record limit reads is the zone's.
			var counted, kept int
			if err := s.read().row(ctx, "SELECT COUNT(*) FROM records WHERE zone_id = (SELECT id FROM zones WHERE name = ?)", "example.com").Scan(&counted); err != nil {
				t.Fatal(err)
			}
			if err := s.read().row(ctx, "SELECT record_count FROM zones WHERE name = ?", "example.com").Scan(&kept); err != nil {
				t.Fatal(err)
			}
			if counted != 453 || kept != counted {
				t.Errorf("zone has %d records, record_count says %d, want 453", counted, kept)
			}
			// Past the last page: no records, the totals still right.
			rs, p, err := s.Records(ctx, f.account.ID, "example.com", RecordFilter{}, ListOptions{Page: 99, PerPage: 100})
			if err != nil || len(rs) != 0 || p.TotalEntries != 453 || p.TotalPages != 5 {
				t.Errorf("page 99: %d records, %+v, %v", len(rs), p, err)
			}
		})
	}
}

// TestRecordCountTriggersDropped: where migration 0009's first version ran,
// its triggers kept record_count; Migrate drops them, since writes keep it
// now, and the count stays right (not counted twice).
func TestRecordCountTriggersDropped(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		old := []string{
			"CREATE TRIGGER records_count_insert AFTER INSERT ON records BEGIN UPDATE zones SET record_count = record_count + 1 WHERE id = NEW.zone_id; END",
			"CREATE TRIGGER records_count_delete AFTER DELETE ON records BEGIN UPDATE zones SET record_count = record_count - 1 WHERE id = OLD.zone_id; END",
		}
		triggers := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'"
		if s.pg {
			old = []string{`CREATE FUNCTION records_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE zones SET record_count = record_count + 1 WHERE id = NEW.zone_id;
	ELSE
		UPDATE zones SET record_count = record_count - 1 WHERE id = OLD.zone_id;
	END IF;
	RETURN NULL;
END;
$$`, "CREATE TRIGGER records_count AFTER INSERT OR DELETE ON records FOR EACH ROW EXECUTE FUNCTION records_count()"}
			triggers = "SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'records_count'"
		}
		for _, q := range old {
			if _, err := s.w.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		// As a database where the first 0009 ran and 0010 has not yet.
		if _, err := s.w.ExecContext(ctx, "DELETE FROM schema_migrations WHERE version = 10"); err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.read().row(ctx, triggers).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d triggers left, %v", n, err)
		}
		r, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "a", Type: "A", Content: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "b", Type: "A", Content: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteRecord(ctx, f.actor, f.account.ID, "example.com", r.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.read().row(ctx, "SELECT record_count FROM zones WHERE name = 'example.com'").Scan(&n); err != nil || n != 4 {
			t.Errorf("record_count %d, %v; want 4 (SOA, 2 NS, b)", n, err)
		}
	})
}
