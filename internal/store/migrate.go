package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// migrationLock is the PostgreSQL advisory lock key that Migrate holds in its
// transaction, so that processes starting together migrate one at a time.
const migrationLock = 0x7a6f6e65 // "zone"

// Migrate brings the schema up to date: it applies, in order and each once,
// the embedded migrations not yet recorded in schema_migrations. All of them
// run in one transaction, which holds a lock that makes concurrent Migrates
// (several processes starting at once) wait and then find nothing to do.
func (s *Store) Migrate(ctx context.Context) error {
	dir := "migrations/sqlite"
	if s.pg {
		dir = "migrations/postgres"
	}
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	type migration struct {
		version int
		name    string
	}
	var all []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return fmt.Errorf("migration %s: name is not NNNN_what.sql", e.Name())
		}
		all = append(all, migration{v, e.Name()})
	}
	slices.SortFunc(all, func(a, b migration) int { return a.version - b.version })

	return s.tx(ctx, func(d db) error {
		// On SQLite the transaction began IMMEDIATE and so already holds the
		// database's write lock.
		if s.pg {
			if _, err := d.exec(ctx, "SELECT pg_advisory_xact_lock(?)", int64(migrationLock)); err != nil {
				return fmt.Errorf("lock for migration: %w", err)
			}
		}
		ts := "TIMESTAMP"
		if s.pg {
			ts = "TIMESTAMPTZ"
		}
		if _, err := d.exec(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at "+ts+" NOT NULL)"); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		applied := map[int]bool{}
		rows, err := d.query(ctx, "SELECT version FROM schema_migrations")
		if err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return fmt.Errorf("read schema_migrations: %w", err)
			}
			applied[v] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		for _, m := range all {
			if applied[m.version] {
				continue
			}
			text, err := migrations.ReadFile(path.Join(dir, m.name))
			if err != nil {
				return fmt.Errorf("read migration %s: %w", m.name, err)
			}
			if _, err := d.q.ExecContext(ctx, string(text)); err != nil {
				return fmt.Errorf("apply migration %s: %w", m.name, err)
			}
			if _, err := d.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, now()); err != nil {
				return fmt.Errorf("record migration %s: %w", m.name, err)
			}
			s.cfg.log.Info("applied migration", "name", m.name)
		}
		// What SQL cannot do, since it needs the key: seal the secrets
		// that versions before sealing kept in plain text.
		for _, c := range []struct {
			table, column string
			where         func(int64) string
		}{
			{"webhooks", "secret", webhookSecretWhere},
			{"users", "otp_secret", otpWhere},
		} {
			if err := s.sealPlaintext(ctx, d, c.table, c.column, c.where); err != nil {
				return err
			}
		}
		return nil
	})
}

// sealPlaintext seals the values of table.column stored in plain text;
// where names each row's place for the seal. Sealed values carry seal's
// "zw1:" prefix, which plain secrets (hex, base32) never do.
func (s *Store) sealPlaintext(ctx context.Context, d db, table, column string, where func(int64) string) error {
	type plain struct {
		id    int64
		value string
	}
	list, err := queryAll(ctx, d, func(r interface{ Scan(...any) error }) (plain, error) {
		var p plain
		return p, r.Scan(&p.id, &p.value)
	}, "SELECT id, "+column+" FROM "+table+" WHERE "+column+" IS NOT NULL AND "+column+" <> '' AND "+column+" NOT LIKE 'zw1:%'")
	if err != nil {
		return fmt.Errorf("seal %s.%s: %w", table, column, err)
	}
	for _, p := range list {
		if _, err := d.exec(ctx, "UPDATE "+table+" SET "+column+" = ? WHERE id = ?", s.sealSecret(p.value, where(p.id)), p.id); err != nil {
			return fmt.Errorf("seal %s.%s of row %d: %w", table, column, p.id, err)
		}
	}
	if len(list) > 0 {
		s.cfg.log.Info("sealed secrets stored in plain text", "table", table, "column", column, "rows", len(list))
	}
	return nil
}
