package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

func TestUsers(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		u, a, err := s.CreateUser(ctx, " Ada@Example.com", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ada@example.com" || !a.Personal || a.Email != u.Email {
			t.Errorf("CreateUser = %+v, %+v", u, a)
		}
		if r, err := s.Role(ctx, a.ID, u.ID); err != nil || r != RoleOwner {
			t.Errorf("Role in personal account = %q, %v; want owner", r, err)
		}

		for _, tc := range []struct {
			name            string
			email, password string
			want            error
		}{
			{"duplicate", "ADA@example.com", "another password", zone.ErrConflict},
			{"bad email", "ada", "correct horse battery", zone.ErrInvalid},
			{"short password", "bob@example.com", "short", zone.ErrInvalid},
		} {
			if _, _, err := s.CreateUser(ctx, tc.email, tc.password); !errors.Is(err, tc.want) {
				t.Errorf("%s: CreateUser = %v, want %v", tc.name, err, tc.want)
			}
		}

		for _, tc := range []struct {
			name            string
			email, password string
			ok              bool
		}{
			{"right", "ada@example.com", "correct horse battery", true},
			{"case of email", "ADA@example.com", "correct horse battery", true},
			{"wrong password", "ada@example.com", "Correct horse battery", false},
			{"unknown user", "eve@example.com", "correct horse battery", false},
		} {
			got, err := s.UserByPassword(ctx, tc.email, tc.password)
			switch {
			case tc.ok && (err != nil || got.ID != u.ID):
				t.Errorf("%s: UserByPassword = %+v, %v", tc.name, got, err)
			case !tc.ok && !errors.Is(err, zone.ErrForbidden):
				t.Errorf("%s: UserByPassword error = %v, want ErrForbidden", tc.name, err)
			}
		}

		var hash string
		if err := s.read().row(ctx, "SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$argon2id$") {
			t.Errorf("password stored as %q, want an argon2id hash", hash)
		}

		if got, err := s.UserByEmail(ctx, "ada@example.com"); err != nil || got.ID != u.ID {
			t.Errorf("UserByEmail = %+v, %v", got, err)
		}
		if _, err := s.UserByEmail(ctx, "eve@example.com"); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("UserByEmail(unknown) = %v, want ErrNotFound", err)
		}

		// A team with a second member.
		b, _, err := s.CreateUser(ctx, "bob@example.com", "another password")
		if err != nil {
			t.Fatal(err)
		}
		team, err := s.CreateTeam(ctx, Actor{UserID: &u.ID, Label: u.Email}, u.ID, "team@example.com", "team@example.com")
		if err != nil || team.Personal {
			t.Fatalf("CreateTeam = %+v, %v", team, err)
		}
		if _, err := s.Role(ctx, team.ID, b.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("Role of a non-member = %v, want ErrNotFound", err)
		}
		if err := s.AddMember(ctx, team.ID, b.ID, RoleReadOnly); err != nil {
			t.Fatal(err)
		}
		if r, err := s.Role(ctx, team.ID, b.ID); err != nil || r != RoleReadOnly {
			t.Errorf("Role = %q, %v; want read-only", r, err)
		}
		if err := s.AddMember(ctx, team.ID, b.ID, RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.Role(ctx, team.ID, b.ID); r != RoleAdmin {
			t.Errorf("Role after change = %q, want admin", r)
		}
		if err := s.AddMember(ctx, team.ID, b.ID, "god"); !errors.Is(err, zone.ErrInvalid) {
			t.Errorf("AddMember(bad role) = %v, want ErrInvalid", err)
		}
		accts, err := s.Accounts(ctx, b.ID)
		if err != nil || len(accts) != 2 || accts[1].ID != team.ID {
			t.Errorf("Accounts = %+v, %v; want personal and team", accts, err)
		}

		if err := s.SetOTPSecret(ctx, u.ID, "JBSWY3DPEHPK3PXP"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.User(ctx, u.ID); got.OTPSecret != "JBSWY3DPEHPK3PXP" {
			t.Errorf("OTPSecret = %q", got.OTPSecret)
		}
	})
}

func TestTokens(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		f := newFixture(t, s, "ada@example.com", "")
		other := newFixture(t, s, "eve@example.com", "")

		plain, tok, err := s.CreateToken(ctx, NewToken{AccountID: f.account.ID, Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := s.read().row(ctx, "SELECT hash FROM tokens WHERE id = ?", tok.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != hashToken(plain) || strings.Contains(stored, plain) {
			t.Errorf("token stored as %q, want its SHA-256", stored)
		}
		var n int
		if err := s.read().row(ctx, "SELECT COUNT(*) FROM audit_log WHERE after_json LIKE ?", "%"+plain[len(tokenPrefix):]+"%").Scan(&n); err != nil || n != 0 {
			t.Errorf("plaintext found in the audit log (%d rows, %v)", n, err)
		}

		p, err := s.Authenticate(ctx, plain)
		if err != nil || p.Account == nil || p.Account.ID != f.account.ID || p.User != nil || p.TokenID != tok.ID {
			t.Fatalf("Authenticate(account token) = %+v, %v", p, err)
		}
		toks, err := s.Tokens(ctx, f.account.ID)
		if err != nil || len(toks) != 1 || toks[0].LastUsedAt == nil {
			t.Errorf("Tokens after use = %+v, %v; want last_used_at set", toks, err)
		}

		userPlain, _, err := s.CreateToken(ctx, NewToken{AccountID: f.account.ID, UserID: &f.user.ID, Name: "laptop"})
		if err != nil {
			t.Fatal(err)
		}
		if p, err := s.Authenticate(ctx, userPlain); err != nil || p.User == nil || p.User.ID != f.user.ID || p.Account != nil {
			t.Errorf("Authenticate(user token) = %+v, %v", p, err)
		}
		if _, _, err := s.CreateToken(ctx, NewToken{AccountID: f.account.ID, UserID: &other.user.ID}); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("CreateToken for a non-member = %v, want ErrNotFound", err)
		}

		past := time.Now().Add(-time.Minute)
		expired, _, err := s.CreateToken(ctx, NewToken{AccountID: f.account.ID, Name: "old", ExpiresAt: &past})
		if err != nil {
			t.Fatal(err)
		}
		future := time.Now().Add(time.Hour)
		fresh, _, err := s.CreateToken(ctx, NewToken{AccountID: f.account.ID, Name: "new", ExpiresAt: &future})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(ctx, other.account.ID, tok.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("RevokeToken from another account = %v, want ErrNotFound", err)
		}
		if err := s.RevokeToken(ctx, f.account.ID, tok.ID); err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct {
			name, token string
			ok          bool
		}{
			{"revoked", plain, false},
			{"expired", expired, false},
			{"not expired", fresh, true},
			{"unknown", tokenPrefix + "AAAA", false},
			{"empty", "", false},
			{"tampered", plain[:len(plain)-1] + "x", false},
		} {
			_, err := s.Authenticate(ctx, tc.token)
			if tc.ok && err != nil || !tc.ok && !errors.Is(err, zone.ErrForbidden) {
				t.Errorf("%s: Authenticate = %v", tc.name, err)
			}
		}
		toks, _ = s.Tokens(ctx, f.account.ID)
		if len(toks) != 4 || toks[0].RevokedAt == nil {
			t.Errorf("Tokens = %+v; want 4, the first revoked", toks)
		}
	})
}

// TestTokenCache: an authentication is remembered for a moment, but a
// revocation or a membership change made through this Store applies to the
// next request, and one made by another process within tokenCacheTTL.
func TestTokenCache(t *testing.T) {
	for _, db := range testDBs(t) {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			url := db.url(t)
			s, other := open(t, url), open(t, url)
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			f := newFixture(t, s, "ada@example.com", "")
			g := newFixture(t, s, "bob@example.com", "")
			if err := s.AddMember(ctx, f.account.ID, g.user.ID, RoleMember); err != nil {
				t.Fatal(err)
			}
			authOK := func(st *Store, plain string) bool {
				t.Helper()
				_, err := st.Authenticate(ctx, plain)
				if err != nil && !errors.Is(err, zone.ErrForbidden) {
					t.Fatal(err)
				}
				return err == nil
			}
			tok1, t1, _ := s.CreateToken(ctx, NewToken{AccountID: f.account.ID, Name: "one"})
			tok2, t2, _ := s.CreateToken(ctx, NewToken{AccountID: f.account.ID, Name: "two"})
			bobs, _, _ := s.CreateToken(ctx, NewToken{AccountID: f.account.ID, UserID: &g.user.ID, Name: "bob"})
			for _, tok := range []string{tok1, tok2, bobs} {
				for range 3 { // the first notes the use; the others are remembered
					if !authOK(s, tok) || !authOK(other, tok) {
						t.Fatal("a fresh token was refused")
					}
				}
			}

			// This process: at once.
			if err := s.RevokeToken(ctx, f.account.ID, t1.ID); err != nil {
				t.Fatal(err)
			}
			if authOK(s, tok1) {
				t.Error("a token revoked by this Store still authenticates")
			}
			if err := s.RemoveMember(ctx, f.actor, f.account.ID, g.user.ID); err != nil {
				t.Fatal(err)
			}
			if authOK(s, bobs) {
				t.Error("the token of a removed member still authenticates")
			}

			// Another process: within the TTL. Every entry other holds was
			// made before the revocation, so a lookup that starts a TTL
			// after it must miss. The time is taken before each lookup:
			// one taken after would count a stall of this process
			// against the cache.
			revoked := time.Now()
			if err := s.RevokeToken(ctx, f.account.ID, t2.ID); err != nil {
				t.Fatal(err)
			}
			for _, tok := range []string{tok2, tok1, bobs} {
				for {
					asked := time.Now()
					if !authOK(other, tok) {
						break
					}
					if since := asked.Sub(revoked); since > tokenCacheTTL+10*time.Millisecond {
						t.Fatalf("another Store still authenticates a token revoked, or a removed member's, %s ago", since.Round(time.Millisecond))
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
}
