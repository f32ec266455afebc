package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/zonewarden/zonewarden/internal/seal"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// Account security: two-factor enrollment and recovery codes, password
// changes and resets, email verification, and accounts that require 2FA.
//
// TOTP secrets are sealed (where "otp:<user id>", so that a sealed value
// copied to another user's row does not open); recovery codes and mailed
// links are high-entropy and stored as their SHA-256, like API tokens.

// RecoveryCodeCount is how many recovery codes an enrollment gives.
const RecoveryCodeCount = 10

// Purposes of mailed links.
const (
	LinkReset  = "reset"
	LinkVerify = "verify"
)

func otpWhere(userID int64) string     { return "otp:" + strconv.FormatInt(userID, 10) }
func pendingWhere(userID int64) string { return "otp-pending:" + strconv.FormatInt(userID, 10) }

// openOTP opens the sealed OTP secret of a user just read. A value that is
// not sealed was written by a version before sealing and not yet migrated
// (Migrate seals them): it is the secret itself.
func (s *Store) openOTP(u User) (User, error) {
	if u.OTPSecret == "" || !seal.IsSealed(u.OTPSecret) {
		return u, nil
	}
	v, err := s.openSecret(u.OTPSecret, otpWhere(u.ID))
	if err != nil {
		return User{}, fmt.Errorf("open otp secret of user %d: %w", u.ID, err)
	}
	u.OTPSecret = v
	return u, nil
}

// StartTwoFactor keeps secret as the user's enrollment in progress, to be
// confirmed with a code (EnableTwoFactor). It replaces any earlier one. A
// user with 2FA on already is ErrConflict.
func (s *Store) StartTwoFactor(ctx context.Context, userID int64, secret string) error {
	return s.tx(ctx, func(d db) error {
		res, err := d.exec(ctx, "UPDATE users SET otp_pending = ? WHERE id = ? AND (otp_secret IS NULL OR otp_secret = '')",
			s.sealSecret(secret, pendingWhere(userID)), userID)
		if err != nil {
			return fmt.Errorf("start two-factor enrollment of user %d: %w", userID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := s.userExists(ctx, d, userID); err != nil {
				return err
			}
			return fmt.Errorf("start two-factor enrollment of user %d: two-factor authentication is on: %w", userID, zone.ErrConflict)
		}
		return nil
	})
}

// PendingTwoFactor returns the secret of the user's enrollment in
// progress; ErrNotFound when there is none.
func (s *Store) PendingTwoFactor(ctx context.Context, userID int64) (string, error) {
	return s.pending(ctx, s.read(), userID)
}

func (s *Store) pending(ctx context.Context, d db, userID int64) (string, error) {
	var sealed sql.NullString
	err := d.row(ctx, "SELECT otp_pending FROM users WHERE id = ?", userID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("find user %d: %w", userID, zone.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("find two-factor enrollment of user %d: %w", userID, err)
	}
	if !sealed.Valid || sealed.String == "" {
		return "", fmt.Errorf("user %d has no two-factor enrollment in progress: %w", userID, zone.ErrNotFound)
	}
	return s.openSecret(sealed.String, pendingWhere(userID))
}

// EnableTwoFactor turns 2FA on with the enrollment in progress, whose
// secret the caller has checked a code against (secret must be it: an
// enrollment restarted meanwhile is ErrConflict). It returns new recovery
// codes, which are stored hashed and cannot be read again, and ends the
// user's other sessions, which did not pass the second factor.
func (s *Store) EnableTwoFactor(ctx context.Context, userID int64, secret string, keepSession int64) ([]string, error) {
	var codes []string
	err := s.tx(ctx, func(d db) error {
		p, err := s.pending(ctx, d, userID)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(p), []byte(secret)) != 1 {
			return fmt.Errorf("enable two-factor of user %d: the enrollment changed: %w", userID, zone.ErrConflict)
		}
		if _, err := d.exec(ctx, "UPDATE users SET otp_secret = ?, otp_pending = NULL, otp_last_step = NULL, updated_at = ? WHERE id = ?",
			s.sealSecret(secret, otpWhere(userID)), now(), userID); err != nil {
			return fmt.Errorf("enable two-factor of user %d: %w", userID, err)
		}
		if codes, err = replaceRecoveryCodes(ctx, d, userID); err != nil {
			return err
		}
		if _, err := d.exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", userID, keepSession); err != nil {
			return fmt.Errorf("end other sessions of user %d: %w", userID, err)
		}
		return nil
	})
	return codes, err
}

// DisableTwoFactor turns 2FA off and deletes the recovery codes. The
// caller has checked the password or a code.
func (s *Store) DisableTwoFactor(ctx context.Context, userID int64) error {
	return s.tx(ctx, func(d db) error {
		res, err := d.exec(ctx, "UPDATE users SET otp_secret = NULL, otp_pending = NULL, otp_last_step = NULL, updated_at = ? WHERE id = ?", now(), userID)
		if err != nil {
			return fmt.Errorf("disable two-factor of user %d: %w", userID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("disable two-factor of user %d: %w", userID, zone.ErrNotFound)
		}
		if _, err := d.exec(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", userID); err != nil {
			return fmt.Errorf("delete recovery codes of user %d: %w", userID, err)
		}
		return nil
	})
}

// TOTPStep returns the time step (Unix time / 30 s) whose code code is, for
// the base32 secret: a 6-digit RFC 6238 code (SHA-1, 30-second steps) of
// t's step or of one step either side, for clocks that drift. Pass the step
// to UseTOTPStep, so that the code works once.
func TOTPStep(secret, code string, t time.Time) (int64, bool) {
	for _, d := range []time.Duration{0, -totpPeriod, totpPeriod} {
		at := t.Add(d)
		ok, err := totp.ValidateCustom(code, secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && ok {
			return at.Unix() / 30, true
		}
	}
	return 0, false
}

const totpPeriod = 30 * time.Second

// UseTOTPStep records that a user signed in with the TOTP code of time
// step (Unix time / 30 s), so that this code, and any earlier one, does
// not work again. A step not after the last used one is ErrForbidden.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) error {
	return s.tx(ctx, func(d db) error {
		res, err := d.exec(ctx, "UPDATE users SET otp_last_step = ? WHERE id = ? AND (otp_last_step IS NULL OR otp_last_step < ?)", step, userID, step)
		if err != nil {
			return fmt.Errorf("use totp step of user %d: %w", userID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("use totp step of user %d: the code was used already: %w", userID, zone.ErrForbidden)
		}
		return nil
	})
}

// RegenerateRecoveryCodes replaces a user's recovery codes (used or not)
// by new ones. A user without 2FA is ErrConflict.
func (s *Store) RegenerateRecoveryCodes(ctx context.Context, userID int64) ([]string, error) {
	var codes []string
	err := s.tx(ctx, func(d db) error {
		var on bool
		err := d.row(ctx, "SELECT otp_secret IS NOT NULL AND otp_secret <> '' FROM users WHERE id = ?", userID).Scan(&on)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find user %d: %w", userID, zone.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("find user %d: %w", userID, err)
		}
		if !on {
			return fmt.Errorf("regenerate recovery codes of user %d: two-factor authentication is off: %w", userID, zone.ErrConflict)
		}
		codes, err = replaceRecoveryCodes(ctx, d, userID)
		return err
	})
	return codes, err
}

func replaceRecoveryCodes(ctx context.Context, d db, userID int64) ([]string, error) {
	if _, err := d.exec(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", userID); err != nil {
		return nil, fmt.Errorf("delete recovery codes of user %d: %w", userID, err)
	}
	t := now()
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		// rand.Text is 26 base32 characters; 10 of them are 50 bits, plenty
		// for a code that is tried under the sign-in throttle.
		c := strings.ToLower(rand.Text()[:10])
		codes[i] = c[:5] + "-" + c[5:]
		if _, err := d.exec(ctx, "INSERT INTO recovery_codes (user_id, hash, created_at) VALUES (?, ?, ?)",
			userID, hashToken(normalRecoveryCode(codes[i])), t); err != nil {
			return nil, fmt.Errorf("store recovery code of user %d: %w", userID, err)
		}
	}
	return codes, nil
}

// normalRecoveryCode is a code as people may type it, without dashes,
// spaces or capitals.
func normalRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

// UseRecoveryCode spends one of a user's recovery codes: it works once.
// A wrong or used code is ErrForbidden.
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, code string) error {
	c := normalRecoveryCode(code)
	if len(c) != 10 {
		return fmt.Errorf("use recovery code: %w", zone.ErrForbidden)
	}
	return s.tx(ctx, func(d db) error {
		res, err := d.exec(ctx, "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL",
			now(), userID, hashToken(c))
		if err != nil {
			return fmt.Errorf("use recovery code of user %d: %w", userID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("use recovery code: %w", zone.ErrForbidden)
		}
		return nil
	})
}

// RecoveryCodesLeft is how many unused recovery codes a user has.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.read().row(ctx, "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count recovery codes of user %d: %w", userID, err)
	}
	return n, nil
}

// setPassword writes a new password hash and ends the user's sessions but
// keepSession (0: all of them).
func (s *Store) setPassword(ctx context.Context, d db, userID int64, password string, keepSession int64) error {
	hash, err := s.hashPassword(password)
	if err != nil {
		return err
	}
	res, err := d.exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now(), userID)
	if err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set password of user %d: %w", userID, zone.ErrNotFound)
	}
	if _, err := d.exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", userID, keepSession); err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	// Reset links mailed before lose their use: the password they were
	// for is gone.
	if _, err := d.exec(ctx, "UPDATE user_links SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL", now(), userID, LinkReset); err != nil {
		return fmt.Errorf("end reset links of user %d: %w", userID, err)
	}
	return nil
}

// ChangePassword sets a user's password (the caller has checked the
// current one) and ends the user's other sessions.
func (s *Store) ChangePassword(ctx context.Context, userID int64, password string, keepSession int64) error {
	return s.tx(ctx, func(d db) error { return s.setPassword(ctx, d, userID, password, keepSession) })
}

// CreateLink makes a single-use link token for a user, for purpose
// (LinkReset, LinkVerify), valid for ttl and for the user's current email
// address, and returns it: only its hash is kept. Earlier unused links of
// the same purpose stop working.
func (s *Store) CreateLink(ctx context.Context, userID int64, purpose string, ttl time.Duration) (string, error) {
	if purpose != LinkReset && purpose != LinkVerify {
		return "", invalid("purpose", fmt.Sprintf("%q is not a link purpose", purpose))
	}
	token := newSessionID()
	err := s.tx(ctx, func(d db) error {
		var email string
		err := d.row(ctx, "SELECT email FROM users WHERE id = ?", userID).Scan(&email)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find user %d: %w", userID, zone.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("find user %d: %w", userID, err)
		}
		t := now()
		if _, err := d.exec(ctx, "UPDATE user_links SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL", t, userID, purpose); err != nil {
			return fmt.Errorf("end earlier %s links of user %d: %w", purpose, userID, err)
		}
		if _, err := d.exec(ctx, "INSERT INTO user_links (user_id, purpose, email, hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			userID, purpose, email, hashToken(token), t.Add(ttl), t); err != nil {
			return fmt.Errorf("create %s link of user %d: %w", purpose, userID, err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// mailedLink finds the user of an unused, unexpired link of purpose whose
// address is still the user's. Anything else is ErrNotFound.
func (s *Store) mailedLink(ctx context.Context, d db, token, purpose string) (linkID int64, u User, err error) {
	notFound := fmt.Errorf("find %s link: %w", purpose, zone.ErrNotFound)
	if token == "" {
		return 0, User{}, notFound
	}
	var email string
	var expires time.Time
	err = d.row(ctx, "SELECT id, user_id, email, expires_at FROM user_links WHERE hash = ? AND purpose = ? AND used_at IS NULL",
		hashToken(token), purpose).Scan(&linkID, &u.ID, &email, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, User{}, notFound
	}
	if err != nil {
		return 0, User{}, fmt.Errorf("find %s link: %w", purpose, err)
	}
	if !now().Before(expires.UTC()) {
		return 0, User{}, notFound
	}
	u, err = scanUser(d.row(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", u.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, User{}, notFound
	}
	if err != nil {
		return 0, User{}, fmt.Errorf("find %s link: %w", purpose, err)
	}
	if u.Email != email {
		return 0, User{}, notFound
	}
	u, err = s.openOTP(u)
	return linkID, u, err
}

// LinkUser returns the user a link is for, without using it: for the page
// the link opens. A used, expired or unknown link is ErrNotFound.
func (s *Store) LinkUser(ctx context.Context, token, purpose string) (User, error) {
	_, u, err := s.mailedLink(ctx, s.read(), token, purpose)
	return u, err
}

// ResetPassword uses a reset link: the user's password becomes password,
// and every session of the user ends.
func (s *Store) ResetPassword(ctx context.Context, token, password string) (User, error) {
	var u User
	err := s.tx(ctx, func(d db) error {
		id, lu, err := s.mailedLink(ctx, d, token, LinkReset)
		if err != nil {
			return err
		}
		u = lu
		if _, err := d.exec(ctx, "UPDATE user_links SET used_at = ? WHERE id = ?", now(), id); err != nil {
			return fmt.Errorf("use reset link: %w", err)
		}
		return s.setPassword(ctx, d, u.ID, password, 0)
	})
	return u, err
}

// VerifyEmail uses a verification link: the user's address is verified.
func (s *Store) VerifyEmail(ctx context.Context, token string) (User, error) {
	var u User
	err := s.tx(ctx, func(d db) error {
		id, lu, err := s.mailedLink(ctx, d, token, LinkVerify)
		if err != nil {
			return err
		}
		u = lu
		t := now()
		if _, err := d.exec(ctx, "UPDATE user_links SET used_at = ? WHERE id = ?", t, id); err != nil {
			return fmt.Errorf("use verification link: %w", err)
		}
		if u.EmailVerifiedAt == nil {
			if _, err := d.exec(ctx, "UPDATE users SET email_verified_at = ?, updated_at = ? WHERE id = ?", t, t, u.ID); err != nil {
				return fmt.Errorf("verify email of user %d: %w", u.ID, err)
			}
			u.EmailVerifiedAt = &t
		}
		return nil
	})
	return u, err
}

// TwoFactorRequired reports whether an account requires its members to
// have two-factor authentication on.
func (s *Store) TwoFactorRequired(ctx context.Context, accountID int64) (bool, error) {
	var on bool
	err := s.read().row(ctx, "SELECT require_2fa FROM accounts WHERE id = ?", accountID).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("find account %d: %w", accountID, zone.ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("find account %d: %w", accountID, err)
	}
	return on, nil
}

// SetTwoFactorRequired says whether an account requires 2FA of its
// members, in the account's audit log. The caller checks the actor's role.
func (s *Store) SetTwoFactorRequired(ctx context.Context, a Actor, accountID int64, on bool) error {
	return s.tx(ctx, func(d db) error {
		var was bool
		err := d.row(ctx, "SELECT require_2fa FROM accounts WHERE id = ?", accountID).Scan(&was)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find account %d: %w", accountID, zone.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("find account %d: %w", accountID, err)
		}
		if was == on {
			return nil
		}
		if _, err := d.exec(ctx, "UPDATE accounts SET require_2fa = ?, updated_at = ? WHERE id = ?", on, now(), accountID); err != nil {
			return fmt.Errorf("set two-factor requirement of account %d: %w", accountID, err)
		}
		return audit(ctx, d, a, accountID, "account.require_2fa", "account", accountID,
			map[string]any{"require_2fa": was}, map[string]any{"require_2fa": on})
	})
}
