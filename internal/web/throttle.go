package web

import (
	"context"
	"log/slog"
	"time"
)

// Throttling of mails sent on request (reset and verification links):
// after too many for one address or user within a window, more are refused
// until the window ends. Sign-ins and codes are throttled by the store's
// own SignInWait. The counts are the store's, shared by every process of
// the installation: counts in one process's memory would give a client
// behind a load balancer one allowance per process.
const throttleWindow = 15 * time.Minute

// attemptStore keeps the counts: *store.Store.
type attemptStore interface {
	Attempts(ctx context.Context, key string, since time.Time) (int, time.Time, error)
	AddAttempt(ctx context.Context, key string, now, since time.Time) error
}

type throttle struct {
	st  attemptStore
	now func() time.Time
	log *slog.Logger
}

// wait returns how long until key may try again; 0 when it may now. A
// count that cannot be read lets the attempt go on, logged: the user it
// mails is read from the same database next, and fails with it.
func (t *throttle) wait(ctx context.Context, key string, limit int) time.Duration {
	now := t.now()
	n, first, err := t.st.Attempts(ctx, key, now.Add(-throttleWindow))
	if err != nil {
		t.log.Error("read the throttle's count", "err", err)
		return 0
	}
	if n < limit {
		return 0
	}
	return first.Add(throttleWindow).Sub(now)
}

// fail counts an attempt of key.
func (t *throttle) fail(ctx context.Context, key string) {
	now := t.now()
	if err := t.st.AddAttempt(ctx, key, now, now.Add(-throttleWindow)); err != nil {
		t.log.Error("count a failed attempt", "err", err)
	}
}
