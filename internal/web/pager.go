package web

import (
	"net/url"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/store"
)

// pager is a list's page links: the query strings of the previous and next
// pages, empty when there is none.
type pager struct {
	store.Page
	Prev, Next string
}

func newPager(p store.Page, q url.Values) pager {
	pg := pager{Page: p}
	link := func(n int) string {
		c := url.Values{}
		for k, v := range q {
			c[k] = v
		}
		c.Set("page", strconv.Itoa(n))
		return "?" + c.Encode()
	}
	if p.CurrentPage > 1 {
		pg.Prev = link(p.CurrentPage - 1)
	}
	if p.CurrentPage < p.TotalPages {
		pg.Next = link(p.CurrentPage + 1)
	}
	return pg
}

// pageNumber reads ?page=, 1 when absent or not a positive number; a
// number past any list is read as one that is just past it, so that
// arithmetic on it cannot overflow.
func pageNumber(q url.Values) int {
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxPage)
}

// maxPage is past the last page of any list.
const maxPage = 1 << 30

// pastTheEnd is the link to the last page when p is a page after it (an
// old link, a list that shrank), or "".
func pastTheEnd(p store.Page, q url.Values) string {
	if p.TotalEntries == 0 || p.CurrentPage <= p.TotalPages {
		return ""
	}
	return newPager(store.Page{CurrentPage: p.TotalPages + 1, TotalPages: p.TotalPages}, q).Prev
}
