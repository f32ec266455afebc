package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/zonewarden/zonewarden/internal/testdb"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// testDB is one database the tests run on: SQLite always, PostgreSQL when
// ZONEWARDEN_TEST_DATABASE_URL is set.
type testDB struct {
	name string
	// url returns the URL of a fresh, empty database (a SQLite file, or a
	// PostgreSQL schema dropped when the test ends).
	url func(t *testing.T) string
}

func testDBs(t *testing.T) []testDB {
	dbs := []testDB{{"sqlite", testdb.SQLite}}
	if base := os.Getenv(testdb.EnvURL); base != "" {
		dbs = append(dbs, testDB{"postgres", func(t *testing.T) string { return testdb.PostgresSchema(t, base) }})
	}
	return dbs
}

var cheapArgon = argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func open(t *testing.T, url string, opts ...Option) *Store {
	t.Helper()
	opts = append([]Option{WithPasswordParams(cheapArgon),
		WithNameServers([]string{"ns1.zonewarden.test.", "ns2.zonewarden.test."})}, opts...)
	s, err := Open(context.Background(), url, opts...)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// each runs fn as a subtest on every test database, with a migrated Store.
func each(t *testing.T, fn func(t *testing.T, s *Store), opts ...Option) {
	for _, db := range testDBs(t) {
		t.Run(db.name, func(t *testing.T) {
			s := open(t, db.url(t), opts...)
			if err := s.Migrate(context.Background()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			fn(t, s)
		})
	}
}

// fixture is a user with a personal account and a domain in it.
type fixture struct {
	user    User
	account Account
	actor   Actor
	domain  Domain
}

func newFixture(t *testing.T, s *Store, email, domain string) fixture {
	t.Helper()
	ctx := context.Background()
	u, a, err := s.CreateUser(ctx, email, "correct horse battery")
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	f := fixture{user: u, account: a, actor: Actor{UserID: &u.ID, Label: u.Email, RemoteAddr: "192.0.2.9"}}
	if domain != "" {
		f.domain, err = s.CreateDomain(ctx, f.actor, a.ID, domain)
		if err != nil {
			t.Fatalf("create domain: %v", err)
		}
	}
	return f
}

func TestMigrate(t *testing.T) {
	for _, db := range testDBs(t) {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			url := db.url(t)
			a, b := open(t, url), open(t, url)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, s := range []*Store{a, b} {
				wg.Go(func() { errs[i] = s.Migrate(ctx) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("concurrent migrate %d: %v", i, err)
				}
			}
			if err := a.Migrate(ctx); err != nil {
				t.Fatalf("migrate again: %v", err)
			}
			var n int
			if err := a.read().row(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if entries, _ := migrations.ReadDir("migrations/sqlite"); n != len(entries) {
				t.Errorf("schema_migrations has %d rows, want %d", n, len(entries))
			}
			// The schema works.
			newFixture(t, b, "ada@example.com", "example.com")
		})
	}
}

func TestMigrationsMatch(t *testing.T) {
	lite, _ := migrations.ReadDir("migrations/sqlite")
	pg, _ := migrations.ReadDir("migrations/postgres")
	if len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Name() != pg[i].Name() {
			t.Errorf("migration %d is %s on SQLite, %s on PostgreSQL", i, lite[i].Name(), pg[i].Name())
		}
	}
}

func TestOpenRefusesNoNameServers(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "z.db"), WithNameServers(nil))
	if !errors.Is(err, zone.ErrInvalid) {
		t.Errorf("Open without name servers: %v, want ErrInvalid", err)
	}
}

func TestRedact(t *testing.T) {
	got := redact("postgres://u:s3cret@h/db", errors.New("cannot connect as u:s3cret"))
	if strings.Contains(got, "s3cret") {
		t.Errorf("redact left the password in %q", got)
	}
}
