package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// codeForm is the two-factor step's form.
type codeForm struct {
	Next    string
	Message string
}

// signInCodePage is GET /sign-in/code: the second step for users with 2FA.
func (wb *Web) signInCodePage(w http.ResponseWriter, r *http.Request) error {
	v := visitOf(r)
	if v.pending == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	page := wb.view(r, "Two-factor authentication")
	page.Data = codeForm{Next: safeNext(r.URL.Query().Get("next"))}
	wb.render(w, r, http.StatusOK, "sign_in_code", page)
	return nil
}

// signInCode is POST /sign-in/code: a right code from the authenticator
// app, or an unused recovery code, finishes signing in, with a new session
// id. Wrong codes count against the same throttle as wrong passwords.
func (wb *Web) signInCode(w http.ResponseWriter, r *http.Request) error {
	v := visitOf(r)
	if v.pending == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	f := codeForm{Next: safeNext(r.PostFormValue("next"))}
	attempt := wb.proof(r, v.pending.Email)
	page := wb.view(r, "Two-factor authentication")
	if d := attempt.wait(); d > 0 {
		f.Message = "Too many wrong codes. Signing in is paused for " + minutes(d) + "."
		page.Data = f
		wb.render(w, r, http.StatusTooManyRequests, "sign_in_code", page)
		return nil
	}
	recovery, err := wb.checkCode(r, v.pending.ID, v.pending.OTPSecret, r.PostFormValue("code"))
	if errors.Is(err, zone.ErrForbidden) {
		attempt.failed()
		f.Message = "This code is wrong or has expired. Enter the 6-digit code your authenticator app shows now, or one of your recovery codes."
		page.Data = f
		wb.render(w, r, http.StatusUnauthorized, "sign_in_code", page)
		return nil
	}
	if err != nil {
		return err
	}
	id, _, err := wb.store.RotateSession(r.Context(), v.sessionID, true)
	if err != nil {
		return err
	}
	attempt.succeeded()
	wb.setCookie(w, r, sessionCookie, id, 0)
	if recovery {
		left, err := wb.store.RecoveryCodesLeft(r.Context(), v.pending.ID)
		if err != nil {
			return err
		}
		wb.flash(w, r, fmt.Sprintf("You signed in with a recovery code, which is now used up. %d are left: make new ones on your security page if you are running out.", left))
	}
	http.Redirect(w, r, nextOr(f.Next), http.StatusSeeOther)
	return nil
}

// checkCode checks a code a user typed: a TOTP code of secret not used
// before, or else one of the user's unused recovery codes (which it uses
// up). recovery says
// which it was; a wrong code is ErrForbidden.
func (wb *Web) checkCode(r *http.Request, userID int64, secret, code string) (recovery bool, err error) {
	code = strings.TrimSpace(code)
	digits := normalCode(code) // as enrollment reads it: "123 456" and "123-456" too
	if len(digits) == 6 && strings.Trim(digits, "0123456789") == "" {
		step, ok := store.TOTPStep(secret, digits, wb.now())
		if !ok {
			return false, fmt.Errorf("check code: %w", zone.ErrForbidden)
		}
		// A code works once: one seen over a shoulder, or in a proxy's
		// log, does not sign in again within its window.
		return false, wb.store.UseTOTPStep(r.Context(), userID, step)
	}
	if err := wb.store.UseRecoveryCode(r.Context(), userID, code); err != nil {
		return false, err
	}
	return true, nil
}
