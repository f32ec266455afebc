package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// Member is a user's membership of an account.
type Member struct {
	UserID    int64
	Email     string
	Role      Role
	CreatedAt time.Time
}

func (m Member) audit() map[string]any {
	return map[string]any{"user_id": m.UserID, "email": m.Email, "role": string(m.Role)}
}

// Invitation asks someone, by email, to join an account with a role. Its
// token is mailed to them and stored only as a hash; it is used once and
// expires.
type Invitation struct {
	ID        int64
	AccountID int64
	Email     string
	Role      Role
	InvitedBy *int64
	ExpiresAt time.Time
	CreatedAt time.Time
}

func (i Invitation) audit() map[string]any {
	return map[string]any{"id": i.ID, "email": i.Email, "role": string(i.Role), "expires_at": i.ExpiresAt}
}

// Expired reports whether the invitation can no longer be accepted at t.
func (i Invitation) Expired(t time.Time) bool { return !t.Before(i.ExpiresAt) }

// errLastOwner refuses to leave an account without an owner.
var errLastOwner = &conflictError{field: "role", msg: "an account needs an owner: make another member an owner first"}

const invitationPrefix = "zwi_"

func validRole(r Role) error {
	switch r {
	case RoleOwner, RoleAdmin, RoleMember, RoleReadOnly:
		return nil
	}
	return invalid("role", fmt.Sprintf("%q is not owner, admin, member or read-only", r))
}

// CreateTeam creates a team account, named name, with the user as its
// owner. email is the account's contact address.
func (s *Store) CreateTeam(ctx context.Context, a Actor, ownerUserID int64, name, email string) (Account, error) {
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
		return Account{}, invalid("name", "must be 1 to 100 characters")
	}
	if strings.ContainsFunc(name, unicode.IsControl) {
		// It goes into mail subjects and page titles.
		return Account{}, invalid("name", "must be one line of text")
	}
	email, err := normalEmail(email)
	if err != nil {
		return Account{}, err
	}
	var acc Account
	err = s.tx(ctx, func(d db) error {
		owner, err := scanUser(d.row(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", ownerUserID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find user %d: %w", ownerUserID, zone.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("find user %d: %w", ownerUserID, err)
		}
		acc, err = createAccount(ctx, d, ownerUserID, email, false)
		if err != nil {
			return err
		}
		if _, err := d.exec(ctx, "UPDATE accounts SET name = ? WHERE id = ?", name, acc.ID); err != nil {
			return fmt.Errorf("name account %d: %w", acc.ID, err)
		}
		acc.Name = name
		if err := audit(ctx, d, a, acc.ID, "account.create", "account", acc.ID, nil,
			map[string]any{"id": acc.ID, "name": name, "email": email}); err != nil {
			return err
		}
		m := Member{UserID: owner.ID, Email: owner.Email, Role: RoleOwner}
		return audit(ctx, d, a, acc.ID, "member.add", "member", owner.ID, nil, m.audit())
	})
	if err != nil {
		return Account{}, fmt.Errorf("create team %q: %w", name, err)
	}
	return acc, nil
}

const memberCols = "m.user_id, u.email, m.role, m.created_at"

func scanMember(r interface{ Scan(...any) error }) (Member, error) {
	var m Member
	var role string
	err := r.Scan(&m.UserID, &m.Email, &role, &m.CreatedAt)
	m.Role, m.CreatedAt = Role(role), m.CreatedAt.UTC()
	return m, err
}

// Members returns an account's members, owners first, then by email.
func (s *Store) Members(ctx context.Context, accountID int64) ([]Member, error) {
	ms, err := queryAll(ctx, s.read(), scanMember, "SELECT "+memberCols+` FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ?
		ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'member' THEN 2 ELSE 3 END, u.email`, accountID)
	if err != nil {
		return nil, fmt.Errorf("list members of account %d: %w", accountID, err)
	}
	return ms, nil
}

// member reads a membership in the write transaction d. On PostgreSQL the
// account's owner rows are locked first, so that two owners demoting each
// other at once cannot both succeed.
func (s *Store) member(ctx context.Context, d db, accountID, userID int64) (Member, error) {
	if s.pg {
		if _, err := d.exec(ctx, "SELECT 1 FROM memberships WHERE account_id = ? AND role = 'owner' FOR UPDATE", accountID); err != nil {
			return Member{}, fmt.Errorf("lock owners of account %d: %w", accountID, err)
		}
	}
	m, err := scanMember(d.row(ctx, "SELECT "+memberCols+" FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? AND m.user_id = ?", accountID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fmt.Errorf("find member %d of account %d: %w", userID, accountID, zone.ErrNotFound)
	}
	if err != nil {
		return Member{}, fmt.Errorf("find member %d of account %d: %w", userID, accountID, err)
	}
	return m, nil
}

// keepsAnOwner refuses a change that takes the owner role from m when m is
// the account's last owner.
func keepsAnOwner(ctx context.Context, d db, accountID int64, m Member) error {
	if m.Role != RoleOwner {
		return nil
	}
	var owners int
	if err := d.row(ctx, "SELECT COUNT(*) FROM memberships WHERE account_id = ? AND role = 'owner'", accountID).Scan(&owners); err != nil {
		return fmt.Errorf("count owners of account %d: %w", accountID, err)
	}
	if owners <= 1 {
		return errLastOwner
	}
	return nil
}

// SetRole changes a member's role. The account's last owner keeps the
// owner role (ErrConflict).
func (s *Store) SetRole(ctx context.Context, a Actor, accountID, userID int64, role Role) error {
	if err := validRole(role); err != nil {
		return err
	}
	err := s.tx(ctx, func(d db) error {
		old, err := s.member(ctx, d, accountID, userID)
		if err != nil {
			return err
		}
		if old.Role == role {
			return nil
		}
		if err := keepsAnOwner(ctx, d, accountID, old); err != nil {
			return err
		}
		if _, err := d.exec(ctx, "UPDATE memberships SET role = ? WHERE account_id = ? AND user_id = ?", string(role), accountID, userID); err != nil {
			return err
		}
		m := old
		m.Role = role
		return audit(ctx, d, a, accountID, "member.update", "member", userID, old.audit(), m.audit())
	})
	if err != nil {
		return fmt.Errorf("set role of member %d of account %d: %w", userID, accountID, err)
	}
	return nil
}

// RemoveMember takes a user out of an account; a user removing themself
// leaves it. The account's last owner stays (ErrConflict). The user's
// tokens for the account stop working with the membership.
func (s *Store) RemoveMember(ctx context.Context, a Actor, accountID, userID int64) error {
	err := s.tx(ctx, func(d db) error {
		old, err := s.member(ctx, d, accountID, userID)
		if err != nil {
			return err
		}
		if err := keepsAnOwner(ctx, d, accountID, old); err != nil {
			return err
		}
		if _, err := d.exec(ctx, "DELETE FROM memberships WHERE account_id = ? AND user_id = ?", accountID, userID); err != nil {
			return err
		}
		action := "member.remove"
		if a.UserID != nil && *a.UserID == userID {
			action = "member.leave"
		}
		if err := audit(ctx, d, a, accountID, action, "member", userID, old.audit(), nil); err != nil {
			return err
		}
		acc, err := s.account(ctx, d, accountID)
		if err != nil {
			return err
		}
		u, err := scanUser(d.row(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", userID))
		if err != nil {
			return fmt.Errorf("find user %d: %w", userID, err)
		}
		// DNSimple has one event for a user leaving and a user removed.
		return s.emit(ctx, d, a, accountID, event{"account.user_remove", memberRemoveData(acc, u)})
	})
	if err != nil {
		return fmt.Errorf("remove member %d of account %d: %w", userID, accountID, err)
	}
	return nil
}

// CreateInvitation invites email to join a team account with a role, for
// ttl. It returns the token to mail, which is stored nowhere: only its
// SHA-256 is kept. Inviting someone again replaces their pending
// invitation; inviting a member is ErrConflict, and so is inviting into a
// personal account, which has its one owner only.
func (s *Store) CreateInvitation(ctx context.Context, a Actor, accountID int64, email string, role Role, ttl time.Duration) (string, Invitation, error) {
	email, err := normalEmail(email)
	if err != nil {
		return "", Invitation{}, err
	}
	if err := validRole(role); err != nil {
		return "", Invitation{}, err
	}
	var raw [32]byte
	rand.Read(raw[:])
	token := invitationPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	t := now()
	inv := Invitation{AccountID: accountID, Email: email, Role: role, InvitedBy: a.UserID, ExpiresAt: t.Add(ttl), CreatedAt: t}
	err = s.tx(ctx, func(d db) error {
		acc, err := s.account(ctx, d, accountID)
		if err != nil {
			return err
		}
		if acc.Personal {
			return &conflictError{field: "email", msg: "a personal account has no other members: create a team and invite people to it"}
		}
		var events []event
		var one int
		err = d.row(ctx, "SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? AND u.email = ?", accountID, email).Scan(&one)
		if err == nil {
			return &conflictError{field: "email", msg: email + " is a member already"}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		pending, err := queryAll(ctx, d, scanInvitation, "SELECT "+invitationCols+" FROM invitations WHERE account_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL", accountID, email)
		if err != nil {
			return err
		}
		for _, p := range pending {
			if _, err := d.exec(ctx, "UPDATE invitations SET revoked_at = ? WHERE id = ?", t, p.ID); err != nil {
				return err
			}
			if err := audit(ctx, d, a, accountID, "invitation.revoke", "invitation", p.ID, p.audit(), nil); err != nil {
				return err
			}
			events = append(events, event{"account.user_invitation_revoke", invitationData(acc, p, t, nil)})
		}
		if err := d.row(ctx, "INSERT INTO invitations (account_id, email, role, token_hash, invited_by, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			accountID, email, string(role), hashToken(token), a.UserID, inv.ExpiresAt, t).Scan(&inv.ID); err != nil {
			return err
		}
		if err := audit(ctx, d, a, accountID, "invitation.create", "invitation", inv.ID, nil, inv.audit()); err != nil {
			return err
		}
		events = append(events, event{"account.user_invite", invitationData(acc, inv, t, nil)})
		return s.emit(ctx, d, a, accountID, events...)
	})
	if err != nil {
		return "", Invitation{}, fmt.Errorf("invite %s to account %d: %w", email, accountID, err)
	}
	return token, inv, nil
}

const invitationCols = "id, account_id, email, role, invited_by, expires_at, created_at"

func scanInvitation(r interface{ Scan(...any) error }) (Invitation, error) {
	var (
		i    Invitation
		role string
		by   sql.NullInt64
	)
	err := r.Scan(&i.ID, &i.AccountID, &i.Email, &role, &by, &i.ExpiresAt, &i.CreatedAt)
	i.Role, i.InvitedBy, i.ExpiresAt, i.CreatedAt = Role(role), nullInt(by), i.ExpiresAt.UTC(), i.CreatedAt.UTC()
	return i, err
}

// Invitations returns an account's invitations that were neither accepted
// nor revoked, expired ones included, newest first.
func (s *Store) Invitations(ctx context.Context, accountID int64) ([]Invitation, error) {
	is, err := queryAll(ctx, s.read(), scanInvitation, "SELECT "+invitationCols+" FROM invitations WHERE account_id = ? AND accepted_at IS NULL AND revoked_at IS NULL ORDER BY id DESC", accountID)
	if err != nil {
		return nil, fmt.Errorf("list invitations of account %d: %w", accountID, err)
	}
	return is, nil
}

// errBadInvitation is every invitation token that cannot be used: unknown,
// used, revoked or expired. They are not told apart, so that the answer
// says nothing about tokens one does not hold.
func errBadInvitation() error {
	return fmt.Errorf("find invitation: %w", zone.ErrNotFound)
}

// Invitation returns the invitation a token stands for, with its account,
// while it can be accepted.
func (s *Store) Invitation(ctx context.Context, token string) (Invitation, Account, error) {
	if !strings.HasPrefix(token, invitationPrefix) {
		return Invitation{}, Account{}, errBadInvitation()
	}
	inv, err := scanInvitation(s.read().row(ctx, "SELECT "+invitationCols+" FROM invitations WHERE token_hash = ? AND accepted_at IS NULL AND revoked_at IS NULL", hashToken(token)))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && inv.Expired(now())) {
		return Invitation{}, Account{}, errBadInvitation()
	}
	if err != nil {
		return Invitation{}, Account{}, fmt.Errorf("find invitation: %w", err)
	}
	acc, err := s.Account(ctx, inv.AccountID)
	if err != nil {
		return Invitation{}, Account{}, err
	}
	return inv, acc, nil
}

// useInvitation marks the invitation of token used by userID (nil when the
// user is yet to be created), in d, and returns it and when it was used:
// one UPDATE, so that a token is used once however many race for it.
func useInvitation(ctx context.Context, d db, token string, userID *int64) (Invitation, time.Time, error) {
	if !strings.HasPrefix(token, invitationPrefix) {
		return Invitation{}, time.Time{}, errBadInvitation()
	}
	t := now()
	inv, err := scanInvitation(d.row(ctx, "UPDATE invitations SET accepted_at = ?, accepted_by = ? WHERE token_hash = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ? RETURNING "+invitationCols,
		t, userID, hashToken(token), t))
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, time.Time{}, errBadInvitation()
	}
	if err != nil {
		return Invitation{}, time.Time{}, fmt.Errorf("use invitation: %w", err)
	}
	return inv, t, nil
}

// join makes u a member of the invitation's account with its role (a
// member already keeps the role they have) and tells the account's
// webhooks that the invitation, used at t, is accepted.
func (s *Store) join(ctx context.Context, d db, a Actor, acc Account, inv Invitation, t time.Time, u User) error {
	if err := s.emit(ctx, d, a, acc.ID, event{"account.user_invitation_accept", invitationData(acc, inv, t, &t)}); err != nil {
		return err
	}
	var role string
	err := d.row(ctx, "SELECT role FROM memberships WHERE account_id = ? AND user_id = ?", inv.AccountID, u.ID).Scan(&role)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if _, err := d.exec(ctx, "INSERT INTO memberships (account_id, user_id, role, created_at) VALUES (?, ?, ?, ?)",
		inv.AccountID, u.ID, string(inv.Role), now()); err != nil {
		return fmt.Errorf("add member %d to account %d: %w", u.ID, inv.AccountID, err)
	}
	m := Member{UserID: u.ID, Email: u.Email, Role: inv.Role}
	after := m.audit()
	after["invitation_id"] = inv.ID
	return audit(ctx, d, a, inv.AccountID, "member.add", "member", u.ID, nil, after)
}

// AcceptInvitation makes the user a member of the account the token
// invites to. The invitation is for one email address: a user with another
// is ErrForbidden, and the invitation stays usable.
func (s *Store) AcceptInvitation(ctx context.Context, a Actor, token string, userID int64) (Account, error) {
	var acc Account
	err := s.tx(ctx, func(d db) error {
		u, err := scanUser(d.row(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", userID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find user %d: %w", userID, zone.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("find user %d: %w", userID, err)
		}
		inv, used, err := useInvitation(ctx, d, token, &userID)
		if err != nil {
			return err
		}
		if inv.Email != u.Email {
			return fmt.Errorf("invitation %d is for %s, not %s: %w", inv.ID, inv.Email, u.Email, zone.ErrForbidden)
		}
		if acc, err = s.account(ctx, d, inv.AccountID); err != nil {
			return err
		}
		return s.join(ctx, d, a, acc, inv, used, u)
	})
	if err != nil {
		return Account{}, fmt.Errorf("accept invitation: %w", err)
	}
	return acc, nil
}

// SignUpInvited creates the user an invitation is for, with the invited
// email address and a personal account, and makes them a member of the
// account they were invited to: one transaction, whatever the sign-up
// policy (the invitation is the permission). It returns the user and the
// team account.
func (s *Store) SignUpInvited(ctx context.Context, a Actor, token, password string) (User, Account, error) {
	hash, err := s.hashPassword(password)
	if err != nil {
		return User{}, Account{}, err
	}
	var (
		u   User
		acc Account
	)
	err = s.tx(ctx, func(d db) error {
		// The invitation is taken before the user exists: accepted_by is
		// set once the user has an id.
		inv, used, err := useInvitation(ctx, d, token, nil)
		if err != nil {
			return err
		}
		t := now()
		// The invitation's link was mailed to this address: following it
		// verifies it.
		u = User{Email: inv.Email, EmailVerifiedAt: &t, CreatedAt: t, UpdatedAt: t}
		err = d.row(ctx, "INSERT INTO users (email, password_hash, email_verified_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
			u.Email, hash, t, t, t).Scan(&u.ID)
		if isUnique(err) {
			return &conflictError{field: "email", msg: u.Email + " has a user already: sign in to accept the invitation"}
		}
		if err != nil {
			return fmt.Errorf("create user %s: %w", u.Email, err)
		}
		if _, err := d.exec(ctx, "UPDATE invitations SET accepted_by = ? WHERE id = ?", u.ID, inv.ID); err != nil {
			return err
		}
		personal, err := createAccount(ctx, d, u.ID, u.Email, true)
		if err != nil {
			return err
		}
		if acc, err = s.account(ctx, d, inv.AccountID); err != nil {
			return err
		}
		if a.UserID == nil {
			a.UserID, a.Label = &u.ID, u.Email
		}
		if err := auditNewUser(ctx, d, a, "user.sign_up", u, personal); err != nil {
			return err
		}
		return s.join(ctx, d, a, acc, inv, used, u)
	})
	if err != nil {
		return User{}, Account{}, fmt.Errorf("sign up by invitation: %w", err)
	}
	return u, acc, nil
}

// RevokeInvitation revokes one of an account's pending invitations: its
// link stops working.
func (s *Store) RevokeInvitation(ctx context.Context, a Actor, accountID, id int64) error {
	err := s.tx(ctx, func(d db) error {
		inv, err := scanInvitation(d.row(ctx, "SELECT "+invitationCols+" FROM invitations WHERE id = ? AND account_id = ? AND accepted_at IS NULL AND revoked_at IS NULL", id, accountID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find invitation %d: %w", id, zone.ErrNotFound)
		}
		if err != nil {
			return err
		}
		acc, err := s.account(ctx, d, accountID)
		if err != nil {
			return err
		}
		t := now()
		if _, err := d.exec(ctx, "UPDATE invitations SET revoked_at = ? WHERE id = ?", t, id); err != nil {
			return err
		}
		if err := audit(ctx, d, a, accountID, "invitation.revoke", "invitation", id, inv.audit(), nil); err != nil {
			return err
		}
		return s.emit(ctx, d, a, accountID, event{"account.user_invitation_revoke", invitationData(acc, inv, t, nil)})
	})
	if err != nil {
		return fmt.Errorf("revoke invitation %d of account %d: %w", id, accountID, err)
	}
	return nil
}

// TeamDomainsError refuses to delete a team that still has domains:
// deleting them with it would stop DNS for them without anyone having
// asked for that. Domains are the team's, at most the first 100 by name.
// It wraps zone.ErrConflict.
type TeamDomainsError struct {
	Domains []string
	Total   int
}

func (e *TeamDomainsError) Error() string {
	return fmt.Sprintf("domains: the team has %d domains (%s): delete or move them first", e.Total, strings.Join(e.Domains, ", "))
}

func (e *TeamDomainsError) Unwrap() error { return zone.ErrConflict }

// DeleteTeam deletes a team account, as one of its owners asks
// (a.UserID): its memberships, pending invitations, tokens, webhooks and
// their deliveries, templates, contacts and primary servers go with it
// (the schema cascades them). A team with domains is refused
// (*TeamDomainsError), and so is a personal account (ErrConflict) and an
// actor who is not an owner (ErrForbidden). The audit log has no foreign
// key and keeps the team's entries, account.delete last; the same entry is
// written to the actor's personal account, whose log its owner can still
// read.
func (s *Store) DeleteTeam(ctx context.Context, a Actor, accountID int64) (DeletedTeam, error) {
	if a.UserID == nil {
		return DeletedTeam{}, fmt.Errorf("delete team %d: only an owner may: %w", accountID, zone.ErrForbidden)
	}
	var acc Account
	var members []string
	err := s.tx(ctx, func(d db) error {
		if s.pg {
			// A domain created concurrently waits for this lock (its
			// foreign key locks the account row) and then fails, rather
			// than being counted out here and cascaded away below.
			if _, err := d.exec(ctx, "SELECT 1 FROM accounts WHERE id = ? FOR UPDATE", accountID); err != nil {
				return fmt.Errorf("lock account %d: %w", accountID, err)
			}
		}
		var err error
		if acc, err = s.account(ctx, d, accountID); err != nil {
			return err
		}
		if acc.Personal {
			return &conflictError{field: "account", msg: "a personal account belongs to its user and cannot be deleted"}
		}
		var role string
		err = d.row(ctx, "SELECT role FROM memberships WHERE account_id = ? AND user_id = ?", accountID, *a.UserID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find member %d: %w", *a.UserID, zone.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("find member %d: %w", *a.UserID, err)
		}
		if Role(role) != RoleOwner {
			return fmt.Errorf("user %d is not an owner: %w", *a.UserID, zone.ErrForbidden)
		}
		domains := &TeamDomainsError{}
		if err := d.row(ctx, "SELECT COUNT(*) FROM domains WHERE account_id = ?", accountID).Scan(&domains.Total); err != nil {
			return fmt.Errorf("count domains: %w", err)
		}
		if domains.Total > 0 {
			names, err := queryAll(ctx, d, func(r interface{ Scan(...any) error }) (string, error) {
				var n string
				return n, r.Scan(&n)
			}, "SELECT name FROM domains WHERE account_id = ? ORDER BY name LIMIT 100", accountID)
			if err != nil {
				return fmt.Errorf("list domains: %w", err)
			}
			domains.Domains = names
			return domains
		}
		var invitations int
		members, err = queryAll(ctx, d, func(r interface{ Scan(...any) error }) (string, error) {
			var e string
			return e, r.Scan(&e)
		}, "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? ORDER BY u.email", accountID)
		if err != nil {
			return fmt.Errorf("list members: %w", err)
		}
		if err := d.row(ctx, "SELECT COUNT(*) FROM invitations WHERE account_id = ? AND accepted_at IS NULL AND revoked_at IS NULL", accountID).Scan(&invitations); err != nil {
			return fmt.Errorf("count invitations: %w", err)
		}
		if _, err := d.exec(ctx, "DELETE FROM accounts WHERE id = ?", accountID); err != nil {
			return fmt.Errorf("delete account %d: %w", accountID, err)
		}
		before := map[string]any{"id": acc.ID, "name": acc.Name, "email": acc.Email, "members": len(members), "pending_invitations": invitations}
		if err := audit(ctx, d, a, accountID, "account.delete", "account", accountID, before, nil); err != nil {
			return err
		}
		var personal int64
		err = d.row(ctx, "SELECT a.id FROM accounts a JOIN memberships m ON m.account_id = a.id WHERE m.user_id = ? AND a.personal ORDER BY a.id LIMIT 1", *a.UserID).Scan(&personal)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // a user without a personal account: the team's log has it
		}
		if err != nil {
			return fmt.Errorf("find the personal account of user %d: %w", *a.UserID, err)
		}
		return audit(ctx, d, a, personal, "account.delete", "account", accountID, before, nil)
	})
	if err != nil {
		return DeletedTeam{}, fmt.Errorf("delete team %d: %w", accountID, err)
	}
	return DeletedTeam{Account: acc, Members: members}, nil
}

// DeletedTeam is what DeleteTeam deleted: the account, and the addresses
// of its members at the time, the deleting owner's among them, for telling
// them.
type DeletedTeam struct {
	Account
	Members []string
}
