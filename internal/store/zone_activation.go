package store

import (
	"context"
	"fmt"
)

// ActivateZone serves one of an account's zones again after
// DeactivateZone: the DNS engine answers for it, and it rejoins the catalog
// zone as a new member, so that secondaries transfer it afresh. Activating
// an active zone changes nothing and is not an error.
func (s *Store) ActivateZone(ctx context.Context, a Actor, accountID int64, name string) (Zone, error) {
	z, err := s.setZoneActive(ctx, a, accountID, name, true)
	if err != nil {
		return Zone{}, fmt.Errorf("activate zone %s: %w", name, err)
	}
	return z, nil
}

// DeactivateZone stops serving one of an account's zones and keeps it with
// its records, which can still be changed: the DNS engine answers for its
// names as for a zone not hosted here (REFUSED), transfers of it are
// refused, and it leaves the catalog zone, so that secondaries drop it.
// Deactivating an inactive zone changes nothing and is not an error.
func (s *Store) DeactivateZone(ctx context.Context, a Actor, accountID int64, name string) (Zone, error) {
	z, err := s.setZoneActive(ctx, a, accountID, name, false)
	if err != nil {
		return Zone{}, fmt.Errorf("deactivate zone %s: %w", name, err)
	}
	return z, nil
}

// setZoneActive is one write: the zone's flag, a journal entry that every
// serve process follows to start or stop serving it (its serial stays: the
// records did not change), the audit log, and DNSimple's
// domain.resolution_enable or domain.resolution_disable event, which is
// what DNSimple sends when a zone's DNS service is turned on or off.
func (s *Store) setZoneActive(ctx context.Context, a Actor, accountID int64, name string, active bool) (Zone, error) {
	var out Zone
	err := s.tx(ctx, func(d db) error {
		z, err := s.lockZone(ctx, d, accountID, name)
		if err != nil {
			return err
		}
		if z.Active == active {
			out = z
			return nil
		}
		dom, err := s.domain(ctx, d, accountID, z.Name)
		if err != nil {
			return err
		}
		t := now()
		if _, err := d.exec(ctx, "UPDATE zones SET active = ?, updated_at = ? WHERE id = ?", active, t, z.ID); err != nil {
			return err
		}
		if _, err := d.exec(ctx, "UPDATE domains SET updated_at = ? WHERE id = ?", t, dom.ID); err != nil {
			return err
		}
		kind, action, ev := "activate", "zone.activate", "domain.resolution_enable"
		if !active {
			kind, action, ev = "deactivate", "zone.deactivate", "domain.resolution_disable"
		}
		if err := s.journal(ctx, d, z.ID, z.Name, kind, z.Serial, z.Serial, nil, nil); err != nil {
			return err
		}
		before := map[string]any{"name": z.Name, "active": z.Active}
		after := map[string]any{"name": z.Name, "active": active}
		if err := audit(ctx, d, a, accountID, action, "zone", z.Name, before, after); err != nil {
			return err
		}
		dom.UpdatedAt = t.UTC()
		if err := s.emit(ctx, d, a, accountID, event{ev, domainData(dom)}); err != nil {
			return err
		}
		z.Active, z.UpdatedAt = active, t.UTC()
		out = z
		return nil
	})
	return out, err
}
