package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// BumpSerial gives a zone a new serial and nothing else, journaled as an
// update whose difference is the SOA alone, so that secondaries transfer
// the zone again: for when what they are sent changed outside its records
// (the addresses behind its ALIAS records). It is not account-scoped:
// internal use, logged in the audit log as done by reason.
func (s *Store) BumpSerial(ctx context.Context, zoneName, reason string) (uint32, error) {
	name := lookupName(zoneName)
	var serial uint32
	err := s.tx(ctx, func(d db) error {
		q := "SELECT " + zoneCols + " FROM zones WHERE name = ?"
		if s.pg {
			q += " FOR UPDATE"
		}
		z, err := scanZone(d.row(ctx, q, name))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find zone %s: %w", name, zone.ErrNotFound)
		}
		if err != nil {
			return err
		}
		rows, err := d.query(ctx, "SELECT id, name, type, content, ttl, priority FROM records WHERE zone_id = ? AND name = '' AND type = 'SOA'", z.ID)
		if err != nil {
			return err
		}
		var soa *dns.SOA
		for rows.Next() {
			_, rr, err := scanRR(rows, z.origin())
			if err != nil {
				rows.Close()
				return err
			}
			soa, _ = rr.(*dns.SOA)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if soa == nil {
			return fmt.Errorf("zone %s has no SOA record", name)
		}
		t := now()
		serial = nextSerial(z.Serial, t)
		next := dns.Copy(soa).(*dns.SOA)
		next.Serial = serial
		if _, err := d.exec(ctx, "UPDATE zones SET serial = ?, updated_at = ? WHERE id = ?", int64(serial), t, z.ID); err != nil {
			return err
		}
		content := zone.RecordFromRR(z.origin(), next).Content
		if _, err := d.exec(ctx, "UPDATE records SET content = ?, updated_at = ? WHERE zone_id = ? AND name = '' AND type = 'SOA'", content, t, z.ID); err != nil {
			return err
		}
		if err := s.journal(ctx, d, z.ID, z.Name, "update", z.Serial, serial, []dns.RR{soa}, []dns.RR{next}); err != nil {
			return err
		}
		return audit(ctx, d, Actor{Label: reason}, z.AccountID, "zone.serial_bump", "zone", z.Name,
			map[string]any{"serial": z.Serial}, map[string]any{"serial": serial})
	})
	if err != nil {
		return 0, fmt.Errorf("bump serial of zone %s: %w", name, err)
	}
	return serial, nil
}
