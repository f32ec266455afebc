package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// TestWebhookSecretSealed: a webhook's secret is sealed at rest, under its
// row, and opened for deliveries; secrets stored in plain text before are
// sealed by Migrate.
func TestWebhookSecretSealed(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "")
		h, err := s.CreateWebhook(ctx, f.actor, f.account.ID, "https://hooks.example.net/dns")
		if err != nil {
			t.Fatal(err)
		}
		stored := func(id int64) string {
			var v string
			if err := s.read().row(ctx, "SELECT secret FROM webhooks WHERE id = ?", id).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := stored(h.ID); !strings.HasPrefix(v, "zw1:") || strings.Contains(v, h.Secret) {
			t.Errorf("stored secret %q: not sealed", v)
		}
		delivery := func(webhookID int64) Delivery {
			t.Helper()
			var id int64
			if err := s.read().row(ctx, "SELECT MAX(id) FROM webhook_deliveries WHERE webhook_id = ?", webhookID).Scan(&id); err != nil {
				t.Fatal(err)
			}
			dl, err := s.Delivery(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return dl
		}
		if dl := delivery(h.ID); dl.Secret != h.Secret {
			t.Errorf("delivery's secret %q, want the webhook's %q", dl.Secret, h.Secret)
		}

		// A sealed secret moved to another row does not open there.
		h2, err := s.CreateWebhook(ctx, f.actor, f.account.ID, "https://other.example.net/dns")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.w.ExecContext(ctx, db{q: s.w, pg: s.pg}.bind("UPDATE webhooks SET secret = ? WHERE id = ?"), stored(h.ID), h2.ID); err != nil {
			t.Fatal(err)
		}
		var id int64
		s.read().row(ctx, "SELECT MAX(id) FROM webhook_deliveries WHERE webhook_id = ?", h2.ID).Scan(&id)
		if _, err := s.Delivery(ctx, id); err == nil {
			t.Errorf("a secret moved to another webhook opened")
		}

		// A secret stored in plain text, as before sealing, is sealed by
		// the next Migrate and still signs the same.
		const plain = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
		if _, err := s.w.ExecContext(ctx, db{q: s.w, pg: s.pg}.bind("UPDATE webhooks SET secret = ? WHERE id = ?"), plain, h2.ID); err != nil {
			t.Fatal(err)
		}
		if dl := delivery(h2.ID); dl.Secret != plain {
			t.Errorf("plain secret before migration: %q", dl.Secret)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if v := stored(h2.ID); !strings.HasPrefix(v, "zw1:") {
			t.Errorf("after Migrate the secret is stored as %q", v)
		}
		if dl := delivery(h2.ID); dl.Secret != plain {
			t.Errorf("secret after migration %q, want %q", dl.Secret, plain)
		}
		if v := stored(h.ID); !strings.HasPrefix(v, "zw1:") {
			t.Errorf("Migrate changed a sealed secret: %q", v)
		}
	})
}

func TestWebhookURLCheck(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "")
		_, err := s.CreateWebhook(ctx, f.actor, f.account.ID, "http://127.0.0.1:8080/hook")
		var ve *ValidationError
		if !errors.Is(err, zone.ErrInvalid) || !errors.As(err, &ve) || ve.Fields[0].Field != "url" || !strings.Contains(ve.Fields[0].Msg, "public addresses only") {
			t.Errorf("CreateWebhook(127.0.0.1) = %v, want a url field error", err)
		}
		if _, err := s.CreateWebhook(ctx, f.actor, f.account.ID, "https://hooks.example.net/"); err != nil {
			t.Errorf("CreateWebhook(public) = %v", err)
		}
	}, WithWebhookURLCheck(func(_ context.Context, u string) error {
		if strings.Contains(u, "127.0.0.1") {
			return errors.New("127.0.0.1 is not a public address")
		}
		return nil
	}))
}

// TestPruneWebhookHistory: ended deliveries, the events they leave and
// discarded jobs go once old; pending deliveries and what is recent stay.
func TestPruneWebhookHistory(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		if _, err := s.CreateWebhook(ctx, f.actor, f.account.ID, "https://hooks.example.net/dns"); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"a", "b", "c", "d"} {
			if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: n, Type: "A", Content: "192.0.2.1"}); err != nil {
				t.Fatal(err)
			}
		}
		ids, err := queryAll(ctx, s.read(), func(r interface{ Scan(...any) error }) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		}, "SELECT id FROM webhook_deliveries ORDER BY id")
		if err != nil || len(ids) != 5 {
			t.Fatalf("deliveries %v, %v; want 5", ids, err)
		}
		// Old: one delivered, one failed, one still pending; new: one
		// delivered. One job discarded long ago.
		old := time.Now().Add(-40 * 24 * time.Hour).UTC()
		for i, st := range []string{DeliveryDelivered, DeliveryFailed, DeliveryPending, DeliveryDelivered} {
			at := old
			if i == 3 {
				at = time.Now().UTC()
			}
			if _, err := s.tx1(ctx, "UPDATE webhook_deliveries SET state = ?, updated_at = ? WHERE id = ?", st, at, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.tx1(ctx, "UPDATE events SET created_at = ?", old); err != nil {
			t.Fatal(err)
		}
		if _, err := s.tx1(ctx, "UPDATE jobs SET state = 'discarded', updated_at = ? WHERE id = (SELECT MIN(id) FROM jobs)", old); err != nil {
			t.Fatal(err)
		}
		d, e, j, err := s.PruneWebhookHistory(ctx, time.Now().Add(-30*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if d != 2 || e != 2 || j != 1 {
			t.Errorf("pruned %d deliveries, %d events, %d jobs; want 2, 2, 1", d, e, j)
		}
		var left, events int
		s.read().row(ctx, "SELECT COUNT(*) FROM webhook_deliveries").Scan(&left)
		s.read().row(ctx, "SELECT COUNT(*) FROM events").Scan(&events)
		if left != 3 || events != 3 {
			t.Errorf("%d deliveries and %d events left, want 3 and 3", left, events)
		}
		if d, e, j, _ := s.PruneWebhookHistory(ctx, time.Now().Add(-30*24*time.Hour)); d+e+j != 0 {
			t.Errorf("second prune deleted %d, %d, %d", d, e, j)
		}
	})
}
