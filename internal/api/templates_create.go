package api

import (
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// templatesCreate is POST /v2/{account}/templates {"sid": "office",
// "name": "Office", "description": "…"}. The sid is unique in the account.
func (a *API) templatesCreate(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	var in templateRequest
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := a.store.CreateTemplate(r.Context(), actor(r), acc, in.apply(store.Template{}))
	if err != nil {
		return fmt.Errorf("create template in account %d: %w", acc, err)
	}
	return data(w, http.StatusCreated, toTemplate(t))
}
