package api

import (
	"fmt"
	"net/http"
	"strconv"
)

// webhooksGet is GET /v2/{account}/webhooks/{webhook}.
func (a *API) webhooksGet(w http.ResponseWriter, r *http.Request) error {
	acc, id, err := a.webhookID(r)
	if err != nil {
		return err
	}
	h, err := a.store.Webhook(r.Context(), acc, id)
	if err != nil {
		return notFound(fmt.Errorf("get webhook %d of account %d: %w", id, acc, err), "Webhook", strconv.FormatInt(id, 10))
	}
	return data(w, http.StatusOK, toWebhook(h))
}
