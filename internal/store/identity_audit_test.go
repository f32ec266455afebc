package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// auditLines is an account's audit log, one "action object_id actor_label
// remote_addr before → after" line an entry.
func auditLines(t *testing.T, s *Store, accountID int64) []string {
	t.Helper()
	es, _, err := s.Audit(context.Background(), accountID, AuditFilter{}, ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, strings.Join([]string{e.Action, e.ObjectID, e.ActorLabel, e.RemoteAddr, e.Before, "→", e.After}, " "))
	}
	return out
}

// TestIdentityWritesAudited: sign-ups, users made by an administrator, team
// accounts and membership changes are in the audit log of the account they
// change.
func TestIdentityWritesAudited(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada, adaAcc, err := s.SignUp(ctx, Actor{RemoteAddr: "192.0.2.7"}, "ada@example.com", "correct horse battery", SignUpOpen)
		if err != nil {
			t.Fatal(err)
		}
		got := auditLines(t, s, adaAcc.ID)
		if len(got) != 1 || !strings.HasPrefix(got[0], "user.sign_up "+idText(ada.ID)+" ada@example.com 192.0.2.7  → ") {
			t.Errorf("after sign-up: %q", got)
		}
		es, _, _ := s.Audit(ctx, adaAcc.ID, AuditFilter{ActorUserID: ada.ID}, ListOptions{})
		if len(es) != 1 {
			t.Errorf("the sign-up's actor is not the new user: %d entries by them", len(es))
		}

		bob, bobAcc, err := s.CreateUser(ctx, "bob@example.com", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if got := auditLines(t, s, bobAcc.ID); len(got) != 1 || !strings.HasPrefix(got[0], "user.create "+idText(bob.ID)+" zonewarden admin") {
			t.Errorf("after create-user: %q", got)
		}

		team, err := s.CreateTeam(ctx, Actor{UserID: &ada.ID, Label: ada.Email}, ada.ID, "ops@example.com", "ops@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, team.ID, bob.ID, RoleReadOnly); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, team.ID, bob.ID, RoleReadOnly); err != nil { // no change, no entry
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, team.ID, bob.ID, RoleAdmin); err != nil {
			t.Fatal(err)
		}
		got = auditLines(t, s, team.ID)
		want := []string{
			"account.create " + idText(team.ID) + " ada@example.com",
			"member.add " + idText(ada.ID) + " ada@example.com",
			"member.add " + idText(bob.ID) + " zonewarden admin   → {\"email\":\"bob@example.com\",\"role\":\"read-only\"",
			"member.update " + idText(bob.ID) + " zonewarden admin  {\"email\":\"bob@example.com\",\"role\":\"read-only\"",
		}
		if len(got) != len(want) {
			t.Fatalf("team's audit log: %q", got)
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("team's audit entry %d = %q, want it to begin %q", i, got[i], want[i])
			}
		}
		if !strings.Contains(got[3], `→ {"email":"bob@example.com","role":"admin"`) {
			t.Errorf("member.update's after: %q", got[3])
		}

		// Signing up by invitation: the sign-up in the new personal
		// account, the joining in the team's.
		tok, _, err := s.CreateInvitation(ctx, Actor{UserID: &ada.ID, Label: ada.Email}, team.ID, "carol@example.com", RoleMember, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		carol, _, err := s.SignUpInvited(ctx, Actor{RemoteAddr: "192.0.2.8"}, tok, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		accs, err := s.Accounts(ctx, carol.ID)
		if err != nil {
			t.Fatal(err)
		}
		var personal int64
		for _, a := range accs {
			if a.Personal {
				personal = a.ID
			}
		}
		if got := auditLines(t, s, personal); len(got) != 1 || !strings.HasPrefix(got[0], "user.sign_up "+idText(carol.ID)+" carol@example.com 192.0.2.8") {
			t.Errorf("invited sign-up: %q", got)
		}
		if got := auditLines(t, s, team.ID); !strings.HasPrefix(got[len(got)-1], "member.add "+idText(carol.ID)+" carol@example.com 192.0.2.8") {
			t.Errorf("team's last entry after the invited sign-up: %q", got[len(got)-1])
		}
	})
}
