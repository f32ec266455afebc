package api

import (
	"encoding/json"

	"github.com/zonewarden/zonewarden/internal/store"
)

// auditEntryJSON is one entry of the audit log, an endpoint of Zonewarden's
// own: DNSimple's API has none.
type auditEntryJSON struct {
	ID           int64           `json:"id"`
	AccountID    int64           `json:"account_id"`
	Action       string          `json:"action"`
	ObjectType   string          `json:"object_type"`
	ObjectID     string          `json:"object_id"`
	Actor        string          `json:"actor"`
	ActorUserID  *int64          `json:"actor_user_id"`
	ActorTokenID *int64          `json:"actor_token_id"`
	SourceAddr   string          `json:"source_address"`
	Before       json.RawMessage `json:"before"`
	After        json.RawMessage `json:"after"`
	CreatedAt    timestamp       `json:"created_at"`
}

func toAuditEntry(e store.AuditEntry) auditEntryJSON {
	raw := func(s string) json.RawMessage {
		if s == "" || !json.Valid([]byte(s)) {
			return json.RawMessage("null")
		}
		return json.RawMessage(s)
	}
	return auditEntryJSON{ID: e.ID, AccountID: e.AccountID, Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID,
		Actor: e.ActorLabel, ActorUserID: e.ActorUserID, ActorTokenID: e.ActorTokenID, SourceAddr: e.RemoteAddr,
		Before: raw(e.Before), After: raw(e.After), CreatedAt: timestamp(e.CreatedAt)}
}
