package api

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter counts requests per caller in fixed windows: the first request of
// a caller opens a window of one period, which allows limit requests. It is
// in memory: each process counts its own.
type limiter struct {
	limit  int
	period time.Duration
	now    func() time.Time

	mu      sync.Mutex
	windows map[string]*window
	swept   time.Time
}

type window struct {
	reset time.Time
	used  int
}

func newLimiter(limit int, period time.Duration, now func() time.Time) *limiter {
	return &limiter{limit: limit, period: period, now: now, windows: map[string]*window{}}
}

// take counts a request of key and reports whether it is allowed, with what
// is left of the window and when it ends.
func (l *limiter) take(key string) (ok bool, remaining int, reset time.Time) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.period {
		// Forget windows that have ended, at most once a period.
		for k, w := range l.windows {
			if !now.Before(w.reset) {
				delete(l.windows, k)
			}
		}
		l.swept = now
	}
	w := l.windows[key]
	if w == nil || !now.Before(w.reset) {
		w = &window{reset: now.Add(l.period)}
		l.windows[key] = w
	}
	if w.used >= l.limit {
		return false, 0, w.reset
	}
	w.used++
	return true, l.limit - w.used, w.reset
}

// rateLimit sets X-RateLimit-Limit, -Remaining and -Reset on every response
// and answers 429 once a caller has used up its window. Callers are counted
// by token, by user for HTTP Basic, and by client address when anonymous.
func (a *API) rateLimit(next http.Handler) http.Handler {
	if a.limiter == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, remaining, reset := a.limiter.take(limitKey(r))
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(a.limiter.limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		if !ok {
			a.fail(w, r, &Error{Status: http.StatusTooManyRequests, RetryAfter: reset.Sub(a.now()),
				Message: fmt.Sprintf("API rate limit exceeded: %d requests per hour. Try again after %s", a.limiter.limit, reset.UTC().Format(time.RFC3339))})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func limitKey(r *http.Request) string {
	p := caller(r)
	switch {
	case p.TokenID != 0:
		return "token:" + strconv.FormatInt(p.TokenID, 10)
	case p.User != nil:
		return "user:" + strconv.FormatInt(p.User.ID, 10)
	case p.Account != nil:
		return "account:" + strconv.FormatInt(p.Account.ID, 10)
	}
	return "addr:" + clientHost(r)
}

// requestID gives every response an X-Request-Id, and turns a panicking
// handler into a 500 in DNSimple's shape.
func (a *API) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", a.cfg.NewRequestID())
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.fail(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// newRequestID returns a random UUID (version 4), as DNSimple's ids are.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
