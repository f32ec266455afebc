package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// webhooksCreate is POST /a/{account}/webhooks: the URL is checked by the
// store as for the API (an absolute http or https URL). The response shows
// the webhook's secret, which signs its deliveries, this once.
func (wb *Web) webhooksCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.managerView(r, "Webhooks")
	if err != nil {
		return err
	}
	p := webhooksPage{URL: strings.TrimSpace(r.PostFormValue("url"))}
	status := http.StatusCreated
	h, err := wb.store.CreateWebhook(r.Context(), actor(r), v.Account.ID, p.URL)
	switch {
	case err == nil:
		p.Created, p.URL = &h, ""
	case errors.Is(err, zone.ErrInvalid):
		status = http.StatusUnprocessableEntity
		p.Error = "Enter the full address that should receive the events, starting with https:// (or http://): https://example.com/hooks/dns."
		var ve *store.ValidationError
		if u, perr := url.Parse(p.URL); perr == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && errors.As(err, &ve) && len(ve.Fields) > 0 {
			// An address, refused for what it is: say why (a private
			// address, a length).
			p.Error = sentence("The address " + ve.Fields[0].Msg)
		}
	default:
		return err
	}
	if p.Webhooks, err = wb.store.Webhooks(r.Context(), v.Account.ID); err != nil {
		return err
	}
	v.Data = p
	wb.render(w, r, status, "webhooks", v)
	return nil
}
