package api

import (
	"fmt"
	"net/http"
)

// templateRecordsList is GET /v2/{account}/templates/{template}/records:
// sort by id, name, content or type, paginated.
func (a *API) templateRecordsList(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	id := r.PathValue("template")
	trs, page, err := a.store.TemplateRecords(r.Context(), acc, id, o)
	if err != nil {
		return notFound(fmt.Errorf("list records of template %q of account %d: %w", id, acc, err), "Template", id)
	}
	return list(w, trs, page, toTemplateRecord)
}
