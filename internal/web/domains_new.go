package web

import "net/http"

// domainForm is the form that adds a domain.
type domainForm struct {
	Name  string
	Error string
}

// domainsNew is GET /a/{account}/domains/new.
func (wb *Web) domainsNew(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Add a domain")
	if err != nil {
		return err
	}
	if !v.CanWrite() {
		return forbidden("You are a read-only member of this account. Ask one of its owners or admins to make you a member to add domains.")
	}
	v.Data = domainForm{}
	wb.render(w, r, http.StatusOK, "domain_new", v)
	return nil
}
