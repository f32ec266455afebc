package api

import (
	"fmt"
	"net/http"
)

// templatesGet is GET /v2/{account}/templates/{template}, by id or sid.
func (a *API) templatesGet(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	id := r.PathValue("template")
	t, err := a.store.Template(r.Context(), acc, id)
	if err != nil {
		return notFound(fmt.Errorf("get template %q of account %d: %w", id, acc, err), "Template", id)
	}
	return data(w, http.StatusOK, toTemplate(t))
}
