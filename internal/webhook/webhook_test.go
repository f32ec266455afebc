package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	dnswebhook "github.com/dnsimple/dnsimple-go/v8/dnsimple/webhook"

	"github.com/zonewarden/zonewarden/internal/jobs"
	"github.com/zonewarden/zonewarden/internal/seal"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/testdb"
	"github.com/zonewarden/zonewarden/internal/webhook"
)

// backends are the databases the tests run on (testdb.Backends).
var backends = testdb.Backends

func openStore(t *testing.T, dbURL string) *store.Store {
	t.Helper()
	// One key for every Store of a test: they stand for the processes of
	// one installation, which share it, and open each other's secrets.
	box, err := seal.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dbURL, store.WithSealer(box),
		store.WithPasswordParams(argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// clock is the runner's clock, moved by the test. It starts an hour after
// the wall clock, by which the store dates the jobs it enqueues, so that
// those are due at once. calls counts the readings: the runner reads it
// once before each claim.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	calls atomic.Int64
}

func newClock() *clock { return &clock{t: time.Now().Add(time.Hour)} }

func (c *clock) Now() time.Time {
	c.calls.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// receiver is a webhook endpoint on loopback that answers with the status
// that answer returns for the n-th request (from 1).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []delivery
	answer func(n int) int
	// While hang is set, requests are held until their client gives up,
	// and not kept; arrived counts them too.
	hang    atomic.Bool
	arrived atomic.Int64
	// done ends held requests when the test ends, in case their client
	// kept the connection: the server cannot close while one is held.
	done chan struct{}
}

type delivery struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	rc := &receiver{answer: answer, done: make(chan struct{})}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body) // after which the server notices a client that hangs up
		rc.arrived.Add(1)
		if rc.hang.Load() {
			select {
			case <-r.Context().Done():
			case <-rc.done:
			}
			return
		}
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{r.Header.Clone(), body})
		n := len(rc.got)
		rc.mu.Unlock()
		w.WriteHeader(rc.answer(n))
		io.WriteString(w, "receiver says "+strconv.Itoa(n))
	}))
	t.Cleanup(rc.srv.Close)
	t.Cleanup(func() { close(rc.done) }) // runs first: cleanups run last-in first-out
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

// waitFor polls cond until it holds, or fails the test after 30 seconds.
// The bound only ends a failing run: two runners polling one SQLite file
// every 5 ms contend for its write lock, and on a loaded machine their 61
// deliveries in TestTwoProcessesDeliverOnce have taken over 11 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (30s)", what)
		}
	}
}

// settle waits until the runner has claimed twice since the call: a claim
// made after whatever the test changed before it has completed.
func settle(t *testing.T, c *clock, r *jobs.Runner) {
	t.Helper()
	n := c.calls.Load()
	waitFor(t, "the runner to claim", func() bool { r.Kick(); return c.calls.Load() >= n+2 })
}

// world is an account with a domain and a webhook pointed at a receiver,
// and a runner delivering its events.
type world struct {
	st      *store.Store
	clock   *clock
	runner  *jobs.Runner
	rc      *receiver
	hook    store.Webhook
	account int64
	actor   store.Actor
	stop    func()
}

func newWorld(t *testing.T, dbURL string, rc *receiver, attempts, suppressAfter int) *world {
	t.Helper()
	ctx := context.Background()
	st := openStore(t, dbURL)
	u, acct, err := st.CreateUser(ctx, "ada@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{st: st, clock: newClock(), rc: rc, account: acct.ID, actor: store.Actor{UserID: &u.ID, Label: u.Email}}
	if _, err := st.CreateDomain(ctx, w.actor, acct.ID, "example.com"); err != nil {
		t.Fatal(err)
	}
	if w.hook, err = st.CreateWebhook(ctx, w.actor, acct.ID, rc.srv.URL+"/hook"); err != nil {
		t.Fatal(err)
	}
	w.runner = newRunner(t, st, w.clock, attempts, suppressAfter)
	w.stop = run(t, w.runner)
	return w
}

func newRunner(t *testing.T, st *store.Store, c *clock, attempts, suppressAfter int) *jobs.Runner {
	t.Helper()
	d, err := webhook.New(webhook.Config{Store: st, Client: webhook.Guard{AllowPrivate: true}.Client(), Timeout: 5 * time.Second, SuppressAfter: suppressAfter})
	if err != nil {
		t.Fatal(err)
	}
	r, err := jobs.New(jobs.Config{
		Queue: st,
		Kinds: map[string]jobs.Kind{store.JobWebhookDelivery: {
			Handle: d.Deliver, MaxAttempts: attempts, Backoff: jobs.Backoff(time.Minute, time.Hour),
		}},
		Poll: 5 * time.Millisecond,
		Now:  c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// run runs r until the returned stop is called (or the test ends), and
// fails the test when Run does not return promptly then.
func run(t *testing.T, r *jobs.Runner) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run = %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not return after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func (w *world) record(t *testing.T, name string) store.Record {
	t.Helper()
	r, err := w.st.CreateRecord(context.Background(), w.actor, w.account, "example.com", store.RecordInput{Name: name, Type: "A", Content: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (w *world) deliveryStates(t *testing.T) map[string]int {
	t.Helper()
	ds, err := w.st.WebhookDeliveries(context.Background(), w.account, w.hook.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, d := range ds {
		out[d.State]++
	}
	return out
}

func TestDeliverSigned(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(t *testing.T) string) {
		rc := newReceiver(t, func(int) int { return http.StatusNoContent })
		w := newWorld(t, dbURL(t), rc, 10, 5)
		rec := w.record(t, "www")

		// webhook.create, then zone_record.create.
		waitFor(t, "two deliveries", func() bool { return len(rc.deliveries()) == 2 })
		waitFor(t, "both recorded", func() bool { return w.deliveryStates(t)[store.DeliveryDelivered] == 2 })
		var names []string
		for i, d := range rc.deliveries() {
			if !webhook.Verify(w.hook.Secret, d.body, d.header.Get(webhook.SignatureHeader)) {
				t.Errorf("delivery %d: signature %q does not verify", i, d.header.Get(webhook.SignatureHeader))
			}
			if webhook.Verify("another secret", d.body, d.header.Get(webhook.SignatureHeader)) {
				t.Errorf("delivery %d verifies with another secret", i)
			}
			if d.header.Get("Content-Type") != "application/json" || d.header.Get(webhook.DeliveryHeader) == "" {
				t.Errorf("delivery %d headers: %v", i, d.header)
			}
			ev, err := dnswebhook.ParseEvent(d.body)
			if err != nil {
				t.Fatalf("delivery %d: dnsimple-go cannot parse %s: %v", i, d.body, err)
			}
			names = append(names, ev.Name)
			if ev.APIVersion != "v2" || ev.Account.Identifier != "ada@example.com" || ev.Actor.Entity != "user" {
				t.Errorf("delivery %d: %+v", i, ev)
			}
			if data, ok := ev.GetData().(*dnswebhook.ZoneRecordEventData); ok {
				if zr := data.ZoneRecord; zr.ID != rec.ID || zr.ZoneID != "example.com" || zr.Name != "www" || zr.Content != "192.0.2.1" {
					t.Errorf("zone record %+v", zr)
				}
			}
		}
		slices.Sort(names)
		if want := []string{"webhook.create", "zone_record.create"}; !slices.Equal(names, want) {
			t.Errorf("events %q, want %q", names, want)
		}
	})
}

func TestRetriesWithBackoff(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(t *testing.T) string) {
		rc := newReceiver(t, func(n int) int {
			if n <= 3 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		w := newWorld(t, dbURL(t), rc, 10, 5)
		// The webhook.create delivery fails at once, then after about 1m
		// and 2m (each ±20%), and succeeds the fourth time.
		waitFor(t, "attempt 1", func() bool { return len(rc.deliveries()) == 1 })
		for attempt, wait := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
			waitFor(t, "the failure recorded", func() bool {
				ds, _ := w.st.WebhookDeliveries(context.Background(), w.account, w.hook.ID, 1)
				return len(ds) == 1 && ds[0].Attempts == attempt+1
			})
			if attempt == 2 {
				break
			}
			w.clock.advance(wait * 79 / 100)
			settle(t, w.clock, w.runner)
			if n := len(rc.deliveries()); n != attempt+1 {
				t.Fatalf("attempt %d came before its backoff: %d deliveries", attempt+2, n)
			}
			w.clock.advance(wait * 42 / 100)
			waitFor(t, "the next attempt", func() bool { return len(rc.deliveries()) == attempt+2 })
		}
		ds, _ := w.st.WebhookDeliveries(context.Background(), w.account, w.hook.ID, 1)
		if d := ds[0]; d.State != store.DeliveryPending || d.StatusCode != 500 || d.LastError == "" {
			t.Errorf("after 3 failures: %+v", d)
		}
		w.clock.advance(4 * time.Minute * 121 / 100)
		waitFor(t, "delivered", func() bool { return w.deliveryStates(t)[store.DeliveryDelivered] == 1 })
		if got, _ := w.st.Webhook(context.Background(), w.account, w.hook.ID); got.FailedDeliveries != 0 || got.SuppressedAt != nil {
			t.Errorf("webhook after a delivery that succeeded late: %+v", got)
		}
	})
}

func TestSuppressedAfterRepeatedFailure(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(t *testing.T) string) {
		rc := newReceiver(t, func(int) int { return http.StatusBadGateway })
		// Two attempts per delivery; suppressed after two failed deliveries.
		w := newWorld(t, dbURL(t), rc, 2, 2)
		w.record(t, "a")
		w.record(t, "b") // three deliveries: webhook.create and two records
		waitFor(t, "first attempts", func() bool { return len(rc.deliveries()) == 3 })
		w.clock.advance(2 * time.Minute)
		waitFor(t, "suppression", func() bool {
			h, err := w.st.Webhook(context.Background(), w.account, w.hook.ID)
			return err == nil && h.SuppressedAt != nil
		})
		// The delivery left over is dropped rather than attempted, and new
		// writes are not delivered.
		waitFor(t, "the last delivery settled", func() bool {
			s := w.deliveryStates(t)
			return s[store.DeliveryFailed] >= 2 && s[store.DeliveryDropped]+s[store.DeliveryFailed] == 3
		})
		n := len(rc.deliveries())
		w.record(t, "c")
		w.clock.advance(time.Hour)
		settle(t, w.clock, w.runner)
		if got := len(rc.deliveries()); got != n {
			t.Errorf("a suppressed webhook got %d more deliveries", got-n)
		}
		if s := w.deliveryStates(t); s[store.DeliveryPending] != 0 {
			t.Errorf("deliveries after suppression: %v", s)
		}
	})
}

func TestShutdownHandsTheJobBack(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(t *testing.T) string) {
		rc := newReceiver(t, func(int) int { return http.StatusOK })
		rc.hang.Store(true)
		w := newWorld(t, dbURL(t), rc, 10, 5)
		// The webhook.create delivery hangs in the receiver; stopping the
		// runner interrupts it without counting an attempt.
		waitFor(t, "the delivery to arrive", func() bool { return rc.arrived.Load() == 1 })
		w.stop()
		ds, _ := w.st.WebhookDeliveries(context.Background(), w.account, w.hook.ID, 10)
		if len(ds) != 1 || ds[0].State != store.DeliveryPending || ds[0].Attempts != 0 {
			t.Fatalf("delivery after shutdown: %+v", ds)
		}
		rc.hang.Store(false)
		r2 := newRunner(t, w.st, w.clock, 10, 5)
		run(t, r2)
		waitFor(t, "delivery by the next runner", func() bool { return len(rc.deliveries()) == 1 })
		waitFor(t, "recorded", func() bool {
			ds, _ := w.st.WebhookDeliveries(context.Background(), w.account, w.hook.ID, 10)
			return ds[0].State == store.DeliveryDelivered && ds[0].Attempts == 1
		})
	})
}

// TestTwoProcessesDeliverOnce runs two runners, each on a Store of its own
// (two connection pools, as two processes have) over one database, and
// checks that every delivery reaches the receiver once.
func TestTwoProcessesDeliverOnce(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(t *testing.T) string) {
		rc := newReceiver(t, func(int) int { return http.StatusOK })
		u := dbURL(t)
		w := newWorld(t, u, rc, 10, 5)
		w.stop()
		const writes = 60
		for i := range writes {
			w.record(t, "h"+strconv.Itoa(i))
		}
		other := openStore(t, u)
		run(t, newRunner(t, w.st, w.clock, 10, 5))
		run(t, newRunner(t, other, w.clock, 10, 5))
		waitFor(t, "every delivery", func() bool { return w.deliveryStates(t)[store.DeliveryDelivered] == writes+1 })
		seen := map[string]int{}
		for _, d := range rc.deliveries() {
			seen[d.header.Get(webhook.DeliveryHeader)]++
		}
		if len(seen) != writes+1 || len(rc.deliveries()) != writes+1 {
			t.Errorf("%d requests for %d deliveries, want %d each", len(rc.deliveries()), len(seen), writes+1)
		}
	})
}
