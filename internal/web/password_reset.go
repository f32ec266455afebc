package web

import (
	"errors"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// passwordResetPage is GET /password/reset?token=…: the link of a reset
// mail, with the form for a new password.
func (wb *Web) passwordResetPage(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	p, status, err := wb.resetLink(r, token)
	if err != nil {
		return err
	}
	v := wb.view(r, "Choose a new password")
	v.Data = p
	wb.render(w, r, status, "password_reset", v)
	return nil
}

// resetLink is the reset page of a token: the form, or that the link
// does not work (used, expired, superseded or made up).
func (wb *Web) resetLink(r *http.Request, token string) (linkPage, int, error) {
	u, err := wb.store.LinkUser(r.Context(), token, store.LinkReset)
	if errors.Is(err, zone.ErrNotFound) {
		return linkPage{Invalid: true}, http.StatusNotFound, nil
	}
	if err != nil {
		return linkPage{}, 0, err
	}
	return linkPage{Token: token, Email: u.Email}, http.StatusOK, nil
}

// passwordReset is POST /password/reset: the new password, checked as at
// sign-up. Every session of the user ends, this browser's too: they sign
// in with the new password (and their second factor, if they have one).
func (wb *Web) passwordReset(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("token")
	p, status, err := wb.resetLink(r, token)
	if err != nil {
		return err
	}
	v := wb.view(r, "Choose a new password")
	if status == http.StatusOK {
		password := r.PostFormValue("password")
		if msg := passwordProblem(password, p.Email); msg != "" {
			p.Errors = map[string]string{"password": msg}
			status = http.StatusUnprocessableEntity
		} else {
			u, err := wb.store.ResetPassword(r.Context(), token, password)
			switch {
			case errors.Is(err, zone.ErrNotFound):
				p, status = linkPage{Invalid: true}, http.StatusNotFound
			case err != nil:
				return err
			default:
				wb.securityNotice(r, u.Email, "your password was reset by a mailed link")
				wb.setCookie(w, r, sessionCookie, "", -1)
				wb.flash(w, r, "Your password is changed, and you are signed out everywhere. Sign in with your new password.")
				http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
				return nil
			}
		}
	}
	v.Data = p
	wb.render(w, r, status, "password_reset", v)
	return nil
}
