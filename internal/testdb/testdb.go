// Package testdb gives tests the databases they run on: a SQLite file
// always, and, when ZONEWARDEN_TEST_DATABASE_URL is set (as CI sets it), a
// PostgreSQL schema of their own in that database, dropped when the test
// ends. Tests only.
package testdb

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvURL is the variable that names the PostgreSQL database of the tests.
const EnvURL = "ZONEWARDEN_TEST_DATABASE_URL"

// Backends runs f as a subtest per database, "sqlite" and "postgres";
// dbURL returns the URL of a fresh, empty database at each call.
func Backends(t *testing.T, f func(t *testing.T, dbURL func(t *testing.T) string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, SQLite) })
	if base := os.Getenv(EnvURL); base != "" {
		t.Run("postgres", func(t *testing.T) {
			f(t, func(t *testing.T) string { return PostgresSchema(t, base) })
		})
	}
}

// SQLite returns the path of a database file in a directory of t's own.
func SQLite(t *testing.T) string {
	return filepath.Join(t.TempDir(), "data", "zonewarden.db")
}

// PostgresSchema creates a schema of its own for t in the database at base
// and returns base with its search_path set to it: pgx sends unknown URL
// parameters as run-time parameters of every connection of the pool.
func PostgresSchema(t testing.TB, base string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	schema := "zw_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("database URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
