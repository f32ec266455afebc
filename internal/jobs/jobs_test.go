package jobs

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

func TestBackoff(t *testing.T) {
	b := Backoff(time.Minute, time.Hour)
	for _, tc := range []struct {
		attempt int
		base    time.Duration
	}{
		{1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute}, {6, 32 * time.Minute},
		{7, time.Hour}, {10, time.Hour}, {100, time.Hour},
	} {
		for range 50 {
			if d := b(tc.attempt); d < tc.base*8/10 || d > tc.base*12/10 {
				t.Errorf("Backoff(%d) = %v, want %v ±20%%", tc.attempt, d, tc.base)
			}
		}
	}
}

// queue is an in-memory Queue that records what became of each job.
type queue struct {
	mu      sync.Mutex
	jobs    []store.Job
	outcome map[int64]string
}

func (q *queue) ClaimJobs(ctx context.Context, kinds []string, now time.Time, lease time.Duration, limit int) ([]store.Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(limit, len(q.jobs))
	out := q.jobs[:n:n]
	q.jobs = q.jobs[n:]
	return out, nil
}

func (q *queue) set(j store.Job, what string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.outcome[j.ID] = what
	return nil
}

func (q *queue) CompleteJob(_ context.Context, j store.Job) error { return q.set(j, "complete") }
func (q *queue) RetryJob(_ context.Context, j store.Job, _ time.Time, _ string) error {
	return q.set(j, "retry")
}
func (q *queue) DiscardJob(_ context.Context, j store.Job, _ string) error {
	return q.set(j, "discard")
}
func (q *queue) ReleaseJob(_ context.Context, j store.Job) error { return q.set(j, "release") }

func TestOutcomes(t *testing.T) {
	q := &queue{outcome: map[int64]string{}, jobs: []store.Job{
		{ID: 1, Kind: "ok", Attempt: 1},
		{ID: 2, Kind: "fail", Attempt: 1},
		{ID: 3, Kind: "fail", Attempt: 3},
		{ID: 4, Kind: "panic", Attempt: 1},
		{ID: 5, Kind: "hang", Attempt: 1},
	}}
	started := make(chan struct{})
	r, err := New(Config{Queue: q, Poll: time.Millisecond, Kinds: map[string]Kind{
		"ok":    {Handle: func(context.Context, Job) error { return nil }},
		"fail":  {Handle: func(context.Context, Job) error { return errors.New("boom") }, MaxAttempts: 3},
		"panic": {Handle: func(context.Context, Job) error { panic("oops") }},
		"hang": {Handle: func(ctx context.Context, _ Job) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	<-started
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		q.mu.Lock()
		n := len(q.outcome)
		q.mu.Unlock()
		if n == 4 || time.Now().After(deadline) {
			break
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	want := map[int64]string{1: "complete", 2: "retry", 3: "discard", 4: "retry", 5: "release"}
	for id, w := range want {
		if q.outcome[id] != w {
			t.Errorf("job %d: %q, want %q", id, q.outcome[id], w)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no queue":   {Kinds: map[string]Kind{"k": {Handle: func(context.Context, Job) error { return nil }}}},
		"no kinds":   {Queue: &queue{}},
		"no handler": {Queue: &queue{}, Kinds: map[string]Kind{"k": {}}},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%s) = nil error", name)
		}
	}
}
