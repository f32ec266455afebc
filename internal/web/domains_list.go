package web

import (
	"net/http"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// domainsPage is the data of the domains list.
type domainsPage struct {
	Domains []store.Domain
	Search  string
	Pager   pager
}

const domainsPerPage = 25

// domainsList is GET /a/{account}/domains: the account's domains, searched
// by name, a page at a time.
func (wb *Web) domainsList(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Domains")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	search := strings.TrimSpace(q.Get("q"))
	list, page, err := wb.store.Domains(r.Context(), v.Account.ID, search,
		store.ListOptions{Page: pageNumber(q), PerPage: domainsPerPage, Sort: "name:asc"})
	if err != nil {
		return err
	}
	keep := r.URL.Query()
	keep.Del("page")
	if last := pastTheEnd(page, keep); last != "" {
		http.Redirect(w, r, r.URL.Path+last, http.StatusSeeOther)
		return nil
	}
	v.Data = domainsPage{Domains: list, Search: search, Pager: newPager(page, keep)}
	wb.render(w, r, http.StatusOK, "domains", v)
	return nil
}
