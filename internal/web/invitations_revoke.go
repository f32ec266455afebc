package web

import (
	"fmt"
	"net/http"
	"strconv"
)

// invitationsRevoke is POST /a/{account}/invitations/{invitation}/revoke:
// the invitation's link stops working.
func (wb *Web) invitationsRevoke(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.managerView(r, "Members")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("invitation"), 10, 64)
	if err != nil {
		return notFound(fmt.Errorf("invitation %q", r.PathValue("invitation")))
	}
	if err := wb.store.RevokeInvitation(r.Context(), actor(r), v.Account.ID, id); err != nil {
		return err
	}
	wb.flash(w, r, "The invitation is revoked: its link no longer works.")
	http.Redirect(w, r, v.accountPath("/members"), http.StatusSeeOther)
	return nil
}
