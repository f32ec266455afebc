package web

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

// TestThrottle: mail counts run for the window from the first failure, and two
// processes sharing the database count together.
func TestThrottle(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "zonewarden.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	log := slog.New(slog.DiscardHandler)
	one, other := &throttle{st: st, now: now, log: log}, &throttle{st: st, now: now, log: log}
	for i := range mailsPerUser - 1 {
		[]*throttle{one, other}[i%2].fail(ctx, "mail:email:ada")
	}
	if d := one.wait(ctx, "mail:email:ada", mailsPerUser); d != 0 {
		t.Fatalf("wait after %d failures = %s, want 0", mailsPerUser-1, d)
	}
	other.fail(ctx, "mail:email:ada")
	for _, th := range []*throttle{one, other} {
		if d := th.wait(ctx, "mail:email:ada", mailsPerUser); d != throttleWindow {
			t.Fatalf("wait at the limit = %s, want %s", d, throttleWindow)
		}
	}
	clock = clock.Add(throttleWindow - time.Minute)
	if d := one.wait(ctx, "mail:email:ada", mailsPerUser); d != time.Minute {
		t.Errorf("wait later = %s, want 1m", d)
	}
	clock = clock.Add(time.Minute)
	if d := one.wait(ctx, "mail:email:ada", mailsPerUser); d != 0 {
		t.Errorf("wait after the window = %s, want 0", d)
	}
}

func TestPasswordProblem(t *testing.T) {
	for _, c := range []struct {
		pw   string
		okay bool
	}{
		{"short", false}, {"1234567890", false}, {"QWERTYUIOP", false}, {"ada@example.com", false},
		{"correct horse battery", true}, {"a very long passphrase indeed", true},
	} {
		if got := passwordProblem(c.pw, "ada@example.com"); (got == "") != c.okay {
			t.Errorf("passwordProblem(%q) = %q", c.pw, got)
		}
	}
}
