package api

import (
	"fmt"
	"net/http"
	"strconv"
)

// webhooksDelete is DELETE /v2/{account}/webhooks/{webhook}: the webhook and
// its pending deliveries.
func (a *API) webhooksDelete(w http.ResponseWriter, r *http.Request) error {
	acc, id, err := a.webhookID(r)
	if err != nil {
		return err
	}
	if err := a.store.DeleteWebhook(r.Context(), actor(r), acc, id); err != nil {
		return notFound(fmt.Errorf("delete webhook %d of account %d: %w", id, acc, err), "Webhook", strconv.FormatInt(id, 10))
	}
	return noContent(w)
}
