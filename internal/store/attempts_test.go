package store

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestAttempts(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		window := 15 * time.Minute
		t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		count := func(key string, at time.Time) int {
			t.Helper()
			n, _, err := s.Attempts(ctx, key, at.Add(-window))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		fail := func(key string, at time.Time) {
			t.Helper()
			if err := s.AddAttempt(ctx, key, at, at.Add(-window)); err != nil {
				t.Fatal(err)
			}
		}

		if n := count("email:ada", t0); n != 0 {
			t.Fatalf("a key never failed: %d", n)
		}
		for i := range 3 {
			fail("email:ada", t0.Add(time.Duration(i)*time.Minute))
		}
		n, first, err := s.Attempts(ctx, "email:ada", t0.Add(5*time.Minute-window))
		if err != nil || n != 3 || !first.Equal(t0) {
			t.Fatalf("Attempts = %d since %s, %v; want 3 since %s", n, first, err, t0)
		}
		if n := count("email:bob", t0); n != 0 {
			t.Errorf("another key: %d", n)
		}
		// The count runs from the first failure: after the window it is
		// gone, and the next failure starts a new one.
		if n := count("email:ada", t0.Add(window)); n != 0 {
			t.Errorf("after the window: %d", n)
		}
		fail("email:ada", t0.Add(window+time.Second))
		n, first, err = s.Attempts(ctx, "email:ada", t0.Add(window+2*time.Second-window))
		if err != nil || n != 1 || !first.Equal(t0.Add(window+time.Second)) {
			t.Errorf("a new count = %d since %s, %v", n, first, err)
		}
		if err := s.ForgetAttempts(ctx, "email:ada"); err != nil {
			t.Fatal(err)
		}
		if n := count("email:ada", t0.Add(window+3*time.Second)); n != 0 {
			t.Errorf("after forgetting: %d", n)
		}

		// Counts that ended are deleted by later failures; live ones stay.
		fail("addr:192.0.2.1", t0)
		fail("addr:192.0.2.2", t0.Add(2*window))
		var rows int
		if err := s.read().row(ctx, "SELECT COUNT(*) FROM attempts").Scan(&rows); err != nil || rows != 1 {
			t.Errorf("rows after an old count ended: %d, %v; want 1", rows, err)
		}
		// The key is not stored as it is.
		var stored string
		if err := s.read().row(ctx, "SELECT key_hash FROM attempts").Scan(&stored); err != nil || stored == "addr:192.0.2.2" || len(stored) != 64 {
			t.Errorf("stored key %q, %v", stored, err)
		}

		// Processes failing at once all count.
		var wg sync.WaitGroup
		at := t0.Add(3 * window)
		for range 8 {
			wg.Go(func() {
				if err := s.AddAttempt(ctx, "email:carol", at, at.Add(-window)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := count("email:carol", at); n != 8 {
			t.Errorf("concurrent failures counted %d, want 8", n)
		}
	})
}

// TestSignInThrottle: wrong passwords count against the email and the
// client address, a success clears the email's count only, and the email
// is counted whatever its case.
func TestSignInThrottle(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		wait := func(email, addr string) time.Duration {
			t.Helper()
			d, err := s.SignInWait(ctx, email, addr, now)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		for i := range SignInPerEmail {
			if d := wait("ada@example.com", "192.0.2.1"); d != 0 {
				t.Fatalf("wait after %d failures: %s", i, d)
			}
			email := "ada@example.com"
			if i%2 == 1 {
				email = " Ada@Example.COM"
			}
			if err := s.SignInFailed(ctx, email, "192.0.2.1", now); err != nil {
				t.Fatal(err)
			}
		}
		if d := wait("ada@example.com", "198.51.100.7"); d != SignInWindow {
			t.Errorf("the email from another address: wait %s, want %s", d, SignInWindow)
		}
		if d := wait("bob@example.com", "192.0.2.1"); d != 0 {
			t.Errorf("another email from the address (%d of %d failures): wait %s", SignInPerEmail, SignInPerAddress, d)
		}
		if err := s.SignInSucceeded(ctx, "ADA@example.com"); err != nil {
			t.Fatal(err)
		}
		if d := wait("ada@example.com", "198.51.100.7"); d != 0 {
			t.Errorf("after a success: wait %s", d)
		}
		for range SignInPerAddress - SignInPerEmail {
			if err := s.SignInFailed(ctx, "someone@example.com", "192.0.2.1", now); err != nil {
				t.Fatal(err)
			}
		}
		if d := wait("carol@example.com", "192.0.2.1"); d != SignInWindow {
			t.Errorf("an address with %d failures: wait %s, want %s", SignInPerAddress, d, SignInWindow)
		}
		if err := s.SignInSucceeded(ctx, "nobody@example.com"); err != nil {
			t.Errorf("a success with nothing to clear: %v", err)
		}
	})
}
