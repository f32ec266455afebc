package web

import (
	"fmt"
	"net/http"
	"strconv"
)

// webhooksDelete is POST /a/{account}/webhooks/{webhook}/delete: the
// webhook and its deliveries go; nothing more is sent to it.
func (wb *Web) webhooksDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.managerView(r, "Webhooks")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("webhook"), 10, 64)
	if err != nil {
		return notFound(fmt.Errorf("webhook %q", r.PathValue("webhook")))
	}
	if err := wb.store.DeleteWebhook(r.Context(), actor(r), v.Account.ID, id); err != nil {
		return err
	}
	wb.flash(w, r, "The webhook is deleted: nothing more is sent to it.")
	http.Redirect(w, r, v.accountPath("/webhooks"), http.StatusSeeOther)
	return nil
}
