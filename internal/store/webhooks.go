package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/zonewarden/zonewarden/internal/seal"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// Webhook is a URL that an account's events are posted to, signed with the
// webhook's secret.
type Webhook struct {
	ID        int64
	AccountID int64
	URL       string
	// Secret signs the deliveries (HMAC-SHA256 of the body). It is set
	// only in what CreateWebhook returns: it is shown once.
	Secret string
	// SuppressedAt is when the webhook was suppressed after repeated failed
	// deliveries; a suppressed webhook is sent nothing more. Nil when active.
	SuppressedAt *time.Time
	// FailedDeliveries counts the deliveries that failed in a row.
	FailedDeliveries int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

const webhookCols = "id, account_id, url, suppressed_at, failed_deliveries, created_at, updated_at"

func scanWebhook(r interface{ Scan(...any) error }) (Webhook, error) {
	var (
		w          Webhook
		suppressed sql.NullTime
	)
	err := r.Scan(&w.ID, &w.AccountID, &w.URL, &suppressed, &w.FailedDeliveries, &w.CreatedAt, &w.UpdatedAt)
	w.SuppressedAt = nullTime(suppressed)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return w, err
}

// CreateWebhook adds a webhook to an account: an absolute http or https URL.
// The webhook returned carries its secret, which is not shown again.
func (s *Store) CreateWebhook(ctx context.Context, a Actor, accountID int64, rawURL string) (Webhook, error) {
	if len(rawURL) > 2048 {
		return Webhook{}, invalid("url", "is longer than 2,048 characters")
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Webhook{}, invalid("url", fmt.Sprintf("%q is not an http or https URL", rawURL))
	}
	if s.cfg.webhookURL != nil {
		if err := s.cfg.webhookURL(ctx, u.String()); err != nil {
			return Webhook{}, invalid("url", fmt.Sprintf("%s: webhooks are delivered to public addresses only", err.Error()))
		}
	}
	var b [32]byte
	rand.Read(b[:])
	n := now()
	w := Webhook{AccountID: accountID, URL: u.String(), Secret: hex.EncodeToString(b[:]), CreatedAt: n, UpdatedAt: n}
	err = s.tx(ctx, func(d db) error {
		if _, err := s.account(ctx, d, accountID); err != nil {
			return err
		}
		if err := d.row(ctx, "INSERT INTO webhooks (account_id, url, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			accountID, w.URL, "", n, n).Scan(&w.ID); err != nil {
			return err
		}
		// Sealed under the row's id, known once inserted.
		if _, err := d.exec(ctx, "UPDATE webhooks SET secret = ? WHERE id = ?", s.sealSecret(w.Secret, webhookSecretWhere(w.ID)), w.ID); err != nil {
			return err
		}
		if err := audit(ctx, d, a, accountID, "webhook.create", "webhook", w.ID, nil, map[string]any{"id": w.ID, "url": w.URL}); err != nil {
			return err
		}
		// The new webhook is told of its own creation, as at DNSimple.
		return s.emit(ctx, d, a, accountID, event{"webhook.create", webhookData(w)})
	})
	if err != nil {
		return Webhook{}, fmt.Errorf("create webhook: %w", err)
	}
	return w, nil
}

// Webhooks returns an account's webhooks, by id.
func (s *Store) Webhooks(ctx context.Context, accountID int64) ([]Webhook, error) {
	rows, err := s.read().query(ctx, "SELECT "+webhookCols+" FROM webhooks WHERE account_id = ? ORDER BY id", accountID)
	if err != nil {
		return nil, fmt.Errorf("list webhooks of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("list webhooks of account %d: %w", accountID, err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list webhooks of account %d: %w", accountID, err)
	}
	return out, nil
}

// Webhook returns one of an account's webhooks.
func (s *Store) Webhook(ctx context.Context, accountID, id int64) (Webhook, error) {
	w, err := scanWebhook(s.read().row(ctx, "SELECT "+webhookCols+" FROM webhooks WHERE account_id = ? AND id = ?", accountID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Webhook{}, fmt.Errorf("find webhook %d: %w", id, zone.ErrNotFound)
	}
	if err != nil {
		return Webhook{}, fmt.Errorf("find webhook %d: %w", id, err)
	}
	return w, nil
}

// DeleteWebhook deletes one of an account's webhooks, with its deliveries.
// The account's other webhooks are told.
func (s *Store) DeleteWebhook(ctx context.Context, a Actor, accountID, id int64) error {
	return s.tx(ctx, func(d db) error {
		w, err := scanWebhook(d.row(ctx, "SELECT "+webhookCols+" FROM webhooks WHERE account_id = ? AND id = ?", accountID, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("delete webhook %d: %w", id, zone.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("delete webhook %d: %w", id, err)
		}
		if _, err := d.exec(ctx, "DELETE FROM webhooks WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete webhook %d: %w", id, err)
		}
		if err := audit(ctx, d, a, accountID, "webhook.delete", "webhook", id, map[string]any{"id": id, "url": w.URL}, nil); err != nil {
			return err
		}
		return s.emit(ctx, d, a, accountID, event{"webhook.delete", webhookData(w)})
	})
}

// What became of a delivery.
const (
	DeliveryPending   = "pending"   // not yet delivered; attempts may follow
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // every attempt failed
	DeliveryDropped   = "dropped"   // not attempted again: the webhook was suppressed
)

// WebhookDelivery is one event sent to one webhook, and what became of it.
type WebhookDelivery struct {
	ID        int64
	WebhookID int64
	EventID   int64
	Event     string // the event's name: "zone_record.create"
	State     string // DeliveryPending, DeliveryDelivered...
	Attempts  int
	// StatusCode is the HTTP status of the last attempt; 0 when there was
	// no response.
	StatusCode int
	LastError  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const deliveryCols = "wd.id, wd.webhook_id, wd.event_id, e.name, wd.state, wd.attempts, wd.status_code, wd.last_error, wd.created_at, wd.updated_at"

func scanDelivery(r interface{ Scan(...any) error }, extra ...any) (WebhookDelivery, error) {
	var dl WebhookDelivery
	err := r.Scan(append([]any{&dl.ID, &dl.WebhookID, &dl.EventID, &dl.Event, &dl.State, &dl.Attempts, &dl.StatusCode, &dl.LastError, &dl.CreatedAt, &dl.UpdatedAt}, extra...)...)
	dl.CreatedAt, dl.UpdatedAt = dl.CreatedAt.UTC(), dl.UpdatedAt.UTC()
	return dl, err
}

// WebhookDeliveries returns the latest deliveries of one of an account's
// webhooks, newest first, at most limit of them.
func (s *Store) WebhookDeliveries(ctx context.Context, accountID, webhookID int64, limit int) ([]WebhookDelivery, error) {
	if _, err := s.Webhook(ctx, accountID, webhookID); err != nil {
		return nil, err
	}
	rows, err := s.read().query(ctx, "SELECT "+deliveryCols+" FROM webhook_deliveries wd JOIN events e ON e.id = wd.event_id WHERE wd.webhook_id = ? ORDER BY wd.id DESC LIMIT ?", webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("list deliveries of webhook %d: %w", webhookID, err)
	}
	defer rows.Close()
	var out []WebhookDelivery
	for rows.Next() {
		dl, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("list deliveries of webhook %d: %w", webhookID, err)
		}
		out = append(out, dl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list deliveries of webhook %d: %w", webhookID, err)
	}
	return out, nil
}

// Delivery is what an attempt at a delivery needs: where it goes, the
// secret that signs it and the payload.
type Delivery struct {
	WebhookDelivery
	URL        string
	Secret     string
	Suppressed bool
	Payload    []byte
}

// Delivery returns a delivery for a worker to attempt. A delivery whose
// webhook was deleted is ErrNotFound.
func (s *Store) Delivery(ctx context.Context, id int64) (Delivery, error) {
	var (
		dl         Delivery
		payload    string
		suppressed sql.NullTime
	)
	var err error
	dl.WebhookDelivery, err = scanDelivery(s.read().row(ctx, "SELECT "+deliveryCols+", w.url, w.secret, w.suppressed_at, e.payload FROM webhook_deliveries wd JOIN events e ON e.id = wd.event_id JOIN webhooks w ON w.id = wd.webhook_id WHERE wd.id = ?", id),
		&dl.URL, &dl.Secret, &suppressed, &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("find delivery %d: %w", id, zone.ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("find delivery %d: %w", id, err)
	}
	dl.Suppressed, dl.Payload = suppressed.Valid, []byte(payload)
	if dl.Secret, err = s.webhookSecret(dl.Secret, dl.WebhookID); err != nil {
		return Delivery{}, fmt.Errorf("find delivery %d: %w", id, err)
	}
	return dl, nil
}

func webhookSecretWhere(id int64) string { return fmt.Sprintf("webhook:%d", id) }

// webhookSecret opens a webhook's stored secret. A secret stored before
// secrets were sealed is plain hex, which Migrate seals; until then it is
// used as it is.
func (s *Store) webhookSecret(stored string, id int64) (string, error) {
	if !seal.IsSealed(stored) {
		return stored, nil
	}
	return s.openSecret(stored, webhookSecretWhere(id))
}

// DeliveryAttempt is the outcome of one attempt at a delivery.
type DeliveryAttempt struct {
	Attempt    int
	StatusCode int    // 0 when there was no response
	Err        string // empty when the receiver answered 2xx
	// Final says that no attempt follows a failure: the delivery failed.
	Final bool
}

// RecordDeliveryAttempt notes the outcome of an attempt at a delivery. A
// delivery that failed for good counts against its webhook, which is
// suppressed when suppressAfter deliveries in a row have failed; a delivered
// one resets the count. It reports whether this attempt suppressed the
// webhook.
func (s *Store) RecordDeliveryAttempt(ctx context.Context, id int64, at DeliveryAttempt, suppressAfter int) (suppressed bool, err error) {
	state := DeliveryPending
	switch {
	case at.Err == "":
		state = DeliveryDelivered
	case at.Final:
		state = DeliveryFailed
	}
	err = s.tx(ctx, func(d db) error {
		t := now()
		var webhookID int64
		if err := d.row(ctx, "UPDATE webhook_deliveries SET state = ?, attempts = ?, status_code = ?, last_error = ?, updated_at = ? WHERE id = ? RETURNING webhook_id",
			state, at.Attempt, at.StatusCode, at.Err, t, id).Scan(&webhookID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return zone.ErrNotFound // its webhook was deleted
			}
			return err
		}
		switch state {
		case DeliveryDelivered:
			_, err := d.exec(ctx, "UPDATE webhooks SET failed_deliveries = 0 WHERE id = ? AND failed_deliveries <> 0", webhookID)
			return err
		case DeliveryFailed:
			var (
				accountID int64
				failed    int
				url       string
			)
			if err := d.row(ctx, "UPDATE webhooks SET failed_deliveries = failed_deliveries + 1 WHERE id = ? RETURNING account_id, failed_deliveries, url", webhookID).Scan(&accountID, &failed, &url); err != nil {
				return err
			}
			if failed < suppressAfter {
				return nil
			}
			res, err := d.exec(ctx, "UPDATE webhooks SET suppressed_at = ?, updated_at = ? WHERE id = ? AND suppressed_at IS NULL", t, t, webhookID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				suppressed = true
				return audit(ctx, d, Actor{Label: "zonewarden"}, accountID, "webhook.suppress", "webhook", webhookID, nil,
					map[string]any{"id": webhookID, "url": url, "failed_deliveries": failed})
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("record delivery %d: %w", id, err)
	}
	return suppressed, nil
}

// DropDelivery gives up on a delivery without attempting it: its webhook
// was suppressed.
func (s *Store) DropDelivery(ctx context.Context, id int64, reason string) error {
	if _, err := s.tx1(ctx, "UPDATE webhook_deliveries SET state = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = ?",
		DeliveryDropped, reason, now(), id, DeliveryPending); err != nil {
		return fmt.Errorf("drop delivery %d: %w", id, err)
	}
	return nil
}

// PruneWebhookHistory deletes what webhook deliveries leave behind once
// older than before: deliveries that ended (delivered, failed or dropped;
// pending ones stay whatever their age), the events no delivery refers to
// any more, and the jobs discarded after their last attempt. It deletes in
// small transactions, so that writers wait little, and returns how many
// rows of each it deleted. serve runs it every hour.
func (s *Store) PruneWebhookHistory(ctx context.Context, before time.Time) (deliveries, events, jobs int64, err error) {
	const chunk = 5000
	for _, step := range []struct {
		n     *int64
		query string
	}{
		{&deliveries, "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE state <> 'pending' AND updated_at < ? LIMIT ?)"},
		{&events, "DELETE FROM events WHERE id IN (SELECT id FROM events e WHERE e.created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries wd WHERE wd.event_id = e.id) LIMIT ?)"},
		{&jobs, "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = 'discarded' AND updated_at < ? LIMIT ?)"},
	} {
		for {
			n, err := s.tx1(ctx, step.query, before.UTC(), chunk)
			if err != nil {
				return deliveries, events, jobs, fmt.Errorf("prune webhook history: %w", err)
			}
			*step.n += n
			if n < chunk {
				break
			}
		}
	}
	return deliveries, events, jobs, nil
}
