package web

import (
	"sync"
	"time"
)

// Sign-in throttling: after too many failed attempts for one email, or from
// one address, within a window, sign-ins are refused until the window
// ends. Counts live in this process's memory.
const (
	throttleWindow     = 15 * time.Minute
	throttlePerAccount = 5
	throttlePerAddress = 30
	throttleMaxKeys    = 100_000
)

type throttle struct {
	mu   sync.Mutex
	now  func() time.Time
	keys map[string]*failures
}

type failures struct {
	n     int
	first time.Time
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, keys: map[string]*failures{}}
}

// wait returns how long until key may try again; 0 when it may now.
func (t *throttle) wait(key string, limit int) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.keys[key]
	if f == nil {
		return 0
	}
	left := f.first.Add(throttleWindow).Sub(t.now())
	if left <= 0 {
		delete(t.keys, key)
		return 0
	}
	if f.n < limit {
		return 0
	}
	return left
}

// fail counts a failed attempt of key.
func (t *throttle) fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.now()
	if len(t.keys) >= throttleMaxKeys {
		for k, f := range t.keys {
			if n.Sub(f.first) >= throttleWindow {
				delete(t.keys, k)
			}
		}
	}
	f := t.keys[key]
	if f == nil || n.Sub(f.first) >= throttleWindow {
		f = &failures{first: n}
		t.keys[key] = f
	}
	f.n++
}

// forget clears key's failures, after a successful sign-in.
func (t *throttle) forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}
