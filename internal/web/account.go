package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// accountView starts the view of a page under /a/{account}/, after checking
// that the visitor is a member of the account: anyone else gets a 404, as
// if it did not exist. A read-only member's POST is a 403.
func (wb *Web) accountView(r *http.Request, title string) (view, error) {
	v := wb.view(r, title)
	u := visitOf(r).user
	id, err := strconv.ParseInt(r.PathValue("account"), 10, 64)
	if err != nil || id <= 0 {
		return v, notFound(fmt.Errorf("account %q", r.PathValue("account")))
	}
	accounts, err := wb.store.Accounts(r.Context(), u.ID)
	if err != nil {
		return v, err
	}
	v.Accounts = accounts
	for i := range accounts {
		if accounts[i].ID == id {
			v.Account = &accounts[i]
		}
	}
	if v.Account == nil {
		return v, notFound(fmt.Errorf("user %d is not a member of account %d", u.ID, id))
	}
	v.Role, err = wb.store.Role(r.Context(), id, u.ID)
	if errors.Is(err, zone.ErrNotFound) {
		return v, notFound(err)
	}
	if err != nil {
		return v, err
	}
	if r.Method == http.MethodPost && v.Role == store.RoleReadOnly {
		return v, forbidden("You are a read-only member of this account. Ask one of its owners or admins to make you a member to change it.")
	}
	return v, nil
}

// accountPath is the path of a page of the view's account.
func (v view) accountPath(rest string) string {
	return fmt.Sprintf("/a/%d%s", v.Account.ID, rest)
}
