package web

import (
	"net/http"
)

// accountSecurityPage is the data of an account's security settings.
type accountSecurityPage struct {
	Required  bool
	TwoFactor bool // the visitor has 2FA on
	Message   string
}

// accountSecurity is GET /a/{account}/security: whether the account
// requires two-factor authentication of its members. Every member may
// read it; owners and admins change it.
func (wb *Web) accountSecurity(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Account security")
	if err != nil {
		return err
	}
	on, err := wb.store.TwoFactorRequired(r.Context(), v.Account.ID)
	if err != nil {
		return err
	}
	v.Data = accountSecurityPage{Required: on, TwoFactor: v.User.OTPSecret != ""}
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
		v.Data = accountSecurityPage{Message: "Turn on two-factor authentication for yourself first: members without it will be sent to turn it on."}
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
