package alias

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/miekg/dns"
)

// start runs r in the background until the test ends, and fails the test if
// Run returns an error.
func start(t *testing.T, r *Resolver) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// check compares what Addresses returns with want, written "TYPE TTL addr...",
// "TYPE TTL" for an empty answer, or "unknown". A TTL of * matches any.
func check(t *testing.T, r *Resolver, target string, qtype uint16, want string) {
	t.Helper()
	rdata, ttl, ok := r.Addresses(target, qtype)
	got := "unknown"
	if ok {
		got = dns.TypeToString[qtype] + " " + strconv.FormatUint(uint64(ttl), 10)
		for _, a := range addrs(rdata) {
			got += " " + a
		}
	}
	if f := strings.Fields(want); len(f) > 1 && f[1] == "*" {
		f[1] = strconv.FormatUint(uint64(ttl), 10)
		want = strings.Join(f, " ")
	}
	if got != want {
		t.Errorf("Addresses(%s, %s) = %q, want %q", target, dns.TypeToString[qtype], got, want)
	}
}

func TestResolverRefresh(t *testing.T) {
	u := newUpstream(t, "foo.example. 300 IN A 192.0.2.1", "foo.example. 300 IN AAAA 2001:db8::1")
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{Upstream: []string{u.addr}})
		start(t, r)
		r.Watch([]string{"foo.example."})
		synctest.Wait()
		check(t, r, "foo.example.", dns.TypeA, "A 300 192.0.2.1")
		check(t, r, "foo.example.", dns.TypeAAAA, "AAAA 300 2001:db8::1")

		time.Sleep(100 * time.Second)
		check(t, r, "foo.example.", dns.TypeA, "A 200 192.0.2.1")

		// Refreshed at 80-90% of the TTL, so the new address is
		// served before the old one expires.
		u.set(t, "foo.example. 300 IN A 192.0.2.9")
		time.Sleep(170 * time.Second)
		synctest.Wait()
		rdata, ttl, ok := r.Addresses("foo.example.", dns.TypeA)
		if !ok || !slices.Equal(addrs(rdata), []string{"192.0.2.9"}) || ttl < 270 {
			t.Errorf("after refresh: %v ttl %d ok %v, want 192.0.2.9 with ttl >= 270", addrs(rdata), ttl, ok)
		}
		check(t, r, "foo.example.", dns.TypeAAAA, "AAAA *") // NODATA now
		if n := u.count("foo.example.", dns.TypeA); n != 2 {
			t.Errorf("upstream asked %d times for A, want 2", n)
		}
	})
}

func TestResolverMinTTL(t *testing.T) {
	u := newUpstream(t, "zero.example. 0 IN A 192.0.2.1", "big.example. 86400 IN A 192.0.2.2")
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{Upstream: []string{u.addr}})
		start(t, r)
		r.Watch([]string{"zero.example.", "big.example."})
		synctest.Wait()
		check(t, r, "zero.example.", dns.TypeA, "A 30 192.0.2.1")
		check(t, r, "big.example.", dns.TypeA, "A 3600 192.0.2.2")
		time.Sleep(10 * time.Minute)
		// Refreshed every 24-27s.
		if n := u.count("zero.example.", dns.TypeA); n < 20 || n > 26 {
			t.Errorf("upstream asked %d times in 10m for a TTL 0 target, want 20-26", n)
		}
	})
}

func TestResolverStale(t *testing.T) {
	u := newUpstream(t, "foo.example. 300 IN A 192.0.2.1")
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{Upstream: []string{u.addr}, StaleFor: time.Hour})
		start(t, r)
		r.Watch([]string{"foo.example."})
		synctest.Wait()
		u.fail(dns.RcodeServerFailure)

		time.Sleep(299 * time.Second)
		check(t, r, "foo.example.", dns.TypeA, "A 1 192.0.2.1")
		time.Sleep(time.Second)
		check(t, r, "foo.example.", dns.TypeA, "A 30 192.0.2.1")
		time.Sleep(59 * time.Minute)
		check(t, r, "foo.example.", dns.TypeA, "A 30 192.0.2.1")
		time.Sleep(time.Minute)
		check(t, r, "foo.example.", dns.TypeA, "unknown")

		// Retried with backoff: 1s, 2s, 4s... then every 2-3 minutes.
		if n := u.count("foo.example.", dns.TypeA); n < 25 || n > 40 {
			t.Errorf("upstream asked %d times in an hour of failure, want 25-40", n)
		}

		u.fail(dns.RcodeSuccess)
		time.Sleep(3 * time.Minute)
		synctest.Wait()
		rdata, ttl, ok := r.Addresses("foo.example.", dns.TypeA)
		if !ok || ttl < 120 || !slices.Equal(addrs(rdata), []string{"192.0.2.1"}) {
			t.Errorf("after recovery: %v ttl %d ok %v, want fresh 192.0.2.1", addrs(rdata), ttl, ok)
		}
	})
}

func TestResolverNegative(t *testing.T) {
	u := newUpstream(t, "v4.example. 3600 IN A 192.0.2.1")
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{Upstream: []string{u.addr}})
		start(t, r)
		r.Watch([]string{"v4.example.", "missing.example."})
		synctest.Wait()
		check(t, r, "v4.example.", dns.TypeAAAA, "AAAA 300")
		check(t, r, "missing.example.", dns.TypeA, "A 300")

		// The name appears; it is picked up at the negative answer's refresh.
		u.set(t, "missing.example. 60 IN A 192.0.2.7")
		time.Sleep(270 * time.Second)
		synctest.Wait()
		check(t, r, "missing.example.", dns.TypeA, "A * 192.0.2.7")
	})
}

func TestResolverWatch(t *testing.T) {
	u := newUpstream(t, "a.example. 300 IN A 192.0.2.1", "b.example. 300 IN A 192.0.2.2")
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{Upstream: []string{u.addr}})
		start(t, r)
		r.Watch([]string{"a.example.", "b.example."})
		synctest.Wait()
		check(t, r, "a.example.", dns.TypeA, "A 300 192.0.2.1")
		check(t, r, "b.example.", dns.TypeA, "A 300 192.0.2.2")

		r.Watch([]string{"b.example."})
		check(t, r, "a.example.", dns.TypeA, "unknown") // forgotten at once
		check(t, r, "b.example.", dns.TypeA, "A 300 192.0.2.2")
		synctest.Wait() // the miss above resolves a.example. once
		check(t, r, "a.example.", dns.TypeA, "A 300 192.0.2.1")

		time.Sleep(time.Hour)
		synctest.Wait()
		if n := u.count("a.example.", dns.TypeA); n != 2 {
			t.Errorf("upstream asked %d times for a.example., want 2", n)
		}
		check(t, r, "a.example.", dns.TypeA, "unknown") // expired, not refreshed
		if n := u.count("b.example.", dns.TypeA); n < 13 {
			t.Errorf("upstream asked %d times for b.example. in an hour, want it refreshed", n)
		}
	})
}

func TestResolverDemand(t *testing.T) {
	u := newUpstream(t, "a.example. 300 IN A 192.0.2.1", "a.example. 300 IN AAAA 2001:db8::1")
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{Upstream: []string{u.addr}})
		start(t, r)
		check(t, r, "a.example.", dns.TypeA, "unknown")
		synctest.Wait()
		check(t, r, "a.example.", dns.TypeA, "A 300 192.0.2.1")
		check(t, r, "a.example.", dns.TypeAAAA, "unknown") // only the type asked for

		// Watching a target resolved on demand keeps it refreshed.
		r.Watch([]string{"a.example."})
		synctest.Wait()
		time.Sleep(time.Hour)
		rdata, _, ok := r.Addresses("a.example.", dns.TypeAAAA)
		if !ok || !slices.Equal(addrs(rdata), []string{"2001:db8::1"}) {
			t.Errorf("AAAA of watched a.example. after an hour: %v ok %v", addrs(rdata), ok)
		}
	})
}

func TestAddressesAllocs(t *testing.T) {
	u := newUpstream(t, "a.example. 300 IN A 192.0.2.1", "a.example. 300 IN AAAA 2001:db8::1")
	synctest.Test(t, func(t *testing.T) {
		r := New(Config{Upstream: []string{u.addr}, StaleFor: time.Hour})
		start(t, r)
		r.Watch([]string{"a.example."})
		synctest.Wait()
		u.fail(dns.RcodeServerFailure)
		tests := []struct {
			name   string
			target string
			qtype  uint16
		}{
			{"fresh A", "a.example.", dns.TypeA},
			{"fresh AAAA", "a.example.", dns.TypeAAAA},
			{"unwatched", "b.example.", dns.TypeA},
			{"other type", "a.example.", dns.TypeMX},
		}
		measure := func() {
			for _, tt := range tests {
				if n := testing.AllocsPerRun(100, func() { r.Addresses(tt.target, tt.qtype) }); n != 0 {
					t.Errorf("Addresses(%s) allocates %v times", tt.name, n)
				}
			}
		}
		measure()
		time.Sleep(10 * time.Minute) // stale now
		check(t, r, "a.example.", dns.TypeA, "A 30 192.0.2.1")
		measure()
	})
}

func BenchmarkAddresses(b *testing.B) {
	u := newUpstream(b, "a.example. 300 IN A 192.0.2.1")
	r := New(Config{Upstream: []string{u.addr}})
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	go r.Run(ctx)
	r.Watch([]string{"a.example."})
	for {
		if _, _, ok := r.Addresses("a.example.", dns.TypeA); ok {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Addresses("a.example.", dns.TypeA)
		}
	})
}

// TestResolverConcurrent runs readers, Watch and a refresh loop that never
// rests against each other, for the race detector.
func TestResolverConcurrent(t *testing.T) {
	var zone []string
	targets := []string{"a.example.", "b.example.", "c.example.", "d.example."}
	for _, name := range targets {
		zone = append(zone, name+" 0 IN A 192.0.2.1", name+" 0 IN AAAA 2001:db8::1")
	}
	u := newUpstream(t, zone...)
	r := New(Config{Upstream: []string{u.addr}, MinTTL: time.Millisecond, MaxTTL: time.Millisecond})
	start(t, r)

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				rdata, _, ok := r.Addresses(targets[(i+n)%len(targets)], []uint16{dns.TypeA, dns.TypeAAAA}[n%2])
				if n%64 == 0 {
					// Readers that never rest starve the loop's network I/O on small machines.
					time.Sleep(50 * time.Microsecond)
				}
				if ok && len(rdata) != 1 {
					t.Errorf("got %d records, want 1", len(rdata))
					return
				}
			}
		})
	}
	wg.Go(func() {
		for n := 0; ctx.Err() == nil; n++ {
			r.Watch(targets[n%2 : 2+n%3])
			time.Sleep(time.Millisecond)
		}
	})
	wg.Wait()

	// Still alive after the churn: every target gets resolved.
	r.Watch(targets)
	deadline := time.Now().Add(20 * time.Second)
	for _, name := range targets {
		for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
			for {
				if _, _, ok := r.Addresses(name, qtype); ok {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s %s not resolved after the churn", name, dns.TypeToString[qtype])
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
}

func TestRunConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no upstream", Config{}},
		{"upstream without port", Config{Upstream: []string{"127.0.0.1"}}},
		{"min above max", Config{Upstream: []string{"127.0.0.1:53"}, MinTTL: time.Hour, MaxTTL: time.Minute}},
		{"negative", Config{Upstream: []string{"127.0.0.1:53"}, Timeout: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := New(tt.cfg).Run(t.Context()); err == nil {
				t.Error("Run accepted the config")
			}
		})
	}
}

func TestRunTwice(t *testing.T) {
	u := newUpstream(t)
	r := New(Config{Upstream: []string{u.addr}})
	start(t, r)
	for !r.running.Load() {
		time.Sleep(time.Millisecond)
	}
	if err := r.Run(t.Context()); err == nil {
		t.Error("second Run succeeded")
	}
}
