package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// journalLock is the PostgreSQL advisory lock key that journal writers hold
// until they commit. Without it, a transaction could take journal id 10,
// another id 11 and commit first, and a reader that saw 11 would never look
// back for 10; with it, ids are taken in commit order.
const journalLock = 0x6a726e6c // "jrnl"

// nextSerial returns the serial that follows prev: YYYYMMDDnn of today when
// that is ahead of prev in serial arithmetic (RFC 1982), else prev+1, which
// always is.
func nextSerial(prev uint32, t time.Time) uint32 {
	y, m, d := t.UTC().Date()
	dated := uint32(y*1000000 + int(m)*10000 + d*100) // fits until the year 42949
	if zone.SerialLess(prev, dated) {
		return dated
	}
	return prev + 1
}

// journal appends a change of a zone to zone_changes: the kind, the serial
// before and after, and the records removed and added as master-file lines.
func (s *Store) journal(ctx context.Context, d db, zoneID int64, zoneName, kind string, prev, serial uint32, removed, added []dns.RR) error {
	if s.pg {
		if _, err := d.exec(ctx, "SELECT pg_advisory_xact_lock(?)", int64(journalLock)); err != nil {
			return fmt.Errorf("journal change of zone %s: %w", zoneName, err)
		}
	}
	_, err := d.exec(ctx, "INSERT INTO zone_changes (zone_id, zone_name, kind, prev_serial, serial, removed, added, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		zoneID, zoneName, kind, int64(prev), int64(serial), rrText(removed), rrText(added), now())
	if err != nil {
		return fmt.Errorf("journal change of zone %s: %w", zoneName, err)
	}
	return nil
}

func rrText(rrs []dns.RR) string {
	var b strings.Builder
	for _, rr := range rrs {
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Change is one entry of a zone's journal: the records a write removed and
// added, each list in master-file form, one record a line. The SOA with the
// old serial heads Removed and the one with the new serial heads Added, as
// in an IXFR difference sequence (RFC 1995 §4).
type Change struct {
	ID         int64
	Kind       string // "create", "update", "delete", "activate" or "deactivate"
	PrevSerial uint32
	Serial     uint32
	Removed    string
	Added      string
	CreatedAt  time.Time
}

// Changes returns the journal of the zone now served under zoneName, oldest
// first, from the entry after afterID (all when 0). It is not
// account-scoped: internal use (IXFR, history).
func (s *Store) Changes(ctx context.Context, zoneName string, afterID int64) ([]Change, error) {
	rows, err := s.read().query(ctx, `SELECT c.id, c.kind, c.prev_serial, c.serial, c.removed, c.added, c.created_at
		FROM zone_changes c JOIN zones z ON z.id = c.zone_id WHERE z.name = ? AND c.id > ? ORDER BY c.id`, lookupName(zoneName), afterID)
	if err != nil {
		return nil, fmt.Errorf("read journal of zone %s: %w", zoneName, err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var (
			c            Change
			prev, serial int64
		)
		if err := rows.Scan(&c.ID, &c.Kind, &prev, &serial, &c.Removed, &c.Added, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("read journal of zone %s: %w", zoneName, err)
		}
		c.PrevSerial, c.Serial, c.CreatedAt = uint32(prev), uint32(serial), c.CreatedAt.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read journal of zone %s: %w", zoneName, err)
	}
	return out, nil
}

// ChangedZones returns what changed after the journal entry afterChangeID:
// the zones created, changed or activated since (names, fully qualified, as
// the DNS engine names them; reload each with ZoneData, which finds no zone
// that is not served), the zones deleted or deactivated since and not
// created or activated again, and the id to pass next time. Processes that serve DNS
// poll it to follow writes made by any process.
func (s *Store) ChangedZones(ctx context.Context, afterChangeID int64) (names []string, lastID int64, deleted []string, err error) {
	rows, err := s.read().query(ctx, "SELECT id, zone_name, kind FROM zone_changes WHERE id > ? ORDER BY id", afterChangeID)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("read zone changes: %w", err)
	}
	defer rows.Close()
	lastID = afterChangeID
	last := map[string]string{} // zone name → kind of its last change
	var order []string
	for rows.Next() {
		var (
			id         int64
			name, kind string
		)
		if err := rows.Scan(&id, &name, &kind); err != nil {
			return nil, 0, nil, fmt.Errorf("read zone changes: %w", err)
		}
		if _, ok := last[name]; !ok {
			order = append(order, name)
		}
		last[name], lastID = kind, id
	}
	if err := rows.Err(); err != nil {
		return nil, 0, nil, fmt.Errorf("read zone changes: %w", err)
	}
	for _, n := range order {
		if k := last[n]; k == "delete" || k == "deactivate" {
			deleted = append(deleted, zone.CanonicalName(n))
		} else {
			names = append(names, zone.CanonicalName(n))
		}
	}
	return names, lastID, deleted, nil
}

// ZoneNames returns every zone served (the active ones), fully qualified,
// and the id of the last journal entry they reflect: a process loads these
// zones, then follows ChangedZones from that id.
func (s *Store) ZoneNames(ctx context.Context) (names []string, lastChangeID int64, err error) {
	err = s.readTx(ctx, func(d db) error {
		if err := d.row(ctx, "SELECT COALESCE(MAX(id), 0) FROM zone_changes").Scan(&lastChangeID); err != nil {
			return err
		}
		rows, err := d.query(ctx, "SELECT name FROM zones WHERE active = ? ORDER BY name", true)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			names = append(names, zone.CanonicalName(n))
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list zones: %w", err)
	}
	return names, lastChangeID, nil
}

// ZoneSerial returns the SOA serial of the zone served under zoneName. It
// is not account-scoped: internal use (distribution checks).
func (s *Store) ZoneSerial(ctx context.Context, zoneName string) (uint32, error) {
	var serial int64
	err := s.read().row(ctx, "SELECT serial FROM zones WHERE name = ?", lookupName(zoneName)).Scan(&serial)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find zone %s: %w", zoneName, zone.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("find zone %s: %w", zoneName, err)
	}
	return uint32(serial), nil
}
