// Package webhook delivers an account's events to its webhooks: the
// handler of the store.JobWebhookDelivery jobs that the store enqueues with
// each event, one per event and webhook.
//
//	d, err := webhook.New(webhook.Config{Store: st})
//	r, err := jobs.New(jobs.Config{Queue: st, Kinds: map[string]jobs.Kind{
//		store.JobWebhookDelivery: {Handle: d.Deliver, MaxAttempts: 10},
//	}})
//
// A delivery is a POST of the event's payload (DNSimple's shape, rendered
// when the write committed) with a timeout; any 2xx answer delivers it, and
// redirects are not followed. The body is signed with the webhook's secret:
//
//	X-Zonewarden-Signature: sha256=<hex of HMAC-SHA256(secret, body)>
//
// which receivers check with Verify (or its three lines in their own
// language). A failed attempt is retried by the job runner with backoff; a
// delivery whose attempts all failed counts against its webhook, which is
// suppressed after SuppressAfter of them in a row (a delivered one resets
// the count). Deliveries are at least once: X-Zonewarden-Delivery carries
// the delivery's id, the same on every attempt, for receivers to drop
// repeats.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zonewarden/zonewarden/internal/jobs"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// The headers of a delivery, beside Content-Type and User-Agent.
const (
	SignatureHeader = "X-Zonewarden-Signature"
	DeliveryHeader  = "X-Zonewarden-Delivery"
)

// Store is what deliveries are read from and their outcomes written to:
// *store.Store.
type Store interface {
	Delivery(ctx context.Context, id int64) (store.Delivery, error)
	RecordDeliveryAttempt(ctx context.Context, id int64, at store.DeliveryAttempt, suppressAfter int) (bool, error)
	DropDelivery(ctx context.Context, id int64, reason string) error
}

// Config configures a Deliverer. Store is required.
type Config struct {
	Store Store
	// Client sends the deliveries; default Guard{}.Client(), which follows
	// no redirects and connects to public addresses only.
	Client *http.Client
	// Timeout bounds each attempt; default 10s.
	Timeout time.Duration
	// SuppressAfter is the number of failed deliveries in a row after which
	// a webhook is suppressed; default 5.
	SuppressAfter int
	// UserAgent is sent with every delivery; default
	// "Zonewarden-Webhook-Notifier".
	UserAgent string
	Logger    *slog.Logger
}

// Deliverer delivers events to webhooks.
type Deliverer struct{ cfg Config }

// New checks cfg and returns a Deliverer.
func New(cfg Config) (*Deliverer, error) {
	if cfg.Store == nil {
		return nil, errors.New("webhook: no store")
	}
	if cfg.Client == nil {
		cfg.Client = Guard{}.Client()
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.SuppressAfter <= 0 {
		cfg.SuppressAfter = 5
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "Zonewarden-Webhook-Notifier"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{cfg: cfg}, nil
}

// Sign returns the value of the signature header for body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header, the signature header of a delivery, signs
// body with secret. It compares in constant time.
func Verify(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(strings.TrimSpace(header)))
}

// Deliver makes one attempt at the delivery a job names. It returns an
// error, for the job to be retried, when the attempt failed and more may
// follow.
func (d *Deliverer) Deliver(ctx context.Context, j jobs.Job) error {
	var args struct {
		DeliveryID int64 `json:"delivery_id"`
	}
	if err := json.Unmarshal(j.Payload, &args); err != nil || args.DeliveryID == 0 {
		d.cfg.Logger.Error("webhook delivery job without a delivery", "job", j.ID, "payload", string(j.Payload))
		return nil // no attempt can succeed
	}
	id := args.DeliveryID
	dl, err := d.cfg.Store.Delivery(ctx, id)
	if errors.Is(err, zone.ErrNotFound) {
		return nil // the webhook was deleted
	}
	if err != nil {
		return err
	}
	if dl.State != store.DeliveryPending {
		return nil // done already: this job ran before, and its end was lost
	}
	if dl.Suppressed {
		return d.cfg.Store.DropDelivery(ctx, id, "webhook suppressed")
	}

	status, aerr := d.attempt(ctx, dl)
	if aerr != nil && ctx.Err() != nil {
		return ctx.Err() // interrupted, not failed: the runner hands the job back
	}
	at := store.DeliveryAttempt{Attempt: j.Attempt, StatusCode: status, Final: j.Final}
	if aerr != nil {
		at.Err = aerr.Error()
	}
	suppressed, err := d.cfg.Store.RecordDeliveryAttempt(ctx, id, at, d.cfg.SuppressAfter)
	if err != nil && !errors.Is(err, zone.ErrNotFound) {
		return err
	}
	if suppressed {
		d.cfg.Logger.Warn("webhook suppressed after repeated failed deliveries", "webhook", dl.WebhookID, "url", dl.URL)
	}
	return aerr
}

// attempt POSTs a delivery once and returns the status of the answer.
func (d *Deliverer) attempt(ctx context.Context, dl store.Delivery) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.URL, strings.NewReader(string(dl.Payload)))
	if err != nil {
		return 0, fmt.Errorf("deliver to %s: %w", dl.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", d.cfg.UserAgent)
	req.Header.Set(SignatureHeader, Sign(dl.Secret, dl.Payload))
	req.Header.Set(DeliveryHeader, strconv.FormatInt(dl.ID, 10))
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("deliver: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so that the connection is reused
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := fmt.Sprintf("deliver: the receiver answered %s", resp.Status)
		if s := strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(string(snippet), "?"), "\x00", "")); s != "" {
			msg += ": " + s
		}
		return resp.StatusCode, errors.New(msg)
	}
	return resp.StatusCode, nil
}
