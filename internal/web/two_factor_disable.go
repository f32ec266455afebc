package web

import (
	"errors"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// twoFactorDisable is POST /security/two-factor/disable: with the password,
// or a code (from the app, or a recovery code), 2FA is turned off and the
// recovery codes deleted. Wrong ones count as failed sign-ins.
func (wb *Web) twoFactorDisable(w http.ResponseWriter, r *http.Request) error {
	u := visitOf(r).user
	if u.OTPSecret == "" {
		http.Redirect(w, r, "/security", http.StatusSeeOther)
		return nil
	}
	p, err := wb.securityData(r)
	if err != nil {
		return err
	}
	attempt := wb.proof(r, u.Email)
	if d := attempt.wait(); d > 0 {
		p.DisableMessage = "Too many wrong passwords or codes. For your safety, this is paused for " + minutes(d) + "."
		wb.renderSecurity(w, r, http.StatusTooManyRequests, p)
		return nil
	}
	password, code := r.PostFormValue("password"), r.PostFormValue("code")
	switch {
	case password != "":
		_, err = wb.store.UserByPassword(r.Context(), u.Email, password)
	case code != "":
		_, err = wb.checkCode(r, u.ID, u.OTPSecret, code)
	default:
		p.DisableMessage = "Enter your password or a code to turn two-factor authentication off."
		wb.renderSecurity(w, r, http.StatusUnprocessableEntity, p)
		return nil
	}
	if errors.Is(err, zone.ErrForbidden) {
		attempt.failed()
		p.DisableMessage = "This password or code is wrong. Two-factor authentication is still on."
		wb.renderSecurity(w, r, http.StatusUnauthorized, p)
		return nil
	}
	if err != nil {
		return err
	}
	if err := wb.store.DisableTwoFactor(r.Context(), u.ID); err != nil {
		return err
	}
	wb.securityNotice(r, u.Email, "two-factor authentication was turned off")
	wb.flash(w, r, "Two-factor authentication is off. Your recovery codes no longer work.")
	http.Redirect(w, r, "/security", http.StatusSeeOther)
	return nil
}
