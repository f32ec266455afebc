package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// pending returns the events the deliveries of webhook h carry, oldest
// first, and checks that each has its job.
func pending(t *testing.T, s *Store, accountID, h int64) []string {
	t.Helper()
	ctx := context.Background()
	ds, err := s.WebhookDeliveries(ctx, accountID, h, 100)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range slices.Backward(ds) {
		names = append(names, d.Event)
		var n int
		if err := s.read().row(ctx, "SELECT COUNT(*) FROM jobs WHERE kind = ? AND payload = ?", JobWebhookDelivery,
			`{"delivery_id":`+idText(d.ID)+`}`).Scan(&n); err != nil || n != 1 {
			t.Errorf("delivery %d (%s) has %d jobs, %v", d.ID, d.Event, n, err)
		}
	}
	return names
}

func idText(n int64) string { return strconv.FormatInt(n, 10) }

func TestEventsInTheWritesTransaction(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com") // before the webhook: no events
		other := newFixture(t, s, "eve@example.com", "")
		h, err := s.CreateWebhook(ctx, f.actor, f.account.ID, "https://hooks.example.net/dns")
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Secret) != 64 {
			t.Errorf("secret %q, want 64 hex digits", h.Secret)
		}
		if back, _ := s.Webhook(ctx, f.account.ID, h.ID); back.Secret != "" {
			t.Errorf("Webhook shows the secret again")
		}
		want := []string{"webhook.create"}
		steps := []struct {
			name  string
			write func() error
			adds  []string // nil: the write fails and adds nothing
		}{
			{"record create", func() error {
				_, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
				return err
			}, []string{"zone_record.create"}},
			{"invalid record", func() error {
				_, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "www", Type: "CNAME", Content: "example.net"})
				return err
			}, nil},
			{"batch", func() error {
				rs, _, err := s.Records(ctx, f.account.ID, "example.com", RecordFilter{Type: "A"}, ListOptions{})
				if err != nil {
					return err
				}
				ttl := uint32(600)
				_, err = s.BatchChange(ctx, f.actor, f.account.ID, "example.com", Batch{
					Creates: []RecordInput{{Name: "mail", Type: "A", Content: "192.0.2.2"}, {Type: "MX", Content: "mail.example.com", Priority: new(uint16)}},
					Updates: []BatchUpdate{{ID: rs[0].ID, RecordPatch: RecordPatch{TTL: &ttl}}},
				})
				return err
			}, []string{"zone_record.update", "zone_record.create", "zone_record.create"}},
			{"batch with one invalid change", func() error {
				_, err := s.BatchChange(ctx, f.actor, f.account.ID, "example.com", Batch{
					Creates: []RecordInput{{Name: "ok", Type: "A", Content: "192.0.2.3"}, {Name: "bad", Type: "A", Content: "nope"}},
				})
				return err
			}, nil},
			{"domain create", func() error {
				_, err := s.CreateDomain(ctx, f.actor, f.account.ID, "example.org")
				return err
			}, []string{"domain.create", "zone.create"}},
			{"domain taken", func() error {
				_, err := s.CreateDomain(ctx, f.actor, f.account.ID, "example.org")
				return err
			}, nil},
			{"another account's write", func() error {
				_, err := s.CreateDomain(ctx, other.actor, other.account.ID, "example.info")
				return err
			}, []string{}},
			{"domain delete", func() error { return s.DeleteDomain(ctx, f.actor, f.account.ID, "example.org") }, []string{"domain.delete", "zone.delete"}},
			{"zone deactivate", func() error {
				_, err := s.DeactivateZone(ctx, f.actor, f.account.ID, "example.com")
				return err
			}, []string{"domain.resolution_disable"}},
			{"zone deactivate again", func() error {
				_, err := s.DeactivateZone(ctx, f.actor, f.account.ID, "example.com")
				return err
			}, []string{}},
			{"zone activate", func() error {
				_, err := s.ActivateZone(ctx, f.actor, f.account.ID, "example.com")
				return err
			}, []string{"domain.resolution_enable"}},
			{"name servers", func() error {
				_, err := s.SetZoneNameServers(ctx, f.actor, f.account.ID, "example.com", []string{"ns1.zonewarden.test", "ns3.example.net"})
				return err
			}, []string{"zone_record.delete", "zone_record.create"}},
			{"name servers refused", func() error {
				_, err := s.SetZoneNameServers(ctx, f.actor, f.account.ID, "example.com", []string{"not a name"})
				return err
			}, nil},
			{"contact", func() error {
				_, err := s.CreateContact(ctx, f.actor, f.account.ID, Contact{Label: "main", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
					Phone: "+44.2000000000", Address1: "1 St James's Sq", City: "London", StateProvince: "London", PostalCode: "SW1Y 4JU", Country: "GB"})
				return err
			}, []string{"contact.create"}},
		}
		for _, st := range steps {
			err := st.write()
			if (err != nil) != (st.adds == nil) {
				t.Fatalf("%s: %v", st.name, err)
			}
			want = append(want, st.adds...)
			if got := pending(t, s, f.account.ID, h.ID); !slices.Equal(got, want) {
				t.Fatalf("after %s, events %q, want %q", st.name, got, want)
			}
		}
		var n int
		if err := s.read().row(ctx, "SELECT COUNT(*) FROM events WHERE account_id = ?", other.account.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("an account without webhooks has %d events, %v", n, err)
		}

		// One payload, whole.
		ds, _ := s.WebhookDeliveries(ctx, f.account.ID, h.ID, 100)
		d, err := s.Delivery(ctx, ds[len(ds)-2].ID) // the first record create
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Data struct {
				Record map[string]any `json:"zone_record"`
			} `json:"data"`
			Name    string
			Actor   map[string]string
			Account map[string]any
			Version string `json:"api_version"`
			ReqID   string `json:"request_identifier"`
		}
		if err := json.Unmarshal(d.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.Name != "zone_record.create" || p.Data.Record["zone_id"] != "example.com" || p.Data.Record["content"] != "192.0.2.1" ||
			p.Actor["entity"] != "user" || p.Actor["pretty"] != "ada@example.com" || p.Account["identifier"] != "ada@example.com" ||
			p.Version != "v2" || len(p.ReqID) != 36 || d.URL != h.URL || d.Secret != h.Secret {
			t.Errorf("delivery %+v\npayload %s", d, d.Payload)
		}
		// Deleting the webhook takes its deliveries and tells the others.
		h2, err := s.CreateWebhook(ctx, f.actor, f.account.ID, "https://other.example.net/")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteWebhook(ctx, f.actor, f.account.ID, h.ID); err != nil {
			t.Fatal(err)
		}
		if got := pending(t, s, f.account.ID, h2.ID); !slices.Equal(got, []string{"webhook.create", "webhook.delete"}) {
			t.Errorf("the other webhook's events: %q", got)
		}
		if _, err := s.Delivery(ctx, d.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("delivery of a deleted webhook: %v", err)
		}
	})
}

func TestJobsClaimedOnce(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		if _, err := s.CreateWebhook(ctx, f.actor, f.account.ID, "https://hooks.example.net/dns"); err != nil {
			t.Fatal(err)
		}
		for i := range 30 {
			if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "h" + idText(int64(i)), Type: "A", Content: "192.0.2.1"}); err != nil {
				t.Fatal(err)
			}
		}
		kinds := []string{JobWebhookDelivery}
		t0 := time.Now()
		var (
			mu   sync.Mutex
			seen = map[int64]int{}
			wg   sync.WaitGroup
		)
		for range 4 {
			wg.Go(func() {
				for {
					js, err := s.ClaimJobs(ctx, kinds, t0, time.Minute, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(js) == 0 {
						return
					}
					mu.Lock()
					for _, j := range js {
						seen[j.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 31 {
			t.Errorf("claimed %d jobs, want 31", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("job %d claimed %d times", id, n)
			}
		}
		// A lease that ran out makes the job claimable again; the first
		// claimer can then no longer complete it.
		js, err := s.ClaimJobs(ctx, kinds, t0.Add(2*time.Minute), time.Minute, 1)
		if err != nil || len(js) != 1 || js[0].Attempt != 2 {
			t.Fatalf("claim after the lease = %+v, %v", js, err)
		}
		stale := js[0]
		stale.Attempt = 1
		if err := s.CompleteJob(ctx, stale); err != nil {
			t.Fatal(err)
		}
		if err := s.RetryJob(ctx, js[0], t0.Add(time.Hour), "boom"); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.ClaimJobs(ctx, kinds, t0.Add(59*time.Minute), time.Hour, 100); slices.ContainsFunc(again, func(j Job) bool { return j.ID == stale.ID }) {
			t.Errorf("a job retried at +1h was claimed at +59m")
		}
		if again, _ := s.ClaimJobs(ctx, kinds, t0.Add(3*time.Hour), time.Minute, 100); !slices.ContainsFunc(again, func(j Job) bool { return j.ID == stale.ID }) {
			t.Errorf("the stale-completed job is gone or not due: %+v", again)
		}
	})
}

// TestMembershipEvents: each change of a team's members tells its webhooks,
// by DNSimple's event names, with the invitation or the user in the data.
// A change of role has no DNSimple event and sends none.
func TestMembershipEvents(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		bob := newFixture(t, s, "bob@example.com", "")
		team, err := s.CreateTeam(ctx, ada.actor, ada.user.ID, "Ops", "ops@example.com")
		if err != nil {
			t.Fatal(err)
		}
		h, err := s.CreateWebhook(ctx, ada.actor, team.ID, "https://hooks.example.net/dns")
		if err != nil {
			t.Fatal(err)
		}
		var tokBob, tokDan, tokCarol string
		var carolInv Invitation
		dan := Actor{} // signs up from the invitation: the store names them
		type check struct {
			name, actorID, email string // the event, its actor and the address in its data
			accepted             bool
		}
		steps := []struct {
			name  string
			write func() error
			want  []check
		}{
			{"invite", func() (err error) {
				tokBob, _, err = s.CreateInvitation(ctx, ada.actor, team.ID, "bob@example.com", RoleMember, time.Hour)
				return err
			}, []check{{"account.user_invite", idText(ada.user.ID), "bob@example.com", false}}},
			{"invite again", func() (err error) {
				tokBob, _, err = s.CreateInvitation(ctx, ada.actor, team.ID, "bob@example.com", RoleAdmin, time.Hour)
				return err
			}, []check{
				{"account.user_invitation_revoke", idText(ada.user.ID), "bob@example.com", false},
				{"account.user_invite", idText(ada.user.ID), "bob@example.com", false},
			}},
			{"accept", func() error {
				_, err := s.AcceptInvitation(ctx, bob.actor, tokBob, bob.user.ID)
				return err
			}, []check{{"account.user_invitation_accept", idText(bob.user.ID), "bob@example.com", true}}},
			{"role change", func() error { return s.SetRole(ctx, ada.actor, team.ID, bob.user.ID, RoleMember) }, nil},
			{"invite carol", func() (err error) {
				tokCarol, carolInv, err = s.CreateInvitation(ctx, ada.actor, team.ID, "carol@example.com", RoleMember, time.Hour)
				return err
			}, []check{{"account.user_invite", idText(ada.user.ID), "carol@example.com", false}}},
			{"revoke", func() error { return s.RevokeInvitation(ctx, bob.actor, team.ID, carolInv.ID) },
				[]check{{"account.user_invitation_revoke", idText(bob.user.ID), "carol@example.com", false}}},
			{"remove", func() error { return s.RemoveMember(ctx, ada.actor, team.ID, bob.user.ID) },
				[]check{{"account.user_remove", idText(ada.user.ID), "bob@example.com", false}}},
			{"invite dan", func() (err error) {
				tokDan, _, err = s.CreateInvitation(ctx, ada.actor, team.ID, "dan@example.com", RoleMember, time.Hour)
				return err
			}, []check{{"account.user_invite", idText(ada.user.ID), "dan@example.com", false}}},
			{"sign up invited", func() error {
				u, _, err := s.SignUpInvited(ctx, Actor{}, tokDan, "correct horse battery")
				dan = Actor{UserID: &u.ID, Label: u.Email}
				return err
			}, []check{{"account.user_invitation_accept", "DAN", "dan@example.com", true}}},
			{"leave", func() error { return s.RemoveMember(ctx, dan, team.ID, *dan.UserID) },
				[]check{{"account.user_remove", "DAN", "dan@example.com", false}}},
			{"the last owner cannot leave", func() error {
				if err := s.RemoveMember(ctx, ada.actor, team.ID, ada.user.ID); !errors.Is(err, zone.ErrConflict) {
					return errors.New("the last owner left")
				}
				return nil
			}, nil},
		}
		seen := 1 // webhook.create
		for _, st := range steps {
			if err := st.write(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			ds, err := s.WebhookDeliveries(ctx, team.ID, h.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(ds) - seen; got != len(st.want) {
				t.Fatalf("%s: %d events, want %d", st.name, got, len(st.want))
			}
			for i, c := range st.want {
				d, err := s.Delivery(ctx, ds[len(st.want)-1-i].ID) // newest first
				if err != nil {
					t.Fatal(err)
				}
				var p struct {
					Name string
					Data struct {
						Account    map[string]any
						Invitation map[string]any `json:"account_invitation"`
						User       map[string]any
					}
					Actor   map[string]string
					Account map[string]any
				}
				if err := json.Unmarshal(d.Payload, &p); err != nil {
					t.Fatal(err)
				}
				if c.actorID == "DAN" {
					c.actorID = idText(*dan.UserID)
				}
				email := p.Data.User["email"]
				if c.name != "account.user_remove" {
					email = p.Data.Invitation["email"]
					if tok, ok := p.Data.Invitation["token"]; !ok || tok != nil {
						t.Errorf("%s: token %v, want null (the token is a secret)", st.name, tok)
					}
					if accepted := p.Data.Invitation["invitation_accepted_at"] != nil; accepted != c.accepted {
						t.Errorf("%s: invitation_accepted_at %v", st.name, p.Data.Invitation["invitation_accepted_at"])
					}
				}
				if p.Name != c.name || p.Actor["id"] != c.actorID || email != c.email ||
					p.Data.Account["id"] != float64(team.ID) || p.Data.Account["plan_identifier"] != teamPlan || p.Account["display"] != "Ops" {
					t.Errorf("%s: event %d is %s", st.name, i, d.Payload)
				}
			}
			seen = len(ds)
		}
		for _, tok := range []string{tokBob, tokCarol, tokDan} {
			var n int
			if err := s.read().row(ctx, "SELECT COUNT(*) FROM events WHERE payload LIKE ?", "%"+tok+"%").Scan(&n); err != nil || n != 0 {
				t.Errorf("%d events hold an invitation's token, %v", n, err)
			}
		}
	})
}
