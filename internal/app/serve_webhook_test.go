package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"

	"github.com/zonewarden/zonewarden/internal/webhook"
)

// TestServeDeliversWebhooks: serve runs the job workers, and a write
// through the API reaches a webhook, signed, soon after it commits.
func TestServeDeliversWebhooks(t *testing.T) {
	type delivery struct {
		body []byte
		sig  string
	}
	got := make(chan delivery, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- delivery{body, r.Header.Get(webhook.SignatureHeader)}
	}))
	defer rcv.Close()

	cfg := testServeConfig(t)
	cfg.WebhookAllowPrivate = true // the receiver is on 127.0.0.1
	s := startServe(t, cfg)
	var tok struct {
		AccountID int64  `json:"account_id"`
		Token     string `json:"token"`
	}
	adminJSON(t, cfg.StoreConfig, "a long password\n", &struct{}{}, "create-user", "--email", "ops@example.com", "--password-stdin")
	adminJSON(t, cfg.StoreConfig, "", &tok, "create-token", "--email", "ops@example.com", "--name", "test")

	ctx := context.Background()
	c := dnsimple.NewClient(dnsimple.StaticTokenHTTPClient(ctx, tok.Token))
	c.BaseURL = "http://" + s.HTTPAddr()
	acc := strconv.FormatInt(tok.AccountID, 10)
	// The secret is in the create response, which dnsimple-go does not
	// read: create the webhook by hand.
	req, _ := http.NewRequest("POST", c.BaseURL+"/v2/"+acc+"/webhooks", strings.NewReader(`{"url":"`+rcv.URL+`"}`))
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		Data struct{ Secret string } `json:"data"`
	}
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	secret := created.Data.Secret
	if resp.StatusCode != http.StatusCreated || secret == "" {
		t.Fatalf("create webhook: %s, secret %q", resp.Status, secret)
	}

	if _, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "example.com"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"webhook.create": true, "domain.create": true, "zone.create": true}
	for len(want) > 0 {
		select {
		case d := <-got:
			if !webhook.Verify(secret, d.body, d.sig) {
				t.Errorf("delivery %s: bad signature", d.body)
			}
			var ev struct{ Name string }
			json.Unmarshal(d.body, &ev)
			delete(want, ev.Name)
		case <-time.After(10 * time.Second):
			t.Fatalf("events not delivered: %v", want)
		}
	}
}
