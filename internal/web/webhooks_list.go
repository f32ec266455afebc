package web

import (
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// webhooksPage is the data of an account's webhooks page. Created is a
// webhook just created, with its secret, shown this once.
type webhooksPage struct {
	Webhooks []store.Webhook
	Created  *store.Webhook
	URL      string
	Error    string
}

// webhooksList is GET /a/{account}/webhooks.
func (wb *Web) webhooksList(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.managerView(r, "Webhooks")
	if err != nil {
		return err
	}
	list, err := wb.store.Webhooks(r.Context(), v.Account.ID)
	if err != nil {
		return err
	}
	v.Data = webhooksPage{Webhooks: list}
	wb.render(w, r, http.StatusOK, "webhooks", v)
	return nil
}
