package api

import (
	"fmt"
	"net/http"
)

// templatesDelete is DELETE /v2/{account}/templates/{template}: the
// template and its records. Zones it was applied to keep their records.
func (a *API) templatesDelete(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	id := r.PathValue("template")
	if err := a.store.DeleteTemplate(r.Context(), actor(r), acc, id); err != nil {
		return notFound(fmt.Errorf("delete template %q of account %d: %w", id, acc, err), "Template", id)
	}
	return noContent(w)
}
