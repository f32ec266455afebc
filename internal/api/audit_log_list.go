package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

// auditLogList is GET /v2/{account}/audit_log, Zonewarden's own: every write
// to the account, oldest first (sort=id:desc for the newest), paginated,
// filtered by action ("record.create", or "record." for all of an
// object's), object_type, actor_user_id, actor_token_id, domain, and since
// and until (RFC 3339 times, or dates: since is inclusive, until not; a
// date means its midnight UTC). Owners and admins only (and account tokens,
// which act as the owner).
func (a *API) auditLogList(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	if err := a.requireAdmin(r, acc); err != nil {
		return err
	}
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.AuditFilter{Action: q.Get("action"), ObjectType: q.Get("object_type"), Domain: q.Get("domain")}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		t, err := parseWhen(s)
		if err != nil {
			return &Error{Status: http.StatusBadRequest, Message: "Validation failed",
				Errors: map[string][]string{p.name: {fmt.Sprintf("%q is not a time (2026-01-02T03:04:05Z) or a date (2026-01-02)", s)}}, Err: err}
		}
		*p.dst = t
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return &Error{Status: http.StatusBadRequest, Message: "Validation failed",
			Errors: map[string][]string{"until": {"must be after since"}}}
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"actor_user_id", &f.ActorUserID}, {"actor_token_id", &f.ActorTokenID}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return &Error{Status: http.StatusBadRequest, Message: "Validation failed",
				Errors: map[string][]string{p.name: {fmt.Sprintf("%q is not an id", s)}}, Err: err}
		}
		*p.dst = n
	}
	entries, page, err := a.store.Audit(r.Context(), acc, f, o)
	if err != nil {
		return fmt.Errorf("read the audit log of account %d: %w", acc, err)
	}
	return list(w, entries, page, toAuditEntry)
}

// requireAdmin refuses callers who are not an owner or admin of the
// account acc, which a.account has already let them use: account tokens
// act as the owner.
func (a *API) requireAdmin(r *http.Request, acc int64) error {
	p := caller(r)
	if p.Account != nil {
		return nil
	}
	if p.User == nil {
		return errUnauthorized
	}
	role, err := a.store.Role(r.Context(), acc, p.User.ID)
	if err != nil {
		return fmt.Errorf("role of user %d in account %d: %w", p.User.ID, acc, err)
	}
	if role != store.RoleOwner && role != store.RoleAdmin {
		return &Error{Status: http.StatusForbidden, Message: fmt.Sprintf("Permission Denied. Required role: owner or admin; you are %s in this account", role)}
	}
	return nil
}

// parseWhen reads an RFC 3339 time or a date (midnight UTC).
func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse(time.DateOnly, s)
}
