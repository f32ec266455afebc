package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// teamsDelete is POST /a/{account}/delete: an owner deletes a team, having
// typed its name and their password. A team with domains is refused:
// deleting their zones would stop DNS for them, which is for the owner to
// do domain by domain. Members who had the team open get the 404 of an
// account that is not theirs; their switcher no longer lists it.
func (wb *Web) teamsDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Account security")
	if err != nil {
		return err
	}
	if v.Account.Personal {
		return forbidden("A personal account belongs to its user and cannot be deleted.")
	}
	if v.Role != store.RoleOwner {
		return forbidden("Only the owners of this team may delete it.")
	}
	p, err := wb.accountSecurityData(r, v)
	if err != nil {
		return err
	}
	del := p.Delete
	del.Confirm = strings.TrimSpace(r.PostFormValue("confirm"))
	refuse := func(status int, field, msg string) error {
		del.Errors[field] = msg
		v.Data = p
		wb.render(w, r, status, "account_security", v)
		return nil
	}
	if del.TotalDomains > 0 {
		return refuse(http.StatusConflict, "domains", "This team still has domains. Delete them first, or move them to another account.")
	}
	if del.Confirm != v.Account.Name {
		return refuse(http.StatusUnprocessableEntity, "confirm", "Type the team's name exactly as it is shown to confirm.")
	}
	u := visitOf(r).user
	status, msg, err := wb.confirmPassword(r, u.Email, r.PostFormValue("password"), "This is not your password. The team is not deleted.")
	if err != nil {
		return err
	}
	if status != 0 {
		return refuse(status, "password", msg)
	}
	acc, err := wb.store.DeleteTeam(r.Context(), actor(r), v.Account.ID)
	var domains *store.TeamDomainsError
	switch {
	case errors.As(err, &domains):
		// Domains created since the page was read: show them.
		if p, err = wb.accountSecurityData(r, v); err != nil {
			return err
		}
		p.Delete.Confirm = del.Confirm
		del = p.Delete
		return refuse(http.StatusConflict, "domains", "This team still has domains. Delete them first, or move them to another account.")
	case errors.Is(err, zone.ErrForbidden):
		return forbidden("Only the owners of this team may delete it.")
	case err != nil:
		return err
	}
	// The other members lose access without having done anything: tell
	// them who deleted it, so that it is not a mystery or unnoticed.
	when := time.Now().UTC().Format("Monday 2 January 2006 at 15:04 UTC")
	for _, addr := range acc.Members {
		if addr == u.Email {
			continue
		}
		wb.mailLater(mail.Message{
			To:      addr,
			Subject: "Zonewarden: the team " + accountName(acc.Account) + " was deleted",
			Body: fmt.Sprintf("%s deleted the team %s, of which you were a member, on %s.\n\nIts members, invitations, API tokens, webhooks and templates are gone with it; it had no domains left. Your own account and your other teams are as they were.\n\nIf this is a surprise, ask %s.\n",
				u.Email, accountName(acc.Account), when, u.Email),
		})
	}
	wb.flash(w, r, fmt.Sprintf("The team %s is deleted, with its members, invitations, API tokens, webhooks and templates.", accountName(acc.Account)))
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
