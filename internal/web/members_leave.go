package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// membersLeave is POST /a/{account}/leave: any member, read-only ones
// included, leaves a team; its last owner may not.
func (wb *Web) membersLeave(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.anyMemberView(r, "Members")
	if err != nil {
		return err
	}
	if v.Account.Personal {
		return forbidden("A personal account cannot be left: it belongs to its user.")
	}
	err = wb.store.RemoveMember(r.Context(), actor(r), v.Account.ID, visitOf(r).user.ID)
	if errors.Is(err, zone.ErrConflict) {
		return wb.membersRefused(w, r, v, "You are the last owner of this team: make another member an owner before you leave.")
	}
	if err != nil {
		return err
	}
	wb.flash(w, r, fmt.Sprintf("You left %s.", accountName(*v.Account)))
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
