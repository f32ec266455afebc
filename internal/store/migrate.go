package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
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
//
// On SQLite they run with foreign keys off, as SQLite's procedure for
// rebuilding a table requires (migration 0013): a migration must not count
// on ON DELETE actions, and what it leaves is checked before the commit.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrateTo(ctx, math.MaxInt)
}

// migrateTo is Migrate stopping after the migration numbered last, so that
// tests can write data as an earlier version did and then migrate it.
func (s *Store) migrateTo(ctx context.Context, last int) error {
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

	tx := s.tx
	if !s.pg {
		tx = s.txWithoutForeignKeys
	}
	return tx(ctx, func(d db) error {
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
		ran := false
		for _, m := range all {
			if m.version > last {
				break
			}
			if applied[m.version] {
				continue
			}
			ran = true
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
		// With foreign keys off, SQLite checks nothing a migration does:
		// it commits only if every reference is still whole. Only then,
		// so that a start with nothing to migrate does not read the
		// whole database.
		if ran && !s.pg {
			if err := foreignKeyCheck(ctx, d.q); err != nil {
				return err
			}
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

// migrationWait is how long a process waits for another's migration.
const migrationWait = 10 * time.Minute

// txWithoutForeignKeys is tx on SQLite with foreign keys not enforced, as
// https://www.sqlite.org/lang_altertable.html#otheralter asks of a table
// rebuild: with them on, dropping the old domains table deletes every zone.
// The pragma is a no-op inside a transaction, so it is set on the writer's
// connection before BEGIN and set back after; fn checks the references
// (foreignKeyCheck) before the commit.
func (s *Store) txWithoutForeignKeys(ctx context.Context, fn func(db) error) (err error) {
	c, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("take the writer connection: %w", err)
	}
	defer c.Close()
	// Another process's migration can hold the write lock for longer than
	// the usual busy timeout (migration 0013 copies most of the
	// database): a process starting beside it waits for it rather than
	// fail to start.
	if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", migrationWait.Milliseconds())); err != nil {
		return fmt.Errorf("set the migration's busy timeout: %w", err)
	}
	if _, err := c.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("turn foreign keys off: %w", err)
	}
	defer func() {
		// Every other write counts on foreign keys and the usual busy
		// timeout: a connection that cannot have them back is closed
		// rather than reused. The pragma does nothing, without an error,
		// inside a transaction, so it is read back.
		bg := context.WithoutCancel(ctx)
		var on int
		_, rerr := c.ExecContext(bg, "PRAGMA foreign_keys = ON")
		if rerr == nil {
			rerr = c.QueryRowContext(bg, "PRAGMA foreign_keys").Scan(&on)
		}
		if rerr == nil && on != 1 {
			rerr = errors.New("still off")
		}
		if rerr == nil {
			_, rerr = c.ExecContext(bg, fmt.Sprintf("PRAGMA busy_timeout = %d", sqliteBusyTimeout.Milliseconds()))
		}
		if rerr != nil {
			c.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("restore the writer connection's foreign keys and busy timeout: %w", rerr))
		}
	}()
	t, err := c.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(db{q: t}); err != nil {
		t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.tokens.wrote()
	return nil
}

// foreignKeyCheck fails if any row references a row that does not exist.
func foreignKeyCheck(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("check foreign keys: %w", err)
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int64
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("check foreign keys: %w", err)
		}
		if len(bad) < 10 {
			bad = append(bad, fmt.Sprintf("%s row %d references a missing %s", table, rowid.Int64, parent))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check foreign keys: %w", err)
	}
	if len(bad) > 0 {
		return fmt.Errorf("check foreign keys: %s", strings.Join(bad, "; "))
	}
	return nil
}
