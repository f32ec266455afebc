package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// The wire types: DNSimple's JSON objects, field for field, and the mapping
// of the store's values to them. Fields DNSimple has and Zonewarden does not
// track keep DNSimple's type with a constant value (regions are ["global"],
// registrant_id is null).

type userJSON struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	CreatedAt timestamp `json:"created_at"`
	UpdatedAt timestamp `json:"updated_at"`
}

func toUser(u store.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, CreatedAt: timestamp(u.CreatedAt), UpdatedAt: timestamp(u.UpdatedAt)}
}

type accountJSON struct {
	ID             int64     `json:"id"`
	Email          string    `json:"email"`
	PlanIdentifier string    `json:"plan_identifier"`
	CreatedAt      timestamp `json:"created_at"`
	UpdatedAt      timestamp `json:"updated_at"`
}

func toAccount(a store.Account) accountJSON {
	return accountJSON{ID: a.ID, Email: a.Email, PlanIdentifier: a.PlanIdentifier,
		CreatedAt: timestamp(a.CreatedAt), UpdatedAt: timestamp(a.UpdatedAt)}
}

type domainJSON struct {
	ID           int64      `json:"id"`
	AccountID    int64      `json:"account_id"`
	RegistrantID *int64     `json:"registrant_id"`
	Name         string     `json:"name"`
	UnicodeName  string     `json:"unicode_name"`
	State        string     `json:"state"`
	AutoRenew    bool       `json:"auto_renew"`
	PrivateWhois bool       `json:"private_whois"`
	ExpiresOn    *string    `json:"expires_on"`
	ExpiresAt    *timestamp `json:"expires_at"`
	CreatedAt    timestamp  `json:"created_at"`
	UpdatedAt    timestamp  `json:"updated_at"`
}

// toDomain maps a hosted domain: Zonewarden registers nothing, so there is
// no registrant, renewal, whois privacy or expiry.
func toDomain(d store.Domain) domainJSON {
	return domainJSON{ID: d.ID, AccountID: d.AccountID, Name: d.Name, UnicodeName: d.UnicodeName, State: d.State,
		CreatedAt: timestamp(d.CreatedAt), UpdatedAt: timestamp(d.UpdatedAt)}
}

type zoneJSON struct {
	ID                int64      `json:"id"`
	AccountID         int64      `json:"account_id"`
	Name              string     `json:"name"`
	Reverse           bool       `json:"reverse"`
	Secondary         bool       `json:"secondary"`
	LastTransferredAt *timestamp `json:"last_transferred_at"`
	Active            bool       `json:"active"`
	CreatedAt         timestamp  `json:"created_at"`
	UpdatedAt         timestamp  `json:"updated_at"`
}

func toZone(z store.Zone) zoneJSON {
	return zoneJSON{ID: z.ID, AccountID: z.AccountID, Name: z.Name, Reverse: z.Reverse, Secondary: z.Secondary,
		LastTransferredAt: optTime(z.LastTransferredAt), Active: z.Active,
		CreatedAt: timestamp(z.CreatedAt), UpdatedAt: timestamp(z.UpdatedAt)}
}

// list maps a page of store values to their wire form with its pagination.
func list[T, J any](w http.ResponseWriter, items []T, p store.Page, to func(T) J) error {
	out := make([]J, 0, len(items))
	for _, it := range items {
		out = append(out, to(it))
	}
	pg := &pagination{CurrentPage: p.CurrentPage, PerPage: p.PerPage, TotalEntries: p.TotalEntries, TotalPages: p.TotalPages}
	if len(out) > 0 {
		if _, ok := any(out[0]).(jsonAppender); ok {
			writeList(w, out, pg)
			return nil
		}
	}
	writeJSON(w, http.StatusOK, envelope{Data: out, Pagination: pg})
	return nil
}

// jsonAppender is a wire type that encodes itself exactly as encoding/json
// would, without reflection: the items of the lists clients page through
// by the thousand.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// writeList writes what writeJSON writes for envelope{items, pg}, items
// being jsonAppenders.
func writeList[J any](w http.ResponseWriter, items []J, pg *pagination) {
	b := make([]byte, 0, 256*len(items)+128)
	b = append(b, `{"data":[`...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = any(it).(jsonAppender).appendJSON(b)
	}
	b = append(b, `],"pagination":{"current_page":`...)
	b = strconv.AppendInt(b, int64(pg.CurrentPage), 10)
	b = append(b, `,"per_page":`...)
	b = strconv.AppendInt(b, int64(pg.PerPage), 10)
	b = append(b, `,"total_entries":`...)
	b = strconv.AppendInt(b, int64(pg.TotalEntries), 10)
	b = append(b, `,"total_pages":`...)
	b = strconv.AppendInt(b, int64(pg.TotalPages), 10)
	b = append(b, "}}\n"...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

type recordJSON struct {
	ID           int64     `json:"id"`
	ZoneID       string    `json:"zone_id"`
	ParentID     *int64    `json:"parent_id"`
	Name         string    `json:"name"`
	Content      string    `json:"content"`
	TTL          uint32    `json:"ttl"`
	Priority     *uint16   `json:"priority"`
	Type         string    `json:"type"`
	Regions      []string  `json:"regions"`
	SystemRecord bool      `json:"system_record"`
	CreatedAt    timestamp `json:"created_at"`
	UpdatedAt    timestamp `json:"updated_at"`
}

func (r recordJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, `,"zone_id":`...)
	b = appendJSONString(b, r.ZoneID)
	b = append(b, `,"parent_id":`...)
	if r.ParentID == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *r.ParentID, 10)
	}
	b = append(b, `,"name":`...)
	b = appendJSONString(b, r.Name)
	b = append(b, `,"content":`...)
	b = appendJSONString(b, r.Content)
	b = append(b, `,"ttl":`...)
	b = strconv.AppendUint(b, uint64(r.TTL), 10)
	b = append(b, `,"priority":`...)
	if r.Priority == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendUint(b, uint64(*r.Priority), 10)
	}
	b = append(b, `,"type":`...)
	b = appendJSONString(b, r.Type)
	b = append(b, `,"regions":`...)
	if r.Regions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, reg := range r.Regions {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, reg)
		}
		b = append(b, ']')
	}
	b = append(b, `,"system_record":`...)
	b = strconv.AppendBool(b, r.SystemRecord)
	b = append(b, `,"created_at":`...)
	b = r.CreatedAt.appendJSON(b)
	b = append(b, `,"updated_at":`...)
	b = r.UpdatedAt.appendJSON(b)
	return append(b, '}')
}

func toRecord(r store.Record) recordJSON {
	regions := slices.DeleteFunc(slices.Clone(r.Regions), func(s string) bool { return s == "" })
	if len(regions) == 0 {
		regions = []string{"global"}
	}
	return recordJSON{ID: r.ID, ZoneID: r.ZoneName, Name: r.Name, Content: r.Content, TTL: r.TTL,
		Priority: r.Priority, Type: r.Type, Regions: regions, SystemRecord: r.SystemRecord,
		CreatedAt: timestamp(r.CreatedAt), UpdatedAt: timestamp(r.UpdatedAt)}
}

// recordRequest is the body of a record create or update, and of each
// change of a batch. Absent fields are nil.
type recordRequest struct {
	ID       json.RawMessage `json:"id"` // batch updates and deletes, checked by id
	Name     *string         `json:"name"`
	Type     *string         `json:"type"`
	Content  *string         `json:"content"`
	TTL      *int64          `json:"ttl"`
	Priority *int64          `json:"priority"`
	Regions  []string        `json:"regions"`
}

// fields checks the numbers of a request; prefix names the batch change.
func (q recordRequest) check(prefix string) []store.FieldError {
	var errs []store.FieldError
	if q.TTL != nil && (*q.TTL < 0 || *q.TTL > math.MaxInt32) {
		errs = append(errs, store.FieldError{Field: prefix + "ttl", Msg: fmt.Sprintf("%d is not a TTL in seconds", *q.TTL)})
	}
	if q.Priority != nil && (*q.Priority < 0 || *q.Priority > math.MaxUint16) {
		errs = append(errs, store.FieldError{Field: prefix + "priority", Msg: fmt.Sprintf("%d is not from 0 to 65535", *q.Priority)})
	}
	return errs
}

func (q recordRequest) input() store.RecordInput {
	in := store.RecordInput{Name: apexName(q.Name), Regions: q.Regions}
	if q.Type != nil {
		in.Type = strings.ToUpper(strings.TrimSpace(*q.Type))
	}
	if q.Content != nil {
		in.Content = *q.Content
	}
	if q.TTL != nil {
		in.TTL = uint32(*q.TTL)
	}
	in.Priority = priority(q.Priority)
	return in
}

func (q recordRequest) patch() store.RecordPatch {
	p := store.RecordPatch{Type: q.Type, Content: q.Content, Priority: priority(q.Priority), Regions: q.Regions}
	if q.Name != nil {
		n := apexName(q.Name)
		p.Name = &n
	}
	if q.TTL != nil {
		ttl := uint32(*q.TTL)
		p.TTL = &ttl
	}
	return p
}

// apexName is a record name as clients send it: absent, "" and "@" are the
// apex.
func apexName(name *string) string {
	if name == nil || strings.TrimSpace(*name) == "@" {
		return ""
	}
	return *name
}

func priority(p *int64) *uint16 {
	if p == nil {
		return nil
	}
	v := uint16(*p)
	return &v
}
