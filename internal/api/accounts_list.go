package api

import (
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// accountsList is GET /v2/accounts: the account of an account token, or
// every account the user is a member of. It is not paginated, as at DNSimple.
func (a *API) accountsList(w http.ResponseWriter, r *http.Request) error {
	p := caller(r)
	var accounts []store.Account
	switch {
	case p.Account != nil:
		accounts = []store.Account{*p.Account}
	case p.User != nil:
		var err error
		accounts, err = a.store.Accounts(r.Context(), p.User.ID)
		if err != nil {
			return fmt.Errorf("list accounts of user %d: %w", p.User.ID, err)
		}
	}
	out := make([]accountJSON, 0, len(accounts))
	for _, acc := range accounts {
		out = append(out, toAccount(acc))
	}
	return data(w, http.StatusOK, out)
}
