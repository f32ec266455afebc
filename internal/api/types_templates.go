package api

import (
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

type templateJSON struct {
	ID          int64     `json:"id"`
	AccountID   int64     `json:"account_id"`
	Name        string    `json:"name"`
	SID         string    `json:"sid"`
	Description string    `json:"description"`
	CreatedAt   timestamp `json:"created_at"`
	UpdatedAt   timestamp `json:"updated_at"`
}

func toTemplate(t store.Template) templateJSON {
	return templateJSON{ID: t.ID, AccountID: t.AccountID, Name: t.Name, SID: t.SID, Description: t.Description,
		CreatedAt: timestamp(t.CreatedAt), UpdatedAt: timestamp(t.UpdatedAt)}
}

// templateRequest is the body of a template create or update; absent
// fields are nil.
type templateRequest struct {
	SID         *string `json:"sid"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// apply sets t's fields to those the request gives.
func (q templateRequest) apply(t store.Template) store.Template {
	if q.SID != nil {
		t.SID = strings.TrimSpace(*q.SID)
	}
	if q.Name != nil {
		t.Name = strings.TrimSpace(*q.Name)
	}
	if q.Description != nil {
		t.Description = *q.Description
	}
	return t
}

type templateRecordJSON struct {
	ID         int64     `json:"id"`
	TemplateID int64     `json:"template_id"`
	Name       string    `json:"name"`
	Content    string    `json:"content"`
	TTL        uint32    `json:"ttl"`
	Priority   *uint16   `json:"priority"`
	Type       string    `json:"type"`
	CreatedAt  timestamp `json:"created_at"`
	UpdatedAt  timestamp `json:"updated_at"`
}

func toTemplateRecord(tr store.TemplateRecord) templateRecordJSON {
	return templateRecordJSON{ID: tr.ID, TemplateID: tr.TemplateID, Name: tr.Name, Content: tr.Content, TTL: tr.TTL,
		Priority: tr.Priority, Type: tr.Type, CreatedAt: timestamp(tr.CreatedAt), UpdatedAt: timestamp(tr.UpdatedAt)}
}
