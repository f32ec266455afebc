package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// auditActions is the actions of an account's audit log, oldest first.
func auditActions(t *testing.T, s *Store, accountID int64, f AuditFilter) []string {
	t.Helper()
	es, _, err := s.Audit(context.Background(), accountID, f, ListOptions{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

func TestTeams(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		bob := newFixture(t, s, "bob@example.com", "")

		if _, err := s.CreateTeam(ctx, ada.actor, ada.user.ID, " ", "ops@example.com"); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("CreateTeam without a name: %v, want ErrInvalid", err)
		}
		if _, err := s.CreateTeam(ctx, ada.actor, ada.user.ID, "Ops\r\nBcc: eve@example.com", "ops@example.com"); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("CreateTeam with a line break: %v, want ErrInvalid", err)
		}
		team, err := s.CreateTeam(ctx, ada.actor, ada.user.ID, "Ops", "ops@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if team.Personal || team.Name != "Ops" || team.PlanIdentifier != teamPlan {
			t.Errorf("CreateTeam = %+v", team)
		}
		if got, _ := s.Account(ctx, team.ID); got.Name != "Ops" {
			t.Errorf("stored team = %+v", got)
		}

		// Invitations: the token is returned once and stored hashed.
		if _, _, err := s.CreateInvitation(ctx, ada.actor, ada.account.ID, "bob@example.com", RoleMember, time.Hour); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("invite into a personal account: %v, want ErrConflict", err)
		}
		if _, _, err := s.CreateInvitation(ctx, ada.actor, team.ID, "ada@example.com", RoleMember, time.Hour); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("invite a member: %v, want ErrConflict", err)
		}
		if _, _, err := s.CreateInvitation(ctx, ada.actor, team.ID, "bob@example.com", "boss", time.Hour); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("invite with a bad role: %v, want ErrInvalid", err)
		}
		first, _, err := s.CreateInvitation(ctx, ada.actor, team.ID, "Bob@Example.com", RoleReadOnly, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		tokBob, inv, err := s.CreateInvitation(ctx, ada.actor, team.ID, "bob@example.com", RoleAdmin, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.read().row(ctx, "SELECT COUNT(*) FROM invitations WHERE token_hash = ? OR token_hash = ?", tokBob, hashToken(tokBob)).Scan(&n); err != nil || n != 1 {
			t.Errorf("invitations holding the token or its hash: %d, %v; want only the hash", n, err)
		}
		if _, _, err := s.Invitation(ctx, first); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("the replaced invitation: %v, want ErrNotFound", err)
		}
		got, acc, err := s.Invitation(ctx, tokBob)
		if err != nil || got.ID != inv.ID || got.Email != "bob@example.com" || got.Role != RoleAdmin || acc.ID != team.ID {
			t.Errorf("Invitation = %+v, %+v, %v", got, acc, err)
		}
		if is, err := s.Invitations(ctx, team.ID); err != nil || len(is) != 1 || is[0].ID != inv.ID {
			t.Errorf("Invitations = %+v, %v", is, err)
		}

		// Only the invited address accepts, once.
		carol := newFixture(t, s, "carol@example.com", "")
		if _, err := s.AcceptInvitation(ctx, carol.actor, tokBob, carol.user.ID); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("accept another's invitation: %v, want ErrForbidden", err)
		}
		if _, err := s.AcceptInvitation(ctx, bob.actor, tokBob, bob.user.ID); err != nil {
			t.Fatalf("accept: %v", err)
		}
		if r, err := s.Role(ctx, team.ID, bob.user.ID); err != nil || r != RoleAdmin {
			t.Errorf("bob's role = %q, %v", r, err)
		}
		if _, err := s.AcceptInvitation(ctx, bob.actor, tokBob, bob.user.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("accept twice: %v, want ErrNotFound", err)
		}
		if is, _ := s.Invitations(ctx, team.ID); len(is) != 0 {
			t.Errorf("pending after accept: %+v", is)
		}

		// Expired and revoked invitations are refused.
		expired, _, err := s.CreateInvitation(ctx, ada.actor, team.ID, "carol@example.com", RoleMember, -time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptInvitation(ctx, carol.actor, expired, carol.user.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("accept expired: %v, want ErrNotFound", err)
		}
		revoked, rinv, err := s.CreateInvitation(ctx, ada.actor, team.ID, "carol@example.com", RoleMember, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeInvitation(ctx, bob.actor, ada.account.ID, rinv.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("revoke through another account: %v, want ErrNotFound", err)
		}
		if err := s.RevokeInvitation(ctx, ada.actor, team.ID, rinv.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptInvitation(ctx, carol.actor, revoked, carol.user.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("accept revoked: %v, want ErrNotFound", err)
		}
		if _, _, err := s.Invitation(ctx, "zwi_nonsense"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("unknown token: %v", err)
		}

		// Signing up from an invitation: the invited address, a personal
		// account, and the membership; once.
		tokDan, _, err := s.CreateInvitation(ctx, ada.actor, team.ID, "dan@example.com", RoleMember, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		dan, joined, err := s.SignUpInvited(ctx, Actor{RemoteAddr: "192.0.2.7"}, tokDan, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if dan.Email != "dan@example.com" || joined.ID != team.ID {
			t.Errorf("SignUpInvited = %+v, %+v", dan, joined)
		}
		if r, err := s.Role(ctx, team.ID, dan.ID); err != nil || r != RoleMember {
			t.Errorf("dan's role = %q, %v", r, err)
		}
		if as, _ := s.Accounts(ctx, dan.ID); len(as) != 2 || as[0].ID != team.ID || !as[1].Personal {
			t.Errorf("dan's accounts = %+v", as)
		}
		if _, err := s.UserByPassword(ctx, "dan@example.com", "correct horse battery"); err != nil {
			t.Errorf("dan signs in: %v", err)
		}
		if _, _, err := s.SignUpInvited(ctx, Actor{}, tokDan, "correct horse battery"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("sign up twice: %v, want ErrNotFound", err)
		}
		tokCarol, _, err := s.CreateInvitation(ctx, ada.actor, team.ID, "carol@example.com", RoleMember, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SignUpInvited(ctx, Actor{}, tokCarol, "correct horse battery"); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("sign up as an existing user: %v, want ErrConflict", err)
		}
		if _, _, err := s.Invitation(ctx, tokCarol); err != nil {
			t.Errorf("the invitation after a refused sign-up: %v, want usable", err)
		}

		// Roles: the last owner stays one.
		if err := s.SetRole(ctx, ada.actor, team.ID, ada.user.ID, RoleAdmin); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("demote the last owner: %v, want ErrConflict", err)
		}
		if err := s.RemoveMember(ctx, ada.actor, team.ID, ada.user.ID); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("remove the last owner: %v, want ErrConflict", err)
		}
		if err := s.SetRole(ctx, ada.actor, team.ID, bob.user.ID, "boss"); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("bad role: %v", err)
		}
		if err := s.SetRole(ctx, ada.actor, team.ID, carol.user.ID, RoleAdmin); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("role of a non-member: %v, want ErrNotFound", err)
		}
		if err := s.SetRole(ctx, ada.actor, team.ID, bob.user.ID, RoleOwner); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRole(ctx, bob.actor, team.ID, ada.user.ID, RoleMember); err != nil {
			t.Errorf("demote one of two owners: %v", err)
		}
		ms, err := s.Members(ctx, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		var list []string
		for _, m := range ms {
			list = append(list, m.Email+":"+string(m.Role))
		}
		if g, w := strings.Join(list, " "), "bob@example.com:owner ada@example.com:member dan@example.com:member"; g != w {
			t.Errorf("Members = %s, want %s", g, w)
		}
		if err := s.RemoveMember(ctx, bob.actor, team.ID, dan.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveMember(ctx, ada.actor, team.ID, ada.user.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Role(ctx, team.ID, ada.user.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("ada after leaving: %v", err)
		}

		// Every change is in the team's audit log.
		wantLog := "account.create member.add invitation.create invitation.revoke invitation.create member.add invitation.create invitation.revoke invitation.create invitation.revoke " +
			"invitation.create member.add invitation.create member.update member.update member.remove member.leave"
		if g := strings.Join(auditActions(t, s, team.ID, AuditFilter{}), " "); g != wantLog {
			t.Errorf("audit log:\n%s\nwant\n%s", g, wantLog)
		}
		es, _, _ := s.Audit(ctx, team.ID, AuditFilter{Action: "member.update"}, ListOptions{})
		if len(es) != 2 || !strings.Contains(es[0].Before, `"role":"admin"`) || !strings.Contains(es[0].After, `"role":"owner"`) || es[0].ActorLabel != "ada@example.com" {
			t.Errorf("member.update entries: %+v", es)
		}
		es, _, _ = s.Audit(ctx, team.ID, AuditFilter{Action: "invitation."}, ListOptions{})
		for _, e := range es {
			if strings.Contains(e.Before+e.After, "zwi_") {
				t.Errorf("an audit entry holds an invitation token: %+v", e)
			}
		}
	})
}

func TestAuditFilters(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "example.com")
		if _, err := s.CreateDomain(ctx, f.actor, f.account.ID, "example.org"); err != nil {
			t.Fatal(err)
		}
		rec, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.com", RecordInput{Name: "www", Type: "A", Content: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		content := "192.0.2.2"
		if _, err := s.UpdateRecord(ctx, f.actor, f.account.ID, "example.com", rec.ID, RecordPatch{Content: &content}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateRecord(ctx, f.actor, f.account.ID, "example.org", RecordInput{Name: "", Type: "TXT", Content: "hello"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateToken(ctx, NewToken{AccountID: f.account.ID, Name: "ci"}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteDomain(ctx, f.actor, f.account.ID, "example.org"); err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct {
			name string
			f    AuditFilter
			want string
		}{
			{"domain", AuditFilter{Domain: "example.com"}, "domain.create record.create record.update"},
			{"other domain", AuditFilter{Domain: "example.org"}, "domain.create record.create domain.delete"},
			{"domain and action", AuditFilter{Domain: "example.com", Action: "record."}, "record.create record.update"},
			{"type", AuditFilter{ObjectType: "token"}, "token.create"},
			{"since the future", AuditFilter{Since: time.Now().Add(time.Hour)}, ""},
			{"until the past", AuditFilter{Until: time.Now().Add(-time.Hour)}, ""},
			{"around now", AuditFilter{Domain: "example.com", Since: time.Now().Add(-time.Hour), Until: time.Now().Add(time.Hour)}, "domain.create record.create record.update"},
		} {
			if g := strings.Join(auditActions(t, s, f.account.ID, tc.f), " "); g != tc.want {
				t.Errorf("%s: %q, want %q", tc.name, g, tc.want)
			}
		}
		es, _, _ := s.Audit(ctx, f.account.ID, AuditFilter{Action: "record.update"}, ListOptions{})
		if len(es) != 1 || es[0].Domain != "example.com" || es[0].RemoteAddr != "192.0.2.9" {
			t.Errorf("record.update entry: %+v", es)
		}
		acts, err := s.AuditActions(ctx, f.account.ID, "")
		if g, w := strings.Join(acts, " "), "domain.create domain.delete record.create record.update token.create user.create"; err != nil || g != w {
			t.Errorf("AuditActions = %q, %v; want %q", g, err, w)
		}
		acts, err = s.AuditActions(ctx, f.account.ID, "example.com")
		if g, w := strings.Join(acts, " "), "domain.create record.create record.update"; err != nil || g != w {
			t.Errorf("AuditActions of example.com = %q, %v; want %q", g, err, w)
		}
	})
}

// TestAuditDomainBackfill runs migration 0006's backfill of the domain of
// entries written before it, on rows as older versions wrote them.
func TestAuditDomainBackfill(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		dir := "migrations/sqlite"
		if s.pg {
			dir = "migrations/postgres"
		}
		text, err := migrations.ReadFile(dir + "/0006_teams.sql")
		if err != nil {
			t.Fatal(err)
		}
		_, rest, _ := strings.Cut(string(text), "UPDATE audit_log")
		update, _, _ := strings.Cut(rest, ";")
		rows := []struct{ typ, id, before, after, want string }{
			{"record", "1", "", `{"zone_id":"example.com","name":"www"}`, "example.com"},
			{"record", "1", `{"zone_id":"example.net"}`, "", "example.net"},
			{"domain", "2", `{"name":"example.org"}`, "", "example.org"},
			{"zone", "example.info", "[]", "[]", "example.info"},
			{"token", "3", "", `{"name":"ci"}`, ""},
			{"record", "4", "", "", ""},
		}
		err = s.tx(ctx, func(d db) error {
			for _, r := range rows {
				if _, err := d.exec(ctx, "INSERT INTO audit_log (account_id, action, object_type, object_id, before_json, after_json, created_at) VALUES (1, 'x', ?, ?, ?, ?, ?)",
					r.typ, r.id, r.before, r.after, now()); err != nil {
					return err
				}
			}
			_, err := d.q.ExecContext(ctx, "UPDATE audit_log"+update)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		es, _, err := s.Audit(ctx, 1, AuditFilter{}, ListOptions{})
		if err != nil || len(es) != len(rows) {
			t.Fatalf("Audit = %d entries, %v", len(es), err)
		}
		for i, e := range es {
			if e.Domain != rows[i].want {
				t.Errorf("%s %s: domain %q, want %q", e.ObjectType, e.ObjectID, e.Domain, rows[i].want)
			}
		}
	})
}

func TestDeliveryRetries(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "")
		h, err := s.CreateWebhook(ctx, f.actor, f.account.ID, "https://hooks.example.net/")
		if err != nil {
			t.Fatal(err)
		}
		ds, err := s.WebhookDeliveries(ctx, f.account.ID, h.ID, 10)
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries: %+v, %v", ds, err)
		}
		got, err := s.DeliveryRetries(ctx, []int64{ds[0].ID, 999})
		if err != nil || len(got) != 1 || got[ds[0].ID].IsZero() || time.Since(got[ds[0].ID]) > time.Minute {
			t.Errorf("DeliveryRetries of a waiting delivery = %v, %v", got, err)
		}
		if _, err := s.ClaimJobs(ctx, []string{JobWebhookDelivery}, time.Now(), time.Minute, 10); err != nil {
			t.Fatal(err)
		}
		if got, err := s.DeliveryRetries(ctx, []int64{ds[0].ID}); err != nil || len(got) != 0 {
			t.Errorf("DeliveryRetries of a delivery being attempted = %v, %v", got, err)
		}
	})
}

func TestAddMemberAudited(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		bob := newFixture(t, s, "bob@example.com", "")
		team, err := s.CreateTeam(ctx, ada.actor, ada.user.ID, "Ops", "ops@example.com")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []Role{RoleMember, RoleMember, RoleAdmin} {
			if err := s.AddMember(ctx, team.ID, bob.user.ID, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AddMember(ctx, team.ID, ada.user.ID, RoleMember); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("AddMember demoting the last owner: %v, want ErrConflict", err)
		}
		if g, w := strings.Join(auditActions(t, s, team.ID, AuditFilter{}), " "), "account.create member.add member.add member.update"; g != w {
			t.Errorf("audit log: %s, want %s", g, w)
		}
	})
}

func TestDeleteTeam(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		bob := newFixture(t, s, "bob@example.com", "")
		carol := newFixture(t, s, "carol@example.com", "")
		team, err := s.CreateTeam(ctx, ada.actor, ada.user.ID, "Ops", "ops@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, team.ID, bob.user.ID, RoleAdmin); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"example.org", "example.com"} {
			if _, err := s.CreateDomain(ctx, ada.actor, team.ID, name); err != nil {
				t.Fatal(err)
			}
		}
		// What goes with the team.
		hook, err := s.CreateWebhook(ctx, ada.actor, team.ID, "https://hooks.example.net/dns")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateInvitation(ctx, ada.actor, team.ID, "dan@example.com", RoleMember, time.Hour); err != nil {
			t.Fatal(err)
		}
		tokAccount, _, err := s.CreateToken(ctx, NewToken{AccountID: team.ID, Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		tokBob, _, err := s.CreateToken(ctx, NewToken{AccountID: team.ID, UserID: &bob.user.ID, Name: "bob's"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateTemplate(ctx, ada.actor, team.ID, Template{SID: "mail", Name: "Mail"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateTemplateRecord(ctx, ada.actor, team.ID, "mail", RecordInput{Type: "MX", Content: "mx.example.net", Priority: new(uint16)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateContact(ctx, ada.actor, team.ID, Contact{Label: "main", FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com",
			Phone: "+44.2000000000", Address1: "1 St James's Sq", City: "London", StateProvince: "London", PostalCode: "SW1Y 4JU", Country: "GB"}); err != nil {
			t.Fatal(err)
		}

		refused := []struct {
			name      string
			actor     Actor
			accountID int64
			want      error
		}{
			{"an admin", bob.actor, team.ID, zone.ErrForbidden},
			{"an outsider", carol.actor, team.ID, zone.ErrNotFound},
			{"a token", Actor{TokenID: new(int64), Label: "ci"}, team.ID, zone.ErrForbidden},
			{"a personal account", ada.actor, ada.account.ID, zone.ErrConflict},
			{"an unknown account", ada.actor, team.ID + 1000, zone.ErrNotFound},
			{"a team with domains", ada.actor, team.ID, zone.ErrConflict},
		}
		for _, c := range refused {
			if _, err := s.DeleteTeam(ctx, c.actor, c.accountID); !errors.Is(err, c.want) {
				t.Errorf("delete %s: %v, want %v", c.name, err, c.want)
			}
		}
		_, err = s.DeleteTeam(ctx, ada.actor, team.ID)
		var de *TeamDomainsError
		if !errors.As(err, &de) || de.Total != 2 || strings.Join(de.Domains, " ") != "example.com example.org" {
			t.Errorf("delete a team with domains: %v, want the two domains named", err)
		}
		if _, err := s.Account(ctx, team.ID); err != nil {
			t.Fatalf("the team after refusals: %v", err)
		}
		for _, name := range []string{"example.org", "example.com"} {
			if err := s.DeleteDomain(ctx, ada.actor, team.ID, name); err != nil {
				t.Fatal(err)
			}
		}

		got, err := s.DeleteTeam(ctx, ada.actor, team.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != team.ID || got.Name != "Ops" || !slices.Equal(got.Members, []string{ada.user.Email, bob.user.Email}) {
			t.Errorf("DeleteTeam = %+v, want the team and its members %s and %s", got, ada.user.Email, bob.user.Email)
		}
		if _, err := s.Account(ctx, team.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("the deleted team: %v, want ErrNotFound", err)
		}
		for _, u := range []fixture{ada, bob} {
			accs, err := s.Accounts(ctx, u.user.ID)
			if err != nil || len(accs) != 1 || accs[0].ID != u.account.ID {
				t.Errorf("accounts of %s after the deletion: %+v, %v", u.user.Email, accs, err)
			}
		}
		for _, tok := range []string{tokAccount, tokBob} {
			if _, err := s.Authenticate(ctx, tok); err == nil {
				t.Errorf("a token of the deleted team still authenticates")
			}
		}
		for _, q := range []string{
			"SELECT COUNT(*) FROM memberships WHERE account_id = ?",
			"SELECT COUNT(*) FROM invitations WHERE account_id = ?",
			"SELECT COUNT(*) FROM tokens WHERE account_id = ?",
			"SELECT COUNT(*) FROM webhooks WHERE account_id = ?",
			"SELECT COUNT(*) FROM events WHERE account_id = ?",
			"SELECT COUNT(*) FROM templates WHERE account_id = ?",
			"SELECT COUNT(*) FROM contacts WHERE account_id = ?",
			"SELECT COUNT(*) FROM template_records r WHERE NOT EXISTS (SELECT 1 FROM templates t WHERE t.id = r.template_id) AND ? > 0",
			"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = " + idText(hook.ID) + " AND ? > 0",
		} {
			var n int
			if err := s.read().row(ctx, q, team.ID).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d, %v; want 0", q, n, err)
			}
		}
		// The audit log outlives the team, and the owner's own log says
		// what they did.
		for _, acct := range []int64{team.ID, ada.account.ID} {
			es, _, err := s.Audit(ctx, acct, AuditFilter{Action: "account.delete"}, ListOptions{})
			if err != nil || len(es) != 1 || es[0].ObjectID != idText(team.ID) || *es[0].ActorUserID != ada.user.ID ||
				!strings.Contains(es[0].Before, `"name":"Ops"`) || es[0].RemoteAddr != "192.0.2.9" {
				t.Errorf("account.delete in the log of account %d: %+v, %v", acct, es, err)
			}
		}
		if _, err := s.DeleteTeam(ctx, ada.actor, team.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("delete twice: %v, want ErrNotFound", err)
		}
	})
}
