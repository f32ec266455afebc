package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// credentialsForm is the sign-up and sign-in forms, as sent and as shown
// again with what was wrong.
type credentialsForm struct {
	Email   string
	Next    string
	Errors  map[string]string
	Message string // not about one field
	First   bool   // sign-up: this will be the installation's first user
	Closed  bool   // sign-up: sign-ups are closed
	Invite  bool   // sign-up: by invitation only (the link in the mail)
}

// signUpState says whether the sign-up form may be used, and whether the
// one who does will be the first user.
func (wb *Web) signUpState(r *http.Request) (first, closed bool, err error) {
	n, err := wb.store.UserCount(r.Context())
	if err != nil {
		return false, false, err
	}
	return n == 0, n > 0 && wb.cfg.SignUp != SignUpOpen, nil
}

// signUpPage is GET /sign-up.
func (wb *Web) signUpPage(w http.ResponseWriter, r *http.Request) error {
	if visitOf(r).user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	first, closed, err := wb.signUpState(r)
	if err != nil {
		return err
	}
	v := wb.view(r, "Sign up")
	v.Data = credentialsForm{First: first, Closed: closed, Invite: wb.cfg.SignUp == SignUpInvite}
	status := http.StatusOK
	if closed {
		status = http.StatusForbidden
	}
	wb.render(w, r, status, "sign_up", v)
	return nil
}

// signUp is POST /sign-up: create the user and their personal account, and
// sign them in.
func (wb *Web) signUp(w http.ResponseWriter, r *http.Request) error {
	first, closed, err := wb.signUpState(r)
	if err != nil {
		return err
	}
	f := credentialsForm{Email: strings.TrimSpace(r.PostFormValue("email")), Errors: map[string]string{}, First: first, Closed: closed, Invite: wb.cfg.SignUp == SignUpInvite}
	v := wb.view(r, "Sign up")
	if closed {
		v.Data = f
		wb.render(w, r, http.StatusForbidden, "sign_up", v)
		return nil
	}
	password := r.PostFormValue("password")
	if f.Email == "" {
		f.Errors["email"] = "Enter your email address."
	}
	if p := passwordProblem(password, f.Email); p != "" {
		f.Errors["password"] = p
	}
	if len(f.Errors) == 0 {
		policy := store.SignUpClosed
		if wb.cfg.SignUp == SignUpOpen {
			policy = store.SignUpOpen
		}
		u, a, err := wb.store.SignUp(r.Context(), f.Email, password, policy)
		var ve *store.ValidationError
		switch {
		case err == nil:
			if err := wb.startSession(w, r, u); err != nil {
				return err
			}
			if err := wb.sendVerification(r, u); err != nil {
				return err
			}
			wb.flash(w, r, "Welcome to Zonewarden. Add your first domain to start serving its DNS.")
			http.Redirect(w, r, fmt.Sprintf("/a/%d/domains", a.ID), http.StatusSeeOther)
			return nil
		case errors.As(err, &ve):
			for _, fe := range ve.Fields {
				if fe.Field == "email" {
					f.Errors["email"] = "This is not an email address."
				} else {
					f.Errors["password"] = "Your password " + fe.Msg + "."
				}
			}
		case errors.Is(err, zone.ErrConflict):
			f.Errors["email"] = "This email address has a user already. Sign in instead."
		case errors.Is(err, zone.ErrForbidden):
			f.Closed = true
		default:
			return err
		}
	}
	v.Data = f
	wb.render(w, r, http.StatusUnprocessableEntity, "sign_up", v)
	return nil
}
