package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// User is a person who signs in.
type User struct {
	ID    int64
	Email string
	// OTPSecret is the user's TOTP secret; empty when 2FA is off. The API
	// checks X-Dnsimple-OTP against it. It is sealed at rest.
	OTPSecret string
	// EmailVerifiedAt is when the user proved they read mail at Email; nil
	// until then.
	EmailVerifiedAt *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Account owns domains and everything in them. Every user has a personal
// account; team accounts have several members.
type Account struct {
	ID             int64
	Email          string
	Name           string
	PlanIdentifier string
	Personal       bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Role is what a member may do in an account.
type Role string

// The roles, from most to least powerful.
const (
	RoleOwner    Role = "owner"
	RoleAdmin    Role = "admin"
	RoleMember   Role = "member"
	RoleReadOnly Role = "read-only"
)

// Token is an API token as stored: its hash, never its plaintext.
type Token struct {
	ID        int64
	AccountID int64
	// UserID is the user a user token acts as; nil for an account token,
	// which acts as the account itself.
	UserID     *int64
	Name       string
	LastUsedAt *time.Time
	ExpiresAt  *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time
}

// NewToken is what CreateToken needs.
type NewToken struct {
	AccountID int64
	UserID    *int64 // nil for an account token
	Name      string
	ExpiresAt *time.Time
}

// Principal is who a token authenticates.
type Principal struct {
	User    *User    // set for user tokens
	Account *Account // set for account tokens
	TokenID int64
}

const (
	personalPlan = "personal"
	teamPlan     = "teams"
	tokenPrefix  = "zw_"
	// lastUsedGrain is how stale last_used_at may get: a token used many
	// times a second costs one write a minute, not one a request.
	lastUsedGrain = time.Minute
)

func normalEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email {
		return "", invalid("email", fmt.Sprintf("%q is not an email address", email))
	}
	return email, nil
}

// hashPassword is the one place a new password is judged and hashed
// (argon2id, with the store's parameters): at least 8 characters.
func (s *Store) hashPassword(password string) (string, error) {
	if len(password) < 8 {
		return "", invalid("password", "is shorter than 8 characters")
	}
	hash, err := argon2id.CreateHash(password, &s.cfg.argon)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// CreateUser creates a user with a personal account that the user owns.
func (s *Store) CreateUser(ctx context.Context, email, password string) (User, Account, error) {
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
	var a Account
	err = s.tx(ctx, func(d db) error {
		// An administrator vouches for the address of the users they create.
		u.EmailVerifiedAt = &t
		err := d.row(ctx, "INSERT INTO users (email, password_hash, email_verified_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			email, hash, t, t, t).Scan(&u.ID)
		if isUnique(err) {
			return fmt.Errorf("create user %s: %w", email, &conflictError{field: "email", msg: email + " has an account already"})
		}
		if err != nil {
			return fmt.Errorf("create user %s: %w", email, err)
		}
		if a, err = createAccount(ctx, d, u.ID, email, true); err != nil {
			return err
		}
		return auditNewUser(ctx, d, Actor{Label: "zonewarden admin"}, "user.create", u, a)
	})
	if err != nil {
		return User{}, Account{}, err
	}
	return u, a, nil
}

// auditNewUser records the creation of a user, with their personal
// account, in that account's log: by an administrator ("user.create") or by
// signing up ("user.sign_up"), when the actor is the new user.
func auditNewUser(ctx context.Context, d db, a Actor, action string, u User, acc Account) error {
	if action == "user.sign_up" && a.UserID == nil {
		a.UserID, a.Label = &u.ID, u.Email
	}
	return audit(ctx, d, a, acc.ID, action, "user", u.ID, nil,
		map[string]any{"id": u.ID, "email": u.Email, "account_id": acc.ID})
}

func createAccount(ctx context.Context, d db, owner int64, email string, personal bool) (Account, error) {
	t := now()
	a := Account{Email: email, PlanIdentifier: teamPlan, Personal: personal, CreatedAt: t, UpdatedAt: t}
	if personal {
		a.PlanIdentifier = personalPlan
	}
	err := d.row(ctx, "INSERT INTO accounts (email, name, plan_identifier, personal, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		a.Email, a.Name, a.PlanIdentifier, a.Personal, t, t).Scan(&a.ID)
	if err != nil {
		return Account{}, fmt.Errorf("create account: %w", err)
	}
	if _, err := d.exec(ctx, "INSERT INTO memberships (account_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
		a.ID, owner, string(RoleOwner), t); err != nil {
		return Account{}, fmt.Errorf("add owner to account %d: %w", a.ID, err)
	}
	return a, nil
}

const userCols = "id, email, COALESCE(otp_secret, ''), email_verified_at, created_at, updated_at"

// scanUser reads userCols. OTPSecret is as stored (sealed): the Store's
// readers open it (openOTP).
func scanUser(r interface{ Scan(...any) error }) (User, error) {
	var u User
	var verified sql.NullTime
	err := r.Scan(&u.ID, &u.Email, &u.OTPSecret, &verified, &u.CreatedAt, &u.UpdatedAt)
	u.CreatedAt, u.UpdatedAt, u.EmailVerifiedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC(), nullTime(verified)
	return u, err
}

// UserByPassword returns the user whose email and password these are. Any
// mismatch is ErrForbidden, and takes as long whether or not the email is
// known, so that logins do not reveal who has an account.
func (s *Store) UserByPassword(ctx context.Context, email, password string) (User, error) {
	var hash string
	u, err := scanUserHash(s.read().row(ctx, "SELECT "+userCols+", password_hash FROM users WHERE email = ?",
		strings.ToLower(strings.TrimSpace(email))), &hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		s.dummyOnce.Do(func() { s.dummyHash, _ = argon2id.CreateHash("not a password", &s.cfg.argon) })
		argon2id.ComparePasswordAndHash(password, s.dummyHash)
		return User{}, fmt.Errorf("check password: %w", zone.ErrForbidden)
	case err != nil:
		return User{}, fmt.Errorf("check password: %w", err)
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return User{}, fmt.Errorf("check password of user %d: %w", u.ID, err)
	}
	if !ok {
		return User{}, fmt.Errorf("check password: %w", zone.ErrForbidden)
	}
	return s.openOTP(u)
}

func scanUserHash(r *sql.Row, hash *string) (User, error) {
	var u User
	var verified sql.NullTime
	err := r.Scan(&u.ID, &u.Email, &u.OTPSecret, &verified, &u.CreatedAt, &u.UpdatedAt, hash)
	u.CreatedAt, u.UpdatedAt, u.EmailVerifiedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC(), nullTime(verified)
	return u, err
}

// UserByEmail returns the user with that email.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.read().row(ctx, "SELECT "+userCols+" FROM users WHERE email = ?", strings.ToLower(strings.TrimSpace(email))))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("find user %s: %w", email, zone.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("find user %s: %w", email, err)
	}
	return s.openOTP(u)
}

// User returns the user with that id.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.read().row(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("find user %d: %w", id, zone.ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("find user %d: %w", id, err)
	}
	return s.openOTP(u)
}

// SetOTPSecret turns 2FA on for a user (off with an empty secret), without
// the enrollment's confirmation or recovery codes: for administrators and
// tests. The dashboard enrolls with StartTwoFactor and EnableTwoFactor.
func (s *Store) SetOTPSecret(ctx context.Context, userID int64, secret string) error {
	var v any
	if secret != "" {
		v = s.sealSecret(secret, otpWhere(userID))
	}
	return s.tx(ctx, func(d db) error {
		res, err := d.exec(ctx, "UPDATE users SET otp_secret = ?, updated_at = ? WHERE id = ?", v, now(), userID)
		if err != nil {
			return fmt.Errorf("set otp secret of user %d: %w", userID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("set otp secret of user %d: %w", userID, zone.ErrNotFound)
		}
		return nil
	})
}

func (s *Store) userExists(ctx context.Context, d db, id int64) (bool, error) {
	var one int
	err := d.row(ctx, "SELECT 1 FROM users WHERE id = ?", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("find user %d: %w", id, zone.ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("find user %d: %w", id, err)
	}
	return true, nil
}

// AddMember makes a user a member of an account with a role, or changes the
// role of a member: the administrator's way in, audited as "zonewarden
// admin". As with SetRole, the last owner stays one (ErrConflict).
func (s *Store) AddMember(ctx context.Context, accountID, userID int64, role Role) error {
	switch role {
	case RoleOwner, RoleAdmin, RoleMember, RoleReadOnly:
	default:
		return invalid("role", fmt.Sprintf("%q is not owner, admin, member or read-only", role))
	}
	return s.tx(ctx, func(d db) error {
		if _, err := s.userExists(ctx, d, userID); err != nil {
			return err
		}
		if _, err := s.account(ctx, d, accountID); err != nil {
			return err
		}
		// Written by the administrator's tools: the log says so.
		a := Actor{Label: "zonewarden admin"}
		old, err := s.member(ctx, d, accountID, userID)
		switch {
		case err == nil:
			if old.Role == role {
				return nil
			}
			if err := keepsAnOwner(ctx, d, accountID, old); err != nil && role != RoleOwner {
				return err
			}
			if _, err := d.exec(ctx, "UPDATE memberships SET role = ? WHERE account_id = ? AND user_id = ?", string(role), accountID, userID); err != nil {
				return fmt.Errorf("add member %d to account %d: %w", userID, accountID, err)
			}
			m := old
			m.Role = role
			return audit(ctx, d, a, accountID, "member.update", "member", userID, old.audit(), m.audit())
		case !errors.Is(err, zone.ErrNotFound):
			return err
		}
		if _, err := d.exec(ctx, "INSERT INTO memberships (account_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
			accountID, userID, string(role), now()); err != nil {
			return fmt.Errorf("add member %d to account %d: %w", userID, accountID, err)
		}
		m, err := s.member(ctx, d, accountID, userID)
		if err != nil {
			return err
		}
		return audit(ctx, d, a, accountID, "member.add", "member", userID, nil, m.audit())
	})
}

const accountCols = "a.id, a.email, a.name, a.plan_identifier, a.personal, a.created_at, a.updated_at"

func scanAccount(r interface{ Scan(...any) error }) (Account, error) {
	var a Account
	err := r.Scan(&a.ID, &a.Email, &a.Name, &a.PlanIdentifier, &a.Personal, &a.CreatedAt, &a.UpdatedAt)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

func (s *Store) account(ctx context.Context, d db, id int64) (Account, error) {
	a, err := scanAccount(d.row(ctx, "SELECT "+accountCols+" FROM accounts a WHERE a.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("find account %d: %w", id, zone.ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("find account %d: %w", id, err)
	}
	return a, nil
}

// Account returns the account with that id. It is not scoped to a user:
// callers check Role first.
func (s *Store) Account(ctx context.Context, id int64) (Account, error) {
	return s.account(ctx, s.read(), id)
}

// Accounts returns the accounts a user is a member of, by id.
func (s *Store) Accounts(ctx context.Context, userID int64) ([]Account, error) {
	rows, err := s.read().query(ctx, "SELECT "+accountCols+" FROM accounts a JOIN memberships m ON m.account_id = a.id WHERE m.user_id = ? ORDER BY a.id", userID)
	if err != nil {
		return nil, fmt.Errorf("list accounts of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("list accounts of user %d: %w", userID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list accounts of user %d: %w", userID, err)
	}
	return out, nil
}

// Role returns a user's role in an account; ErrNotFound if the user is not a
// member.
func (s *Store) Role(ctx context.Context, accountID, userID int64) (Role, error) {
	var r string
	err := s.read().row(ctx, "SELECT role FROM memberships WHERE account_id = ? AND user_id = ?", accountID, userID).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find role of user %d in account %d: %w", userID, accountID, zone.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("find role of user %d in account %d: %w", userID, accountID, err)
	}
	return Role(r), nil
}

func hashToken(plaintext string) string {
	h := sha256.Sum256([]byte(plaintext))
	return hex.EncodeToString(h[:])
}

// CreateToken creates an API token and returns its plaintext, which is
// stored nowhere: only its SHA-256 is kept. A user token's user must be a
// member of the account.
func (s *Store) CreateToken(ctx context.Context, nt NewToken) (plaintext string, tok Token, err error) {
	if p := textProblem(nt.Name, 255, false); p != "" {
		return "", Token{}, invalid("name", p)
	}
	var raw [32]byte
	rand.Read(raw[:])
	plaintext = tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	t := now()
	tok = Token{AccountID: nt.AccountID, UserID: nt.UserID, Name: nt.Name, CreatedAt: t}
	if nt.ExpiresAt != nil {
		e := nt.ExpiresAt.UTC().Truncate(time.Microsecond)
		tok.ExpiresAt = &e
	}
	err = s.tx(ctx, func(d db) error {
		if _, err := s.account(ctx, d, nt.AccountID); err != nil {
			return err
		}
		if nt.UserID != nil {
			var one int
			err := d.row(ctx, "SELECT 1 FROM memberships WHERE account_id = ? AND user_id = ?", nt.AccountID, *nt.UserID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("create token: user %d is not a member of account %d: %w", *nt.UserID, nt.AccountID, zone.ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("create token: %w", err)
			}
		}
		err := d.row(ctx, "INSERT INTO tokens (account_id, user_id, name, hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			nt.AccountID, nt.UserID, nt.Name, hashToken(plaintext), tok.ExpiresAt, t).Scan(&tok.ID)
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		return audit(ctx, d, Actor{UserID: nt.UserID}, nt.AccountID, "token.create", "token", tok.ID, nil, tokenAudit(tok))
	})
	if err != nil {
		return "", Token{}, err
	}
	return plaintext, tok, nil
}

func tokenAudit(t Token) map[string]any {
	return map[string]any{"id": t.ID, "name": t.Name, "user_id": t.UserID, "expires_at": t.ExpiresAt}
}

const tokenCols = "id, account_id, user_id, name, last_used_at, expires_at, revoked_at, created_at"

func scanToken(r interface{ Scan(...any) error }) (Token, error) {
	var (
		t                     Token
		user                  sql.NullInt64
		used, expires, revoke sql.NullTime
	)
	err := r.Scan(&t.ID, &t.AccountID, &user, &t.Name, &used, &expires, &revoke, &t.CreatedAt)
	t.UserID, t.LastUsedAt, t.ExpiresAt, t.RevokedAt = nullInt(user), nullTime(used), nullTime(expires), nullTime(revoke)
	t.CreatedAt = t.CreatedAt.UTC()
	return t, err
}

// Authenticate returns who a token's plaintext stands for, and notes that the
// token was used (to the minute). An unknown, revoked or expired token, or
// one whose user left the account, is ErrForbidden.
func (s *Store) Authenticate(ctx context.Context, plaintext string) (Principal, error) {
	forbidden := fmt.Errorf("authenticate token: %w", zone.ErrForbidden)
	if !strings.HasPrefix(plaintext, tokenPrefix) {
		return Principal{}, forbidden
	}
	hash := hashToken(plaintext)
	n := now()
	if p, ok := s.tokens.get(hash, n); ok {
		return p, nil
	}
	gen := s.tokens.generation()
	d := s.read()
	t, err := scanToken(d.row(ctx, "SELECT "+tokenCols+" FROM tokens WHERE hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, forbidden
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate token: %w", err)
	}
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !n.Before(*t.ExpiresAt)) {
		return Principal{}, forbidden
	}
	p := Principal{TokenID: t.ID}
	if t.UserID != nil {
		if _, err := s.Role(ctx, t.AccountID, *t.UserID); errors.Is(err, zone.ErrNotFound) {
			return Principal{}, forbidden
		} else if err != nil {
			return Principal{}, fmt.Errorf("authenticate token: %w", err)
		}
		u, err := s.User(ctx, *t.UserID)
		if err != nil {
			return Principal{}, fmt.Errorf("authenticate token: %w", err)
		}
		p.User = &u
	} else {
		a, err := s.account(ctx, d, t.AccountID)
		if err != nil {
			return Principal{}, fmt.Errorf("authenticate token: %w", err)
		}
		p.Account = &a
	}
	if t.LastUsedAt == nil || n.Sub(*t.LastUsedAt) >= lastUsedGrain {
		err := s.tx(ctx, func(d db) error {
			_, err := d.exec(ctx, "UPDATE tokens SET last_used_at = ? WHERE id = ?", n, t.ID)
			return err
		})
		if err != nil {
			return Principal{}, fmt.Errorf("note use of token %d: %w", t.ID, err)
		}
		return p, nil // not kept: that write moved the generation, and a revocation may have come before it
	}
	until := n.Add(tokenCacheTTL)
	if t.ExpiresAt != nil && t.ExpiresAt.Before(until) {
		until = *t.ExpiresAt
	}
	s.tokens.put(hash, gen, p, until)
	return p, nil
}

// Tokens returns an account's tokens, revoked ones included, by id.
func (s *Store) Tokens(ctx context.Context, accountID int64) ([]Token, error) {
	ts, err := queryAll(ctx, s.read(), scanToken, "SELECT "+tokenCols+" FROM tokens WHERE account_id = ? ORDER BY id", accountID)
	if err != nil {
		return nil, fmt.Errorf("list tokens of account %d: %w", accountID, err)
	}
	return ts, nil
}

// RevokeToken revokes one of an account's tokens. Revoking a revoked token
// does nothing.
func (s *Store) RevokeToken(ctx context.Context, accountID, tokenID int64) error {
	return s.tx(ctx, func(d db) error {
		t, err := scanToken(d.row(ctx, "SELECT "+tokenCols+" FROM tokens WHERE id = ? AND account_id = ?", tokenID, accountID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("revoke token %d: %w", tokenID, zone.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("revoke token %d: %w", tokenID, err)
		}
		if t.RevokedAt != nil {
			return nil
		}
		if _, err := d.exec(ctx, "UPDATE tokens SET revoked_at = ? WHERE id = ?", now(), tokenID); err != nil {
			return fmt.Errorf("revoke token %d: %w", tokenID, err)
		}
		return audit(ctx, d, Actor{}, accountID, "token.revoke", "token", tokenID, tokenAudit(t), nil)
	})
}
