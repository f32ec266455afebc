package api

import (
	"fmt"
	"net/http"
)

// webhooksCreate is POST /v2/{account}/webhooks {"url": "https://..."}. The
// response, in DNSimple's shape, adds the webhook's secret, which signs its
// deliveries and is not shown again.
func (a *API) webhooksCreate(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.webhookAccount(r)
	if err != nil {
		return err
	}
	var in struct {
		URL string `json:"url"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	h, err := a.store.CreateWebhook(r.Context(), actor(r), acc, in.URL)
	if err != nil {
		return fmt.Errorf("create webhook in account %d: %w", acc, err)
	}
	return data(w, http.StatusCreated, toWebhook(h))
}
