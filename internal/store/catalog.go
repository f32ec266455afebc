package store

import (
	"context"
	"fmt"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// CatalogMember is a served zone as a catalog zone lists it (RFC 9432).
// Created, the journal entry of the zone's creation or of its last
// activation, identifies this incarnation of the zone: one deleted and
// created again, or deactivated and activated again, has a new one, which
// catalog consumers see as a new member and transfer afresh. (A zone id
// does not tell a deactivation and activation apart.)
type CatalogMember struct {
	Name    string // fully qualified
	Created int64
}

// CatalogEvent is a zone's entry into the catalog (created, activated) or
// its leaving (deleted, deactivated), from the change journal.
type CatalogEvent struct {
	ID      int64 // the journal entry
	Deleted bool
	CatalogMember
}

// catalogChange is the condition on a journal entry c that it changed the
// catalog: a zone created or activated joins it, one deactivated leaves it,
// and one deleted leaves it unless it had left already, deactivated. (A
// deletion that changed nothing must not move the catalog's serial, nor
// remove a member twice in an IXFR.) The index zone_changes_name serves
// the look back.
const catalogChange = `(c.kind IN ('create', 'activate', 'deactivate') OR (c.kind = 'delete' AND COALESCE((SELECT p.kind FROM zone_changes p
	WHERE p.zone_name = c.zone_name AND p.id < c.id AND p.kind IN ('create', 'activate', 'deactivate') ORDER BY p.id DESC LIMIT 1), '') <> 'deactivate'))`

// Catalog returns every served zone and the id of the last journal entry
// that changed the catalog (0 when there was none), read together: the
// members are the catalog's version at that id.
func (s *Store) Catalog(ctx context.Context) (members []CatalogMember, lastID int64, err error) {
	err = s.readTx(ctx, func(d db) error {
		if err := d.row(ctx, "SELECT COALESCE(MAX(c.id), 0) FROM zone_changes c WHERE "+catalogChange).Scan(&lastID); err != nil {
			return err
		}
		var err error
		members, err = queryAll(ctx, d, func(r interface{ Scan(...any) error }) (CatalogMember, error) {
			var m CatalogMember
			err := r.Scan(&m.Name, &m.Created)
			m.Name = zone.CanonicalName(m.Name)
			return m, err
		}, `SELECT z.name, MAX(c.id) FROM zones z JOIN zone_changes c ON c.zone_id = z.id AND c.kind IN ('create', 'activate')
			WHERE z.active = ? GROUP BY z.name ORDER BY z.name`, true)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read catalog: %w", err)
	}
	return members, lastID, nil
}

// CatalogEvents returns the journal entries that changed the catalog from
// fromID on, that entry included when it is one, oldest first. A member
// leaving is named by the entry that made it a member.
func (s *Store) CatalogEvents(ctx context.Context, fromID int64) ([]CatalogEvent, error) {
	out, err := queryAll(ctx, s.read(), func(r interface{ Scan(...any) error }) (CatalogEvent, error) {
		var (
			e    CatalogEvent
			kind string
		)
		err := r.Scan(&e.ID, &e.Name, &kind, &e.Created)
		e.Name, e.Deleted = zone.CanonicalName(e.Name), kind == "delete" || kind == "deactivate"
		return e, err
	}, `SELECT c.id, c.zone_name, c.kind, CASE WHEN c.kind IN ('create', 'activate') THEN c.id ELSE
			(SELECT COALESCE(MAX(p.id), 0) FROM zone_changes p WHERE p.zone_name = c.zone_name AND p.kind IN ('create', 'activate') AND p.id < c.id) END
		FROM zone_changes c WHERE c.id >= ? AND `+catalogChange+` ORDER BY c.id`, fromID)
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
