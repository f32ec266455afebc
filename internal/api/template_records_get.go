package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// templateRecordsGet is GET /v2/{account}/templates/{template}/records/{record}.
func (a *API) templateRecordsGet(w http.ResponseWriter, r *http.Request) error {
	acc, tmpl, id, err := a.templateRecord(r)
	if err != nil {
		return err
	}
	tr, err := a.store.TemplateRecord(r.Context(), acc, tmpl, id)
	if err != nil {
		return a.templateRecordErr(r, acc, fmt.Errorf("get record %d of template %q: %w", id, tmpl, err))
	}
	return data(w, http.StatusOK, toTemplateRecord(tr))
}

// templateRecord reads the account, template and record id of a template
// record's path.
func (a *API) templateRecord(r *http.Request) (acc int64, tmpl string, id int64, err error) {
	acc, err = a.account(r)
	if err != nil {
		return 0, "", 0, err
	}
	s := r.PathValue("record")
	id, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil || id <= 0 {
		return 0, "", 0, a.templateRecordErr(r, acc, fmt.Errorf("template record id %q: %w", s, zone.ErrNotFound))
	}
	return acc, r.PathValue("template"), id, nil
}

// templateRecordErr names what was not found: the template or its record.
func (a *API) templateRecordErr(r *http.Request, acc int64, err error) error {
	if _, terr := a.store.Template(r.Context(), acc, r.PathValue("template")); terr != nil {
		return notFound(err, "Template", r.PathValue("template"))
	}
	return notFound(err, "Record", r.PathValue("record"))
}
