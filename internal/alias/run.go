package alias

import (
	"container/heap"
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"
)

const (
	// maxInFlight bounds the resolutions running at once.
	maxInFlight = 8
	// Failed resolutions are retried after 1s, 2s, 4s... up to maxBackoff.
	minBackoff = time.Second
	maxBackoff = 2 * time.Minute
)

// job is the schedule of one key, owned by the Run goroutine.
type job struct {
	key
	watched  bool // refreshed; otherwise resolved once on demand
	forget   bool // at due, drop the job and its answer instead of resolving
	due      time.Time
	inFlight bool
	failures int
}

// result is what a resolution goroutine hands back to Run.
type result struct {
	job *job
	ans answer
	err error
}

// Run resolves the watched targets and keeps them fresh until ctx is done.
// It returns nil then, or an error at once if the Config is invalid. Call it
// once.
func (r *Resolver) Run(ctx context.Context) error {
	if err := r.cfg.Validate(); err != nil {
		return err
	}
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("alias resolver already running")
	}
	defer r.running.Store(false)

	l := &loop{
		r:       r,
		jobs:    map[key]*job{},
		results: make(chan result, maxInFlight),
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	l.reconcile(time.Now())
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		now := time.Now()
		for _, j := range l.due(now) {
			j.inFlight = true
			l.inFlight++
			wg.Go(func() {
				ans, err := r.lookup(ctx, j.key)
				select {
				case l.results <- result{j, ans, err}:
				case <-ctx.Done():
				}
			})
		}
		if next, ok := l.next(); ok {
			timer.Reset(next.Sub(now))
		} else {
			timer.Stop()
		}

		select {
		case <-ctx.Done():
			return nil
		case <-r.changed:
			l.reconcile(time.Now())
		case k := <-r.demand:
			l.demanded(k, time.Now())
		case res := <-l.results:
			// Publish everything that is ready as one snapshot: each
			// publication copies the table.
			batch := []result{res}
			for more := true; more; {
				select {
				case res := <-l.results:
					batch = append(batch, res)
				default:
					more = false
				}
			}
			l.finish(batch, time.Now())
		case <-timer.C:
		}
	}
}

// loop is the state of Run.
type loop struct {
	r        *Resolver
	jobs     map[key]*job
	queue    queue // jobs by due time; may hold stale items, see due
	inFlight int
	results  chan result
}

func (l *loop) schedule(j *job, at time.Time) {
	j.due = at
	heap.Push(&l.queue, item{j, at})
}

// due pops the jobs to start now, within the bound on concurrency.
func (l *loop) due(now time.Time) []*job {
	var start []*job
	for l.queue.Len() > 0 && l.inFlight+len(start) < maxInFlight {
		it := l.queue[0]
		if it.at.After(now) {
			break
		}
		heap.Pop(&l.queue)
		// Items of dropped, rescheduled or running jobs are skipped.
		if l.jobs[it.job.key] != it.job || !it.job.due.Equal(it.at) || it.job.inFlight {
			continue
		}
		if it.job.forget {
			l.forget(it.job)
			continue
		}
		start = append(start, it.job)
	}
	return start
}

// next returns when the earliest queued job is due.
func (l *loop) next() (time.Time, bool) {
	if l.queue.Len() == 0 || l.inFlight >= maxInFlight {
		return time.Time{}, false
	}
	return l.queue[0].at, true
}

// reconcile brings the jobs in line with the watched set: new targets are
// resolved now, removed ones dropped, and demand jobs of targets now watched
// become refreshed ones.
func (l *loop) reconcile(now time.Time) {
	l.r.mu.Lock()
	watched := l.r.watched
	l.r.mu.Unlock()
	for k, j := range l.jobs {
		if j.watched && !watched[k.name] {
			delete(l.jobs, k)
		}
	}
	for name := range watched {
		for _, qtype := range []uint16{typeA, typeAAAA} {
			k := key{name, qtype}
			j := l.jobs[k]
			switch {
			case j == nil:
				j = &job{key: k, watched: true}
				l.jobs[k] = j
				l.schedule(j, now)
			case !j.watched:
				j.watched, j.forget = true, false
				if !j.inFlight {
					l.schedule(j, now)
				}
			}
		}
	}
}

// demanded starts a one-off resolution of k, unless k is already known.
func (l *loop) demanded(k key, now time.Time) {
	// A target just dropped by Watch still has its job until the change is
	// seen; see it first so that the demand isn't taken as already served.
	select {
	case <-l.r.changed:
		l.reconcile(now)
	default:
	}
	if l.jobs[k] != nil {
		return
	}
	j := &job{key: k}
	l.jobs[k] = j
	l.schedule(j, now)
}

// finish publishes the answers in batch and schedules what comes next for
// each job: a refresh at 80-90% of the TTL, a retry with backoff after a
// failure, or forgetting a demand job's answer when it expires.
func (l *loop) finish(batch []result, now time.Time) {
	cfg := &l.r.cfg
	l.r.mu.Lock()
	defer l.r.mu.Unlock()
	old := l.r.table.Load().m
	var m map[string]*entry // copied from old on the first change
	for _, res := range batch {
		j := res.job
		l.inFlight--
		j.inFlight = false
		current := l.jobs[j.key] == j
		if res.err != nil {
			j.failures++
			cfg.Logger.Warn("resolve ALIAS target", "failures", j.failures, "err", res.err)
			if current {
				j.forget = !j.watched
				l.schedule(j, now.Add(backoff(j.failures)))
			}
			continue
		}
		j.failures = 0
		// A result for a target dropped while it was resolved is not
		// published: Watch already forgot the target.
		if !current || (j.watched && !l.r.watched[j.name]) {
			continue
		}
		ttl := min(max(res.ans.ttl, cfg.MinTTL), cfg.MaxTTL)
		s := &rrset{rdata: res.ans.rdata, expires: now.Add(ttl), staleUntil: now.Add(ttl + cfg.StaleFor)}
		if m == nil {
			m = make(map[string]*entry, len(old)+1)
			for name, e := range old {
				m[name] = e
			}
		}
		e := m[j.name]
		if e == nil {
			e = &entry{}
		}
		m[j.name] = e.with(j.qtype, s)
		if j.watched {
			l.schedule(j, now.Add(time.Duration(float64(ttl)*(0.8+0.1*rand.Float64()))))
		} else {
			j.forget = true
			l.schedule(j, now.Add(ttl))
		}
	}
	if m != nil {
		l.r.table.Store(&table{m: m})
	}
}

// forget drops a demand job and, unless its target has since been watched,
// its answer.
func (l *loop) forget(j *job) {
	delete(l.jobs, j.key)
	l.r.mu.Lock()
	defer l.r.mu.Unlock()
	if l.r.watched[j.name] {
		return
	}
	old := l.r.table.Load().m
	e := old[j.name]
	if e == nil || e.get(j.qtype) == nil {
		return
	}
	m := make(map[string]*entry, len(old))
	for name, e := range old {
		m[name] = e
	}
	if e = e.with(j.qtype, nil); e.a == nil && e.aaaa == nil {
		delete(m, j.name)
	} else {
		m[j.name] = e
	}
	l.r.table.Store(&table{m: m})
}

// backoff returns how long to wait before retrying after n failures in a row,
// with jitter so that targets failing together don't retry together.
func backoff(n int) time.Duration {
	d := maxBackoff
	if n < 10 {
		d = min(minBackoff<<(n-1), maxBackoff)
	}
	return d + rand.N(d/2+1)
}

// item is a queued job and the due time it was queued with.
type item struct {
	job *job
	at  time.Time
}

// queue is a min-heap of items by due time.
type queue []item

func (q queue) Len() int           { return len(q) }
func (q queue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q queue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)        { *q = append(*q, x.(item)) }
func (q *queue) Pop() any {
	old := *q
	it := old[len(old)-1]
	old[len(old)-1] = item{}
	*q = old[:len(old)-1]
	return it
}
