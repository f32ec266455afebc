package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// memberTarget reads the {user} of a members action and finds that member
// of the view's account; a user who is not one is a 404.
func memberTarget(r *http.Request, p membersPage) (store.Member, error) {
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err == nil {
		for _, m := range p.Members {
			if m.UserID == id {
				return m, nil
			}
		}
	}
	return store.Member{}, notFound(fmt.Errorf("member %q", r.PathValue("user")))
}

// membersUpdate is POST /a/{account}/members/{user}: owners and admins set
// a member's role; only owners make or unmake owners, and the last owner
// stays one.
func (wb *Web) membersUpdate(w http.ResponseWriter, r *http.Request) error {
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
	role := store.Role(r.PostFormValue("role"))
	if (m.Role == store.RoleOwner || role == store.RoleOwner) && !p.IsOwner {
		return forbidden("Only the owners of this account may make or unmake owners.")
	}
	err = wb.store.SetRole(r.Context(), actor(r), v.Account.ID, m.UserID, role)
	switch {
	case errors.Is(err, zone.ErrInvalid):
		return &Error{Status: http.StatusBadRequest, Message: "Choose a role: owner, admin, member or read-only.", Err: err}
	case errors.Is(err, zone.ErrConflict):
		return wb.membersRefused(w, r, v, "An account needs an owner: make another member an owner before changing the role of its last one.")
	case err != nil:
		return err
	}
	wb.flash(w, r, fmt.Sprintf("%s is now %s.", m.Email, roleArticle(role)))
	http.Redirect(w, r, v.accountPath("/members"), http.StatusSeeOther)
	return nil
}

// membersRefused shows the members page again with why a change was
// refused.
func (wb *Web) membersRefused(w http.ResponseWriter, r *http.Request, v view, msg string) error {
	p, err := wb.membersPage(r, v)
	if err != nil {
		return err
	}
	p.Message = msg
	v.Data = p
	wb.render(w, r, http.StatusConflict, "members", v)
	return nil
}
