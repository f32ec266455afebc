package api

import (
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// templateRecordsCreate is POST /v2/{account}/templates/{template}/records
// {"name": "", "type": "MX", "content": "mx.{{domain}}", "ttl": 600,
// "priority": 10}. The name is relative to the domains the template will be
// applied to; the record is checked as a record of example.com would be,
// and the rules between records (CNAME exclusivity, duplicates) when the
// template is applied.
func (a *API) templateRecordsCreate(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	var in recordRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	if errs := in.check(""); len(errs) > 0 {
		return &store.ValidationError{Fields: errs}
	}
	id := r.PathValue("template")
	tr, err := a.store.CreateTemplateRecord(r.Context(), actor(r), acc, id, in.input())
	if err != nil {
		return notFound(fmt.Errorf("create record in template %q of account %d: %w", id, acc, err), "Template", id)
	}
	return data(w, http.StatusCreated, toTemplateRecord(tr))
}
