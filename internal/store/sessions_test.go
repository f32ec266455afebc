package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

func TestSignUp(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		first, _, err := s.SignUp(ctx, Actor{RemoteAddr: "192.0.2.7"}, "Ada@Example.com", "correct horse battery", SignUpClosed)
		if err != nil {
			t.Fatalf("first sign-up on a closed installation: %v", err)
		}
		if admin, err := s.IsAdmin(ctx, first.ID); err != nil || !admin {
			t.Errorf("first user admin = %v, %v; want true", admin, err)
		}
		if _, _, err := s.SignUp(ctx, Actor{RemoteAddr: "192.0.2.7"}, "bob@example.com", "correct horse battery", SignUpClosed); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("second sign-up, closed: %v, want ErrForbidden", err)
		}
		second, _, err := s.SignUp(ctx, Actor{RemoteAddr: "192.0.2.7"}, "bob@example.com", "correct horse battery", SignUpOpen)
		if err != nil {
			t.Fatalf("second sign-up, open: %v", err)
		}
		if admin, err := s.IsAdmin(ctx, second.ID); err != nil || admin {
			t.Errorf("second user admin = %v, %v; want false", admin, err)
		}
		if _, _, err := s.SignUp(ctx, Actor{RemoteAddr: "192.0.2.7"}, "bob@example.com", "correct horse battery", SignUpOpen); !errors.Is(err, zone.ErrConflict) {
			t.Errorf("taken email: %v, want ErrConflict", err)
		}
		if n, err := s.UserCount(ctx); err != nil || n != 2 {
			t.Errorf("UserCount = %d, %v; want 2", n, err)
		}
		if _, err := s.UserByPassword(ctx, "ada@example.com", "correct horse battery"); err != nil {
			t.Errorf("sign in after sign-up: %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	each(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ada := newFixture(t, s, "ada@example.com", "")
		bob := newFixture(t, s, "bob@example.com", "")
		long := time.Now().Add(-time.Hour)

		id, ss, err := s.CreateSession(ctx, NewSession{UserID: ada.user.ID, UserAgent: "Firefox", RemoteAddr: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		got, u, err := s.SessionUser(ctx, id, long)
		if err != nil || got.ID != ss.ID || u.ID != ada.user.ID || got.SecondFactor || got.UserAgent != "Firefox" {
			t.Fatalf("SessionUser = %+v, %+v, %v", got, u, err)
		}
		if _, _, err := s.SessionUser(ctx, id+"x", long); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("unknown session: %v, want ErrForbidden", err)
		}

		// Rotation: the old id stops working, the new one has passed 2FA.
		id2, ss2, err := s.RotateSession(ctx, id, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, id, long); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("rotated-out session: %v, want ErrForbidden", err)
		}
		if got, _, err := s.SessionUser(ctx, id2, long); err != nil || !got.SecondFactor || got.ID != ss2.ID {
			t.Errorf("rotated session = %+v, %v", got, err)
		}

		// Listing and revoking, only one's own.
		if _, _, err := s.CreateSession(ctx, NewSession{UserID: ada.user.ID}); err != nil {
			t.Fatal(err)
		}
		list, err := s.Sessions(ctx, ada.user.ID)
		if err != nil || len(list) != 2 {
			t.Fatalf("Sessions = %d, %v; want 2", len(list), err)
		}
		if err := s.RevokeSession(ctx, bob.user.ID, ss2.ID); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("revoke another user's session: %v, want ErrNotFound", err)
		}
		if err := s.RevokeSession(ctx, ada.user.ID, ss2.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, id2, long); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("revoked session: %v, want ErrForbidden", err)
		}

		// Idle sessions are gone.
		id3, _, err := s.CreateSession(ctx, NewSession{UserID: bob.user.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, id3, time.Now().Add(time.Hour)); !errors.Is(err, zone.ErrForbidden) {
			t.Errorf("idle session: %v, want ErrForbidden", err)
		}
		if list, _ := s.Sessions(ctx, bob.user.ID); len(list) != 0 {
			t.Errorf("idle session kept: %d sessions", len(list))
		}
	})
}
