package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// membersRemove is POST /a/{account}/members/{user}/remove: owners and
// admins take a member out of the team (only owners remove owners; the last
// owner stays). The member's user tokens for the account stop working.
func (wb *Web) membersRemove(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.managerView(r, "Members")
	if err != nil {
		return err
	}
	p, err := wb.membersPage(r, v)
	if err != nil {
		return err
	}
	m, err := memberTarget(r, p)
	if err != nil {
		return err
	}
	if m.Role == store.RoleOwner && !p.IsOwner {
		return forbidden("Only the owners of this account may remove an owner.")
	}
	err = wb.store.RemoveMember(r.Context(), actor(r), v.Account.ID, m.UserID)
	if errors.Is(err, zone.ErrConflict) {
		return wb.membersRefused(w, r, v, "An account needs an owner: make another member an owner before removing its last one.")
	}
	if err != nil {
		return err
	}
	if m.UserID == visitOf(r).user.ID {
		wb.flash(w, r, fmt.Sprintf("You left %s.", accountName(*v.Account)))
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	wb.flash(w, r, fmt.Sprintf("%s is no longer a member of this team.", m.Email))
	http.Redirect(w, r, v.accountPath("/members"), http.StatusSeeOther)
	return nil
}
