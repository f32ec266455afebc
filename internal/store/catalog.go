package store

import (
	"context"
	"fmt"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// CatalogMember is a hosted zone as a catalog zone lists it (RFC 9432).
// Created, the journal entry of the zone's creation, identifies this
// incarnation of the zone: one deleted and created again has a new one,
// which catalog consumers see as a new member. (Zone ids do not do: SQLite
// hands a deleted row's id out again.)
type CatalogMember struct {
	Name    string // fully qualified
	Created int64
}

// CatalogEvent is a zone's creation or deletion, from the change journal.
type CatalogEvent struct {
	ID      int64 // the journal entry
	Deleted bool
	CatalogMember
}

// Catalog returns every hosted zone and the id of the last creation or
// deletion of a zone in the journal (0 when there was none), read together:
// the members are the catalog's version at that id.
func (s *Store) Catalog(ctx context.Context) (members []CatalogMember, lastID int64, err error) {
	err = s.readTx(ctx, func(d db) error {
		if err := d.row(ctx, "SELECT COALESCE(MAX(id), 0) FROM zone_changes WHERE kind IN ('create', 'delete')").Scan(&lastID); err != nil {
			return err
		}
		var err error
		members, err = queryAll(ctx, d, func(r interface{ Scan(...any) error }) (CatalogMember, error) {
			var m CatalogMember
			err := r.Scan(&m.Name, &m.Created)
			m.Name = zone.CanonicalName(m.Name)
			return m, err
		}, `SELECT z.name, MAX(c.id) FROM zones z JOIN zone_changes c ON c.zone_id = z.id AND c.kind = 'create'
			WHERE z.active = ? GROUP BY z.name ORDER BY z.name`, true)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read catalog: %w", err)
	}
	return members, lastID, nil
}

// CatalogEvents returns the creations and deletions of zones from the
// journal entry fromID on, that entry included when it is one, oldest first.
// A deletion names the member it removes by that member's creation.
func (s *Store) CatalogEvents(ctx context.Context, fromID int64) ([]CatalogEvent, error) {
	out, err := queryAll(ctx, s.read(), func(r interface{ Scan(...any) error }) (CatalogEvent, error) {
		var (
			e    CatalogEvent
			kind string
		)
		err := r.Scan(&e.ID, &e.Name, &kind, &e.Created)
		e.Name, e.Deleted = zone.CanonicalName(e.Name), kind == "delete"
		return e, err
	}, `SELECT c.id, c.zone_name, c.kind, CASE WHEN c.kind = 'create' THEN c.id ELSE
			(SELECT COALESCE(MAX(p.id), 0) FROM zone_changes p WHERE p.zone_name = c.zone_name AND p.kind = 'create' AND p.id < c.id) END
		FROM zone_changes c WHERE c.id >= ? AND c.kind IN ('create', 'delete') ORDER BY c.id`, fromID)
	if err != nil {
		return nil, fmt.Errorf("read catalog changes from %d: %w", fromID, err)
	}
	return out, nil
}

// ChangesSince returns the journal of the zone now served under zoneName
// from the last change that left serial behind, oldest first: what an IXFR
// from serial needs, read without the older history. None when no change
// of this zone left serial.
func (s *Store) ChangesSince(ctx context.Context, zoneName string, serial uint32) ([]Change, error) {
	var from int64
	err := s.read().row(ctx, `SELECT COALESCE(MAX(c.id), 0) FROM zone_changes c JOIN zones z ON z.id = c.zone_id
		WHERE z.name = ? AND c.prev_serial = ? AND c.kind = 'update'`, lookupName(zoneName), int64(serial)).Scan(&from)
	if err != nil {
		return nil, fmt.Errorf("read journal of zone %s: %w", zoneName, err)
	}
	if from == 0 {
		return nil, nil
	}
	return s.Changes(ctx, zoneName, from-1)
}
