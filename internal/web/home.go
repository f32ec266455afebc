package web

import "net/http"

// home is GET /: the accounts of the signed-in user (home.html); sign-up
// on a fresh installation; sign-in otherwise.
func (wb *Web) home(w http.ResponseWriter, r *http.Request) error {
	v := visitOf(r)
	switch {
	case v.user != nil:
		return wb.accountsHome(w, r)
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
