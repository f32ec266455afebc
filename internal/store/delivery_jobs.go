package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// DeliveryRetries returns when each of the given deliveries will next be
// attempted, from their jobs: only deliveries waiting for an attempt are in
// the map (not those being attempted now, delivered or given up on).
func (s *Store) DeliveryRetries(ctx context.Context, deliveryIDs []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(deliveryIDs) == 0 {
		return out, nil
	}
	args := []any{JobWebhookDelivery}
	for _, id := range deliveryIDs {
		// The payload is written by enqueue as this exact JSON.
		b, _ := json.Marshal(map[string]int64{"delivery_id": id})
		args = append(args, string(b))
	}
	rows, err := s.read().query(ctx, "SELECT payload, run_at FROM jobs WHERE kind = ? AND state = 'available' AND payload IN "+inList(len(deliveryIDs)), args...)
	if err != nil {
		return nil, fmt.Errorf("read delivery jobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			payload string
			runAt   sql.NullTime
			p       struct {
				DeliveryID int64 `json:"delivery_id"`
			}
		)
		if err := rows.Scan(&payload, &runAt); err != nil {
			return nil, fmt.Errorf("read delivery jobs: %w", err)
		}
		if json.Unmarshal([]byte(payload), &p) == nil && runAt.Valid {
			out[p.DeliveryID] = runAt.Time.UTC()
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read delivery jobs: %w", err)
	}
	return out, nil
}
