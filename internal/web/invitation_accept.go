package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// invitationAccept is POST /invitation/accept: the signed-in visitor, if
// they are the one invited, joins the team.
func (wb *Web) invitationAccept(w http.ResponseWriter, r *http.Request) error {
	if err := requireVerified(r, "joining a team"); err != nil {
		return err
	}
	token := r.PostFormValue("token")
	p, status, err := wb.invitationPage(r, token)
	if err != nil {
		return err
	}
	v := wb.view(r, "Invitation")
	if status == http.StatusOK && !p.Mismatch {
		acc, err := wb.store.AcceptInvitation(r.Context(), actor(r), token, visitOf(r).user.ID)
		switch {
		case err == nil:
			wb.flash(w, r, fmt.Sprintf("You joined %s.", accountName(acc)))
			http.Redirect(w, r, fmt.Sprintf("/a/%d/domains", acc.ID), http.StatusSeeOther)
			return nil
		case errors.Is(err, zone.ErrNotFound):
			p.Invalid, status = true, http.StatusNotFound
		case errors.Is(err, zone.ErrForbidden):
			p.Mismatch = true
		default:
			return err
		}
	}
	if p.Mismatch {
		status = http.StatusForbidden
	}
	v.Data = p
	wb.render(w, r, status, "invitation", v)
	return nil
}
