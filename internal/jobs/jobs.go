// Package jobs runs the durable background jobs that the store keeps in its
// jobs table, beside the data whose writes enqueue them.
//
//	r, err := jobs.New(jobs.Config{
//		Queue: st, // *store.Store
//		Kinds: map[string]jobs.Kind{
//			store.JobWebhookDelivery: {Handle: deliverer.Deliver, MaxAttempts: 10},
//		},
//	})
//	go r.Run(ctx) // until ctx ends
//	r.Kick()      // after a commit: look for due jobs now rather than at the next poll
//
// A Runner claims due jobs (store.ClaimJobs: each job by one claimer only,
// across processes sharing a database) and runs each in a goroutine of its
// own, up to Workers at a time. A job whose handler returns nil is removed;
// one that fails is retried after its kind's backoff (exponential with
// jitter: 1m, 2m, 4m... capped at 1h by default) until MaxAttempts, then
// discarded and kept. A claimed job is leased: if its process dies, the
// job is claimed again when the lease runs out, so a job runs at least
// once, and a handler must bear being run again. When ctx ends, Run stops
// claiming, cancels the running handlers, hands their jobs back without
// counting the interrupted attempt, and returns.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

// Queue is where jobs are kept: *store.Store.
type Queue interface {
	ClaimJobs(ctx context.Context, kinds []string, now time.Time, lease time.Duration, limit int) ([]store.Job, error)
	CompleteJob(ctx context.Context, j store.Job) error
	RetryJob(ctx context.Context, j store.Job, at time.Time, reason string) error
	DiscardJob(ctx context.Context, j store.Job, reason string) error
	ReleaseJob(ctx context.Context, j store.Job) error
}

// Job is a job as its handler sees it.
type Job struct {
	store.Job
	// Final says that no attempt follows if this one fails.
	Final bool
}

// Kind is how the jobs of one kind are run.
type Kind struct {
	// Handle does the job. Its context ends at the job's lease, or when the
	// Runner stops.
	Handle func(ctx context.Context, j Job) error
	// MaxAttempts is the number of attempts before the job is discarded;
	// default 10.
	MaxAttempts int
	// Backoff is the wait before attempt n+1 after attempt n failed;
	// default Backoff(time.Minute, time.Hour).
	Backoff func(n int) time.Duration
}

// Config configures a Runner. Queue and Kinds are required.
type Config struct {
	Queue Queue
	Kinds map[string]Kind
	// Workers is how many jobs run at once; default 4.
	Workers int
	// Poll is how often the queue is read when not kicked; default 1s.
	Poll time.Duration
	// Lease is how long a claimed job is its claimer's before another may
	// claim it; default 5m. A handler's context ends with it.
	Lease time.Duration
	// Now is the clock that says which jobs are due; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Runner runs jobs. It is built by New and runs in Run.
type Runner struct {
	cfg   Config
	kinds []string
	kick  chan struct{}
}

// New checks cfg and returns a Runner. It starts nothing.
func New(cfg Config) (*Runner, error) {
	if cfg.Queue == nil {
		return nil, errors.New("jobs: no queue")
	}
	if len(cfg.Kinds) == 0 {
		return nil, errors.New("jobs: no kinds of job")
	}
	r := &Runner{kick: make(chan struct{}, 1)}
	kinds := make(map[string]Kind, len(cfg.Kinds))
	for name, k := range cfg.Kinds {
		if k.Handle == nil {
			return nil, fmt.Errorf("jobs: kind %s has no handler", name)
		}
		if k.MaxAttempts <= 0 {
			k.MaxAttempts = 10
		}
		if k.Backoff == nil {
			k.Backoff = Backoff(time.Minute, time.Hour)
		}
		kinds[name] = k
		r.kinds = append(r.kinds, name)
	}
	slices.Sort(r.kinds)
	cfg.Kinds = kinds
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r.cfg = cfg
	return r, nil
}

// Backoff returns exponential backoff with jitter: base before the second
// attempt, doubling after each failure up to max, each wait between 80%
// and 120% of that so that the retries of jobs that failed together spread
// out.
func Backoff(base, max time.Duration) func(n int) time.Duration {
	return func(n int) time.Duration {
		d := base
		for i := 1; i < n && d < max; i++ {
			d *= 2
		}
		d = min(d, max)
		return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	}
}

// Kick makes Run look for due jobs now. It never blocks.
func (r *Runner) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run claims and runs jobs until ctx ends, then waits for the running
// handlers to return and returns nil.
func (r *Runner) Run(ctx context.Context) error {
	var (
		wg   sync.WaitGroup
		busy = make(chan struct{}, r.cfg.Workers) // one token per running job
		done = make(chan struct{}, r.cfg.Workers) // a job finished
	)
	defer wg.Wait()
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		if free := r.cfg.Workers - len(busy); free > 0 && ctx.Err() == nil {
			now := r.cfg.Now()
			js, err := r.cfg.Queue.ClaimJobs(ctx, r.kinds, now, r.cfg.Lease, free)
			if err != nil && ctx.Err() == nil {
				r.cfg.Logger.Error("claim jobs", "err", err)
			}
			for _, j := range js {
				busy <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					r.run(ctx, j, now)
					<-busy
					select {
					case done <- struct{}{}:
					default: // a wake-up is pending already
					}
				}()
			}
			if len(js) == free {
				// There may be more due: claim again as soon as a worker
				// is free.
				select {
				case <-ctx.Done():
					return nil
				case <-done:
					continue
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.kick:
		case <-done:
		case <-poll.C:
			poll.Reset(r.cfg.Poll)
		}
	}
}

// run runs one job, claimed at claimed, and records its outcome. The
// backoff of a failed attempt counts from its start.
func (r *Runner) run(ctx context.Context, sj store.Job, claimed time.Time) {
	k := r.cfg.Kinds[sj.Kind]
	j := Job{Job: sj, Final: sj.Attempt >= k.MaxAttempts}
	hctx, cancel := context.WithTimeout(ctx, r.cfg.Lease)
	err := handle(hctx, k.Handle, j)
	cancel()

	// The outcome is written even when ctx has ended.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer wcancel()
	log := r.cfg.Logger.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempt)
	var werr error
	switch {
	case err == nil:
		werr = r.cfg.Queue.CompleteJob(wctx, sj)
	case ctx.Err() != nil:
		log.Info("job interrupted", "err", err)
		werr = r.cfg.Queue.ReleaseJob(wctx, sj)
	case j.Final:
		log.Warn("job failed for good", "err", err)
		werr = r.cfg.Queue.DiscardJob(wctx, sj, err.Error())
	default:
		at := claimed.Add(k.Backoff(j.Attempt))
		log.Info("job failed; retrying", "err", err, "at", at)
		werr = r.cfg.Queue.RetryJob(wctx, sj, at, err.Error())
	}
	if werr != nil {
		log.Error("record job outcome", "err", werr)
	}
}

// handle calls h, turning a panic into an error.
func handle(ctx context.Context, h func(context.Context, Job) error, j Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("job %d panicked: %v", j.ID, v)
		}
	}()
	return h(ctx, j)
}
