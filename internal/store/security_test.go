package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/seal"
	"github.com/zonewarden/zonewarden/internal/zone"
)

func TestTwoFactorEnrollment(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		uid := ada.user.ID
		keep, _, err := s.CreateSession(ctx, NewSession{UserID: uid})
		if err != nil {
			t.Fatal(err)
		}
		kept, _, _ := s.SessionUser(ctx, keep, time.Time{})
		other, _, _ := s.CreateSession(ctx, NewSession{UserID: uid})

		if _, err := s.PendingTwoFactor(ctx, uid); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("pending before start: %v, want ErrNotFound", err)
		}
		if err := s.StartTwoFactor(ctx, uid, "FIRSTSECRETFIRST"); err != nil {
			t.Fatal(err)
		}
		if err := s.StartTwoFactor(ctx, uid, "JBSWY3DPEHPK3PXP"); err != nil {
			t.Fatal(err)
		}
		if p, err := s.PendingTwoFactor(ctx, uid); err != nil || p != "JBSWY3DPEHPK3PXP" {
			t.Fatalf("pending = %q, %v", p, err)
		}
		if u, _ := s.User(ctx, uid); u.OTPSecret != "" {
			t.Errorf("2FA on before confirmation")
		}
		if _, err := s.EnableTwoFactor(ctx, uid, "FIRSTSECRETFIRST", kept.ID); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("enable with a replaced enrollment: %v, want ErrConflict", err)
		}
		codes, err := s.EnableTwoFactor(ctx, uid, "JBSWY3DPEHPK3PXP", kept.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != RecoveryCodeCount {
			t.Fatalf("%d recovery codes", len(codes))
		}
		if u, err := s.User(ctx, uid); err != nil || u.OTPSecret != "JBSWY3DPEHPK3PXP" {
			t.Errorf("OTPSecret after enable = %q, %v", u.OTPSecret, err)
		}
		if u, err := s.UserByPassword(ctx, "ada@example.com", "correct horse battery"); err != nil || u.OTPSecret != "JBSWY3DPEHPK3PXP" {
			t.Errorf("UserByPassword's OTPSecret = %q, %v (the API's X-Dnsimple-OTP check needs it)", u.OTPSecret, err)
		}
		// Sealed at rest, for this user only.
		var raw string
		if err := s.read().row(ctx, "SELECT otp_secret FROM users WHERE id = ?", uid).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if !seal.IsSealed(raw) || strings.Contains(raw, "JBSWY3DPEHPK3PXP") {
			t.Errorf("otp_secret at rest = %q, want sealed", raw)
		}
		if _, err := s.PendingTwoFactor(ctx, uid); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("pending after enable: %v", err)
		}
		if err := s.StartTwoFactor(ctx, uid, "JBSWY3DPEHPK3PXP"); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("start while on: %v, want ErrConflict", err)
		}
		// Other sessions ended; this one kept.
		if _, _, err := s.SessionUser(ctx, other, time.Time{}); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("other session after enabling 2FA: %v, want ErrForbidden", err)
		}
		if _, _, err := s.SessionUser(ctx, keep, time.Time{}); err != nil {
			t.Errorf("kept session: %v", err)
		}

		// Recovery codes: each once, in any case and spacing.
		if err := s.UseRecoveryCode(ctx, uid, strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))); err != nil {
			t.Errorf("first use: %v", err)
		}
		if err := s.UseRecoveryCode(ctx, uid, codes[0]); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("second use: %v, want ErrForbidden", err)
		}
		bob := newFixture(t, s, "bob@example.com", "")
		if err := s.UseRecoveryCode(ctx, bob.user.ID, codes[1]); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("another user's code: %v, want ErrForbidden", err)
		}
		if err := s.UseRecoveryCode(ctx, uid, "aaaaa-aaaaa"); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("wrong code: %v, want ErrForbidden", err)
		}
		if n, _ := s.RecoveryCodesLeft(ctx, uid); n != RecoveryCodeCount-1 {
			t.Errorf("codes left = %d", n)
		}
		fresh, err := s.RegenerateRecoveryCodes(ctx, uid)
		if err != nil || len(fresh) != RecoveryCodeCount {
			t.Fatalf("regenerate: %d, %v", len(fresh), err)
		}
		if err := s.UseRecoveryCode(ctx, uid, codes[1]); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("old code after regeneration: %v", err)
		}
		if n, _ := s.RecoveryCodesLeft(ctx, uid); n != RecoveryCodeCount {
			t.Errorf("codes left after regeneration = %d", n)
		}
		if _, err := s.RegenerateRecoveryCodes(ctx, bob.user.ID); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("regenerate without 2FA: %v, want ErrConflict", err)
		}

		// A TOTP code works once: its step, and any earlier one, is refused.
		if err := s.UseTOTPStep(ctx, uid, 1000); err != nil {
			t.Fatal(err)
		}
		for _, step := range []int64{1000, 999} {
			if err := s.UseTOTPStep(ctx, uid, step); !errors.Is(err, zone.ErrForbidden) {
				t.Errorf("step %d after 1000: %v, want ErrForbidden", step, err)
			}
		}
		if err := s.UseTOTPStep(ctx, uid, 1001); err != nil {
			t.Errorf("a later step: %v", err)
		}

		if err := s.DisableTwoFactor(ctx, uid); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.User(ctx, uid); u.OTPSecret != "" {
			t.Errorf("2FA on after disable")
		}
		if n, _ := s.RecoveryCodesLeft(ctx, uid); n != 0 {
			t.Errorf("%d recovery codes after disable", n)
		}
	})
}

// TestSealPlaintextOTP: secrets written in plaintext by earlier versions
// still work, and Migrate seals them.
func TestSealPlaintextOTP(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		if err := s.tx(ctx, func(d db) error {
			_, err := d.exec(ctx, "UPDATE users SET otp_secret = ? WHERE id = ?", "JBSWY3DPEHPK3PXP", ada.user.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.User(ctx, ada.user.ID); u.OTPSecret != "JBSWY3DPEHPK3PXP" {
			t.Errorf("plaintext secret read as %q", u.OTPSecret)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var raw string
		s.read().row(ctx, "SELECT otp_secret FROM users WHERE id = ?", ada.user.ID).Scan(&raw)
		if !seal.IsSealed(raw) {
			t.Errorf("after Migrate, otp_secret = %q", raw)
		}
		if u, _ := s.User(ctx, ada.user.ID); u.OTPSecret != "JBSWY3DPEHPK3PXP" {
			t.Errorf("sealed secret read as %q", u.OTPSecret)
		}
		// A sealed value moved to another user's row does not open.
		bob := newFixture(t, s, "bob@example.com", "")
		s.tx(ctx, func(d db) error {
			_, err := d.exec(ctx, "UPDATE users SET otp_secret = ? WHERE id = ?", raw, bob.user.ID)
			return err
		})
		if _, err := s.User(ctx, bob.user.ID); err == nil {
			t.Errorf("another user's sealed secret opened")
		}
	})
}

func TestPasswordChangeAndReset(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		uid := ada.user.ID
		keep, _, _ := s.CreateSession(ctx, NewSession{UserID: uid})
		kept, _, _ := s.SessionUser(ctx, keep, time.Time{})
		other, _, _ := s.CreateSession(ctx, NewSession{UserID: uid})

		if err := s.ChangePassword(ctx, uid, "a new long password", kept.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByPassword(ctx, "ada@example.com", "correct horse battery"); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("old password: %v", err)
		}
		if _, err := s.UserByPassword(ctx, "ada@example.com", "a new long password"); err != nil {
			t.Errorf("new password: %v", err)
		}
		if _, _, err := s.SessionUser(ctx, other, time.Time{}); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("other session after change: %v", err)
		}
		if _, _, err := s.SessionUser(ctx, keep, time.Time{}); err != nil {
			t.Errorf("kept session after change: %v", err)
		}

		first, err := s.CreateLink(ctx, uid, LinkReset, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		token, err := s.CreateLink(ctx, uid, LinkReset, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.LinkUser(ctx, first, LinkReset); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("an earlier reset link: %v, want ErrNotFound", err)
		}
		if u, err := s.LinkUser(ctx, token, LinkReset); err != nil || u.ID != uid {
			t.Fatalf("LinkUser = %+v, %v", u, err)
		}
		if _, err := s.LinkUser(ctx, token, LinkVerify); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("a reset link used to verify: %v", err)
		}
		if _, err := s.ResetPassword(ctx, token, "short"); err == nil {
			t.Errorf("short password accepted")
		}
		u, err := s.ResetPassword(ctx, token, "the reset password")
		if err != nil || u.ID != uid {
			t.Fatalf("reset = %+v, %v", u, err)
		}
		if _, err := s.UserByPassword(ctx, "ada@example.com", "the reset password"); err != nil {
			t.Errorf("password after reset: %v", err)
		}
		if list, _ := s.Sessions(ctx, uid); len(list) != 0 {
			t.Errorf("%d sessions after reset, want 0", len(list))
		}
		if _, err := s.ResetPassword(ctx, token, "yet another password"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("reset link used twice: %v, want ErrNotFound", err)
		}
		expired, _ := s.CreateLink(ctx, uid, LinkReset, -time.Second)
		if _, err := s.ResetPassword(ctx, expired, "yet another password"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("expired link: %v, want ErrNotFound", err)
		}
		// Stored hashed.
		var n int
		s.read().row(ctx, "SELECT COUNT(*) FROM user_links WHERE hash = ?", token).Scan(&n)
		if n != 0 {
			t.Errorf("a link is stored in plaintext")
		}
	})
}

func TestEmailVerification(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		first, _, err := s.SignUp(ctx, "ada@example.com", "correct horse battery", SignUpClosed)
		if err != nil {
			t.Fatal(err)
		}
		if first.EmailVerifiedAt != nil {
			t.Errorf("signed-up user verified at once")
		}
		if created := newFixture(t, s, "bob@example.com", ""); created.user.EmailVerifiedAt == nil {
			t.Errorf("a user an administrator created is not verified")
		}
		token, err := s.CreateLink(ctx, first.ID, LinkVerify, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.VerifyEmail(ctx, token)
		if err != nil || u.EmailVerifiedAt == nil {
			t.Fatalf("verify = %+v, %v", u, err)
		}
		if got, _ := s.User(ctx, first.ID); got.EmailVerifiedAt == nil {
			t.Errorf("not verified after the link")
		}
		if _, err := s.VerifyEmail(ctx, token); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("verification link used twice: %v", err)
		}
	})
}

func TestTwoFactorRequired(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		if on, err := s.TwoFactorRequired(ctx, ada.account.ID); err != nil || on {
			t.Errorf("required by default = %v, %v", on, err)
		}
		if err := s.SetTwoFactorRequired(ctx, ada.actor, ada.account.ID, true); err != nil {
			t.Fatal(err)
		}
		if on, err := s.TwoFactorRequired(ctx, ada.account.ID); err != nil || !on {
			t.Errorf("required = %v, %v", on, err)
		}
		if got := auditActions(t, s, ada.account.ID, AuditFilter{}); len(got) == 0 || got[0] != "account.require_2fa" {
			t.Errorf("audit = %v", got)
		}
		if _, err := s.TwoFactorRequired(ctx, 9999); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("unknown account: %v", err)
		}
	})
}
