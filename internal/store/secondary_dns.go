package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// PrimaryServer is one of an account's own primary name servers, from which
// its secondary zones are pulled by zone transfer (DNSimple's Secondary DNS).
type PrimaryServer struct {
	ID        int64
	AccountID int64
	Name      string
	IP        string // an IPv4 or IPv6 address
	Port      int
	// LinkedZones are the names of the secondary zones pulled from it.
	LinkedZones []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Addr is where the server is asked: ip:port.
func (p PrimaryServer) Addr() string { return net.JoinHostPort(p.IP, strconv.Itoa(p.Port)) }

// PrimaryServerInput is a primary server to add. Port 0 means 53.
type PrimaryServerInput struct {
	Name string
	IP   string
	Port int
}

// secondaryWriteRefused is what a record write to a secondary zone gets.
func secondaryWriteRefused(name string) error {
	return invalid("", fmt.Sprintf("%s is a secondary zone: its records come from its primary servers by zone transfer and cannot be changed here", name))
}

const primaryCols = "id, account_id, name, ip, port, created_at, updated_at"

func scanPrimary(r interface{ Scan(...any) error }) (PrimaryServer, error) {
	var p PrimaryServer
	err := r.Scan(&p.ID, &p.AccountID, &p.Name, &p.IP, &p.Port, &p.CreatedAt, &p.UpdatedAt)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.LinkedZones = []string{}
	return p, err
}

func (p PrimaryServer) audit() map[string]any {
	return map[string]any{"id": p.ID, "name": p.Name, "ip": p.IP, "port": p.Port, "linked_secondary_zones": p.LinkedZones}
}

// CreatePrimaryServer adds a primary server to an account. A name the
// account uses already is ErrConflict.
func (s *Store) CreatePrimaryServer(ctx context.Context, a Actor, accountID int64, in PrimaryServerInput) (PrimaryServer, error) {
	name := strings.TrimSpace(in.Name)
	var fields []FieldError
	if name == "" {
		fields = append(fields, FieldError{Field: "name", Msg: "can't be blank"})
	} else if p := textProblem(name, 255, false); p != "" {
		fields = append(fields, FieldError{Field: "name", Msg: p})
	} else if _, err := strconv.ParseInt(name, 10, 64); err == nil {
		// Servers are found by id or name; a numeric name would be an id.
		fields = append(fields, FieldError{Field: "name", Msg: fmt.Sprintf("%q is a number; servers are found by id or name", name)})
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(in.IP))
	if err != nil || ip.Zone() != "" {
		fields = append(fields, FieldError{Field: "ip", Msg: fmt.Sprintf("%q is not an IPv4 or IPv6 address", in.IP)})
	} else if s.cfg.primaryIP != nil {
		if err := s.cfg.primaryIP(ip); err != nil {
			fields = append(fields, FieldError{Field: "ip", Msg: err.Error()})
		}
	}
	port := in.Port
	if port == 0 {
		port = 53
	}
	if port < 1 || port > 65535 {
		fields = append(fields, FieldError{Field: "port", Msg: fmt.Sprintf("%d is not a port number (1 to 65535)", in.Port)})
	}
	if len(fields) > 0 {
		return PrimaryServer{}, fmt.Errorf("create primary server: %w", &ValidationError{Fields: fields})
	}
	t := now()
	p := PrimaryServer{AccountID: accountID, Name: name, IP: ip.Unmap().String(), Port: port, LinkedZones: []string{}, CreatedAt: t, UpdatedAt: t}
	err = s.tx(ctx, func(d db) error {
		if _, err := s.account(ctx, d, accountID); err != nil {
			return err
		}
		err := d.row(ctx, "INSERT INTO primary_servers (account_id, name, ip, port, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			accountID, p.Name, p.IP, p.Port, t, t).Scan(&p.ID)
		if isUnique(err) {
			return &conflictError{field: "name", msg: fmt.Sprintf("the account has a primary server named %s already", p.Name)}
		}
		if err != nil {
			return err
		}
		return audit(ctx, d, a, accountID, "primary_server.create", "primary_server", p.ID, nil, p.audit())
	})
	if err != nil {
		return PrimaryServer{}, fmt.Errorf("create primary server %s: %w", name, err)
	}
	return p, nil
}

var primarySort = map[string]string{"id": "id", "name": "name"}

// PrimaryServers returns one page of an account's primary servers, each
// with its linked zones. Sort keys: id, name.
func (s *Store) PrimaryServers(ctx context.Context, accountID int64, o ListOptions) ([]PrimaryServer, Page, error) {
	out, p, err := list(ctx, s, o, primarySort, primaryCols, "FROM primary_servers WHERE account_id = ?", []any{accountID},
		func(r *sql.Rows) (PrimaryServer, error) { return scanPrimary(r) })
	if err == nil {
		err = s.linkedZones(ctx, s.read(), out)
	}
	if err != nil {
		return nil, Page{}, fmt.Errorf("list primary servers of account %d: %w", accountID, err)
	}
	return out, p, nil
}

// linkedZones fills the LinkedZones of ps.
func (s *Store) linkedZones(ctx context.Context, d db, ps []PrimaryServer) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]any, len(ps))
	at := make(map[int64]int, len(ps))
	for i, p := range ps {
		ids[i], at[p.ID] = p.ID, i
	}
	rows, err := d.query(ctx, "SELECT l.primary_server_id, z.name FROM secondary_zone_links l JOIN zones z ON z.id = l.zone_id WHERE l.primary_server_id IN "+inList(len(ids))+" ORDER BY z.name", ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			name string
		)
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		ps[at[id]].LinkedZones = append(ps[at[id]].LinkedZones, name)
	}
	return rows.Err()
}

// PrimaryServer returns one of an account's primary servers, by id or name.
func (s *Store) PrimaryServer(ctx context.Context, accountID int64, idOrName string) (PrimaryServer, error) {
	return s.primaryServer(ctx, s.read(), accountID, idOrName)
}

func (s *Store) primaryServer(ctx context.Context, d db, accountID int64, idOrName string) (PrimaryServer, error) {
	where, arg := "name = ?", any(strings.TrimSpace(idOrName))
	if id, err := strconv.ParseInt(idOrName, 10, 64); err == nil {
		where, arg = "id = ?", id
	}
	p, err := scanPrimary(d.row(ctx, "SELECT "+primaryCols+" FROM primary_servers WHERE account_id = ? AND "+where, accountID, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return PrimaryServer{}, fmt.Errorf("find primary server %s: %w", idOrName, zone.ErrNotFound)
	}
	if err != nil {
		return PrimaryServer{}, fmt.Errorf("find primary server %s: %w", idOrName, err)
	}
	ps := []PrimaryServer{p}
	if err := s.linkedZones(ctx, d, ps); err != nil {
		return PrimaryServer{}, fmt.Errorf("find primary server %s: %w", idOrName, err)
	}
	return ps[0], nil
}

// DeletePrimaryServer deletes one of an account's primary servers. One that
// zones are linked to is refused (ErrInvalid): unlink them first, so that no
// zone is left without a primary by accident.
func (s *Store) DeletePrimaryServer(ctx context.Context, a Actor, accountID int64, idOrName string) error {
	return s.tx(ctx, func(d db) error {
		p, err := s.primaryServer(ctx, d, accountID, idOrName)
		if err != nil {
			return err
		}
		if len(p.LinkedZones) > 0 {
			return fmt.Errorf("delete primary server %s: %w", p.Name, invalid("", fmt.Sprintf(
				"primary server %s is linked to %s: unlink the zones first", p.Name, strings.Join(p.LinkedZones, ", "))))
		}
		if _, err := d.exec(ctx, "DELETE FROM primary_servers WHERE id = ?", p.ID); err != nil {
			return fmt.Errorf("delete primary server %s: %w", p.Name, err)
		}
		return audit(ctx, d, a, accountID, "primary_server.delete", "primary_server", p.ID, p.audit(), nil)
	})
}

// LinkPrimaryServer makes one of an account's secondary zones pull from one
// of its primary servers; linking twice is no change. A zone that is not
// secondary is refused.
func (s *Store) LinkPrimaryServer(ctx context.Context, a Actor, accountID int64, idOrName, zoneName string) (PrimaryServer, error) {
	return s.link(ctx, a, accountID, idOrName, zoneName, true)
}

// UnlinkPrimaryServer undoes LinkPrimaryServer. A zone not linked to the
// server is refused.
func (s *Store) UnlinkPrimaryServer(ctx context.Context, a Actor, accountID int64, idOrName, zoneName string) (PrimaryServer, error) {
	return s.link(ctx, a, accountID, idOrName, zoneName, false)
}

func (s *Store) link(ctx context.Context, a Actor, accountID int64, idOrName, zoneName string, link bool) (PrimaryServer, error) {
	verb := "unlink"
	if link {
		verb = "link"
	}
	var out PrimaryServer
	err := s.tx(ctx, func(d db) error {
		if strings.TrimSpace(zoneName) == "" {
			return invalid("zone", "can't be blank")
		}
		p, err := s.primaryServer(ctx, d, accountID, idOrName)
		if err != nil {
			return err
		}
		z, err := s.zone(ctx, d, accountID, zoneName, false)
		if err != nil {
			return err
		}
		if !z.Secondary {
			return invalid("zone", fmt.Sprintf("%s is not a secondary zone", z.Name))
		}
		before := p.audit()
		linked := false
		for _, n := range p.LinkedZones {
			linked = linked || n == z.Name
		}
		switch {
		case link && linked:
			out = p
			return nil
		case link:
			if _, err := d.exec(ctx, "INSERT INTO secondary_zone_links (primary_server_id, zone_id, created_at) VALUES (?, ?, ?)", p.ID, z.ID, now()); err != nil {
				return err
			}
		case !linked:
			return invalid("zone", fmt.Sprintf("%s is not linked to primary server %s", z.Name, p.Name))
		default:
			if _, err := d.exec(ctx, "DELETE FROM secondary_zone_links WHERE primary_server_id = ? AND zone_id = ?", p.ID, z.ID); err != nil {
				return err
			}
		}
		if out, err = s.primaryServer(ctx, d, accountID, strconv.FormatInt(p.ID, 10)); err != nil {
			return err
		}
		return audit(ctx, d, a, accountID, "primary_server."+verb, "primary_server", p.ID, before, out.audit())
	})
	if err != nil {
		return PrimaryServer{}, fmt.Errorf("%s primary server %s and zone %s: %w", verb, idOrName, zoneName, err)
	}
	return out, nil
}

// CreateSecondaryZone adds a domain to an account whose zone is secondary:
// its records come from the primary servers it is linked to. Until the
// first transfer it holds a SOA with serial 0 and the Store's NS records,
// so that any serial of the customer's primary is newer (RFC 1982).
func (s *Store) CreateSecondaryZone(ctx context.Context, a Actor, accountID int64, name string) (Zone, error) {
	dom, err := s.createDomain(ctx, a, accountID, name, true)
	if err != nil {
		return Zone{}, err
	}
	return s.Zone(ctx, accountID, dom.Name)
}

// SecondaryZone is a secondary zone and where it is pulled from.
type SecondaryZone struct {
	Name      string   // fully qualified
	Primaries []string // ip:port, in the order links were made
}

// SecondaryZones returns every linked secondary zone of every account with
// its primaries, sorted by name. Internal use: what serve pulls.
func (s *Store) SecondaryZones(ctx context.Context) ([]SecondaryZone, error) {
	rows, err := s.read().query(ctx, `SELECT z.name, p.ip, p.port FROM secondary_zone_links l
		JOIN zones z ON z.id = l.zone_id JOIN primary_servers p ON p.id = l.primary_server_id
		WHERE z.secondary = ? ORDER BY z.name, l.created_at, p.id`, true)
	if err != nil {
		return nil, fmt.Errorf("list secondary zones: %w", err)
	}
	defer rows.Close()
	var out []SecondaryZone
	for rows.Next() {
		var (
			name, ip string
			port     int
		)
		if err := rows.Scan(&name, &ip, &port); err != nil {
			return nil, fmt.Errorf("list secondary zones: %w", err)
		}
		addr := PrimaryServer{IP: ip, Port: port}.Addr()
		origin := zone.CanonicalName(name)
		if n := len(out); n > 0 && out[n-1].Name == origin {
			out[n-1].Primaries = append(out[n-1].Primaries, addr)
			continue
		}
		out = append(out, SecondaryZone{Name: origin, Primaries: []string{addr}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list secondary zones: %w", err)
	}
	return out, nil
}

// transferActor is who the audit log says wrote a transferred version.
var transferActor = Actor{Label: "zone transfer"}

// ReplaceSecondaryZone makes a secondary zone's records those of z, as
// transferred from its primary, in one transaction: records that changed
// are deleted and inserted, the zone's serial becomes the SOA serial of z,
// and the journal and the audit log get the difference. A version with the
// serial held and the same records only stamps the transfer time, and one
// older than the serial held (RFC 1982) is ignored: another process sharing
// the database, or a copy on disk, may hold an older version. The result
// says whether the records changed. Not account-scoped: internal use.
func (s *Store) ReplaceSecondaryZone(ctx context.Context, z *zone.Zone) (changed bool, err error) {
	origin := zone.CanonicalName(z.Origin)
	name := strings.TrimSuffix(origin, ".")
	soa := z.SOA()
	if soa == nil {
		return false, fmt.Errorf("replace secondary zone %s: %w", name, invalid("", "the zone has no SOA record"))
	}
	if len(z.Records) > s.cfg.recordLimit {
		return false, fmt.Errorf("replace secondary zone %s: %w", name, invalid("", fmt.Sprintf("the zone has %d records, more than the limit of %d", len(z.Records), s.cfg.recordLimit)))
	}
	type row struct {
		rec zone.Record
		rr  dns.RR
	}
	key := func(r zone.Record) string {
		p := ""
		if r.Priority != nil {
			p = strconv.Itoa(int(*r.Priority))
		}
		return strings.Join([]string{r.Name, r.Type, r.Content, strconv.FormatUint(uint64(r.TTL), 10), p}, "\x00")
	}
	want := map[string]row{}
	var order []string
	for _, rr := range z.Records {
		r := zone.RecordFromRR(origin, rr)
		back, err := r.RR(origin)
		if err != nil {
			return false, fmt.Errorf("replace secondary zone %s: %w", name, invalid("", fmt.Sprintf("record %q cannot be kept: %s", rr.String(), err.Error())))
		}
		k := key(r)
		if _, dup := want[k]; !dup {
			order = append(order, k)
		}
		want[k] = row{r, back}
	}
	err = s.tx(ctx, func(d db) error {
		// Locked before the serial is compared, so that two pulls of one
		// zone cannot both pass the check.
		cur, err := s.zoneByName(ctx, d, name, true)
		if err != nil {
			return err
		}
		if !cur.Secondary {
			return invalid("", fmt.Sprintf("%s is not a secondary zone", name))
		}
		// The placeholder a zone is created with (serial 0) gives way to
		// any first version, even one whose serial is not after 0 (2^31
		// and above).
		if cur.LastTransferredAt != nil && zone.SerialLess(soa.Serial, cur.Serial) {
			return nil
		}
		rows, err := d.query(ctx, "SELECT id, name, type, content, ttl, priority FROM records WHERE zone_id = ? ORDER BY id", cur.ID)
		if err != nil {
			return err
		}
		have := map[string]int64{}
		var removed []dns.RR
		var removedIDs []int64
		var oldSOA dns.RR
		for rows.Next() {
			id, rr, err := scanRR(rows, origin)
			if err != nil {
				rows.Close()
				return err
			}
			r := zone.RecordFromRR(origin, rr)
			k := key(r)
			if _, ok := want[k]; ok && have[k] == 0 {
				have[k] = id
				continue
			}
			if rr.Header().Rrtype == dns.TypeSOA {
				oldSOA = rr
			} else {
				removed = append(removed, rr)
			}
			removedIDs = append(removedIDs, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		t := now()
		var added []dns.RR
		var newSOA dns.RR
		for _, k := range order {
			if have[k] != 0 {
				continue
			}
			w := want[k]
			if w.rr.Header().Rrtype == dns.TypeSOA {
				newSOA = w.rr
			} else {
				added = append(added, w.rr)
			}
		}
		if len(removedIDs) == 0 && len(added) == 0 && newSOA == nil && soa.Serial == cur.Serial {
			_, err := d.exec(ctx, "UPDATE zones SET last_transferred_at = ? WHERE id = ?", t, cur.ID)
			return err
		}
		for _, id := range removedIDs {
			if _, err := d.exec(ctx, "DELETE FROM records WHERE id = ?", id); err != nil {
				return fmt.Errorf("delete record %d: %w", id, err)
			}
		}
		for _, k := range order {
			if have[k] != 0 {
				continue
			}
			r := want[k].rec
			if _, err := d.exec(ctx, "INSERT INTO records (zone_id, name, type, content, ttl, priority, system_record, regions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				cur.ID, r.Name, r.Type, r.Content, int64(r.TTL), prioArg(r.Priority), r.Type == "SOA", "global", t, t); err != nil {
				return fmt.Errorf("create record: %w", err)
			}
		}
		// record_count is every record kept, as writes keep it: order
		// holds each wanted record once.
		if _, err := d.exec(ctx, "UPDATE zones SET serial = ?, last_transferred_at = ?, updated_at = ?, record_count = ? WHERE id = ?", int64(soa.Serial), t, t, len(order), cur.ID); err != nil {
			return err
		}
		// An IXFR difference sequence is headed by the SOAs, old and new,
		// even when only the serial moved.
		if oldSOA == nil || newSOA == nil {
			for _, rr := range z.Records {
				if rr.Header().Rrtype == dns.TypeSOA {
					oldSOA, newSOA = rr, rr
				}
			}
		}
		if err := s.journal(ctx, d, cur.ID, cur.Name, "update", cur.Serial, soa.Serial,
			append([]dns.RR{oldSOA}, removed...), append([]dns.RR{newSOA}, added...)); err != nil {
			return err
		}
		changed = true
		return audit(ctx, d, transferActor, cur.AccountID, "zone.transfer", "zone", cur.Name,
			map[string]any{"serial": cur.Serial}, map[string]any{"serial": soa.Serial, "records_added": len(added), "records_removed": len(removed)})
	})
	if err != nil {
		return false, fmt.Errorf("replace secondary zone %s: %w", name, err)
	}
	return changed, nil
}
