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
	CreatedAt  time.Time
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
	_, err = d.exec(ctx, `INSERT INTO audit_log (account_id, actor_user_id, actor_token_id, actor_label, action, object_type, object_id, before_json, after_json, remote_addr, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		accountID, a.UserID, a.TokenID, a.Label, action, objectType, id, b, af, a.RemoteAddr, now())
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
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
	out, p, err := list(ctx, s, o, auditSort,
		"id, account_id, actor_user_id, actor_token_id, actor_label, action, object_type, object_id, before_json, after_json, remote_addr, created_at",
		where, args,
		func(r *sql.Rows) (AuditEntry, error) {
			var (
				e           AuditEntry
				user, token sql.NullInt64
			)
			err := r.Scan(&e.ID, &e.AccountID, &user, &token, &e.ActorLabel, &e.Action, &e.ObjectType, &e.ObjectID, &e.Before, &e.After, &e.RemoteAddr, &e.CreatedAt)
			e.ActorUserID, e.ActorTokenID, e.CreatedAt = nullInt(user), nullInt(token), e.CreatedAt.UTC()
			return e, err
		})
	if err != nil {
		return nil, Page{}, fmt.Errorf("read audit log of account %d: %w", accountID, err)
	}
	return out, p, nil
}
