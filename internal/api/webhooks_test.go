package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"

	"github.com/zonewarden/zonewarden/internal/jobs"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/webhook"
)

// webhookEndpointsOf lists the webhook endpoints on account A, for the
// scoping walk, with a webhook to read and delete.
func webhookEndpointsOf(t *testing.T, e *env) []endpoint {
	t.Helper()
	h, err := e.st.CreateWebhook(context.Background(), store.Actor{Label: "test"}, e.accountA.ID, "https://hooks.example.net/seeded")
	if err != nil {
		t.Fatal(err)
	}
	a := fmt.Sprintf("/v2/%d", e.accountA.ID)
	hp := fmt.Sprintf("%s/webhooks/%d", a, h.ID)
	return []endpoint{
		{"GET", a + "/webhooks", "", 200},
		{"POST", a + "/webhooks", `{"url":"https://hooks.example.net/new"}`, 201},
		{"GET", hp, "", 200},
		{"DELETE", hp, "", 204},
	}
}

// TestWebhookEndpoints drives the webhook endpoints with DNSimple's client.
func TestWebhookEndpoints(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		rec := &recorder{}
		check := checker(t, rec, strings.HasSuffix(t.Name(), "/sqlite"))
		c := e.client(e.tokenA, rec)
		ctx := context.Background()
		acc := strconv.FormatInt(e.accountA.ID, 10)

		created, err := c.Webhooks.CreateWebhook(ctx, acc, dnsimple.Webhook{URL: "https://hooks.example.net/dns"})
		check(err, http.StatusCreated, "", "")
		// DNSimple's shape, and the secret, shown this once.
		var withSecret struct {
			Data map[string]any `json:"data"`
		}
		if err := json.Unmarshal(rec.body, &withSecret); err != nil {
			t.Fatal(err)
		}
		if s, _ := withSecret.Data["secret"].(string); len(s) != 64 {
			t.Errorf("create response %s: no secret", rec.body)
		}
		delete(withSecret.Data, "secret")
		dnsimpleShape, _ := json.Marshal(withSecret)
		checkShape(t, "createWebhook/created", dnsimpleShape)
		id := created.Data.ID
		if created.Data.URL != "https://hooks.example.net/dns" {
			t.Errorf("created %+v", created.Data)
		}

		got, err := c.Webhooks.GetWebhook(ctx, acc, id)
		check(err, http.StatusOK, "getWebhook/success", "webhooks_get")
		if got.Data.ID != id || bytes.Contains(rec.body, []byte("secret")) {
			t.Errorf("get %+v: %s", got.Data, rec.body)
		}
		if _, err := c.Webhooks.CreateWebhook(ctx, acc, dnsimple.Webhook{URL: "https://another.example.net/"}); err != nil {
			t.Fatal(err)
		}
		list, err := c.Webhooks.ListWebhooks(ctx, acc, nil)
		check(err, http.StatusOK, "listWebhooks/success", "webhooks_list")
		if len(list.Data) != 2 || bytes.Contains(rec.body, []byte("secret")) {
			t.Errorf("list %+v: %s", list.Data, rec.body)
		}

		_, err = c.Webhooks.CreateWebhook(ctx, acc, dnsimple.Webhook{URL: "ftp://hooks.example.net/"})
		check(err, http.StatusBadRequest, "", "webhooks_create_invalid")

		_, err = c.Webhooks.DeleteWebhook(ctx, acc, id)
		check(err, http.StatusNoContent, "", "")
		_, err = c.Webhooks.GetWebhook(ctx, acc, id)
		check(err, http.StatusNotFound, "notfound-webhook", "")
		_, err = c.Webhooks.DeleteWebhook(ctx, acc, id)
		check(err, http.StatusNotFound, "notfound-webhook", "")

		// The others' webhooks are not ours to see.
		if _, err := e.client(e.tokenB, nil).Webhooks.ListWebhooks(ctx, acc, nil); err == nil {
			t.Errorf("account B listed account A's webhooks")
		}
	})
}

// readWebhookFixture returns the body of DNSimple's example delivery of an
// event: fixtures.http/webhooks/<event>/example.http.
func readWebhookFixture(t *testing.T, event string) []byte {
	t.Helper()
	dir, err := fixturesDir()
	if err != nil {
		t.Skip(err)
	}
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(dir), "webhooks", event, "example.http"))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("fixture %s: %v", event, err)
	}
	defer req.Body.Close()
	body, _ := io.ReadAll(req.Body)
	if len(bytes.TrimSpace(body)) == 0 { // a Content-Length shorter than the body
		_, rest, _ := bytes.Cut(raw, []byte("\n\n"))
		body = rest
	}
	return bytes.TrimSpace(body)
}

// TestWebhookDeliveries writes through the API and checks what a webhook
// receives: every event, signed with the secret the create response showed,
// in the shape of DNSimple's own deliveries.
func TestWebhookDeliveries(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		var (
			mu   sync.Mutex
			got  = map[string][]byte{}
			sigs = map[string]string{}
		)
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var ev struct{ Name string }
			json.Unmarshal(body, &ev)
			mu.Lock()
			got[ev.Name], sigs[ev.Name] = body, r.Header.Get(webhook.SignatureHeader)
			mu.Unlock()
		}))
		defer rcv.Close()
		d, err := webhook.New(webhook.Config{Store: e.st, Client: webhook.Guard{AllowPrivate: true}.Client()})
		if err != nil {
			t.Fatal(err)
		}
		r, err := jobs.New(jobs.Config{Queue: e.st, Poll: 5 * time.Millisecond,
			Kinds: map[string]jobs.Kind{store.JobWebhookDelivery: {Handle: d.Deliver}}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- r.Run(ctx) }()
		defer func() { cancel(); <-done }()

		rec := &recorder{}
		c := e.client(e.tokenA, rec)
		acc := strconv.FormatInt(e.accountA.ID, 10)
		if _, err := c.Webhooks.CreateWebhook(ctx, acc, dnsimple.Webhook{URL: rcv.URL}); err != nil {
			t.Fatal(err)
		}
		var created struct {
			Data struct{ Secret string } `json:"data"`
		}
		json.Unmarshal(rec.body, &created)
		if _, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "example.com"}); err != nil {
			t.Fatal(err)
		}
		zr, err := c.Zones.CreateRecord(ctx, acc, "example.com", dnsimple.ZoneRecordAttributes{Name: dnsimple.String("www"), Type: "A", Content: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Zones.UpdateRecord(ctx, acc, "example.com", zr.Data.ID, dnsimple.ZoneRecordAttributes{Content: "192.0.2.2"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Zones.DeleteRecord(ctx, acc, "example.com", zr.Data.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Zones.DeactivateZoneDns(ctx, acc, "example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Zones.ActivateZoneDns(ctx, acc, "example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Domains.DeleteDomain(ctx, acc, "example.com"); err != nil {
			t.Fatal(err)
		}
		events := []string{"webhook.create", "domain.create", "zone.create", "zone_record.create", "zone_record.update", "zone_record.delete",
			"domain.resolution_disable", "domain.resolution_enable", "domain.delete", "zone.delete"}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			n := len(got)
			mu.Unlock()
			if n == len(events) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("received %d events, want %d", n, len(events))
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for _, name := range events {
			body, ok := got[name]
			if !ok {
				t.Errorf("no %s event; got %v", name, slices.Sorted(maps.Keys(got)))
				continue
			}
			if !webhook.Verify(created.Data.Secret, body, sigs[name]) {
				t.Errorf("%s: signature %q does not verify with the secret shown at create", name, sigs[name])
			}
			diffs, err := shapeDiff(body, readWebhookFixture(t, name))
			if err != nil {
				t.Fatalf("%s: %v: %s", name, err, body)
			}
			for _, d := range diffs {
				t.Errorf("%s against DNSimple's delivery: %s", name, d)
			}
		}
	})
}
