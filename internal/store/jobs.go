package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Job is a unit of background work from the jobs table. Jobs are written in
// the transaction of the write that causes them, so that a job exists if and
// only if its write committed; internal/jobs runs them.
type Job struct {
	ID   int64
	Kind string
	// Payload is the job's arguments, JSON.
	Payload []byte
	// Attempt counts the claims of the job, this one included (1 the first
	// time). It also fences: a worker whose lease ran out and whose job was
	// claimed again can no longer complete or retry it.
	Attempt int
}

// The kinds of job the store enqueues.
const (
	// JobWebhookDelivery delivers one event to one webhook; its payload is
	// {"delivery_id": N}.
	JobWebhookDelivery = "webhook.deliver"
)

// enqueue adds a job, due at runAt, to the write transaction d.
func enqueue(ctx context.Context, d db, kind string, payload any, runAt time.Time) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", kind, err)
	}
	t := now()
	if _, err := d.exec(ctx, "INSERT INTO jobs (kind, payload, state, attempts, run_at, created_at, updated_at) VALUES (?, ?, 'available', 0, ?, ?, ?)",
		kind, string(b), runAt.UTC().Truncate(time.Microsecond), t, t); err != nil {
		return fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return nil
}

// ClaimJobs takes up to limit jobs of the given kinds that are due at now:
// available jobs whose time has come, and running jobs whose lease ran out
// (their worker died or hung). Each job returned is leased to the caller
// until now+lease. A job is claimed by one caller only, across processes: on
// PostgreSQL the candidates are locked with FOR UPDATE SKIP LOCKED, so that
// concurrent claimers take different jobs without waiting for each other; on
// SQLite the claim is one UPDATE ... RETURNING under the database's single
// writer lock.
func (s *Store) ClaimJobs(ctx context.Context, kinds []string, now time.Time, lease time.Duration, limit int) ([]Job, error) {
	if len(kinds) == 0 || limit <= 0 {
		return nil, nil
	}
	now = now.UTC().Truncate(time.Microsecond)
	lock := ""
	if s.pg {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	args := []any{now.Add(lease), now, now}
	for _, k := range kinds {
		args = append(args, k)
	}
	args = append(args, limit)
	var out []Job
	err := s.tx(ctx, func(d db) error {
		rows, err := d.query(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1, run_at = ?, updated_at = ?
			WHERE id IN (SELECT id FROM jobs WHERE state IN ('available', 'running') AND run_at <= ? AND kind IN `+inList(len(kinds))+`
				ORDER BY run_at, id LIMIT ?`+lock+`)
			RETURNING id, kind, payload, attempts`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				j       Job
				payload string
			)
			if err := rows.Scan(&j.ID, &j.Kind, &payload, &j.Attempt); err != nil {
				return err
			}
			j.Payload = []byte(payload)
			out = append(out, j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	return out, nil
}

// CompleteJob removes a job that succeeded. It does nothing when the job
// was claimed again since (its lease ran out).
func (s *Store) CompleteJob(ctx context.Context, j Job) error {
	if _, err := s.tx1(ctx, "DELETE FROM jobs WHERE id = ? AND attempts = ? AND state = 'running'", j.ID, j.Attempt); err != nil {
		return fmt.Errorf("complete job %d: %w", j.ID, err)
	}
	return nil
}

// RetryJob makes a failed job available again at at, noting why it failed.
func (s *Store) RetryJob(ctx context.Context, j Job, at time.Time, reason string) error {
	if _, err := s.tx1(ctx, "UPDATE jobs SET state = 'available', run_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND attempts = ? AND state = 'running'",
		at.UTC().Truncate(time.Microsecond), reason, now(), j.ID, j.Attempt); err != nil {
		return fmt.Errorf("retry job %d: %w", j.ID, err)
	}
	return nil
}

// DiscardJob gives up on a job: it stays in the table, 'discarded', with
// the reason of its last failure.
func (s *Store) DiscardJob(ctx context.Context, j Job, reason string) error {
	if _, err := s.tx1(ctx, "UPDATE jobs SET state = 'discarded', last_error = ?, updated_at = ? WHERE id = ? AND attempts = ? AND state = 'running'",
		reason, now(), j.ID, j.Attempt); err != nil {
		return fmt.Errorf("discard job %d: %w", j.ID, err)
	}
	return nil
}

// tx1 runs one statement on the writer.
func (s *Store) tx1(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := db{q: s.w, pg: s.pg}.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ReleaseJob hands back a job that was interrupted (its worker is shutting
// down): it is available again at once, and the interrupted attempt does
// not count.
func (s *Store) ReleaseJob(ctx context.Context, j Job) error {
	if _, err := s.tx1(ctx, "UPDATE jobs SET state = 'available', attempts = attempts - 1, run_at = ?, updated_at = ? WHERE id = ? AND attempts = ? AND state = 'running'",
		now(), now(), j.ID, j.Attempt); err != nil {
		return fmt.Errorf("release job %d: %w", j.ID, err)
	}
	return nil
}
