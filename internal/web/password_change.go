package web

import (
	"net/http"
)

// passwordChange is POST /security/password: a new password, given the
// current one. The user's other sessions end; this one goes on. A wrong
// current password counts as a failed sign-in.
func (wb *Web) passwordChange(w http.ResponseWriter, r *http.Request) error {
	vs := visitOf(r)
	u := vs.user
	p, err := wb.securityData(r)
	if err != nil {
		return err
	}
	p.PasswordErrors = map[string]string{}
	status, msg, err := wb.confirmPassword(r, u.Email, r.PostFormValue("current"), "This is not your current password.")
	if err != nil {
		return err
	}
	if status != 0 {
		p.PasswordErrors["current"] = msg
		wb.renderSecurity(w, r, status, p)
		return nil
	}
	password := r.PostFormValue("password")
	if msg := passwordProblem(password, u.Email); msg != "" {
		p.PasswordErrors["password"] = msg
		wb.renderSecurity(w, r, http.StatusUnprocessableEntity, p)
		return nil
	}
	if err := wb.store.ChangePassword(r.Context(), u.ID, password, vs.session.ID); err != nil {
		return err
	}
	wb.securityNotice(r, u.Email, "your password was changed")
	wb.flash(w, r, "Your password is changed. You are signed out everywhere else.")
	http.Redirect(w, r, "/security", http.StatusSeeOther)
	return nil
}
