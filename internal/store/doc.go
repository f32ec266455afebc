// Package store is the control plane's data: users, accounts, tokens,
// domains, zones, records, their journal and the audit log, in one schema on
// SQLite (a file, the embedded default) or PostgreSQL.
//
// Open a database, bring its schema up to date, then use it:
//
//	s, err := store.Open(ctx, "./data/zonewarden.db", // or "postgres://…"
//		store.WithNameServers([]string{"ns1.example.net.", "ns2.example.net."}))
//	defer s.Close()
//	err = s.Migrate(ctx) // safe when several processes start at once
//	u, acct, err := s.CreateUser(ctx, "ada@example.com", password)
//	d, err := s.CreateDomain(ctx, store.Actor{UserID: &u.ID, Label: u.Email}, acct.ID, "example.com")
//	r, err := s.CreateRecord(ctx, actor, acct.ID, "example.com",
//		store.RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
//	z, err := s.ZoneData(ctx, "example.com") // what the DNS engine serves
//
// Every read and write of an account's data takes the account's id and
// finds only what that account owns: another account's domain is
// zone.ErrNotFound, as is one that does not exist. Errors wrap the zone
// package's kinds: ErrNotFound, ErrConflict, ErrInvalid (a *ValidationError
// naming the fields at fault, as DNSimple's API reports them) and
// ErrForbidden. The store knows nothing of HTTP.
//
// Each user intent is one transaction. A record write converts its input
// with zone.Record, validates the zone it would leave (CNAME exclusivity,
// duplicates, the per-zone record limit), writes, bumps the SOA serial
// (YYYYMMDDnn, else +1), appends the zone's journal (zone_changes: the
// serial and the records removed and added, which IXFR and other processes
// read, see ChangedZones) and the audit log, all committed together or not
// at all.
//
// Deliberate choices:
//   - SQLite has one writer connection, whose transactions begin IMMEDIATE,
//     and a pool of read-only connections beside it (WAL). PostgreSQL writers
//     to one zone take turns on the zone's row; journal appends take a
//     transaction-scoped advisory lock so that journal ids are in commit
//     order and a reader following them misses none.
//   - Passwords are argon2id hashes; API tokens are 32 random bytes, of
//     which only the SHA-256 is stored (a slow hash buys nothing for random
//     secrets and would cost every request). A token's last use is noted to
//     the minute, so that busy tokens do not write on every request.
//   - Names are stored lower-case, domains in their ASCII (xn--) form and
//     without the final dot, record names relative to the zone.
//   - Migrations are SQL files embedded per dialect (migrations/sqlite,
//     migrations/postgres) and say the same schema in each engine's types.
//     Ids are never reused, deleted rows' included: a SQLite table whose
//     ids leave the database is INTEGER PRIMARY KEY AUTOINCREMENT, as
//     PostgreSQL's identity columns are by nature. SQLite migrations run
//     with foreign keys off, as rebuilding a table needs, and commit only if
//     PRAGMA foreign_key_check finds nothing; they must not count on ON
//     DELETE actions.
package store
