package web

import (
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// accountSummary is one of the visitor's accounts on the home page.
type accountSummary struct {
	Account store.Account
	Role    store.Role
	Domains int
}

// accountsHome is the home page of a signed-in user: their accounts, with
// their role and how many domains each has, and a way to create a team.
func (wb *Web) accountsHome(w http.ResponseWriter, r *http.Request) error {
	v := wb.view(r, "Your accounts")
	u := visitOf(r).user
	accounts, err := wb.store.Accounts(r.Context(), u.ID)
	if err != nil {
		return err
	}
	list := make([]accountSummary, 0, len(accounts))
	for _, a := range accounts {
		role, err := wb.store.Role(r.Context(), a.ID, u.ID)
		if err != nil {
			return err
		}
		_, page, err := wb.store.Domains(r.Context(), a.ID, "", store.ListOptions{PerPage: 1})
		if err != nil {
			return err
		}
		list = append(list, accountSummary{Account: a, Role: role, Domains: page.TotalEntries})
	}
	v.Data = list
	wb.render(w, r, http.StatusOK, "home", v)
	return nil
}
