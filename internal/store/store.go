package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/zonewarden/zonewarden/internal/seal"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// Store is the control plane's data: accounts, domains, zones, records and
// their history, in SQLite or PostgreSQL. It is safe for concurrent use.
type Store struct {
	pg  bool
	w   *sql.DB // writes, and reads inside write transactions
	r   *sql.DB // reads outside transactions; the same as w on PostgreSQL
	cfg config

	snaps  *versionCache // recent versions of zones' records, for lists
	tokens tokenCache    // recent token authentications
	stmts  stmtCache     // prepared statements of the read pool

	dummyOnce sync.Once
	dummyHash string // compared against when a login names no user
}

type config struct {
	nameServers []string
	soa         SOA
	recordLimit int
	argon       argon2id.Params
	log         *slog.Logger
	box         *seal.Box
	webhookURL  func(ctx context.Context, url string) error
	primaryIP   func(ip netip.Addr) error
	reserved    []string // fully qualified
}

// SOA holds the values of the SOA record given to every new zone. The
// primary name server is the first of the Store's name servers.
type SOA struct {
	// Mbox is the administrator's mailbox in domain-name form; empty means
	// "hostmaster." followed by the zone's name.
	Mbox                                 string
	TTL, Refresh, Retry, Expire, Minimum uint32
}

// An Option configures a Store.
type Option func(*config)

// WithNameServers sets the name servers of new zones: their apex NS records
// and the SOA's primary. The default is ns1. and ns2.zonewarden.test., which
// only tests should rely on.
func WithNameServers(ns []string) Option {
	return func(c *config) {
		c.nameServers = nil
		for _, n := range ns {
			c.nameServers = append(c.nameServers, zone.CanonicalName(n))
		}
	}
}

// WithSOA sets the SOA values of new zones; zero fields keep their defaults.
func WithSOA(soa SOA) Option {
	return func(c *config) {
		if soa.Mbox != "" {
			c.soa.Mbox = zone.CanonicalName(soa.Mbox)
		}
		for _, f := range []struct {
			dst *uint32
			v   uint32
		}{
			{&c.soa.TTL, soa.TTL}, {&c.soa.Refresh, soa.Refresh}, {&c.soa.Retry, soa.Retry},
			{&c.soa.Expire, soa.Expire}, {&c.soa.Minimum, soa.Minimum},
		} {
			if f.v != 0 {
				*f.dst = f.v
			}
		}
	}
}

// WithRecordLimit sets how many records a zone may hold, system records
// included (default 10,000).
func WithRecordLimit(n int) Option { return func(c *config) { c.recordLimit = n } }

// DefaultRecordLimit is how many records a zone may hold unless
// WithRecordLimit says otherwise.
const DefaultRecordLimit = 10000

// WithPasswordParams sets the argon2id cost of new password hashes. Tests use
// a cheap one; the default is argon2id.DefaultParams.
func WithPasswordParams(p argon2id.Params) Option { return func(c *config) { c.argon = p } }

// WithSealer sets the box that seals the secrets the store must read back
// (TSIG keys, webhook secrets, TOTP secrets). Without it the Store seals
// under a random key of its own, which dies with it: right for tests only.
func WithSealer(b *seal.Box) Option { return func(c *config) { c.box = b } }

// WithWebhookURLCheck sets a check that CreateWebhook runs on a webhook's
// URL (webhook.Guard.CheckURL: public addresses only); its error is shown
// as the url field's.
func WithWebhookURLCheck(check func(ctx context.Context, url string) error) Option {
	return func(c *config) { c.webhookURL = check }
}

// WithPrimaryServerCheck sets a check that CreatePrimaryServer runs on a
// customer's primary server address (egress.Public: public addresses
// only); its error is shown as the ip field's.
func WithPrimaryServerCheck(check func(ip netip.Addr) error) Option {
	return func(c *config) { c.primaryIP = check }
}

// WithReservedZones sets zones (fully qualified) that no domain may be,
// be under or be above: the catalog zone, which the DNS server answers
// for itself.
func WithReservedZones(zones ...string) Option {
	return func(c *config) { c.reserved = zones }
}

// WithLogger sets where the Store logs migrations. It never logs secrets.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// Open connects to the database at dbURL: a postgres:// (or postgresql://)
// URL, or else the path of a SQLite file, created with its directory when
// missing. It does not migrate; call Migrate.
func Open(ctx context.Context, dbURL string, opts ...Option) (*Store, error) {
	s := &Store{cfg: config{
		nameServers: []string{"ns1.zonewarden.test.", "ns2.zonewarden.test."},
		soa:         SOA{TTL: 3600, Refresh: 86400, Retry: 7200, Expire: 604800, Minimum: 300},
		recordLimit: DefaultRecordLimit,
		argon:       *argon2id.DefaultParams,
		log:         slog.New(slog.DiscardHandler),
	}, snaps: newVersionCache(versionCacheBytes)}
	for _, o := range opts {
		o(&s.cfg)
	}
	if len(s.cfg.nameServers) == 0 {
		return nil, fmt.Errorf("open store: no name servers: %w", zone.ErrInvalid)
	}
	if s.cfg.box == nil {
		key := make([]byte, seal.KeySize)
		rand.Read(key)
		s.cfg.box, _ = seal.New(key)
	}
	var err error
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		s.pg = true
		s.w, err = sql.Open("pgx", dbURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		// Enough connections for concurrent requests, kept open between
		// them; PostgreSQL's default limit is 100 for all processes.
		s.w.SetMaxOpenConns(20)
		s.w.SetMaxIdleConns(10)
		s.w.SetConnMaxIdleTime(5 * time.Minute)
		s.r = s.w
	} else {
		s.w, s.r, err = openSQLite(dbURL)
		if err != nil {
			return nil, err
		}
	}
	if err := s.w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to database: %s", redact(dbURL, err))
	}
	return s, nil
}

// sqliteBusyTimeout is how long a statement waits for another connection's
// lock, as another process's write, before it fails.
const sqliteBusyTimeout = 10 * time.Second

// openSQLite opens path twice: one connection for writes, whose transactions
// take the write lock when they begin (BEGIN IMMEDIATE), so that a
// read-then-write transaction never fails to upgrade; and a pool for reads,
// which WAL lets run beside the writer.
func openSQLite(path string) (w, r *sql.DB, err error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	dsn := "file:" + path + fmt.Sprintf("?_time_format=sqlite&_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)", sqliteBusyTimeout.Milliseconds())
	w, err = sql.Open("sqlite", dsn+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	// The writer first: it creates the file and puts it in WAL mode, which
	// the readers then find.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err = sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	return w, r, nil
}

// redact keeps a password in a database URL out of an error message.
func redact(dbURL string, err error) string {
	msg := err.Error()
	if u, perr := url.Parse(dbURL); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	return msg
}

// Close closes the database connections.
func (s *Store) Close() error {
	var errs []error
	s.stmts.mu.Lock()
	for _, st := range s.stmts.m {
		errs = append(errs, st.Close())
	}
	s.stmts.mu.Unlock()
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	return errors.Join(errs...)
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// db runs queries written with ? placeholders on either engine.
type db struct {
	q  querier
	pg bool
	// stmts, on the read pool only, prepares the queries run through
	// rowPrepared once per connection instead of once per call.
	stmts *stmtCache
}

// stmtCache is the read pool's prepared statements, by query.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// rowPrepared is row for queries of fixed text run on every request (the
// zone of a list): on SQLite, parsing one costs as much as running it.
func (d db) rowPrepared(ctx context.Context, query string, args ...any) *sql.Row {
	pool, ok := d.q.(*sql.DB)
	if d.stmts == nil || !ok {
		return d.row(ctx, query, args...)
	}
	d.stmts.mu.Lock()
	st, ok := d.stmts.m[query]
	if !ok {
		var err error
		if st, err = pool.PrepareContext(ctx, d.bind(query)); err != nil {
			d.stmts.mu.Unlock()
			return d.row(ctx, query, args...) // the same error, or a query that works without
		}
		if d.stmts.m == nil {
			d.stmts.m = map[string]*sql.Stmt{}
		}
		d.stmts.m[query] = st
	}
	d.stmts.mu.Unlock()
	return st.QueryRowContext(ctx, args...)
}

func (d db) bind(query string) string {
	if !d.pg || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (d db) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.q.ExecContext(ctx, d.bind(query), args...)
}

func (d db) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.q.QueryContext(ctx, d.bind(query), args...)
}

func (d db) row(ctx context.Context, query string, args ...any) *sql.Row {
	return d.q.QueryRowContext(ctx, d.bind(query), args...)
}

// prepare prepares a statement run many times in one transaction.
func (d db) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	p, ok := d.q.(interface {
		PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	})
	if !ok {
		return nil, fmt.Errorf("prepare: %T cannot", d.q)
	}
	return p.PrepareContext(ctx, d.bind(query))
}

func (s *Store) read() db { return db{q: s.r, pg: s.pg, stmts: &s.stmts} }

// tx runs fn in one write transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(db) error) error {
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(db{q: t, pg: s.pg}); err != nil {
		t.Rollback()
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.tokens.wrote()
	return nil
}

// readTx runs fn in a read-only transaction, for reads that must agree with
// each other (a count and a page): one snapshot, which on PostgreSQL takes
// REPEATABLE READ (a read-only transaction there never fails to serialize).
func (s *Store) readTx(ctx context.Context, fn func(db) error) error {
	opts := &sql.TxOptions{}
	if s.pg {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	t, err := s.r.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer t.Rollback()
	return fn(db{q: t, pg: s.pg})
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// now is the time written to the database: UTC, in microseconds, which both
// engines keep exactly.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func nullInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// likePattern makes s a LIKE pattern matching names that contain it.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// inList returns n placeholders for an IN list.
func inList(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
}

// queryAll runs a query and scans every row it returns with scan.
func queryAll[T any](ctx context.Context, d db, scan func(interface{ Scan(...any) error }) (T, error), query string, args ...any) ([]T, error) {
	rows, err := d.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// sealSecret and openSecret keep a secret the store must read back sealed
// at rest; where names the row it belongs to ("webhook:12"), so a sealed
// value moved to another row does not open.
func (s *Store) sealSecret(secret, where string) string { return s.cfg.box.Seal(secret, where) }

func (s *Store) openSecret(sealed, where string) (string, error) {
	v, err := s.cfg.box.Open(sealed, where)
	if err != nil {
		return "", fmt.Errorf("secret of %s: %w", where, err)
	}
	return v, nil
}
