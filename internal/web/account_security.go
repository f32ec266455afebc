package web

import (
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// accountSecurityPage is the data of an account's security settings.
type accountSecurityPage struct {
	Required  bool
	TwoFactor bool // the visitor has 2FA on
	Message   string

	// Delete is the team-deletion form, shown to the owners of a team
	// only; nil otherwise.
	Delete *teamDeletion
}

// teamDeletion is what the owner of a team reads before deleting it: the
// domains that must go first, and what was wrong with the last try.
type teamDeletion struct {
	Domains      []store.Domain // the first 100 by name
	TotalDomains int
	Confirm      string            // what was typed as the team's name
	Errors       map[string]string // by field: "confirm", "password", "domains"
}

// accountSecurityData reads the page's data for the view's account.
func (wb *Web) accountSecurityData(r *http.Request, v view) (accountSecurityPage, error) {
	on, err := wb.store.TwoFactorRequired(r.Context(), v.Account.ID)
	if err != nil {
		return accountSecurityPage{}, err
	}
	p := accountSecurityPage{Required: on, TwoFactor: v.User.OTPSecret != ""}
	if v.Account.Personal || v.Role != store.RoleOwner {
		return p, nil
	}
	ds, page, err := wb.store.Domains(r.Context(), v.Account.ID, "", store.ListOptions{PerPage: 100, Sort: "name:asc"})
	if err != nil {
		return accountSecurityPage{}, err
	}
	p.Delete = &teamDeletion{Domains: ds, TotalDomains: page.TotalEntries, Errors: map[string]string{}}
	return p, nil
}

// accountSecurity is GET /a/{account}/security: whether the account
// requires two-factor authentication of its members. Every member may
// read it; owners and admins change it. A team's owners delete it here.
func (wb *Web) accountSecurity(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Account security")
	if err != nil {
		return err
	}
	if v.Data, err = wb.accountSecurityData(r, v); err != nil {
		return err
	}
	wb.render(w, r, http.StatusOK, "account_security", v)
	return nil
}

// accountSecurityUpdate is POST /a/{account}/security: an owner or admin
// requires 2FA of the members, or stops requiring it. Only one who has
// 2FA on may require it, so as not to lock themselves out.
func (wb *Web) accountSecurityUpdate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Account security")
	if err != nil {
		return err
	}
	if !canManage(v.Role) {
		return forbidden("Only the owners and admins of this account may change its security settings.")
	}
	on := r.PostFormValue("require_2fa") == "on"
	if on && v.User.OTPSecret == "" {
		p, err := wb.accountSecurityData(r, v)
		if err != nil {
			return err
		}
		p.Message = "Turn on two-factor authentication for yourself first: members without it will be sent to turn it on."
		v.Data = p
		wb.render(w, r, http.StatusConflict, "account_security", v)
		return nil
	}
	if err := wb.store.SetTwoFactorRequired(r.Context(), actor(r), v.Account.ID, on); err != nil {
		return err
	}
	if on {
		wb.flash(w, r, "Members of this account now need two-factor authentication to open its pages.")
	} else {
		wb.flash(w, r, "This account no longer requires two-factor authentication.")
	}
	http.Redirect(w, r, v.accountPath("/security"), http.StatusSeeOther)
	return nil
}
