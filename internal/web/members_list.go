package web

import (
	"net/http"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

// membersPage is the data of an account's members page.
type membersPage struct {
	Members     []store.Member
	Invitations []store.Invitation
	CurrentUser int64
	IsOwner     bool // the visitor is an owner: may make and unmake owners
	Owners      int
	Now         time.Time // for the invitations' expiry
	Invite      inviteForm
	Message     string // a refused change, in plain words
}

// inviteForm is the invitation form, as sent and shown again.
type inviteForm struct {
	Email  string
	Role   store.Role
	Errors map[string]string
}

// Roles are the roles a visitor may give: owners any, admins all but owner.
func (p membersPage) Roles() []store.Role {
	if p.IsOwner {
		return []store.Role{store.RoleOwner, store.RoleAdmin, store.RoleMember, store.RoleReadOnly}
	}
	return []store.Role{store.RoleAdmin, store.RoleMember, store.RoleReadOnly}
}

// CanChange is whether the visitor, a manager, may change m's role or
// remove m: only owners touch owners, and the last owner stays one.
func (p membersPage) CanChange(m store.Member) bool {
	if m.Role == store.RoleOwner {
		return p.IsOwner && p.Owners > 1
	}
	return true
}

// membersList is GET /a/{account}/members: every member sees who the
// others are; owners and admins also see the pending invitations and may
// invite, set roles and remove.
func (wb *Web) membersList(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Members")
	if err != nil {
		return err
	}
	p, err := wb.membersPage(r, v)
	if err != nil {
		return err
	}
	v.Data = p
	wb.render(w, r, http.StatusOK, "members", v)
	return nil
}

func (wb *Web) membersPage(r *http.Request, v view) (membersPage, error) {
	ms, err := wb.store.Members(r.Context(), v.Account.ID)
	if err != nil {
		return membersPage{}, err
	}
	p := membersPage{Members: ms, CurrentUser: visitOf(r).user.ID, IsOwner: v.Role == store.RoleOwner,
		Invite: inviteForm{Role: store.RoleMember}, Now: wb.now()}
	for _, m := range ms {
		if m.Role == store.RoleOwner {
			p.Owners++
		}
	}
	if v.CanManage() {
		if p.Invitations, err = wb.store.Invitations(r.Context(), v.Account.ID); err != nil {
			return membersPage{}, err
		}
	}
	return p, nil
}
