package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// invitationSignUp is POST /invitation/sign-up: someone invited who has no
// user creates one, with the invited address, and joins the team. This is
// how people sign up under --signup invite (and open); under closed, an
// administrator creates their user and they sign in to accept.
func (wb *Web) invitationSignUp(w http.ResponseWriter, r *http.Request) error {
	if visitOf(r).user != nil {
		return wb.invitationAccept(w, r)
	}
	token := r.PostFormValue("token")
	p, status, err := wb.invitationPage(r, token)
	if err != nil {
		return err
	}
	v := wb.view(r, "Invitation")
	switch {
	case status != http.StatusOK:
	case !p.SignUp:
		status = http.StatusForbidden
	default:
		password := r.PostFormValue("password")
		p.Errors = map[string]string{}
		if msg := passwordProblem(password, p.Invitation.Email); msg != "" {
			p.Errors["password"] = msg
			status = http.StatusUnprocessableEntity
			break
		}
		a := store.Actor{RemoteAddr: clientAddr(r)}
		u, team, err := wb.store.SignUpInvited(r.Context(), a, token, password)
		var ve *store.ValidationError
		switch {
		case err == nil:
			if err := wb.startSession(w, r, u); err != nil {
				return err
			}
			wb.flash(w, r, fmt.Sprintf("Welcome to Zonewarden. You are a member of %s.", accountName(team)))
			http.Redirect(w, r, fmt.Sprintf("/a/%d/domains", team.ID), http.StatusSeeOther)
			return nil
		case errors.As(err, &ve):
			p.Errors["password"] = "Your password " + ve.Fields[0].Msg + "."
			status = http.StatusUnprocessableEntity
		case errors.Is(err, zone.ErrConflict):
			p.Message = "This email address has a user already: sign in to accept the invitation."
			status = http.StatusConflict
		case errors.Is(err, zone.ErrNotFound):
			p.Invalid, status = true, http.StatusNotFound
		default:
			return err
		}
	}
	v.Data = p
	wb.render(w, r, status, "invitation", v)
	return nil
}
