package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	dnswebhook "github.com/dnsimple/dnsimple-go/v8/dnsimple/webhook"

	"github.com/zonewarden/zonewarden/internal/jobs"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/webhook"
)

// TestMembershipWebhookDeliveries changes a team's members (an invitation
// accepted, one revoked, a member removed, one signed up from the link who
// then leaves) and checks what its webhook receives: each change's event,
// signed, in the shape of DNSimple's own delivery of it, readable by
// dnsimple-go.
func TestMembershipWebhookDeliveries(t *testing.T) {
	backends(t, func(t *testing.T, dbURL func(*testing.T) string) {
		e := newEnv(t, dbURL(t))
		ctx := context.Background()
		var (
			mu  sync.Mutex
			got [][]byte
		)
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			got = append(got, body)
			mu.Unlock()
		}))
		defer rcv.Close()
		d, err := webhook.New(webhook.Config{Store: e.st, Client: webhook.Guard{AllowPrivate: true}.Client()})
		if err != nil {
			t.Fatal(err)
		}
		r, err := jobs.New(jobs.Config{Queue: e.st, Poll: 5 * time.Millisecond,
			Kinds: map[string]jobs.Kind{store.JobWebhookDelivery: {Handle: d.Deliver}}})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- r.Run(runCtx) }()
		defer func() { cancel(); <-done }()

		alice := store.Actor{UserID: &e.alice.ID, Label: e.alice.Email}
		bob := store.Actor{UserID: &e.bob.ID, Label: e.bob.Email}
		team, err := e.st.CreateTeam(ctx, alice, e.alice.ID, "Ops", "ops@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.CreateWebhook(ctx, alice, team.ID, rcv.URL); err != nil {
			t.Fatal(err)
		}
		tok, _, err := e.st.CreateInvitation(ctx, alice, team.ID, e.bob.Email, store.RoleMember, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.AcceptInvitation(ctx, bob, tok, e.bob.ID); err != nil {
			t.Fatal(err)
		}
		_, inv, err := e.st.CreateInvitation(ctx, alice, team.ID, "fred@example.com", store.RoleMember, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.RevokeInvitation(ctx, alice, team.ID, inv.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.st.SetRole(ctx, alice, team.ID, e.bob.ID, store.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if err := e.st.RemoveMember(ctx, alice, team.ID, e.bob.ID); err != nil {
			t.Fatal(err)
		}
		tok, _, err = e.st.CreateInvitation(ctx, alice, team.ID, "dan@example.com", store.RoleMember, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		dan, _, err := e.st.SignUpInvited(ctx, store.Actor{}, tok, password)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.RemoveMember(ctx, store.Actor{UserID: &dan.ID, Label: dan.Email}, team.ID, dan.ID); err != nil {
			t.Fatal(err)
		}

		events := []string{"webhook.create",
			"account.user_invite", "account.user_invitation_accept",
			"account.user_invite", "account.user_invitation_revoke",
			"account.user_remove",
			"account.user_invite", "account.user_invitation_accept", "account.user_remove"}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			n := len(got)
			mu.Unlock()
			if n >= len(events) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("received %d events, want %d", n, len(events))
			}
		}
		mu.Lock()
		defer mu.Unlock()
		var names []string
		for _, body := range got {
			var ev struct{ Name string }
			if err := json.Unmarshal(body, &ev); err != nil {
				t.Fatal(err)
			}
			names = append(names, ev.Name)
			if ev.Name == "webhook.create" {
				continue
			}
			diffs, err := shapeDiff(body, readWebhookFixture(t, ev.Name))
			if err != nil {
				t.Fatalf("%s: %v: %s", ev.Name, err, body)
			}
			for _, d := range diffs {
				t.Errorf("%s against DNSimple's delivery: %s", ev.Name, d)
			}
			parsed, err := dnswebhook.ParseEvent(body)
			if err != nil {
				t.Errorf("%s: dnsimple-go cannot parse %s: %v", ev.Name, body, err)
				continue
			}
			data, ok := parsed.GetData().(*dnswebhook.AccountMembershipEventData)
			if !ok || data.Account == nil || data.Account.ID != team.ID {
				t.Errorf("%s: dnsimple-go reads %#v", ev.Name, parsed.GetData())
			}
		}
		slices.Sort(names)
		slices.Sort(events)
		if !slices.Equal(names, events) {
			t.Errorf("events %q, want %q", names, events)
		}
	})
}
