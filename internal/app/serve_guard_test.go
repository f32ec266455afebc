package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"
)

// TestServeRefusesPrivateWebhooks: without --webhook-allow-private, a
// webhook to a loopback or private address is refused with DNSimple's
// error body naming the url field.
func TestServeRefusesPrivateWebhooks(t *testing.T) {
	cfg := testServeConfig(t)
	s := startServe(t, cfg)
	var tok struct {
		AccountID int64  `json:"account_id"`
		Token     string `json:"token"`
	}
	var user struct{}
	adminJSON(t, cfg.StoreConfig, "a long password\n", &user, "create-user", "--email", "ops@example.com", "--password-stdin")
	adminJSON(t, cfg.StoreConfig, "", &tok, "create-token", "--email", "ops@example.com")
	ctx := context.Background()
	c := dnsimple.NewClient(dnsimple.StaticTokenHTTPClient(ctx, tok.Token))
	c.BaseURL = "http://" + s.HTTPAddr()
	acc := strconv.FormatInt(tok.AccountID, 10)
	for _, u := range []string{"http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.0.0.1/", "http://169.254.169.254/latest"} {
		_, err := c.Webhooks.CreateWebhook(ctx, acc, dnsimple.Webhook{URL: u})
		var ae *dnsimple.ErrorResponse
		if !errors.As(err, &ae) || ae.HTTPResponse.StatusCode != 400 || len(ae.AttributeErrors["url"]) != 1 || !strings.Contains(ae.AttributeErrors["url"][0], "public addresses only") {
			t.Errorf("create webhook %s: %v, want 400", u, err)
		}
	}
	hooks, err := c.Webhooks.ListWebhooks(ctx, acc, nil)
	if err != nil || len(hooks.Data) != 0 {
		t.Errorf("webhooks after refusals: %+v, %v", hooks, err)
	}
}
