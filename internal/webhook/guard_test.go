package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zonewarden/zonewarden/internal/jobs"
	"github.com/zonewarden/zonewarden/internal/store"
)

func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		url  string
		want string // "" for allowed
	}{
		{"http://127.0.0.1:8080/hook", "127.0.0.1 is not a public address"},
		{"http://[::1]/hook", "::1 is not a public address"},
		{"https://169.254.169.254/latest/meta-data", "not a public address"},
		{"https://localhost/hook", "resolves to"},
		{"https://93.184.215.14/hook", ""},
		{"https://no-such-host.invalid/hook", "does not resolve"},
	} {
		err := Guard{}.CheckURL(ctx, tc.url)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckURL(%s) = %v, want allowed", tc.url, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckURL(%s) = %v, want %q", tc.url, err, tc.want)
		}
		if err := (Guard{AllowPrivate: true}).CheckURL(ctx, tc.url); err != nil {
			t.Errorf("CheckURL(%s) with private addresses allowed = %v", tc.url, err)
		}
	}
}

// fakeStore serves one delivery and keeps the outcome of its attempt.
type fakeStore struct {
	dl store.Delivery
	at store.DeliveryAttempt
}

func (f *fakeStore) Delivery(context.Context, int64) (store.Delivery, error) { return f.dl, nil }
func (f *fakeStore) RecordDeliveryAttempt(_ context.Context, _ int64, at store.DeliveryAttempt, _ int) (bool, error) {
	f.at = at
	return false, nil
}
func (f *fakeStore) DropDelivery(context.Context, int64, string) error { return nil }

// TestDeliveryRefusesPrivateAddress: a delivery whose URL now leads to a
// private address — the name was pointed there after the webhook was
// created, say — connects to nothing, and the attempt fails saying why.
func TestDeliveryRefusesPrivateAddress(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	for _, allow := range []bool{false, true} {
		st := &fakeStore{dl: store.Delivery{URL: srv.URL + "/hook", Secret: "s", Payload: []byte("{}"),
			WebhookDelivery: store.WebhookDelivery{ID: 1, State: store.DeliveryPending}}}
		cfg := Config{Store: st}
		if allow {
			cfg.Client = Guard{AllowPrivate: true}.Client()
		}
		d, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		job := jobs.Job{Job: store.Job{ID: 1, Attempt: 1, Payload: []byte(`{"delivery_id":1}`)}, Final: true}
		err = d.Deliver(context.Background(), job)
		if allow {
			if err != nil || st.at.Err != "" || hits.Load() != 1 {
				t.Errorf("allowed: Deliver = %v, attempt %+v, %d requests", err, st.at, hits.Load())
			}
			continue
		}
		if !errors.Is(err, errPrivate) || !strings.Contains(st.at.Err, "not a public address") || hits.Load() != 0 {
			t.Errorf("Deliver = %v, attempt %+v, %d requests; want refused before connecting", err, st.at, hits.Load())
		}
	}
}
