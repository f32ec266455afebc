package web

import "net/http"

// teamForm is the form that creates a team, as sent and shown again with
// what was wrong.
type teamForm struct {
	Name, Email string
	Errors      map[string]string
}

// teamsNew is GET /teams/new.
func (wb *Web) teamsNew(w http.ResponseWriter, r *http.Request) error {
	v := wb.view(r, "Create a team")
	v.Data = teamForm{Email: visitOf(r).user.Email}
	wb.render(w, r, http.StatusOK, "team_new", v)
	return nil
}
