package web

import (
	"fmt"
	"net/http"
)

// home is GET /: the first account's domains when signed in; sign-up on a
// fresh installation; sign-in otherwise.
func (wb *Web) home(w http.ResponseWriter, r *http.Request) error {
	v := visitOf(r)
	switch {
	case v.user != nil:
		accounts, err := wb.store.Accounts(r.Context(), v.user.ID)
		if err != nil {
			return err
		}
		if len(accounts) == 0 {
			return notFound(fmt.Errorf("user %d has no account", v.user.ID))
		}
		http.Redirect(w, r, fmt.Sprintf("/a/%d/domains", accounts[0].ID), http.StatusSeeOther)
	case v.pending != nil:
		http.Redirect(w, r, "/sign-in/code", http.StatusSeeOther)
	default:
		n, err := wb.store.UserCount(r.Context())
		if err != nil {
			return err
		}
		if n == 0 {
			http.Redirect(w, r, "/sign-up", http.StatusSeeOther)
		} else {
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		}
	}
	return nil
}
