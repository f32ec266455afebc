package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// Session is a signed-in browser, as stored: the hash of its id, never the
// id itself.
type Session struct {
	ID     int64
	UserID int64
	// SecondFactor is whether the session passed the two-factor step; a
	// session of a user without 2FA has it from the start.
	SecondFactor bool
	UserAgent    string
	RemoteAddr   string
	CreatedAt    time.Time
	LastSeenAt   time.Time
}

// NewSession is what CreateSession needs.
type NewSession struct {
	UserID       int64
	SecondFactor bool
	UserAgent    string
	RemoteAddr   string
}

// SignUpPolicy says who may create a user through SignUp.
type SignUpPolicy int

const (
	// SignUpClosed lets only the first user of an installation sign up.
	SignUpClosed SignUpPolicy = iota
	// SignUpOpen lets anyone sign up.
	SignUpOpen
)

// sessionGrain is how stale last_seen_at may get, as for tokens.
const sessionGrain = time.Minute

// SignUp creates a user with a personal account, as CreateUser does, and
// makes the first user of the installation its administrator. After the
// first, SignUpClosed refuses with ErrForbidden. The check and the insert
// are one transaction, so two people racing to be first cannot both be.
// The audit log of the new account records the sign-up, with a's address;
// the actor is the new user.
func (s *Store) SignUp(ctx context.Context, a Actor, email, password string, policy SignUpPolicy) (User, Account, error) {
	email, err := normalEmail(email)
	if err != nil {
		return User{}, Account{}, err
	}
	hash, err := s.hashPassword(password)
	if err != nil {
		return User{}, Account{}, err
	}
	t := now()
	u := User{Email: email, CreatedAt: t, UpdatedAt: t}
	var acc Account
	err = s.tx(ctx, func(d db) error {
		if s.pg {
			// Serialize sign-ups so that "first" means one user.
			if _, err := d.exec(ctx, "LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE"); err != nil {
				return fmt.Errorf("sign up %s: %w", email, err)
			}
		}
		var n int
		if err := d.row(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			return fmt.Errorf("sign up %s: %w", email, err)
		}
		if n > 0 && policy != SignUpOpen {
			return fmt.Errorf("sign up %s: sign-ups are closed: %w", email, zone.ErrForbidden)
		}
		err := d.row(ctx, "INSERT INTO users (email, password_hash, admin, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			email, hash, n == 0, t, t).Scan(&u.ID)
		if isUnique(err) {
			return fmt.Errorf("sign up %s: %w", email, &conflictError{field: "email", msg: email + " has an account already"})
		}
		if err != nil {
			return fmt.Errorf("sign up %s: %w", email, err)
		}
		if acc, err = createAccount(ctx, d, u.ID, email, true); err != nil {
			return err
		}
		return auditNewUser(ctx, d, a, "user.sign_up", u, acc)
	})
	if err != nil {
		return User{}, Account{}, err
	}
	return u, acc, nil
}

// UserCount returns how many users there are: none on a fresh installation.
func (s *Store) UserCount(ctx context.Context) (int, error) {
	var n int
	if err := s.read().row(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// IsAdmin reports whether a user administers the installation.
func (s *Store) IsAdmin(ctx context.Context, userID int64) (bool, error) {
	var admin bool
	err := s.read().row(ctx, "SELECT admin FROM users WHERE id = ?", userID).Scan(&admin)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("find user %d: %w", userID, zone.ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("find user %d: %w", userID, err)
	}
	return admin, nil
}

func newSessionID() string {
	var raw [32]byte
	rand.Read(raw[:])
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

const sessionCols = "id, user_id, second_factor, user_agent, remote_addr, created_at, last_seen_at"

func scanSession(r interface{ Scan(...any) error }) (Session, error) {
	var ss Session
	err := r.Scan(&ss.ID, &ss.UserID, &ss.SecondFactor, &ss.UserAgent, &ss.RemoteAddr, &ss.CreatedAt, &ss.LastSeenAt)
	ss.CreatedAt, ss.LastSeenAt = ss.CreatedAt.UTC(), ss.LastSeenAt.UTC()
	return ss, err
}

func insertSession(ctx context.Context, d db, ns NewSession) (string, Session, error) {
	id := newSessionID()
	t := now()
	ss := Session{UserID: ns.UserID, SecondFactor: ns.SecondFactor, UserAgent: truncate(ns.UserAgent, 256),
		RemoteAddr: truncate(ns.RemoteAddr, 64), CreatedAt: t, LastSeenAt: t}
	err := d.row(ctx, "INSERT INTO sessions (hash, user_id, second_factor, user_agent, remote_addr, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
		hashToken(id), ss.UserID, ss.SecondFactor, ss.UserAgent, ss.RemoteAddr, t, t).Scan(&ss.ID)
	if err != nil {
		return "", Session{}, fmt.Errorf("create session for user %d: %w", ns.UserID, err)
	}
	return id, ss, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// CreateSession starts a session for a user and returns its id, the
// cookie's value, which is stored nowhere: only its SHA-256 is kept.
func (s *Store) CreateSession(ctx context.Context, ns NewSession) (id string, ss Session, err error) {
	err = s.tx(ctx, func(d db) error {
		if _, err := s.userExists(ctx, d, ns.UserID); err != nil {
			return err
		}
		id, ss, err = insertSession(ctx, d, ns)
		return err
	})
	return id, ss, err
}

// SessionUser returns the session whose id this is and its user, and notes
// that it was seen (to the minute). A session last seen before idleSince,
// or unknown, is ErrForbidden; an idle one is deleted.
func (s *Store) SessionUser(ctx context.Context, id string, idleSince time.Time) (Session, User, error) {
	forbidden := fmt.Errorf("find session: %w", zone.ErrForbidden)
	if id == "" {
		return Session{}, User{}, forbidden
	}
	ss, err := scanSession(s.read().row(ctx, "SELECT "+sessionCols+" FROM sessions WHERE hash = ?", hashToken(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, forbidden
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("find session: %w", err)
	}
	if ss.LastSeenAt.Before(idleSince) {
		err := s.tx(ctx, func(d db) error {
			_, err := d.exec(ctx, "DELETE FROM sessions WHERE id = ?", ss.ID)
			return err
		})
		if err != nil {
			return Session{}, User{}, fmt.Errorf("delete idle session %d: %w", ss.ID, err)
		}
		return Session{}, User{}, forbidden
	}
	u, err := s.User(ctx, ss.UserID)
	if err != nil {
		return Session{}, User{}, fmt.Errorf("find session: %w", err)
	}
	if n := now(); n.Sub(ss.LastSeenAt) >= sessionGrain {
		err := s.tx(ctx, func(d db) error {
			_, err := d.exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", n, ss.ID)
			return err
		})
		if err != nil {
			return Session{}, User{}, fmt.Errorf("note use of session %d: %w", ss.ID, err)
		}
		ss.LastSeenAt = n
	}
	return ss, u, nil
}

// RotateSession replaces a session by a new one with a new id, as after the
// two-factor step, and returns the new id. The old id stops working.
func (s *Store) RotateSession(ctx context.Context, old string, secondFactor bool) (id string, ss Session, err error) {
	err = s.tx(ctx, func(d db) error {
		prev, err := scanSession(d.row(ctx, "SELECT "+sessionCols+" FROM sessions WHERE hash = ?", hashToken(old)))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("rotate session: %w", zone.ErrForbidden)
		}
		if err != nil {
			return fmt.Errorf("rotate session: %w", err)
		}
		if _, err := d.exec(ctx, "DELETE FROM sessions WHERE id = ?", prev.ID); err != nil {
			return fmt.Errorf("rotate session %d: %w", prev.ID, err)
		}
		id, ss, err = insertSession(ctx, d, NewSession{UserID: prev.UserID, SecondFactor: secondFactor,
			UserAgent: prev.UserAgent, RemoteAddr: prev.RemoteAddr})
		return err
	})
	return id, ss, err
}

// Sessions returns a user's sessions, the most recently seen first.
func (s *Store) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	ss, err := queryAll(ctx, s.read(), scanSession, "SELECT "+sessionCols+" FROM sessions WHERE user_id = ? ORDER BY last_seen_at DESC, id DESC", userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions of user %d: %w", userID, err)
	}
	return ss, nil
}

// RevokeSession ends one of a user's sessions (signing out is revoking
// one's own). Another user's session is ErrNotFound.
func (s *Store) RevokeSession(ctx context.Context, userID, sessionID int64) error {
	return s.tx(ctx, func(d db) error {
		res, err := d.exec(ctx, "DELETE FROM sessions WHERE id = ? AND user_id = ?", sessionID, userID)
		if err != nil {
			return fmt.Errorf("revoke session %d: %w", sessionID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("revoke session %d: %w", sessionID, zone.ErrNotFound)
		}
		return nil
	})
}
