package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Actor is who makes a write, as the audit log records it.
type Actor struct {
	UserID  *int64
	TokenID *int64
	// Label names the actor for people: an email, or a token's name.
	Label      string
	RemoteAddr string
}

// AuditEntry is one write, as the audit log keeps it.
type AuditEntry struct {
	ID           int64
	AccountID    int64
	ActorUserID  *int64
	ActorTokenID *int64
	ActorLabel   string
	// Action is "<object>.<verb>": "record.create", "domain.delete".
	Action     string
	ObjectType string
	ObjectID   string
	// Before and After are the object as JSON, empty when it did not exist.
	Before     string
	After      string
	RemoteAddr string
	// Domain is the domain the write was to ("example.com"), empty when it
	// was to no domain (a token, a member).
	Domain    string
	CreatedAt time.Time
}

// audit appends to the audit log in the write's own transaction. before and
// after are marshalled to JSON; nil is written as "".
func audit(ctx context.Context, d db, a Actor, accountID int64, action, objectType string, objectID any, before, after any) error {
	js := func(v any) (string, error) {
		if v == nil {
			return "", nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	b, err := js(before)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	af, err := js(after)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	id := fmt.Sprint(objectID)
	if n, ok := objectID.(int64); ok {
		id = strconv.FormatInt(n, 10)
	}
	_, err = d.exec(ctx, `INSERT INTO audit_log (account_id, actor_user_id, actor_token_id, actor_label, action, object_type, object_id, before_json, after_json, remote_addr, domain, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		accountID, a.UserID, a.TokenID, a.Label, action, objectType, id, b, af, a.RemoteAddr, auditDomain(objectType, id, before, after), now())
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// auditDomain is the domain an entry is about, read from what every writer
// to a domain passes already: a zone's name as its id, a record's zone
// ("zone_id") or a domain's name in its before or after.
func auditDomain(objectType, objectID string, before, after any) string {
	key := ""
	switch objectType {
	case "zone":
		return objectID
	case "record":
		key = "zone_id"
	case "domain":
		key = "name"
	default:
		return ""
	}
	for _, v := range []any{after, before} {
		if m, ok := v.(map[string]any); ok {
			if s, ok := m[key].(string); ok {
				return s
			}
		}
	}
	return ""
}

var auditSort = map[string]string{"id": "id", "created_at": "created_at"}

// AuditFilter narrows a read of the audit log; empty fields match all.
type AuditFilter struct {
	// Action is an exact action ("record.create"), or an object's actions
	// when it ends in "." ("record.").
	Action     string
	ObjectType string
	// ActorUserID and ActorTokenID match the user or token that wrote.
	ActorUserID  int64
	ActorTokenID int64
	// Domain matches the entries about one domain ("example.com").
	Domain string
	// Since and Until bound when the entries were written: Since <=
	// created_at < Until. Zero is unbounded.
	Since, Until time.Time
}

// Audit returns one page of an account's audit log, as f narrows it, oldest
// first unless o.Sort says "id:desc".
func (s *Store) Audit(ctx context.Context, accountID int64, f AuditFilter, o ListOptions) ([]AuditEntry, Page, error) {
	where, args := "FROM audit_log WHERE account_id = ?", []any{accountID}
	switch {
	case strings.HasSuffix(f.Action, "."):
		where, args = where+" AND substr(action, 1, ?) = ?", append(args, len(f.Action), f.Action)
	case f.Action != "":
		where, args = where+" AND action = ?", append(args, f.Action)
	}
	if f.ObjectType != "" {
		where, args = where+" AND object_type = ?", append(args, f.ObjectType)
	}
	if f.ActorUserID != 0 {
		where, args = where+" AND actor_user_id = ?", append(args, f.ActorUserID)
	}
	if f.ActorTokenID != 0 {
		where, args = where+" AND actor_token_id = ?", append(args, f.ActorTokenID)
	}
	if f.Domain != "" {
		where, args = where+" AND domain = ?", append(args, lookupName(f.Domain))
	}
	if !f.Since.IsZero() {
		where, args = where+" AND created_at >= ?", append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		where, args = where+" AND created_at < ?", append(args, f.Until.UTC())
	}
	out, p, err := list(ctx, s, o, auditSort,
		"id, account_id, actor_user_id, actor_token_id, actor_label, action, object_type, object_id, before_json, after_json, remote_addr, domain, created_at",
		where, args,
		func(r *sql.Rows) (AuditEntry, error) {
			var (
				e           AuditEntry
				user, token sql.NullInt64
			)
			err := r.Scan(&e.ID, &e.AccountID, &user, &token, &e.ActorLabel, &e.Action, &e.ObjectType, &e.ObjectID, &e.Before, &e.After, &e.RemoteAddr, &e.Domain, &e.CreatedAt)
			e.ActorUserID, e.ActorTokenID, e.CreatedAt = nullInt(user), nullInt(token), e.CreatedAt.UTC()
			return e, err
		})
	if err != nil {
		return nil, Page{}, fmt.Errorf("read audit log of account %d: %w", accountID, err)
	}
	return out, p, nil
}

// AuditActions returns the actions an account's audit log holds, about one
// domain when domain is set, sorted: the choices of a filter.
func (s *Store) AuditActions(ctx context.Context, accountID int64, domain string) ([]string, error) {
	q, args := "SELECT DISTINCT action FROM audit_log WHERE account_id = ?", []any{accountID}
	if domain != "" {
		q, args = q+" AND domain = ?", append(args, domain)
	}
	out, err := queryAll(ctx, s.read(), func(r interface{ Scan(...any) error }) (string, error) {
		var a string
		return a, r.Scan(&a)
	}, q+" ORDER BY action", args...)
	if err != nil {
		return nil, fmt.Errorf("list audit actions of account %d: %w", accountID, err)
	}
	return out, nil
}
