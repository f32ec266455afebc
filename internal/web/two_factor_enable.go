package web

import (
	"errors"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// recoveryCodesPage is the data of the page that shows new recovery codes,
// once.
type recoveryCodesPage struct {
	Codes []string
	Next  string
	First bool // 2FA was just turned on
}

// twoFactorEnable is POST /security/two-factor: a right code of the
// enrollment's secret turns 2FA on. The page that answers shows the
// recovery codes, once. The session gets a new id, and the user's other
// sessions end.
func (wb *Web) twoFactorEnable(w http.ResponseWriter, r *http.Request) error {
	vs := visitOf(r)
	u := vs.user
	if u.OTPSecret != "" {
		http.Redirect(w, r, "/security", http.StatusSeeOther)
		return nil
	}
	next := safeNext(r.PostFormValue("next"))
	secret, err := wb.store.PendingTwoFactor(r.Context(), u.ID)
	if errors.Is(err, zone.ErrNotFound) {
		wb.flash(w, r, "Start again: scan the new code below.")
		http.Redirect(w, r, "/security/two-factor", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	page := wb.view(r, "Turn on two-factor authentication")
	fail := func(status int, msg string) error {
		page.Data = twoFactorPage{Next: next, Message: msg}
		wb.render(w, r, status, "two_factor_new", page)
		return nil
	}
	attempt := wb.proof(r, u.Email)
	if d := attempt.wait(); d > 0 {
		return fail(http.StatusTooManyRequests, "Too many wrong codes. For your safety, this is paused for "+minutes(d)+".")
	}
	step, ok := store.TOTPStep(secret, normalCode(r.PostFormValue("code")), wb.now())
	if !ok {
		attempt.failed()
		return fail(http.StatusUnprocessableEntity, "This code is wrong or has expired. Enter the 6-digit code your authenticator app shows now for Zonewarden.")
	}
	codes, err := wb.store.EnableTwoFactor(r.Context(), u.ID, secret, vs.session.ID)
	if errors.Is(err, zone.ErrConflict) {
		return fail(http.StatusConflict, "Two-factor authentication was started again in another window. Use the code from there, or start again here.")
	}
	if err != nil {
		return err
	}
	// The code that confirmed the secret does not sign in again.
	if err := wb.store.UseTOTPStep(r.Context(), u.ID, step); err != nil {
		return err
	}
	attempt.succeeded()
	wb.securityNotice(r, u.Email, "two-factor authentication was turned on")
	if err := wb.rotate(w, r); err != nil {
		return err
	}
	u.OTPSecret = secret
	v := wb.view(r, "Recovery codes")
	v.Data = recoveryCodesPage{Codes: codes, Next: next, First: true}
	wb.render(w, r, http.StatusOK, "recovery_codes", v)
	return nil
}

// rotate gives the visitor's session a new id, as after a change of what
// it may do, and makes the rest of the request use it.
func (wb *Web) rotate(w http.ResponseWriter, r *http.Request) error {
	vs := visitOf(r)
	id, ss, err := wb.store.RotateSession(r.Context(), vs.sessionID, true)
	if err != nil {
		return err
	}
	wb.setCookie(w, r, sessionCookie, id, 0)
	vs.sessionID, vs.session, vs.csrf = id, ss, csrfFor(id)
	return nil
}

// normalCode is a 6-digit code as typed, without spaces.
func normalCode(code string) string {
	out := make([]byte, 0, len(code))
	for i := 0; i < len(code); i++ {
		if c := code[i]; c != ' ' && c != '\t' && c != '-' {
			out = append(out, c)
		}
	}
	return string(out)
}
