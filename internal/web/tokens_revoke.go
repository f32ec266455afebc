package web

import (
	"fmt"
	"net/http"
	"strconv"
)

// tokensRevoke is POST /a/{account}/tokens/{token}/revoke.
func (wb *Web) tokensRevoke(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "API tokens")
	if err != nil {
		return err
	}
	p, err := wb.tokensPage(r, v)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err != nil {
		return notFound(fmt.Errorf("token %q", r.PathValue("token")))
	}
	found := false
	for _, t := range p.Tokens {
		if t.ID == id {
			found = true
			if !p.CanRevoke(t) && t.RevokedAt == nil {
				return forbidden("Only the account's owners and admins may revoke this token.")
			}
		}
	}
	if !found {
		return notFound(fmt.Errorf("token %d in account %d", id, v.Account.ID))
	}
	if err := wb.store.RevokeToken(r.Context(), v.Account.ID, id); err != nil {
		return err
	}
	wb.flash(w, r, "The token is revoked: requests with it are refused from now on.")
	http.Redirect(w, r, v.accountPath("/tokens"), http.StatusSeeOther)
	return nil
}
