package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// domainPage is the data of a domain's page.
type domainPage struct {
	Domain      store.Domain
	Zone        store.Zone
	Records     []store.Record
	NameServers []string
	Filter      recordFilter
	Types       []string
	Sort        string
	Pager       pager
}

// recordFilter is what the records table is narrowed to.
type recordFilter struct {
	Type, Name string
	Query      url.Values // the filter and sort, for links
}

// sortLink is the query string that sorts by key, flipping the direction
// when the table is sorted by key already.
func (d domainPage) SortLink(key string) string {
	q := url.Values{}
	for k, v := range d.Filter.Query {
		q[k] = v
	}
	q.Del("page")
	dir := "asc"
	if d.Sort == key+":asc" {
		dir = "desc"
	}
	q.Set("sort", key+":"+dir)
	return "?" + q.Encode()
}

// SortMark is the arrow a column header shows, and its aria-sort value.
func (d domainPage) SortMark(key string) string {
	switch d.Sort {
	case key + ":asc":
		return "ascending"
	case key + ":desc":
		return "descending"
	}
	return ""
}

const recordsPerPage = 50

var recordSorts = map[string]bool{
	"name:asc": true, "name:desc": true, "type:asc": true, "type:desc": true,
	"content:asc": true, "content:desc": true, "ttl:asc": true, "ttl:desc": true,
}

// domainsShow is GET /a/{account}/domains/{domain}: the domain's records,
// filtered by type and name, sorted, a page at a time.
func (wb *Web) domainsShow(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "")
	if err != nil {
		return err
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	z, err := wb.store.Zone(r.Context(), v.Account.ID, d.Name)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := domainPage{Domain: d, Zone: z, Types: recordTypes, Sort: q.Get("sort")}
	if !recordSorts[p.Sort] {
		p.Sort = "name:asc"
	}
	p.Filter = recordFilter{Type: strings.ToUpper(strings.TrimSpace(q.Get("type"))), Name: strings.TrimSpace(q.Get("name"))}
	p.Filter.Query = url.Values{}
	for _, k := range []string{"type", "name", "sort"} {
		if q.Get(k) != "" {
			p.Filter.Query.Set(k, q.Get(k))
		}
	}
	then := ",name:asc,type:asc"
	if strings.HasPrefix(p.Sort, "name:") {
		then = ",type:asc"
	}
	records, page, err := wb.store.Records(r.Context(), v.Account.ID, d.Name,
		store.RecordFilter{Type: p.Filter.Type, NameLike: strings.ToLower(p.Filter.Name)},
		store.ListOptions{Page: pageNumber(q), PerPage: recordsPerPage, Sort: p.Sort + then})
	if err != nil {
		return err
	}
	if last := pastTheEnd(page, p.Filter.Query); last != "" {
		http.Redirect(w, r, r.URL.Path+last, http.StatusSeeOther)
		return nil
	}
	p.Records, p.Pager = records, newPager(page, p.Filter.Query)
	all, _, err := wb.store.Records(r.Context(), v.Account.ID, d.Name, store.RecordFilter{Name: new(""), Type: "NS"}, store.ListOptions{PerPage: 20})
	if err != nil {
		return err
	}
	for _, ns := range all {
		p.NameServers = append(p.NameServers, ns.Content)
	}
	v.Title = d.UnicodeName
	v.Data = p
	wb.render(w, r, http.StatusOK, "domain", v)
	return nil
}
