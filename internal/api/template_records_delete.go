package api

import (
	"fmt"
	"net/http"
)

// templateRecordsDelete is DELETE /v2/{account}/templates/{template}/records/{record}.
func (a *API) templateRecordsDelete(w http.ResponseWriter, r *http.Request) error {
	acc, tmpl, id, err := a.templateRecord(r)
	if err != nil {
		return err
	}
	if err := a.store.DeleteTemplateRecord(r.Context(), actor(r), acc, tmpl, id); err != nil {
		return a.templateRecordErr(r, acc, fmt.Errorf("delete record %d of template %q: %w", id, tmpl, err))
	}
	return noContent(w)
}
