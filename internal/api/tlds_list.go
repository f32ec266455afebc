package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// tldsList is GET /v2/tlds: the TLDs this installation supports, sorted by
// tld (sort=tld:desc reverses), paginated.
func (a *API) tldsList(w http.ResponseWriter, r *http.Request) error {
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	tlds := a.tlds()
	switch key, dir, _ := strings.Cut(o.Sort, ":"); {
	case o.Sort == "", key == "tld" && (dir == "" || strings.EqualFold(dir, "asc")):
	case key == "tld" && strings.EqualFold(dir, "desc"):
		tlds = slices.Clone(tlds)
		slices.Reverse(tlds)
	default:
		return &Error{Status: http.StatusBadRequest, Message: "Validation failed",
			Errors: map[string][]string{"sort": {fmt.Sprintf("cannot sort by %q", o.Sort)}}}
	}
	start := min(o.Page-1, len(tlds)) * o.PerPage // no overflow for a huge page
	start = min(start, len(tlds))
	end := min(start+o.PerPage, len(tlds))
	return list(w, tlds[start:end], store.Page{CurrentPage: o.Page, PerPage: o.PerPage, TotalEntries: len(tlds),
		TotalPages: (len(tlds) + o.PerPage - 1) / o.PerPage}, toTLD)
}
