package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Attempts are failed attempts at something throttled (a password, a
// code, a mail sent on request), counted by key ("email:…", "addr:…") in
// the database so that every process sharing it counts them together. A
// key's count runs from its first failure for a window the caller chooses;
// the first failure after the window starts a new count. Keys are kept as
// SHA-256 hashes: they name people and their addresses.

// Attempts returns how many failures key has had since its count began at
// first, if that was after since; 0 when it has none in the window.
func (s *Store) Attempts(ctx context.Context, key string, since time.Time) (n int, first time.Time, err error) {
	err = s.read().row(ctx, "SELECT failures, first_at FROM attempts WHERE key_hash = ? AND first_at > ?", hashToken(key), since.UTC()).Scan(&n, &first)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("read attempts: %w", err)
	}
	return n, first, nil
}

// AddAttempt counts a failure of key at now; a count that began at or
// before since starts again at 1. It also deletes a few counts that began
// before since, so that the table holds only live ones.
func (s *Store) AddAttempt(ctx context.Context, key string, now, since time.Time) error {
	now, since = now.UTC().Truncate(time.Microsecond), since.UTC()
	return s.tx(ctx, func(d db) error {
		// One statement, so that two processes counting the same key at
		// once both count.
		_, err := d.exec(ctx, `INSERT INTO attempts (key_hash, failures, first_at) VALUES (?, 1, ?)
			ON CONFLICT (key_hash) DO UPDATE SET
				failures = CASE WHEN attempts.first_at <= ? THEN 1 ELSE attempts.failures + 1 END,
				first_at = CASE WHEN attempts.first_at <= ? THEN excluded.first_at ELSE attempts.first_at END`,
			hashToken(key), now, since, since)
		if err != nil {
			return fmt.Errorf("count attempt: %w", err)
		}
		if _, err := d.exec(ctx, "DELETE FROM attempts WHERE key_hash IN (SELECT key_hash FROM attempts WHERE first_at <= ? LIMIT 100)", since); err != nil {
			return fmt.Errorf("delete old attempts: %w", err)
		}
		return nil
	})
}

// ForgetAttempts clears key's count, after a success.
func (s *Store) ForgetAttempts(ctx context.Context, key string) error {
	w := db{q: s.w, pg: s.pg}
	if _, err := w.exec(ctx, "DELETE FROM attempts WHERE key_hash = ?", hashToken(key)); err != nil {
		return fmt.Errorf("forget attempts: %w", err)
	}
	return nil
}

// Failed proofs of identity (a password, a one-time code) allowed per email
// address and per client address within SignInWindow, counted together for
// the dashboard's sign-in and security forms and the API's HTTP Basic: a
// guesser gains nothing by switching between them, or between processes.
const (
	SignInWindow     = 15 * time.Minute
	SignInPerEmail   = 5
	SignInPerAddress = 30
)

func signInKeys(email, addr string) (emailKey, addrKey string) {
	return "email:" + strings.ToLower(strings.TrimSpace(email)), "addr:" + addr
}

// SignInWait returns how long a proof of identity for email from the
// client address addr must wait; 0 when it may go on.
func (s *Store) SignInWait(ctx context.Context, email, addr string, now time.Time) (time.Duration, error) {
	emailKey, addrKey := signInKeys(email, addr)
	var wait time.Duration
	for _, k := range []struct {
		key   string
		limit int
	}{{emailKey, SignInPerEmail}, {addrKey, SignInPerAddress}} {
		n, first, err := s.Attempts(ctx, k.key, now.Add(-SignInWindow))
		if err != nil {
			return 0, err
		}
		if n >= k.limit {
			wait = max(wait, first.Add(SignInWindow).Sub(now))
		}
	}
	return wait, nil
}

// SignInFailed counts a wrong password or code for email from addr.
func (s *Store) SignInFailed(ctx context.Context, email, addr string, now time.Time) error {
	emailKey, addrKey := signInKeys(email, addr)
	for _, k := range []string{emailKey, addrKey} {
		if err := s.AddAttempt(ctx, k, now, now.Add(-SignInWindow)); err != nil {
			return err
		}
	}
	return nil
}

// SignInSucceeded clears the count of email; the address's count stays, so
// that succeeding at one account does not reset a client's tries at others.
func (s *Store) SignInSucceeded(ctx context.Context, email string) error {
	emailKey, _ := signInKeys(email, "")
	// Read first: an API client signing in with HTTP Basic does so on
	// every request, and most have nothing to clear.
	if n, _, err := s.Attempts(ctx, emailKey, time.Time{}); err != nil || n == 0 {
		return err
	}
	return s.ForgetAttempts(ctx, emailKey)
}
