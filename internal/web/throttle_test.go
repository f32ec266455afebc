package web

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestThrottle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		th := newThrottle(time.Now)
		for range throttlePerAccount - 1 {
			th.fail("email:ada")
		}
		if d := th.wait("email:ada", throttlePerAccount); d != 0 {
			t.Fatalf("wait after %d failures = %s, want 0", throttlePerAccount-1, d)
		}
		th.fail("email:ada")
		if d := th.wait("email:ada", throttlePerAccount); d != throttleWindow {
			t.Fatalf("wait at the limit = %s, want %s", d, throttleWindow)
		}
		time.Sleep(throttleWindow - time.Minute)
		if d := th.wait("email:ada", throttlePerAccount); d != time.Minute {
			t.Errorf("wait later = %s, want 1m", d)
		}
		time.Sleep(time.Minute)
		if d := th.wait("email:ada", throttlePerAccount); d != 0 {
			t.Errorf("wait after the window = %s, want 0", d)
		}
		th.fail("email:bob")
		th.forget("email:bob")
		if len(th.keys) != 0 {
			t.Errorf("%d keys kept", len(th.keys))
		}
	})
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
