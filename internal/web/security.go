package web

import (
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// securityPage is the data of the security page: the user's address, 2FA
// and password, and the accounts whose 2FA requirement they set.
type securityPage struct {
	Email     string
	Verified  bool
	TwoFactor bool
	CodesLeft int
	Managed   []store.Account
	// What was wrong with a form sent from this page.
	PasswordErrors map[string]string
	DisableMessage string
}

// securityData reads what the security page shows.
func (wb *Web) securityData(r *http.Request) (securityPage, error) {
	u := visitOf(r).user
	p := securityPage{Email: u.Email, Verified: u.EmailVerifiedAt != nil, TwoFactor: u.OTPSecret != ""}
	if p.TwoFactor {
		n, err := wb.store.RecoveryCodesLeft(r.Context(), u.ID)
		if err != nil {
			return p, err
		}
		p.CodesLeft = n
	}
	accounts, err := wb.store.Accounts(r.Context(), u.ID)
	if err != nil {
		return p, err
	}
	for _, a := range accounts {
		if a.Personal {
			continue
		}
		role, err := wb.store.Role(r.Context(), a.ID, u.ID)
		if err != nil {
			return p, err
		}
		if canManage(role) {
			p.Managed = append(p.Managed, a)
		}
	}
	return p, nil
}

// renderSecurity renders the security page with p, as after a form of it
// was refused.
func (wb *Web) renderSecurity(w http.ResponseWriter, r *http.Request, status int, p securityPage) {
	v := wb.view(r, "Security")
	v.Data = p
	wb.render(w, r, status, "security", v)
}

// security is GET /security: the signed-in user's address, password and
// two-factor authentication.
func (wb *Web) security(w http.ResponseWriter, r *http.Request) error {
	p, err := wb.securityData(r)
	if err != nil {
		return err
	}
	wb.renderSecurity(w, r, http.StatusOK, p)
	return nil
}
