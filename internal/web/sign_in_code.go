package web

import (
	"net/http"
	"strings"

	"github.com/pquerna/otp/totp"
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

// signInCode is POST /sign-in/code: a right code finishes signing in, with
// a new session id.
func (wb *Web) signInCode(w http.ResponseWriter, r *http.Request) error {
	v := visitOf(r)
	if v.pending == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	f := codeForm{Next: safeNext(r.PostFormValue("next"))}
	emailKey := "email:" + v.pending.Email
	page := wb.view(r, "Two-factor authentication")
	if d := wb.throttle.wait(emailKey, throttlePerAccount); d > 0 {
		f.Message = "Too many wrong codes. Signing in is paused for " + minutes(d) + "."
		page.Data = f
		wb.render(w, r, http.StatusTooManyRequests, "sign_in_code", page)
		return nil
	}
	code := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("code")), " ", "")
	if !totp.Validate(code, v.pending.OTPSecret) {
		wb.throttle.fail(emailKey)
		f.Message = "This code is wrong or has expired. Enter the 6-digit code your authenticator app shows now."
		page.Data = f
		wb.render(w, r, http.StatusUnauthorized, "sign_in_code", page)
		return nil
	}
	id, _, err := wb.store.RotateSession(r.Context(), v.sessionID, true)
	if err != nil {
		return err
	}
	wb.throttle.forget(emailKey)
	wb.setCookie(w, r, sessionCookie, id, 0)
	http.Redirect(w, r, nextOr(f.Next), http.StatusSeeOther)
	return nil
}
