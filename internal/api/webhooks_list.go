package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// webhooksList is GET /v2/{account}/webhooks: all of the account's
// webhooks, suppressed ones with their suppressed_at. DNSimple does not
// paginate this list.
func (a *API) webhooksList(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.webhookAccount(r)
	if err != nil {
		return err
	}
	hooks, err := a.store.Webhooks(r.Context(), acc)
	if err != nil {
		return fmt.Errorf("list webhooks of account %d: %w", acc, err)
	}
	out := make([]webhookJSON, 0, len(hooks))
	for _, h := range hooks {
		out = append(out, toWebhook(h))
	}
	return data(w, http.StatusOK, out)
}

type webhookJSON struct {
	ID           int64      `json:"id"`
	URL          string     `json:"url"`
	SuppressedAt *timestamp `json:"suppressed_at"`
	// Secret signs the deliveries; only the create response has it.
	Secret string `json:"secret,omitempty"`
}

func toWebhook(h store.Webhook) webhookJSON {
	return webhookJSON{ID: h.ID, URL: h.URL, SuppressedAt: optTime(h.SuppressedAt), Secret: h.Secret}
}

// webhookID reads the account and webhook id of a webhook's path. An id
// that is not a number names no webhook.
func (a *API) webhookID(r *http.Request) (acc, id int64, err error) {
	acc, err = a.webhookAccount(r)
	if err != nil {
		return 0, 0, err
	}
	s := r.PathValue("webhook")
	id, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil {
		return 0, 0, notFound(fmt.Errorf("webhook %q: %w", s, zone.ErrNotFound), "Webhook", s)
	}
	return acc, id, nil
}

// webhookAccount is a.account for the webhook endpoints, which owners and
// admins (and account tokens) use only: a webhook receives every event of
// the account, membership changes with invitees' addresses included, as
// the audit log tells them, which only they read.
func (a *API) webhookAccount(r *http.Request) (int64, error) {
	acc, err := a.account(r)
	if err != nil {
		return 0, err
	}
	if err := a.requireAdmin(r, acc); err != nil {
		return 0, err
	}
	return acc, nil
}
