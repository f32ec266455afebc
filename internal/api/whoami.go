package api

import "net/http"

// whoami is GET /v2/whoami: the user (user tokens, HTTP Basic) or the account
// (account tokens) behind the credentials; the other is null.
func (a *API) whoami(w http.ResponseWriter, r *http.Request) error {
	p := caller(r)
	var out struct {
		User    *userJSON    `json:"user"`
		Account *accountJSON `json:"account"`
	}
	if p.User != nil {
		u := toUser(*p.User)
		out.User = &u
	}
	if p.Account != nil {
		acc := toAccount(*p.Account)
		out.Account = &acc
	}
	return data(w, http.StatusOK, out)
}
