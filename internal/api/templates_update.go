package api

import (
	"fmt"
	"net/http"
)

// templatesUpdate is PATCH /v2/{account}/templates/{template}: the fields
// given (sid, name, description) change.
func (a *API) templatesUpdate(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	id := r.PathValue("template")
	var in templateRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	old, err := a.store.Template(r.Context(), acc, id)
	if err != nil {
		return notFound(fmt.Errorf("get template %q of account %d: %w", id, acc, err), "Template", id)
	}
	// By id: a sid changed since the read would not be found.
	t, err := a.store.UpdateTemplate(r.Context(), actor(r), acc, fmt.Sprint(old.ID), in.apply(old))
	if err != nil {
		return notFound(fmt.Errorf("update template %q of account %d: %w", id, acc, err), "Template", id)
	}
	return data(w, http.StatusOK, toTemplate(t))
}
