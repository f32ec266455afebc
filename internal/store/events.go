package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Events are what an account's webhooks are told of its writes. A write
// emits its events in its own transaction: the payload is rendered then, as
// DNSimple's webhooks carry it, and for each active webhook of the account a
// delivery and a delivery job are written. A write that fails emits
// nothing; an account without webhooks costs one indexed read.
//
// The events, by DNSimple's names: domain.create and zone.create (a domain
// comes with its zone), domain.delete and zone.delete, zone_record.create,
// zone_record.update and zone_record.delete (one per record written, by a
// record endpoint, a batch change, a template applied or a zone's name
// servers set), domain.resolution_disable and domain.resolution_enable (a
// zone deactivated or activated, carrying its domain), webhook.create
// and webhook.delete, contact.create, contact.update and contact.delete;
// of memberships: account.user_invite, account.user_invitation_revoke (a
// revocation, or an invitation replaced by a new one to the same address),
// account.user_invitation_accept (by a user, or at a sign-up from the
// link) and account.user_remove (a member removed, or leaving: the actor
// tells them apart). DNSimple has no event for a change of role, nor for
// an account's deletion (whose webhooks go with it), so none is sent.

// event is one event of a write: its name and its data, the object it is
// about in DNSimple's shape ({"zone_record": {...}}).
type event struct {
	name string
	data any
}

// eventPayload is the body POSTed to a webhook, field for field DNSimple's.
type eventPayload struct {
	Data              any          `json:"data"`
	Name              string       `json:"name"`
	Actor             eventActor   `json:"actor"`
	Account           eventAccount `json:"account"`
	APIVersion        string       `json:"api_version"`
	RequestIdentifier string       `json:"request_identifier"`
}

type eventActor struct {
	ID     string `json:"id"`
	Entity string `json:"entity"` // "user", "account" (an account token), "system"
	Pretty string `json:"pretty"`
}

type eventAccount struct {
	ID         int64  `json:"id"`
	Display    string `json:"display"`
	Identifier string `json:"identifier"`
}

// emit writes the events of a write in its transaction d, and a delivery
// job for each of them and each active webhook of the account. The events
// of one write share their request_identifier.
func (s *Store) emit(ctx context.Context, d db, a Actor, accountID int64, events ...event) error {
	if len(events) == 0 {
		return nil
	}
	hooks, err := activeWebhooks(ctx, d, accountID)
	if err != nil || len(hooks) == 0 {
		return err
	}
	acct, err := s.account(ctx, d, accountID)
	if err != nil {
		return err
	}
	p := eventPayload{
		Actor:             eventActorOf(a, accountID),
		Account:           eventAccount{ID: acct.ID, Display: acct.Name, Identifier: acct.Email},
		APIVersion:        "v2",
		RequestIdentifier: newUUID(),
	}
	if p.Account.Display == "" {
		p.Account.Display = acct.Email
	}
	t := now()
	for _, e := range events {
		p.Name, p.Data = e.name, e.data
		body, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("emit %s: %w", e.name, err)
		}
		var eventID int64
		if err := d.row(ctx, "INSERT INTO events (account_id, name, payload, created_at) VALUES (?, ?, ?, ?) RETURNING id",
			accountID, e.name, string(body), t).Scan(&eventID); err != nil {
			return fmt.Errorf("emit %s: %w", e.name, err)
		}
		for _, h := range hooks {
			var deliveryID int64
			if err := d.row(ctx, "INSERT INTO webhook_deliveries (webhook_id, event_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
				h, eventID, DeliveryPending, t, t).Scan(&deliveryID); err != nil {
				return fmt.Errorf("emit %s: %w", e.name, err)
			}
			if err := enqueue(ctx, d, JobWebhookDelivery, map[string]int64{"delivery_id": deliveryID}, t); err != nil {
				return fmt.Errorf("emit %s: %w", e.name, err)
			}
		}
	}
	return nil
}

func activeWebhooks(ctx context.Context, d db, accountID int64) ([]int64, error) {
	rows, err := d.query(ctx, "SELECT id FROM webhooks WHERE account_id = ? AND suppressed_at IS NULL ORDER BY id", accountID)
	if err != nil {
		return nil, fmt.Errorf("find webhooks of account %d: %w", accountID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find webhooks of account %d: %w", accountID, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find webhooks of account %d: %w", accountID, err)
	}
	return ids, nil
}

// eventActorOf names the actor as DNSimple does: a user by id, an account
// token as the account.
func eventActorOf(a Actor, accountID int64) eventActor {
	switch {
	case a.UserID != nil:
		return eventActor{ID: strconv.FormatInt(*a.UserID, 10), Entity: "user", Pretty: a.Label}
	case a.TokenID != nil:
		return eventActor{ID: strconv.FormatInt(accountID, 10), Entity: "account", Pretty: a.Label}
	}
	return eventActor{ID: "", Entity: "system", Pretty: a.Label}
}

// newUUID returns a random UUID (version 4).
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// recordEvents are the events of a zone write: one per record written.
func recordEvents(w *zoneWrite) []event {
	var out []event
	for _, c := range w.changes {
		switch {
		case c.rec == nil:
			out = append(out, event{"zone_record.delete", recordData(*c.old)})
		case c.old != nil:
			out = append(out, event{"zone_record.update", recordData(*c.rec)})
		default:
			out = append(out, event{"zone_record.create", recordData(*c.rec)})
		}
	}
	return out
}

// The data of events, in DNSimple's shapes (those of its API v2 objects);
// TestEventShapes compares them with the payloads DNSimple sends.

func eventTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func domainData(d Domain) any {
	return map[string]any{"domain": map[string]any{
		"id": d.ID, "account_id": d.AccountID, "registrant_id": nil, "name": d.Name, "unicode_name": d.UnicodeName,
		"state": d.State, "auto_renew": false, "private_whois": false, "expires_on": nil, "expires_at": nil,
		"created_at": eventTime(d.CreatedAt), "updated_at": eventTime(d.UpdatedAt),
	}}
}

func zoneData(z Zone) any {
	return map[string]any{"zone": map[string]any{
		"id": z.ID, "account_id": z.AccountID, "name": z.Name, "reverse": z.Reverse,
		"created_at": eventTime(z.CreatedAt), "updated_at": eventTime(z.UpdatedAt),
	}}
}

func recordData(r Record) any {
	regions := slices.DeleteFunc(slices.Clone(r.Regions), func(s string) bool { return s == "" })
	if len(regions) == 0 {
		regions = []string{"global"}
	}
	return map[string]any{"zone_record": map[string]any{
		"id": r.ID, "zone_id": r.ZoneName, "parent_id": nil, "name": r.Name, "content": r.Content, "ttl": r.TTL,
		"priority": r.Priority, "type": r.Type, "regions": regions, "system_record": r.SystemRecord,
		"created_at": eventTime(r.CreatedAt), "updated_at": eventTime(r.UpdatedAt),
	}}
}

func webhookData(w Webhook) any {
	return map[string]any{"webhook": map[string]any{"id": w.ID, "url": w.URL}}
}

func contactData(c Contact) any {
	return map[string]any{"contact": map[string]any{
		"id": c.ID, "account_id": c.AccountID, "label": c.Label, "first_name": c.FirstName, "last_name": c.LastName,
		"job_title": c.JobTitle, "organization_name": c.OrganizationName, "email": c.Email, "phone": c.Phone,
		"fax": c.Fax, "address1": c.Address1, "address2": c.Address2, "city": c.City,
		"state_province": c.StateProvince, "postal_code": c.PostalCode, "country": c.Country,
		"created_at": eventTime(c.CreatedAt), "updated_at": eventTime(c.UpdatedAt),
	}}
}

func accountData(a Account) map[string]any {
	return map[string]any{
		"id": a.ID, "email": a.Email, "plan_identifier": a.PlanIdentifier,
		"created_at": eventTime(a.CreatedAt), "updated_at": eventTime(a.UpdatedAt),
	}
}

// invitationData is an invitation's event data. DNSimple's carries the
// invitation's token; ours is a secret that admits whoever holds it, kept
// only as a hash, so it is null. updated is when the invitation last
// changed (accepted, revoked), acceptedAt nil while it is not accepted.
func invitationData(acc Account, inv Invitation, updated time.Time, acceptedAt *time.Time) any {
	var accepted any
	if acceptedAt != nil {
		accepted = eventTime(*acceptedAt)
	}
	return map[string]any{
		"account": accountData(acc),
		"account_invitation": map[string]any{
			"id": inv.ID, "email": inv.Email, "token": nil, "account_id": inv.AccountID,
			"created_at": eventTime(inv.CreatedAt), "updated_at": eventTime(updated),
			"invitation_sent_at": eventTime(inv.CreatedAt), "invitation_accepted_at": accepted,
		},
	}
}

func memberRemoveData(acc Account, u User) any {
	return map[string]any{
		"user": map[string]any{
			"id": u.ID, "email": u.Email, "created_at": eventTime(u.CreatedAt), "updated_at": eventTime(u.UpdatedAt),
		},
		"account": accountData(acc),
	}
}

// emitDomainCreate emits a new domain's events: the domain's and its
// zone's.
func (s *Store) emitDomainCreate(ctx context.Context, d db, a Actor, dom Domain) error {
	hooks, err := activeWebhooks(ctx, d, dom.AccountID)
	if err != nil || len(hooks) == 0 {
		return err
	}
	z, err := s.zone(ctx, d, dom.AccountID, dom.Name, false)
	if err != nil {
		return err
	}
	return s.emit(ctx, d, a, dom.AccountID, event{"domain.create", domainData(dom)}, event{"zone.create", zoneData(z)})
}
