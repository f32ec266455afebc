package web

import (
	"fmt"
	"net/http"
	"strconv"
)

// sessionsRevoke is POST /sessions/{session}/revoke: sign out one browser.
// Revoking the current session signs out.
func (wb *Web) sessionsRevoke(w http.ResponseWriter, r *http.Request) error {
	vs := visitOf(r)
	id, err := strconv.ParseInt(r.PathValue("session"), 10, 64)
	if err != nil {
		return notFound(fmt.Errorf("session %q", r.PathValue("session")))
	}
	if err := wb.store.RevokeSession(r.Context(), vs.user.ID, id); err != nil {
		return err
	}
	if id == vs.session.ID {
		wb.setCookie(w, r, sessionCookie, "", -1)
		http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		return nil
	}
	wb.flash(w, r, "The session is signed out.")
	http.Redirect(w, r, "/sessions", http.StatusSeeOther)
	return nil
}
