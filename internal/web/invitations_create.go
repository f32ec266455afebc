package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// invitationsCreate is POST /a/{account}/invitations: owners and admins
// invite someone by email to the team with a role (owners only as owner).
// The link is mailed; the store keeps the token's hash only, and the page
// never shows it.
func (wb *Web) invitationsCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.managerView(r, "Members")
	if err != nil {
		return err
	}
	if err := requireVerified(r, "inviting people"); err != nil {
		return err
	}
	p, err := wb.membersPage(r, v)
	if err != nil {
		return err
	}
	f := inviteForm{Email: strings.TrimSpace(r.PostFormValue("email")), Role: store.Role(r.PostFormValue("role")), Errors: map[string]string{}}
	switch {
	case f.Role == store.RoleOwner && !p.IsOwner:
		return forbidden("Only the owners of this account may invite owners.")
	case f.Role != store.RoleOwner && f.Role != store.RoleAdmin && f.Role != store.RoleMember && f.Role != store.RoleReadOnly:
		f.Errors["role"] = "Choose a role: admin, member or read-only."
	}
	if f.Email == "" {
		f.Errors["email"] = "Enter the email address of the person to invite."
	}
	fail := func(status int) error {
		p.Invite = f
		v.Data = p
		wb.render(w, r, status, "members", v)
		return nil
	}
	if len(f.Errors) > 0 {
		return fail(http.StatusUnprocessableEntity)
	}
	token, inv, err := wb.store.CreateInvitation(r.Context(), actor(r), v.Account.ID, f.Email, f.Role, invitationTTL)
	var ve *store.ValidationError
	switch {
	case errors.As(err, &ve):
		f.Errors["email"] = "This is not an email address."
		return fail(http.StatusUnprocessableEntity)
	case errors.Is(err, zone.ErrConflict) && v.Account.Personal:
		f.Errors["email"] = "A personal account has no other members. Create a team and invite people to it."
		return fail(http.StatusConflict)
	case errors.Is(err, zone.ErrConflict):
		f.Errors["email"] = "This person is a member of the team already."
		return fail(http.StatusConflict)
	case err != nil:
		return err
	}
	link := wb.linkBase(r) + "/invitation?token=" + url.QueryEscape(token)
	team := accountName(*v.Account)
	err = wb.cfg.Mail.Send(r.Context(), mail.Message{
		To:      inv.Email,
		Subject: fmt.Sprintf("You are invited to the team %s on Zonewarden", team),
		Body: fmt.Sprintf("%s invited you to join the team %s on Zonewarden, as %s.\n\nAccept the invitation here:\n\n%s\n\nThe link works once, until %s. If you do not have a user yet, you create one from the link.\nIf you did not expect this mail, you can ignore it.\n",
			visitOf(r).user.Email, team, roleArticle(inv.Role), link, inv.ExpiresAt.UTC().Format("2 Jan 2006 15:04 UTC")),
	})
	if err != nil {
		// A link nobody received is of no use: take the invitation back.
		wb.log.Error("mail invitation", "account", v.Account.ID, "invitation", inv.ID, "err", err)
		if rerr := wb.store.RevokeInvitation(r.Context(), actor(r), v.Account.ID, inv.ID); rerr != nil {
			return rerr
		}
		if p, err = wb.membersPage(r, v); err != nil {
			return err
		}
		p.Message = "The invitation mail could not be sent, so no invitation was made. Try again in a moment; if it persists, ask your administrator to check the mail settings."
		f.Errors = nil
		return fail(http.StatusBadGateway)
	}
	wb.flash(w, r, fmt.Sprintf("Invitation sent to %s. The link in it works for 7 days.", inv.Email))
	http.Redirect(w, r, v.accountPath("/members"), http.StatusSeeOther)
	return nil
}

// roleArticle is a role as a sentence names it: "an owner", "a member".
func roleArticle(r store.Role) string {
	switch r {
	case store.RoleOwner, store.RoleAdmin:
		return "an " + string(r)
	case store.RoleReadOnly:
		return "a read-only member"
	}
	return "a " + string(r)
}
