package web

import "net/http"

// signOut is POST /sign-out: the session ends here and in the store.
func (wb *Web) signOut(w http.ResponseWriter, r *http.Request) error {
	if v := visitOf(r); v.sessionID != "" {
		if err := wb.store.RevokeSession(r.Context(), v.session.UserID, v.session.ID); err != nil {
			return err
		}
	}
	wb.setCookie(w, r, sessionCookie, "", -1)
	wb.flash(w, r, "You are signed out.")
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
	return nil
}
