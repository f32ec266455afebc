package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

// recentDeliveries is how many of a webhook's deliveries its page shows.
const recentDeliveries = 50

// webhookPage is the data of a webhook's page.
type webhookPage struct {
	Webhook    store.Webhook
	Deliveries []store.WebhookDelivery
	Limit      int
	retries    map[int64]time.Time
}

// NextAttempt is when a pending delivery is tried next; nil when no
// attempt is waiting (it is being attempted, or it is over).
func (p webhookPage) NextAttempt(deliveryID int64) *time.Time {
	if t, ok := p.retries[deliveryID]; ok {
		return &t
	}
	return nil
}

// webhooksShow is GET /a/{account}/webhooks/{webhook}: the webhook and
// what became of its latest deliveries.
func (wb *Web) webhooksShow(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.managerView(r, "Webhook")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("webhook"), 10, 64)
	if err != nil {
		return notFound(fmt.Errorf("webhook %q", r.PathValue("webhook")))
	}
	h, err := wb.store.Webhook(r.Context(), v.Account.ID, id)
	if err != nil {
		return err
	}
	ds, err := wb.store.WebhookDeliveries(r.Context(), v.Account.ID, id, recentDeliveries)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(ds))
	for _, d := range ds {
		if d.State == store.DeliveryPending {
			ids = append(ids, d.ID)
		}
	}
	retries, err := wb.store.DeliveryRetries(r.Context(), ids)
	if err != nil {
		return err
	}
	v.Data = webhookPage{Webhook: h, Deliveries: ds, Limit: recentDeliveries, retries: retries}
	wb.render(w, r, http.StatusOK, "webhook", v)
	return nil
}
