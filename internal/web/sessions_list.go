package web

import (
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// sessionsPage is the data of the sessions page.
type sessionsPage struct {
	Sessions []store.Session
	Current  int64
}

// sessionsList is GET /sessions: where the user is signed in.
func (wb *Web) sessionsList(w http.ResponseWriter, r *http.Request) error {
	vs := visitOf(r)
	list, err := wb.store.Sessions(r.Context(), vs.user.ID)
	if err != nil {
		return err
	}
	v := wb.view(r, "Sessions")
	v.Data = sessionsPage{Sessions: list, Current: vs.session.ID}
	wb.render(w, r, http.StatusOK, "sessions", v)
	return nil
}
