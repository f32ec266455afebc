package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/zonewarden/zonewarden/internal/store"
)

// teamsCreate is POST /teams: a team account owned by the visitor, who is
// taken to its members page to invite people.
func (wb *Web) teamsCreate(w http.ResponseWriter, r *http.Request) error {
	f := teamForm{Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")), Errors: map[string]string{}}
	if n := utf8.RuneCountInString(f.Name); n == 0 || n > 100 {
		f.Errors["name"] = "Name the team, in at most 100 characters: \"Acme operations\"."
	}
	if f.Email == "" {
		f.Errors["email"] = "Enter the address that receives mail about this team."
	}
	if len(f.Errors) == 0 {
		u := visitOf(r).user
		acc, err := wb.store.CreateTeam(r.Context(), actor(r), u.ID, f.Name, f.Email)
		var ve *store.ValidationError
		switch {
		case err == nil:
			wb.flash(w, r, fmt.Sprintf("The team %s is created, and you are its owner. Invite the people you work with.", acc.Name))
			http.Redirect(w, r, fmt.Sprintf("/a/%d/members", acc.ID), http.StatusSeeOther)
			return nil
		case errors.As(err, &ve):
			for _, fe := range ve.Fields {
				if fe.Field == "email" {
					f.Errors["email"] = "This is not an email address."
				} else {
					f.Errors["name"] = "The name " + fe.Msg + "."
				}
			}
		default:
			return err
		}
	}
	v := wb.view(r, "Create a team")
	v.Data = f
	wb.render(w, r, http.StatusUnprocessableEntity, "team_new", v)
	return nil
}
