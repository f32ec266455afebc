package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/miekg/dns"
	"golang.org/x/net/idna"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// Domain is a name an account hosts. Zonewarden is not a registrar: every
// domain is "hosted".
type Domain struct {
	ID        int64
	AccountID int64
	// Name is the ASCII (xn--) form without the final dot; UnicodeName is
	// its Unicode form.
	Name        string
	UnicodeName string
	State       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Zone is a domain's DNS zone as the API lists it. Its records are read with
// Records, and what is served with ZoneData.
type Zone struct {
	ID                int64
	AccountID         int64
	Name              string // without the final dot, as DNSimple writes it
	Serial            uint32
	Reverse           bool
	Secondary         bool
	Active            bool
	LastTransferredAt *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// origin is the zone's name as the zone package writes origins.
func (z Zone) origin() string { return zone.CanonicalName(z.Name) }

// domainName checks a domain name as a user typed it and returns its ASCII
// and Unicode forms, lower-case and without the final dot.
func domainName(in string) (ascii, unicode string, err error) {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(in)), ".")
	bad := func(why string) (string, string, error) {
		return "", "", invalid("name", fmt.Sprintf("%q is not a domain name: %s", in, why))
	}
	if n == "" {
		return bad("it is empty")
	}
	ascii = n
	for i := 0; i < len(n); i++ {
		if n[i] >= utf8.RuneSelf {
			a, err := idna.Lookup.ToASCII(n)
			if err != nil {
				return bad(strings.TrimPrefix(err.Error(), "idna: "))
			}
			ascii = a
			break
		}
	}
	if len(ascii) > 253 {
		return bad("it is longer than 253 characters")
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return bad("it has a single label")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return bad("a label is empty or longer than 63 characters")
		}
		for _, c := range l {
			// '/' for RFC 2317 reverse zones ("0/25.2.0.192.in-addr.arpa").
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '/') {
				return bad(fmt.Sprintf("it contains %q", c))
			}
		}
	}
	unicode, err = idna.Lookup.ToUnicode(ascii)
	if err != nil {
		unicode = ascii
	}
	return ascii, unicode, nil
}

// lookupName is how a name given to a lookup is compared with stored names.
func lookupName(in string) string {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(in)), ".")
	if a, err := idna.Lookup.ToASCII(n); err == nil {
		return a
	}
	return n
}

const domainCols = "id, account_id, name, unicode_name, state, created_at, updated_at"

func scanDomain(r interface{ Scan(...any) error }) (Domain, error) {
	var d Domain
	err := r.Scan(&d.ID, &d.AccountID, &d.Name, &d.UnicodeName, &d.State, &d.CreatedAt, &d.UpdatedAt)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

const zoneCols = "id, account_id, name, serial, reverse, secondary, active, last_transferred_at, created_at, updated_at"

func scanZone(r interface{ Scan(...any) error }) (Zone, error) {
	var (
		z      Zone
		serial int64
		xfr    sql.NullTime
	)
	err := r.Scan(&z.ID, &z.AccountID, &z.Name, &serial, &z.Reverse, &z.Secondary, &z.Active, &xfr, &z.CreatedAt, &z.UpdatedAt)
	z.Serial, z.LastTransferredAt = uint32(serial), nullTime(xfr)
	z.CreatedAt, z.UpdatedAt = z.CreatedAt.UTC(), z.UpdatedAt.UTC()
	return z, err
}

func domainAudit(d Domain) map[string]any {
	return map[string]any{"id": d.ID, "name": d.Name, "unicode_name": d.UnicodeName, "state": d.State}
}

// CreateDomain adds a domain to an account, with its zone: an SOA record and
// NS records for the Store's name servers, all system records. A name any
// account hosts already is ErrConflict, and so is one at or below or above a
// name another account hosts: one account may not take over part of
// another's namespace.
func (s *Store) CreateDomain(ctx context.Context, a Actor, accountID int64, name string) (Domain, error) {
	return s.createDomain(ctx, a, accountID, name, false)
}

// createDomain is CreateDomain; secondary makes its zone a secondary zone.
func (s *Store) createDomain(ctx context.Context, a Actor, accountID int64, name string, secondary bool) (Domain, error) {
	ascii, unicode, err := domainName(name)
	if err != nil {
		return Domain{}, err
	}
	for _, r := range s.cfg.reserved {
		if dns.IsSubDomain(r, ascii+".") || dns.IsSubDomain(ascii+".", r) {
			return Domain{}, invalid("name", fmt.Sprintf("%s is reserved by this installation (its catalog zone is %s)", ascii, strings.TrimSuffix(r, ".")))
		}
	}
	t := now()
	dom := Domain{AccountID: accountID, Name: ascii, UnicodeName: unicode, State: "hosted", CreatedAt: t, UpdatedAt: t}
	err = s.tx(ctx, func(d db) error {
		if _, err := s.account(ctx, d, accountID); err != nil {
			return err
		}
		if err := s.checkNamespace(ctx, d, accountID, ascii); err != nil {
			return err
		}
		err := d.row(ctx, "INSERT INTO domains (account_id, name, unicode_name, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			accountID, ascii, unicode, dom.State, t, t).Scan(&dom.ID)
		if isUnique(err) {
			return fmt.Errorf("create domain %s: %w", ascii, &conflictError{field: "name", msg: fmt.Sprintf("%s is already hosted here", ascii)})
		}
		if err != nil {
			return fmt.Errorf("create domain %s: %w", ascii, err)
		}
		if err := s.createZone(ctx, d, dom, t, secondary); err != nil {
			return err
		}
		if err := audit(ctx, d, a, accountID, "domain.create", "domain", dom.ID, nil, domainAudit(dom)); err != nil {
			return err
		}
		return s.emitDomainCreate(ctx, d, a, dom)
	})
	if err != nil {
		return Domain{}, err
	}
	return dom, nil
}

// conflictError is a conflict the API can report against a field: its text
// is "field: message", which the API reads. It wraps zone.ErrConflict.
type conflictError struct{ field, msg string }

func (e *conflictError) Error() string { return e.field + ": " + e.msg }
func (e *conflictError) Unwrap() error { return zone.ErrConflict }

// checkNamespace refuses a name at, above or below another account's domain.
func (s *Store) checkNamespace(ctx context.Context, d db, accountID int64, name string) error {
	var names []any
	for n := name; ; {
		names = append(names, n)
		_, rest, ok := strings.Cut(n, ".")
		if !ok {
			break
		}
		n = rest
	}
	args := append(names, likeSuffix(name), accountID)
	var other string
	err := d.row(ctx, "SELECT name FROM domains WHERE (name IN "+inList(len(names))+" OR name LIKE ? ESCAPE '\\') AND account_id <> ? LIMIT 1", args...).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("create domain %s: %w", name, err)
	case other == name:
		return fmt.Errorf("create domain %s: %w", name, &conflictError{field: "name", msg: fmt.Sprintf("%s is already hosted here", name)})
	}
	return fmt.Errorf("create domain %s: %w", name, &conflictError{field: "name", msg: fmt.Sprintf("%s overlaps a domain another account hosts", name)})
}

// likeSuffix is a LIKE pattern for the names below name.
func likeSuffix(name string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%." + r.Replace(name)
}

// NameServers are the name servers this installation gives new zones, fully
// qualified: what a domain is delegated to when it is served from here.
func (s *Store) NameServers() []string { return slices.Clone(s.cfg.nameServers) }

// createZone writes a new domain's zone and its system records, and journals
// the zone's creation. A secondary zone starts at serial 0, before any
// serial its primary can have.
func (s *Store) createZone(ctx context.Context, d db, dom Domain, t time.Time, secondary bool) error {
	origin := zone.CanonicalName(dom.Name)
	// A zone deleted and created again continues its serials, so that
	// secondaries that kept the old one take the new one.
	serial := nextSerial(0, t)
	var last int64
	err := d.row(ctx, "SELECT serial FROM zone_changes WHERE zone_name = ? ORDER BY id DESC LIMIT 1", dom.Name).Scan(&last)
	if err == nil {
		serial = nextSerial(uint32(last), t)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("create zone %s: %w", dom.Name, err)
	}
	if secondary {
		serial = 0
	}
	reverse := strings.HasSuffix(origin, ".in-addr.arpa.") || strings.HasSuffix(origin, ".ip6.arpa.")
	var zoneID int64
	err = d.row(ctx, "INSERT INTO zones (domain_id, account_id, name, serial, reverse, secondary, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		dom.ID, dom.AccountID, dom.Name, int64(serial), reverse, secondary, true, t, t).Scan(&zoneID)
	if isUnique(err) {
		return fmt.Errorf("create zone %s: %w", dom.Name, &conflictError{field: "name", msg: fmt.Sprintf("%s is already hosted here", dom.Name)})
	}
	if err != nil {
		return fmt.Errorf("create zone %s: %w", dom.Name, err)
	}
	c := s.cfg.soa
	mbox := c.Mbox
	if mbox == "" {
		mbox = "hostmaster." + origin
	}
	rrs := []dns.RR{&dns.SOA{
		Hdr: dns.RR_Header{Name: origin, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: c.TTL},
		Ns:  s.cfg.nameServers[0], Mbox: mbox, Serial: serial,
		Refresh: c.Refresh, Retry: c.Retry, Expire: c.Expire, Minttl: c.Minimum,
	}}
	for _, ns := range s.cfg.nameServers {
		rrs = append(rrs, &dns.NS{Hdr: dns.RR_Header{Name: origin, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: c.TTL}, Ns: ns})
	}
	for _, rr := range rrs {
		r := zone.RecordFromRR(origin, rr)
		if _, err := d.exec(ctx, "INSERT INTO records (zone_id, name, type, content, ttl, priority, system_record, regions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			zoneID, r.Name, r.Type, r.Content, int64(r.TTL), nil, true, "global", t, t); err != nil {
			return fmt.Errorf("create zone %s: %w", dom.Name, err)
		}
	}
	if _, err := d.exec(ctx, "UPDATE zones SET record_count = ? WHERE id = ?", len(rrs), zoneID); err != nil {
		return fmt.Errorf("create zone %s: %w", dom.Name, err)
	}
	return s.journal(ctx, d, zoneID, dom.Name, "create", 0, serial, nil, rrs)
}

func nameOrIDQuery(nameOrID string) (string, any) {
	if id, err := strconv.ParseInt(nameOrID, 10, 64); err == nil {
		return "id = ?", id
	}
	return "name = ?", lookupName(nameOrID)
}

var domainSort = map[string]string{"id": "id", "name": "name", "expiration": "id"}

// Domains returns one page of an account's domains, those whose name contains
// nameLike when it is not empty. Sort keys: id, name, expiration (which, as
// Zonewarden registers nothing, is id).
func (s *Store) Domains(ctx context.Context, accountID int64, nameLike string, o ListOptions) ([]Domain, Page, error) {
	from, args := "FROM domains WHERE account_id = ?", []any{accountID}
	from, args = nameLikeWhere(from, args, nameLike)
	out, p, err := list(ctx, s, o, domainSort, domainCols, from, args, func(r *sql.Rows) (Domain, error) { return scanDomain(r) })
	if err != nil {
		return nil, Page{}, fmt.Errorf("list domains of account %d: %w", accountID, err)
	}
	return out, p, nil
}

// Domain returns one of an account's domains, by name or by id.
func (s *Store) Domain(ctx context.Context, accountID int64, nameOrID string) (Domain, error) {
	return s.domain(ctx, s.read(), accountID, nameOrID)
}

func (s *Store) domain(ctx context.Context, d db, accountID int64, nameOrID string) (Domain, error) {
	where, arg := nameOrIDQuery(nameOrID)
	dom, err := scanDomain(d.row(ctx, "SELECT "+domainCols+" FROM domains WHERE account_id = ? AND "+where, accountID, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Domain{}, fmt.Errorf("find domain %s: %w", nameOrID, zone.ErrNotFound)
	}
	if err != nil {
		return Domain{}, fmt.Errorf("find domain %s: %w", nameOrID, err)
	}
	return dom, nil
}

// DeleteDomain deletes one of an account's domains with its zone and records.
// The journal keeps the zone's deletion, so that every process stops serving
// it.
func (s *Store) DeleteDomain(ctx context.Context, a Actor, accountID int64, nameOrID string) error {
	return s.tx(ctx, func(d db) error {
		dom, err := s.domain(ctx, d, accountID, nameOrID)
		if err != nil {
			return err
		}
		z, err := s.lockZone(ctx, d, accountID, dom.Name)
		if err != nil {
			return err
		}
		if _, err := d.exec(ctx, "DELETE FROM domains WHERE id = ?", dom.ID); err != nil {
			return fmt.Errorf("delete domain %s: %w", dom.Name, err)
		}
		if err := s.journal(ctx, d, z.ID, z.Name, "delete", z.Serial, z.Serial, nil, nil); err != nil {
			return err
		}
		if err := audit(ctx, d, a, accountID, "domain.delete", "domain", dom.ID, domainAudit(dom), nil); err != nil {
			return err
		}
		return s.emit(ctx, d, a, accountID, event{"domain.delete", domainData(dom)}, event{"zone.delete", zoneData(z)})
	})
}

var zoneSort = map[string]string{"id": "id", "name": "name"}

// Zones returns one page of an account's zones, those whose name contains
// nameLike when it is not empty. Sort keys: id, name.
func (s *Store) Zones(ctx context.Context, accountID int64, nameLike string, o ListOptions) ([]Zone, Page, error) {
	from, args := "FROM zones WHERE account_id = ?", []any{accountID}
	from, args = nameLikeWhere(from, args, nameLike)
	out, p, err := list(ctx, s, o, zoneSort, zoneCols, from, args, func(r *sql.Rows) (Zone, error) { return scanZone(r) })
	if err != nil {
		return nil, Page{}, fmt.Errorf("list zones of account %d: %w", accountID, err)
	}
	return out, p, nil
}

// Zone returns one of an account's zones by name.
func (s *Store) Zone(ctx context.Context, accountID int64, name string) (Zone, error) {
	return s.zone(ctx, s.read(), accountID, name, false)
}

func (s *Store) zone(ctx context.Context, d db, accountID int64, name string, lock bool) (Zone, error) {
	return s.findZone(ctx, d, lock, name, "account_id = ? AND name = ?", accountID, lookupName(name))
}

// zoneByName reads a zone whoever's it is: for internal work on it.
func (s *Store) zoneByName(ctx context.Context, d db, name string, lock bool) (Zone, error) {
	return s.findZone(ctx, d, lock, name, "name = ?", lookupName(name))
}

// findZone reads the zone where says. With lock, on PostgreSQL, writers to
// one zone take turns: each reads the serial and the records it validates
// against, then writes (SQLite has one writer).
func (s *Store) findZone(ctx context.Context, d db, lock bool, name, where string, args ...any) (Zone, error) {
	q := "SELECT " + zoneCols + " FROM zones WHERE " + where
	if lock && s.pg {
		q += " FOR UPDATE"
	}
	z, err := scanZone(d.rowPrepared(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Zone{}, fmt.Errorf("find zone %s: %w", name, zone.ErrNotFound)
	}
	if err != nil {
		return Zone{}, fmt.Errorf("find zone %s: %w", name, err)
	}
	return z, nil
}

// lockZone reads a zone for a write transaction that changes it.
func (s *Store) lockZone(ctx context.Context, d db, accountID int64, name string) (Zone, error) {
	return s.zone(ctx, d, accountID, name, true)
}

// nameLikeWhere narrows a list to the names that contain nameLike, when it
// is not empty. One longer than any name's text (253 octets, each at most
// a 4-character \DDD escape) matches nothing, and is not sent to the
// database, whose LIKE patterns are bounded (SQLite: 50,000 bytes).
func nameLikeWhere(from string, args []any, nameLike string) (string, []any) {
	switch {
	case nameLike == "":
		return from, args
	case len(nameLike) > 4*255:
		return from + " AND 1 = 0", args
	}
	return from + ` AND name LIKE ? ESCAPE '\'`, append(args, likePattern(lookupName(nameLike)))
}
