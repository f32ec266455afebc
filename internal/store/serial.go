package store

import (
	"context"
	"fmt"
	"time"

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
		z, err := s.zoneByName(ctx, d, name, true)
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
		if serial, err = s.bumpSerial(ctx, d, z, soa, now(), 0, nil, nil); err != nil {
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

// bumpSerial ends every write to a zone's records, in its transaction:
// the zone gets the next serial, at time t, with its record count moved by
// counted; its SOA record follows; the journal gets the difference, headed
// by the old and new SOAs as IXFR has it. soa is the zone's SOA before.
func (s *Store) bumpSerial(ctx context.Context, d db, z Zone, soa *dns.SOA, t time.Time, counted int, removed, added []dns.RR) (uint32, error) {
	serial := nextSerial(z.Serial, t)
	next := dns.Copy(soa).(*dns.SOA)
	next.Serial = serial
	// The count the record limit reads changes with the serial: one update
	// of the zone's row per write (a trigger updating it per record made a
	// batch of 2,000 several times slower on PostgreSQL).
	if _, err := d.exec(ctx, "UPDATE zones SET serial = ?, updated_at = ?, record_count = record_count + ? WHERE id = ?",
		int64(serial), t, counted, z.ID); err != nil {
		return 0, fmt.Errorf("bump serial: %w", err)
	}
	content := zone.RecordFromRR(z.origin(), next).Content
	if _, err := d.exec(ctx, "UPDATE records SET content = ?, updated_at = ? WHERE zone_id = ? AND name = '' AND type = 'SOA'", content, t, z.ID); err != nil {
		return 0, fmt.Errorf("bump serial: %w", err)
	}
	if err := s.journal(ctx, d, z.ID, z.Name, "update", z.Serial, serial,
		append([]dns.RR{soa}, removed...), append([]dns.RR{next}, added...)); err != nil {
		return 0, err
	}
	return serial, nil
}
