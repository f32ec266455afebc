package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/testdb"
)

// rebuiltTables are the tables migration 0013 makes AUTOINCREMENT on SQLite.
var rebuiltTables = []string{"users", "accounts", "tokens", "domains", "zones", "records",
	"zone_changes", "templates", "template_records", "contacts", "webhooks", "audit_log",
	"sessions", "jobs", "events", "webhook_deliveries", "tsig_keys", "invitations", "primary_servers"}

// maxRecordID is the largest id among the zone's records.
func maxRecordID(t *testing.T, s *Store, accountID int64, zoneName string) int64 {
	t.Helper()
	recs, _, err := s.Records(context.Background(), accountID, zoneName, RecordFilter{}, ListOptions{PerPage: 100})
	if err != nil {
		t.Fatalf("records of %s: %v", zoneName, err)
	}
	var m int64
	for _, r := range recs {
		m = max(m, r.ID)
	}
	return m
}

// createDeletedDomain creates gone.test with a record in f's account and
// deletes it, so that it holds the newest domain, zone and record ids, and
// returns them (the largest of its records' ids).
func createDeletedDomain(t *testing.T, s *Store, f fixture) (Domain, Zone, int64) {
	t.Helper()
	ctx, acc := context.Background(), f.account.ID
	gone, err := s.CreateDomain(ctx, f.actor, acc, "gone.test")
	if err != nil {
		t.Fatal(err)
	}
	goneZone, err := s.Zone(ctx, acc, "gone.test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRecord(ctx, f.actor, acc, "gone.test", RecordInput{Name: "www", Type: "A", Content: "192.0.2.2"}); err != nil {
		t.Fatal(err)
	}
	goneRecords := maxRecordID(t, s, acc, "gone.test")
	if err := s.DeleteDomain(ctx, f.actor, acc, "gone.test"); err != nil {
		t.Fatal(err)
	}
	return gone, goneZone, goneRecords
}

// A client that deletes an object by id must never reach another object
// created later, as DNSimple's and PostgreSQL's ids guarantee: an id deleted
// last is not handed out again.
func TestIDsNeverReused(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		acc := f.account.ID

		if _, err := s.CreateRecord(ctx, f.actor, acc, "example.com", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		newest, err := s.CreateRecord(ctx, f.actor, acc, "example.com", RecordInput{Name: "_acme-challenge", Type: "TXT", Content: "token-1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteRecord(ctx, f.actor, acc, "example.com", newest.ID); err != nil {
			t.Fatal(err)
		}
		next, err := s.CreateRecord(ctx, f.actor, acc, "example.com", RecordInput{Name: "_acme-challenge", Type: "TXT", Content: "token-2"})
		if err != nil {
			t.Fatal(err)
		}
		if next.ID <= newest.ID {
			t.Errorf("record created after deleting record %d has id %d", newest.ID, next.ID)
		}

		gone, goneZone, goneRecords := createDeletedDomain(t, s, f)
		again, err := s.CreateDomain(ctx, f.actor, acc, "gone.test")
		if err != nil {
			t.Fatal(err)
		}
		againZone, err := s.Zone(ctx, acc, "gone.test")
		if err != nil {
			t.Fatal(err)
		}
		if again.ID <= gone.ID {
			t.Errorf("domain created again after deleting domain %d has id %d", gone.ID, again.ID)
		}
		if againZone.ID <= goneZone.ID {
			t.Errorf("zone created again after deleting zone %d has id %d", goneZone.ID, againZone.ID)
		}
		recs, _, err := s.Records(ctx, acc, "gone.test", RecordFilter{}, ListOptions{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			t.Fatal("the new zone has no records")
		}
		for _, r := range recs {
			if r.ID <= goneRecords {
				t.Errorf("record %s %s of the new zone has id %d, not above the deleted zone's %d", r.Name, r.Type, r.ID, goneRecords)
			}
		}
	})
}

// tableRows is every row of a table, each as text, in id order.
func tableRows(t *testing.T, s *Store, table string) []string {
	t.Helper()
	rows, err := s.w.Query("SELECT * FROM " + table + " ORDER BY id")
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		var b strings.Builder
		for i, v := range vals {
			fmt.Fprintf(&b, "%s=%v ", cols[i], v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	return out
}

// schemaOf describes the SQLite schema as SQLite itself reads it: each
// table's columns, foreign keys and indexes (with their columns, and the SQL
// of those created by name), triggers and views.
func schemaOf(t *testing.T, s *Store) string {
	t.Helper()
	var b strings.Builder
	dump := func(query string, args ...any) {
		rows, err := s.w.Query(query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			fmt.Fprintln(&b, vals...)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	var tables []string
	rows, err := s.w.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, tb := range tables {
		fmt.Fprintln(&b, "table", tb)
		dump("SELECT * FROM pragma_table_xinfo(?)", tb)
		dump("SELECT * FROM pragma_foreign_key_list(?)", tb)
		dump("SELECT l.name, l.\"unique\", l.origin, l.partial, x.seqno, x.cid, x.name, x.\"desc\", x.coll, x.key FROM pragma_index_list(?) l, pragma_index_xinfo(l.name) x ORDER BY l.name, x.seqno", tb)
	}
	dump("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type <> 'table' ORDER BY name")
	return b.String()
}

// Migration 0013 changes nothing of the schema but AUTOINCREMENT: the same
// columns, defaults, constraints, foreign keys and indexes.
func TestMigration0013Schema(t *testing.T) {
	ctx := context.Background()
	before := open(t, testdb.SQLite(t))
	if err := before.migrateTo(ctx, 12); err != nil {
		t.Fatalf("migrate to 12: %v", err)
	}
	after := open(t, testdb.SQLite(t))
	if err := after.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if b, a := schemaOf(t, before), schemaOf(t, after); b != a {
		t.Errorf("schema before 0013:\n%s\nafter:\n%s", b, a)
	}
	for _, tb := range rebuiltTables {
		var sqlText string
		if err := after.w.QueryRow("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", tb).Scan(&sqlText); err != nil {
			t.Fatalf("schema of %s: %v", tb, err)
		}
		if !strings.Contains(sqlText, "INTEGER PRIMARY KEY AUTOINCREMENT") {
			t.Errorf("%s is not AUTOINCREMENT: %s", tb, sqlText)
		}
	}
}

// A database written before 0013 keeps every row and id, and then does not
// hand out again the ids deleted before the upgrade that the audit log and
// the journal name.
func TestMigration0013KeepsData(t *testing.T) {
	ctx := context.Background()
	s := open(t, testdb.SQLite(t))
	if err := s.migrateTo(ctx, 12); err != nil {
		t.Fatalf("migrate to 12: %v", err)
	}
	f := newFixture(t, s, "ada@example.com", "example.com")
	acc := f.account.ID
	if _, _, err := s.CreateToken(ctx, NewToken{AccountID: acc, UserID: &f.user.ID, Name: "ci"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateSession(ctx, NewSession{UserID: f.user.ID, UserAgent: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateWebhook(ctx, f.actor, acc, "https://hooks.example.net/dns"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateContact(ctx, f.actor, acc, Contact{Label: "main", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
		Phone: "+44.2000000000", Address1: "1 St James's Sq", City: "London", StateProvince: "London", PostalCode: "SW1Y 4JU", Country: "GB"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateTSIGKey(ctx, "edge.", "hmac-sha256."); err != nil {
		t.Fatal(err)
	}
	team, err := s.CreateTeam(ctx, f.actor, f.user.ID, "Team", "team@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateInvitation(ctx, f.actor, team.ID, "bob@example.com", RoleMember, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePrimaryServer(ctx, f.actor, acc, PrimaryServerInput{Name: "primary", IP: "192.0.2.53", Port: 53}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRecord(ctx, f.actor, acc, "example.com", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	// The newest domain, its zone and its records are deleted before the
	// upgrade, as in the report that found ids reused.
	gone, goneZone, goneRecords := createDeletedDomain(t, s, f)

	before := map[string][]string{}
	for _, tb := range rebuiltTables {
		before[tb] = tableRows(t, s, tb)
	}
	for _, tb := range []string{"users", "accounts", "tokens", "domains", "zones", "records", "zone_changes",
		"contacts", "webhooks", "audit_log", "sessions", "tsig_keys", "invitations", "primary_servers"} {
		if len(before[tb]) == 0 {
			t.Fatalf("the test wrote no rows to %s", tb)
		}
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	for _, tb := range rebuiltTables {
		if got := tableRows(t, s, tb); !slices.Equal(got, before[tb]) {
			t.Errorf("%s after 0013:\n%s\nbefore:\n%s", tb, strings.Join(got, "\n"), strings.Join(before[tb], "\n"))
		}
		var maxID, seq sql.NullInt64
		if err := s.w.QueryRow("SELECT (SELECT MAX(id) FROM "+tb+"), (SELECT seq FROM sqlite_sequence WHERE name = ?)", tb).Scan(&maxID, &seq); err != nil {
			t.Fatal(err)
		}
		if !seq.Valid || seq.Int64 < maxID.Int64 {
			t.Errorf("sqlite_sequence of %s is %v, below its largest id %d", tb, seq, maxID.Int64)
		}
	}
	if err := foreignKeyCheck(ctx, s.w); err != nil {
		t.Error(err)
	}
	var fk int
	if err := s.w.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign keys after migrating: %d, %v; want them on", fk, err)
	}

	again, err := s.CreateDomain(ctx, f.actor, acc, "gone.test")
	if err != nil {
		t.Fatal(err)
	}
	againZone, err := s.Zone(ctx, acc, "gone.test")
	if err != nil {
		t.Fatal(err)
	}
	if again.ID <= gone.ID || againZone.ID <= goneZone.ID {
		t.Errorf("gone.test created again after the upgrade: domain %d, zone %d; deleted before it: domain %d, zone %d",
			again.ID, againZone.ID, gone.ID, goneZone.ID)
	}
	rec, err := s.CreateRecord(ctx, f.actor, acc, "gone.test", RecordInput{Name: "mail", Type: "A", Content: "192.0.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID <= goneRecords {
		t.Errorf("record created after the upgrade has id %d, not above %d deleted before it", rec.ID, goneRecords)
	}
	if err := s.DeleteRecord(ctx, f.actor, acc, "gone.test", rec.ID); err != nil {
		t.Fatal(err)
	}
	next, err := s.CreateRecord(ctx, f.actor, acc, "gone.test", RecordInput{Name: "mail", Type: "A", Content: "192.0.2.4"})
	if err != nil {
		t.Fatal(err)
	}
	if next.ID <= rec.ID {
		t.Errorf("record created after deleting record %d has id %d", rec.ID, next.ID)
	}
}

// Migrations run with foreign keys off; what they leave is checked before
// the commit, and the writer has its foreign keys back afterwards.
func TestMigrationForeignKeyCheck(t *testing.T) {
	ctx := context.Background()
	s := open(t, testdb.SQLite(t))
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	orphan := func(d db) error {
		_, err := d.exec(ctx, "INSERT INTO records (zone_id, name, type, content, ttl, created_at, updated_at) VALUES (999, '', 'A', '192.0.2.1', 60, ?, ?)", now(), now())
		return err
	}
	migration := func(d db) error {
		if err := orphan(d); err != nil {
			return err
		}
		return foreignKeyCheck(ctx, d.q)
	}
	if err := s.txWithoutForeignKeys(ctx, migration); err == nil || !strings.Contains(err.Error(), "records row") {
		t.Errorf("a migration leaving a record without its zone: %v, want the foreign key check's error", err)
	}
	var n int
	if err := s.w.QueryRow("SELECT COUNT(*) FROM records").Scan(&n); err != nil || n != 0 {
		t.Errorf("records after the refused migration: %d, %v; want none", n, err)
	}
	if err := s.tx(ctx, orphan); err == nil {
		t.Error("after a migration, a record without its zone was written: foreign keys are off")
	}
	var timeout int
	if err := s.w.QueryRow("PRAGMA busy_timeout").Scan(&timeout); err != nil || timeout != int(sqliteBusyTimeout.Milliseconds()) {
		t.Errorf("writer's busy timeout after a migration: %d, %v; want %d", timeout, err, sqliteBusyTimeout.Milliseconds())
	}

	// A start with nothing to migrate does not check (read) the whole
	// database, so a row left without its zone by hand, with the sqlite3
	// shell whose foreign keys are off, does not stop it.
	if err := s.txWithoutForeignKeys(ctx, orphan); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Errorf("start with nothing to migrate beside a row without its zone: %v", err)
	}
}
