package store

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

func u16(v uint16) *uint16 { return &v }
func str(v string) *string { return &v }
func u32(v uint32) *uint32 { return &v }

func serialOf(t *testing.T, s *Store, f fixture) uint32 {
	t.Helper()
	z, err := s.Zone(context.Background(), f.account.ID, f.domain.Name)
	if err != nil {
		t.Fatal(err)
	}
	return z.Serial
}

func TestRecordCRUD(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		s0 := serialOf(t, s, f)

		mx, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com.", RecordInput{Name: "@", Type: "mx", Content: "Mail.Example.com.", TTL: 600, Priority: u16(10)})
		if err != nil {
			t.Fatal(err)
		}
		if mx.ID == 0 || mx.Name != "" || mx.Type != "MX" || mx.Content != "Mail.Example.com" || mx.TTL != 600 || *mx.Priority != 10 || mx.SystemRecord || !slices.Equal(mx.Regions, []string{"global"}) {
			t.Errorf("CreateRecord(MX) = %+v", mx)
		}
		s1 := serialOf(t, s, f)
		if !zone.SerialLess(s0, s1) {
			t.Errorf("serial after create = %d, want above %d", s1, s0)
		}
		if got, err := s.Record(ctx, f.account.ID, "example.com", mx.ID); err != nil || got.Content != mx.Content || !got.CreatedAt.Equal(mx.CreatedAt) {
			t.Errorf("Record = %+v, %v; want %+v", got, err, mx)
		}

		up, err := s.UpdateRecord(ctx, f.actor, f.account.ID, "example.com", mx.ID, RecordPatch{Content: str("mx2.example.com"), Priority: u16(20)})
		if err != nil {
			t.Fatal(err)
		}
		if up.Content != "mx2.example.com" || *up.Priority != 20 || up.TTL != 600 || up.Type != "MX" {
			t.Errorf("UpdateRecord = %+v", up)
		}
		s2 := serialOf(t, s, f)
		if !zone.SerialLess(s1, s2) {
			t.Errorf("serial after update = %d, want above %d", s2, s1)
		}
		if err := s.DeleteRecord(ctx, f.actor, f.account.ID, "example.com", mx.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Record(ctx, f.account.ID, "example.com", mx.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("Record after delete = %v", err)
		}
		s3 := serialOf(t, s, f)

		// The SOA record carries the serial.
		soa, _, _ := s.Records(ctx, f.account.ID, "example.com", RecordFilter{Type: "soa"}, ListOptions{})
		if len(soa) != 1 || !strings.Contains(soa[0].Content, " "+itoa(s3)+" ") {
			t.Errorf("SOA = %+v, want serial %d", soa, s3)
		}

		changes, err := s.Changes(ctx, "example.com", 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range changes {
			got = append(got, c.Kind+" "+itoa(c.PrevSerial)+"→"+itoa(c.Serial)+"\n-"+c.Removed+"+"+c.Added)
		}
		soaLine := func(serial uint32) string {
			return "example.com.\t3600\tIN\tSOA\tns1.zonewarden.test. hostmaster.example.com. " + itoa(serial) + " 86400 7200 604800 300\n"
		}
		want := []string{
			"create 0→" + itoa(s0) + "\n-+" + soaLine(s0) + "example.com.\t3600\tIN\tNS\tns1.zonewarden.test.\nexample.com.\t3600\tIN\tNS\tns2.zonewarden.test.\n",
			"update " + itoa(s0) + "→" + itoa(s1) + "\n-" + soaLine(s0) + "+" + soaLine(s1) + "example.com.\t600\tIN\tMX\t10 Mail.Example.com.\n",
			"update " + itoa(s1) + "→" + itoa(s2) + "\n-" + soaLine(s1) + "example.com.\t600\tIN\tMX\t10 Mail.Example.com.\n+" + soaLine(s2) + "example.com.\t600\tIN\tMX\t20 mx2.example.com.\n",
			"update " + itoa(s2) + "→" + itoa(s3) + "\n-" + soaLine(s2) + "example.com.\t600\tIN\tMX\t20 mx2.example.com.\n+" + soaLine(s3),
		}
		if !slices.Equal(got, want) {
			t.Errorf("journal:\n got %q\nwant %q", got, want)
		}

		entries, _, err := s.Audit(ctx, f.account.ID, AuditFilter{}, ListOptions{Sort: "id:desc", PerPage: 3})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
			if e.ActorUserID == nil || *e.ActorUserID != f.user.ID || e.ActorLabel != "ada@example.com" || e.RemoteAddr != "192.0.2.9" || e.ObjectID != itoa64(mx.ID) {
				t.Errorf("audit entry %+v", e)
			}
		}
		if !slices.Equal(actions, []string{"record.delete", "record.update", "record.create"}) {
			t.Errorf("audit actions = %v", actions)
		}
		if entries[0].After != "" || !strings.Contains(entries[0].Before, `"content":"mx2.example.com"`) ||
			!strings.Contains(entries[1].Before, `"content":"Mail.Example.com"`) || !strings.Contains(entries[1].After, `"priority":20`) {
			t.Errorf("audit before/after: %+v", entries[:2])
		}
	})
}

func itoa(v uint32) string  { return strconv.FormatUint(uint64(v), 10) }
func itoa64(v int64) string { return strconv.FormatInt(v, 10) }

// snapshot is what a zone holds, for checking that a refused write left it
// alone.
func snapshot(t *testing.T, s *Store, f fixture) string {
	t.Helper()
	ctx := context.Background()
	recs, _, err := s.Records(ctx, f.account.ID, f.domain.Name, RecordFilter{}, ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(r.Name + " " + r.Type + " " + r.Content + "\n")
	}
	var n int
	s.read().row(ctx, "SELECT COUNT(*) FROM zone_changes").Scan(&n)
	b.WriteString("journal " + itoa64(int64(n)) + "\n")
	s.read().row(ctx, "SELECT COUNT(*) FROM audit_log").Scan(&n)
	b.WriteString("audit " + itoa64(int64(n)) + "\n")
	return b.String()
}

func TestRecordValidation(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		www, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []RecordInput{
			{Name: "alias", Type: "CNAME", Content: "www.example.com"},
			{Name: "", Type: "ALIAS", Content: "www.example.net"},
			{Name: "d", Type: "DNAME", Content: "example.net"},
			{Name: "x.y.z", Type: "TXT", Content: "hello"},
		} {
			if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", in); err != nil {
				t.Fatalf("CreateRecord(%+v): %v", in, err)
			}
		}
		recs, _, _ := s.Records(ctx, f.account.ID, "example.com", RecordFilter{Type: "NS"}, ListOptions{})
		sysNS := recs[0].ID

		for _, tc := range []struct {
			name  string
			in    RecordInput
			field string
		}{
			{"bad address", RecordInput{Name: "a", Type: "A", Content: "1.2.3"}, "content"},
			{"bad type", RecordInput{Name: "a", Type: "BOGUS", Content: "x"}, "type"},
			{"bad name", RecordInput{Name: "a b", Type: "A", Content: "192.0.2.1"}, "name"},
			{"ttl too low", RecordInput{Name: "a", Type: "A", Content: "192.0.2.1", TTL: 5}, "ttl"},
			{"CNAME at the apex", RecordInput{Type: "CNAME", Content: "example.net"}, "type"},
			{"CNAME beside A", RecordInput{Name: "www", Type: "CNAME", Content: "example.net"}, "name"},
			{"A beside CNAME", RecordInput{Name: "alias", Type: "A", Content: "192.0.2.2"}, "name"},
			{"A beside ALIAS", RecordInput{Type: "A", Content: "192.0.2.2"}, "name"},
			{"below a DNAME", RecordInput{Name: "x.d", Type: "A", Content: "192.0.2.2"}, "name"},
			{"DNAME above records", RecordInput{Name: "y.z", Type: "DNAME", Content: "example.net"}, "name"},
			{"duplicate", RecordInput{Name: "WWW", Type: "A", Content: "192.0.2.1"}, "content"},
			{"SOA", RecordInput{Type: "SOA", Content: "a. b. 1 2 3 4 5"}, "type"},
			{"region", RecordInput{Name: "a", Type: "A", Content: "192.0.2.1", Regions: []string{"SV1"}}, "regions"},
		} {
			before := snapshot(t, s, f)
			_, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", tc.in)
			var ve *ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, zone.ErrInvalid) || len(ve.Fields) == 0 || ve.Fields[0].Field != tc.field {
				t.Errorf("%s: CreateRecord = %v (%#v), want a ValidationError on %q", tc.name, err, ve, tc.field)
			}
			if after := snapshot(t, s, f); after != before {
				t.Errorf("%s: a refused write changed the zone:\n%s\nto\n%s", tc.name, before, after)
			}
		}

		for _, tc := range []struct {
			name string
			id   int64
			p    RecordPatch
			want error
		}{
			{"system record", sysNS, RecordPatch{Content: str("ns9.example.net")}, zone.ErrInvalid},
			{"bad content", www.ID, RecordPatch{Content: str("::1")}, zone.ErrInvalid},
			{"ttl too high", www.ID, RecordPatch{TTL: u32(1 << 30)}, zone.ErrInvalid},
			{"no such record", 999999, RecordPatch{TTL: u32(60)}, zone.ErrNotFound},
		} {
			before := snapshot(t, s, f)
			if _, err := s.UpdateRecord(ctx, f.actor, f.account.ID, "example.com", tc.id, tc.p); !errors.Is(err, tc.want) {
				t.Errorf("%s: UpdateRecord = %v, want %v", tc.name, err, tc.want)
			}
			if after := snapshot(t, s, f); after != before {
				t.Errorf("%s: a refused update changed the zone", tc.name)
			}
		}
		if err := s.DeleteRecord(ctx, f.actor, f.account.ID, "example.com", sysNS); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("DeleteRecord(system) = %v, want ErrInvalid", err)
		}
		// Moving the A record away frees the name for a CNAME.
		if _, err := s.UpdateRecord(ctx, f.actor, f.account.ID, "example.com", www.ID, RecordPatch{Name: str("web")}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "www", Type: "CNAME", Content: "web.example.com"}); err != nil {
			t.Errorf("CNAME after the A moved: %v", err)
		}
	})
}

func TestRecordLimit(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com") // SOA and 2 NS
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "a", Type: "A", Content: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		_, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "b", Type: "A", Content: "192.0.2.1"})
		if !errors.Is(err, zone.ErrInvalid) || !strings.Contains(err.Error(), "limit of 4") {
			t.Errorf("fifth record = %v, want the limit refused", err)
		}
		// A batch that deletes as much as it creates stays within it.
		recs, _, _ := s.Records(ctx, f.account.ID, "example.com", RecordFilter{Name: str("a")}, ListOptions{})
		if _, err := s.BatchChange(ctx, f.actor, f.account.ID, "example.com", Batch{
			Deletes: []int64{recs[0].ID},
			Creates: []RecordInput{{Name: "b", Type: "A", Content: "192.0.2.1"}},
		}); err != nil {
			t.Errorf("swap at the limit: %v", err)
		}
	}, WithRecordLimit(4))
}

func TestBatchChange(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		a, _ := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
		b, _ := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "old", Type: "TXT", Content: "bye"})
		serial := serialOf(t, s, f)

		before := snapshot(t, s, f)
		_, err := s.BatchChange(ctx, f.actor, f.account.ID, "example.com", Batch{
			Deletes: []int64{b.ID},
			Updates: []BatchUpdate{{ID: a.ID, RecordPatch: RecordPatch{Content: str("192.0.2.2")}}},
			Creates: []RecordInput{
				{Name: "new", Type: "A", Content: "192.0.2.3"},
				{Name: "bad", Type: "A", Content: "192.0.2"},
				{Name: "worse", Type: "MX", Content: "mail.example.com", Priority: u16(1), TTL: 1},
			},
		})
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 2 || ve.Fields[0].Field != "creates[1].content" || ve.Fields[1].Field != "creates[2].ttl" {
			t.Errorf("batch with bad records = %v (%+v), want errors on creates[1].content and creates[2].ttl", err, ve)
		}
		if after := snapshot(t, s, f); after != before || serialOf(t, s, f) != serial {
			t.Errorf("a refused batch changed the zone:\n%s\nto\n%s", before, after)
		}
		if _, err := s.BatchChange(ctx, f.actor, f.account.ID, "example.com", Batch{Deletes: []int64{b.ID, 999999}}); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("batch deleting an unknown record = %v, want ErrNotFound", err)
		}

		// Replacing an A with a CNAME works only in one batch.
		res, err := s.BatchChange(ctx, f.actor, f.account.ID, "example.com", Batch{
			Deletes: []int64{a.ID, b.ID},
			Creates: []RecordInput{{Name: "www", Type: "CNAME", Content: "example.net"}, {Name: "new", Type: "A", Content: "192.0.2.3"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Created) != 2 || res.Created[0].ID == 0 || !slices.Equal(res.Deleted, []int64{a.ID, b.ID}) {
			t.Errorf("BatchChange = %+v", res)
		}
		if s2 := serialOf(t, s, f); !zone.SerialLess(serial, s2) {
			t.Errorf("serial after batch = %d, want above %d", s2, serial)
		}
		changes, _ := s.Changes(ctx, "example.com", 0)
		if last := changes[len(changes)-1]; strings.Count(last.Removed, "\n") != 3 || strings.Count(last.Added, "\n") != 3 {
			t.Errorf("one journal entry for the batch: %+v", last)
		}
		entries, _, _ := s.Audit(ctx, f.account.ID, AuditFilter{}, ListOptions{Sort: "id:desc", PerPage: 1})
		if e := entries[0]; e.Action != "zone.batch_change" || e.ObjectID != "example.com" || !strings.Contains(e.After, "CNAME") {
			t.Errorf("audit of batch = %+v", e)
		}
	})
}

// TestBatchConflictField: a batch change that breaks a rule between records
// (CNAME and ALIAS exclusivity, names below a DNAME) names the change at
// fault, whether it clashes with a record of the zone or of the batch, and
// leaves the zone as it was.
func TestBatchConflictField(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		www, _ := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "a.old", Type: "A", Content: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		ok := RecordInput{Name: "ok", Type: "A", Content: "192.0.2.9"}
		tests := []struct {
			name  string
			b     Batch
			field string
		}{
			{"CNAME beside a record of the zone", Batch{Creates: []RecordInput{ok, {Name: "www", Type: "CNAME", Content: "example.net"}}}, "creates[1].name"},
			{"CNAME beside a record of the batch", Batch{Creates: []RecordInput{{Name: "n", Type: "TXT", Content: "x"}, ok, {Name: "n", Type: "CNAME", Content: "example.net"}}}, "creates[2].name"},
			{"update beside a CNAME of the batch", Batch{
				Updates: []BatchUpdate{{ID: www.ID, RecordPatch: RecordPatch{Name: str("c")}}},
				Creates: []RecordInput{{Name: "c", Type: "CNAME", Content: "example.net"}}}, "creates[0].name"},
			{"DNAME above a record of the zone", Batch{Creates: []RecordInput{{Name: "", Type: "TXT", Content: "apex"}, ok, {Name: "old", Type: "DNAME", Content: "new.example.net"}}}, "creates[2].name"},
		}
		for _, tt := range tests {
			before := snapshot(t, s, f)
			_, err := s.BatchChange(ctx, f.actor, f.account.ID, "example.com", tt.b)
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != tt.field {
				t.Errorf("%s: %v (%+v), want an error on %s", tt.name, err, ve, tt.field)
			}
			if after := snapshot(t, s, f); after != before {
				t.Errorf("%s: the refused batch changed the zone:\n%s\nto\n%s", tt.name, before, after)
			}
		}
	})
}

func TestAccountScoping(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		eve := newFixture(t, s, "eve@example.com", "eve.example")
		r, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		evesRecord, _ := s.CreateRecord(ctx, eve.actor, eve.account.ID, "eve.example", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
		before := snapshot(t, s, f)
		e := eve.account.ID
		for _, tc := range []struct {
			name string
			err  error
		}{
			{"Domain by name", second(s.Domain(ctx, e, "example.com"))},
			{"Domain by id", second(s.Domain(ctx, e, itoa64(f.domain.ID)))},
			{"Zone", second(s.Zone(ctx, e, "example.com"))},
			{"Records", third(s.Records(ctx, e, "example.com", RecordFilter{}, ListOptions{}))},
			{"Record", second(s.Record(ctx, e, "example.com", r.ID))},
			{"Record of another zone", second(s.Record(ctx, f.account.ID, "example.com", evesRecord.ID))},
			{"CreateRecord", second(s.CreateRecord(ctx, eve.actor, e, "example.com", RecordInput{Name: "x", Type: "A", Content: "192.0.2.1"}))},
			{"UpdateRecord", second(s.UpdateRecord(ctx, eve.actor, e, "example.com", r.ID, RecordPatch{Content: str("192.0.2.2")}))},
			{"UpdateRecord through own zone", second(s.UpdateRecord(ctx, eve.actor, e, "eve.example", r.ID, RecordPatch{Content: str("192.0.2.2")}))},
			{"DeleteRecord", s.DeleteRecord(ctx, eve.actor, e, "example.com", r.ID)},
			{"DeleteRecord through own zone", s.DeleteRecord(ctx, eve.actor, e, "eve.example", r.ID)},
			{"BatchChange", second(s.BatchChange(ctx, eve.actor, e, "example.com", Batch{Deletes: []int64{r.ID}}))},
			{"DeleteDomain", s.DeleteDomain(ctx, eve.actor, e, "example.com")},
		} {
			if !errors.Is(tc.err, zone.ErrNotFound) {
				t.Errorf("%s of another account: %v, want ErrNotFound", tc.name, tc.err)
			}
		}
		if after := snapshot(t, s, f); after != before {
			t.Errorf("another account changed the zone:\n%s\nto\n%s", before, after)
		}
		if ds, _, _ := s.Domains(ctx, e, "", ListOptions{}); len(ds) != 1 || ds[0].Name != "eve.example" {
			t.Errorf("Domains of another account = %+v", ds)
		}
		if es, _, _ := s.Audit(ctx, e, AuditFilter{}, ListOptions{}); len(es) != 3 || es[0].Action != "user.create" {
			t.Errorf("Audit of another account has %d entries, want its own 3 (its user's creation, its domain's)", len(es))
		}
	})
}

func second[T any](_ T, err error) error        { return err }
func third[T, U any](_ T, _ U, err error) error { return err }

func TestRecordFilters(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		for _, in := range []RecordInput{
			{Name: "www", Type: "A", Content: "192.0.2.1"},
			{Name: "www", Type: "AAAA", Content: "2001:db8::1"},
			{Name: "mail", Type: "A", Content: "192.0.2.2"},
			{Name: "", Type: "MX", Content: "mail.example.com", Priority: u16(10)},
			{Name: "_dmarc", Type: "TXT", Content: "v=DMARC1; p=none"},
		} {
			if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", in); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			f    RecordFilter
			o    ListOptions
			want string
		}{
			{RecordFilter{}, ListOptions{}, " SOA,  NS,  NS, www A, www AAAA, mail A,  MX, _dmarc TXT"},
			{RecordFilter{Name: str("")}, ListOptions{}, " SOA,  NS,  NS,  MX"},
			{RecordFilter{Name: str("@")}, ListOptions{Sort: "type:desc"}, " SOA,  NS,  NS,  MX"},
			{RecordFilter{Name: str("WWW")}, ListOptions{}, "www A, www AAAA"},
			{RecordFilter{Name: str("www.example.com.")}, ListOptions{}, "www A, www AAAA"},
			{RecordFilter{NameLike: "W"}, ListOptions{}, "www A, www AAAA"},
			{RecordFilter{NameLike: "_"}, ListOptions{}, "_dmarc TXT"},
			{RecordFilter{Type: "a"}, ListOptions{Sort: "content:desc"}, "mail A, www A"},
			{RecordFilter{Type: "A", NameLike: "ma"}, ListOptions{}, "mail A"},
			{RecordFilter{}, ListOptions{Sort: "name,type", PerPage: 3, Page: 2}, " SOA, _dmarc TXT, mail A"},
		} {
			recs, _, err := s.Records(ctx, f.account.ID, "example.com", tc.f, tc.o)
			if err != nil {
				t.Errorf("Records(%+v, %+v): %v", tc.f, tc.o, err)
				continue
			}
			var got []string
			for _, r := range recs {
				got = append(got, r.Name+" "+r.Type)
			}
			if g := strings.Join(got, ", "); g != tc.want {
				t.Errorf("Records(%+v, %+v) = %q, want %q", tc.f, tc.o, g, tc.want)
			}
		}
		if _, _, err := s.Records(ctx, f.account.ID, "example.com", RecordFilter{}, ListOptions{Sort: "regions"}); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("sort by regions = %v, want ErrInvalid", err)
		}
		if _, err := s.UpdateRecord(ctx, f.actor, f.account.ID, "example.com", recs(t, s, f, "mail", "A")[0].ID, RecordPatch{TTL: u32(120)}); err != nil {
			t.Fatal(err)
		}
		got, _, err := s.Records(ctx, f.account.ID, "example.com", RecordFilter{Type: "A"}, ListOptions{Sort: "ttl:asc"})
		if err != nil || len(got) != 2 || got[0].Name != "mail" {
			t.Errorf("A records by TTL: %+v, %v", got, err)
		}

		// ZoneRecords: all of them, in id order, as many as there are.
		all, err := s.ZoneRecords(ctx, f.account.ID, "example.com")
		if err != nil || len(all) != 8 || all[0].Type != "SOA" || all[7].Name != "_dmarc" || all[7].ZoneName != "example.com" {
			t.Errorf("ZoneRecords: %+v, %v", all, err)
		}
		if _, err := s.ZoneRecords(ctx, f.account.ID+1, "example.com"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("ZoneRecords of another account's zone: %v, want ErrNotFound", err)
		}
	})
}

func TestZoneData(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		inputs := []RecordInput{
			{Name: "www", Type: "A", Content: "192.0.2.1"},
			{Name: "www", Type: "AAAA", Content: "2001:db8::1", TTL: 300},
			{Name: "", Type: "MX", Content: "mail.example.com", Priority: u16(10)},
			{Name: "", Type: "TXT", Content: "v=spf1 -all"},
			{Name: "", Type: "CAA", Content: `0 issue "letsencrypt.org"`},
			{Name: "_sip._tcp", Type: "SRV", Content: "5 5060 sip.example.com", Priority: u16(10)},
			{Name: "alias", Type: "CNAME", Content: "www.example.com"},
			{Name: "sub", Type: "NS", Content: "ns.other.example"},
			{Name: "flat", Type: "ALIAS", Content: "example.net"},
		}
		for _, in := range inputs {
			if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", in); err != nil {
				t.Fatalf("CreateRecord(%+v): %v", in, err)
			}
		}
		z, err := s.ZoneData(ctx, "EXAMPLE.com.")
		if err != nil {
			t.Fatal(err)
		}
		if err := z.Validate(); err != nil {
			t.Errorf("served zone does not validate: %v", err)
		}
		if z.Origin != "example.com." || z.SOA() == nil || z.SOA().Serial != serialOf(t, s, f) {
			t.Errorf("ZoneData origin %q SOA %v", z.Origin, z.SOA())
		}
		// Each stored record comes back from what is served.
		recs, _, _ := s.Records(ctx, f.account.ID, "example.com", RecordFilter{}, ListOptions{PerPage: 100})
		if len(z.Records) != len(recs) {
			t.Errorf("ZoneData has %d records, the store %d", len(z.Records), len(recs))
		}
		served := map[string]bool{}
		for _, rr := range z.Records {
			r := zone.RecordFromRR(z.Origin, rr)
			served[r.Name+" "+r.Type+" "+r.Content] = true
		}
		for _, r := range recs {
			if !served[r.Name+" "+r.Type+" "+r.Content] {
				t.Errorf("record %q %s %s is not served", r.Name, r.Type, r.Content)
			}
		}
		if _, err := s.ZoneData(ctx, "nowhere.example"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("ZoneData(unknown) = %v", err)
		}
	})
}

func TestChangedZones(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		names, last, err := s.ZoneNames(ctx)
		if err != nil || len(names) != 0 || last != 0 {
			t.Fatalf("ZoneNames of an empty store = %v, %d, %v", names, last, err)
		}
		f := newFixture(t, s, "ada@example.com", "a.example")
		if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, "b.example"); err != nil {
			t.Fatal(err)
		}
		names, last, err = s.ZoneNames(ctx)
		if err != nil || !slices.Equal(names, []string{"a.example.", "b.example."}) || last == 0 {
			t.Fatalf("ZoneNames = %v, %d, %v", names, last, err)
		}
		step := func(wantNames, wantDeleted []string) {
			t.Helper()
			names, next, deleted, err := s.ChangedZones(ctx, last)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(names, wantNames) || !slices.Equal(deleted, wantDeleted) {
				t.Errorf("ChangedZones(%d) = %v, deleted %v; want %v, deleted %v", last, names, deleted, wantNames, wantDeleted)
			}
			if len(wantNames)+len(wantDeleted) > 0 && next <= last || len(wantNames)+len(wantDeleted) == 0 && next != last {
				t.Errorf("ChangedZones(%d) moved to %d", last, next)
			}
			last = next
		}
		step(nil, nil)
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "b.example", RecordInput{Name: "x", Type: "A", Content: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, "c.example"); err != nil {
			t.Fatal(err)
		}
		step([]string{"b.example.", "c.example."}, nil)
		if err := s.DeleteDomain(ctx, f.actor, f.account.ID, "a.example"); err != nil {
			t.Fatal(err)
		}
		step(nil, []string{"a.example."})
		// Deleted and created again: served.
		if err := s.DeleteDomain(ctx, f.actor, f.account.ID, "c.example"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, "c.example"); err != nil {
			t.Fatal(err)
		}
		step([]string{"c.example."}, nil)
	})
}

func TestNextSerial(t *testing.T) {
	day := time.Date(2026, 5, 1, 23, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		prev, want uint32
	}{
		{0, 2026050100},
		{2026043099, 2026050100},
		{2026050100, 2026050101},
		{2026050199, 2026050200},                     // past nn=99 it runs into tomorrow's, still increasing
		{2030010100, 2030010101},                     // ahead of the date: +1
		{4294967295, 2026050100},                     // 2^32-1 is before it (RFC 1982)
		{2026050100 + 1<<31 - 1, 2026050100 + 1<<31}, // the date is behind: +1
	} {
		if got := nextSerial(tc.prev, day); got != tc.want {
			t.Errorf("nextSerial(%d) = %d, want %d", tc.prev, got, tc.want)
		}
		if got := nextSerial(tc.prev, day); !zone.SerialLess(tc.prev, got) {
			t.Errorf("nextSerial(%d) = %d is not after it", tc.prev, got)
		}
	}
}

// Writers in two processes (two Stores) to one zone take turns: every write
// lands, and the journal is one chain of serials.
func TestConcurrentWriters(t *testing.T) {
	for _, db := range testDBs(t) {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			url := db.url(t)
			a, b := open(t, url), open(t, url)
			if err := a.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			f := newFixture(t, a, "ada@example.com", "example.com")
			const n = 10
			var wg sync.WaitGroup
			errs := make(chan error, 2*n)
			for i := range 2 * n {
				s := []*Store{a, b}[i%2]
				wg.Go(func() {
					_, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com",
						RecordInput{Name: "host" + strconv.Itoa(i), Type: "A", Content: "192.0.2.1"})
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			changes, err := b.Changes(ctx, "example.com", 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != 2*n+1 {
				t.Fatalf("%d journal entries, want %d", len(changes), 2*n+1)
			}
			for i := 1; i < len(changes); i++ {
				if changes[i].PrevSerial != changes[i-1].Serial || !zone.SerialLess(changes[i].PrevSerial, changes[i].Serial) {
					t.Errorf("journal entry %d goes from %d to %d after one that ended at %d", i, changes[i].PrevSerial, changes[i].Serial, changes[i-1].Serial)
				}
			}
		})
	}
}

func recs(t *testing.T, s *Store, f fixture, name, typ string) []Record {
	t.Helper()
	out, _, err := s.Records(context.Background(), f.account.ID, f.domain.Name, RecordFilter{Name: &name, Type: typ}, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
