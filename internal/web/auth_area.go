package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// authStore is what the sign-in and account-security pages need beyond
// Store's core: two-factor enrollment, recovery codes, password reset and
// email verification.
type authStore interface {
	User(ctx context.Context, id int64) (store.User, error)
	UserByEmail(ctx context.Context, email string) (store.User, error)

	StartTwoFactor(ctx context.Context, userID int64, secret string) error
	PendingTwoFactor(ctx context.Context, userID int64) (string, error)
	EnableTwoFactor(ctx context.Context, userID int64, secret string, keepSession int64) ([]string, error)
	DisableTwoFactor(ctx context.Context, userID int64) error
	RegenerateRecoveryCodes(ctx context.Context, userID int64) ([]string, error)
	UseRecoveryCode(ctx context.Context, userID int64, code string) error
	UseTOTPStep(ctx context.Context, userID, step int64) error
	RecoveryCodesLeft(ctx context.Context, userID int64) (int, error)

	ChangePassword(ctx context.Context, userID int64, password string, keepSession int64) error
	CreateLink(ctx context.Context, userID int64, purpose string, ttl time.Duration) (string, error)
	LinkUser(ctx context.Context, token, purpose string) (store.User, error)
	ResetPassword(ctx context.Context, token, password string) (store.User, error)
	VerifyEmail(ctx context.Context, token string) (store.User, error)

	// The sign-in throttle (proof), shared with the API.
	SignInWait(ctx context.Context, email, addr string, now time.Time) (time.Duration, error)
	SignInFailed(ctx context.Context, email, addr string, now time.Time) error
	SignInSucceeded(ctx context.Context, email string) error

	TwoFactorRequired(ctx context.Context, accountID int64) (bool, error)
	SetTwoFactorRequired(ctx context.Context, a store.Actor, accountID int64, on bool) error
}

const (
	// resetTTL is how long a password-reset link works.
	resetTTL = time.Hour
	// verifyTTL is how long an email-verification link works.
	verifyTTL = 7 * 24 * time.Hour
	// mailTimeout bounds the sending of one mail in the background.
	mailTimeout = time.Minute
	// Mails asked for by one address, and to one user, per throttle
	// window: enough for a lost mail, too few to flood a mailbox.
	mailsPerAddress = 10
	mailsPerUser    = 3
)

// authRoutes registers the account-security pages. The pages reached from
// mailed links (reset, verify) take their token in the query, not the
// path, so that the logs of failed requests (which name the path) never
// hold it.
func (wb *Web) authRoutes(mux *http.ServeMux) {
	mux.Handle("GET /security", wb.signedIn(wb.security))
	mux.Handle("POST /security/password", wb.signedIn(wb.passwordChange))
	mux.Handle("GET /security/two-factor", wb.signedIn(wb.twoFactorNew))
	mux.Handle("POST /security/two-factor", wb.signedIn(wb.twoFactorEnable))
	mux.Handle("POST /security/two-factor/disable", wb.signedIn(wb.twoFactorDisable))
	mux.Handle("POST /security/recovery-codes", wb.signedIn(wb.recoveryCodesCreate))
	mux.Handle("POST /security/verify-email", wb.signedIn(wb.verifyEmailSend))

	mux.Handle("GET /verify-email", wb.handle(wb.verifyEmailPage))
	mux.Handle("POST /verify-email", wb.handle(wb.verifyEmail))
	mux.Handle("GET /password/forgot", wb.handle(wb.passwordForgotPage))
	mux.Handle("POST /password/forgot", wb.handle(wb.passwordForgot))
	mux.Handle("GET /password/reset", wb.handle(wb.passwordResetPage))
	mux.Handle("POST /password/reset", wb.handle(wb.passwordReset))

	mux.Handle("GET /a/{account}/security", wb.signedIn(wb.accountSecurity))
	mux.Handle("POST /a/{account}/security", wb.signedIn(wb.accountSecurityUpdate))
}

// twoFactorGate sends a signed-in user without 2FA who opens a page of an
// account that requires it to turn it on first, and says whether it did.
// Only pages under /a/{account}/ are gated, and only for members (others
// get the page's 404). The API is not gated: its tokens are made by
// members who passed this gate, and HTTP Basic checks X-Dnsimple-OTP.
func (wb *Web) twoFactorGate(w http.ResponseWriter, r *http.Request) (bool, error) {
	u := visitOf(r).user
	if u == nil || u.OTPSecret != "" {
		return false, nil
	}
	id, err := strconv.ParseInt(r.PathValue("account"), 10, 64)
	if err != nil || id <= 0 {
		return false, nil
	}
	required, err := wb.store.TwoFactorRequired(r.Context(), id)
	if errors.Is(err, zone.ErrNotFound) || (err == nil && !required) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := wb.store.Role(r.Context(), id, u.ID); errors.Is(err, zone.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	wb.flash(w, r, "This account requires two-factor authentication of its members. Turn it on to continue.")
	target := "/security/two-factor"
	if r.Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return true, nil
}

// mailLater sends a mail in the background: the page answers as fast
// whether or not a mail goes out (the forgotten-password form must not
// tell by its timing whether an address has a user), and a slow relay
// does not hold the request. A failure is logged without the mail's text,
// which holds a link.
func (wb *Web) mailLater(m mail.Message) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), mailTimeout)
		defer cancel()
		if err := wb.cfg.Mail.Send(ctx, m); err != nil {
			wb.log.Error("send mail", "subject", m.Subject, "err", err)
		}
	}()
}

// securityNotice tells a user by mail that something guarding their
// account changed, so that a change they did not make does not go
// unnoticed: what, when, and from which address. It holds no secret and no
// link that acts; the way back is the forgotten-password page.
func (wb *Web) securityNotice(r *http.Request, email, what string) {
	wb.mailLater(mail.Message{
		To:      email,
		Subject: "Zonewarden: " + what,
		Body: fmt.Sprintf("%s: %s, from the address %s.\n\nIf this was you, there is nothing to do.\n\nIf it was not, someone else can sign in as you: reset your password at %s/password/forgot, review the sessions and tokens of your account once you are back in, and tell the administrator of this Zonewarden.\n",
			strings.ToUpper(what[:1])+what[1:], time.Now().UTC().Format("Monday 2 January 2006 at 15:04 UTC"), clientAddr(r), wb.linkBase(r)),
	})
}

// sendVerification mails a user a link that verifies their address.
func (wb *Web) sendVerification(r *http.Request, u store.User) error {
	token, err := wb.store.CreateLink(r.Context(), u.ID, store.LinkVerify, verifyTTL)
	if err != nil {
		return err
	}
	wb.mailLater(mail.Message{
		To:      u.Email,
		Subject: "Verify your email address for Zonewarden",
		Body: fmt.Sprintf("Someone, probably you, signed up to Zonewarden with this address.\n\nConfirm that it is yours here:\n\n%s/verify-email?token=%s\n\nThe link works once, for 7 days. If you did not sign up, ignore this mail.\n",
			wb.linkBase(r), url.QueryEscape(token)),
	})
	return nil
}

// requireVerified refuses what users whose email address is not verified
// may not do: invite people (the installation's mail would be theirs to
// send anywhere) and join teams (access given to an address goes to one
// who proved they read it).
func requireVerified(r *http.Request, what string) error {
	if u := visitOf(r).user; u != nil && u.EmailVerifiedAt == nil {
		return forbidden("Verify your email address before " + what + ": follow the link we mailed you, or send a new one from your security page (/security).")
	}
	return nil
}
