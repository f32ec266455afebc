package web

import (
	"net/http"
	"slices"
	"strings"
)

// recordsNew is GET /a/{account}/domains/{domain}/records/new: first the
// choice of a type, then (?type=MX) the form with that type's fields.
func (wb *Web) recordsNew(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Add a record")
	if err != nil {
		return err
	}
	if !v.CanWrite() {
		return forbidden("You are a read-only member of this account.")
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	t := strings.ToUpper(r.URL.Query().Get("type"))
	if !slices.Contains(recordTypes, t) {
		t = ""
	}
	v.Data = recordPage{Domain: d, Types: recordTypes, Form: recordForm{Type: t, TTL: "3600", Flags: "0", Tag: "issue"}}
	wb.render(w, r, http.StatusOK, "record_form", v)
	return nil
}
