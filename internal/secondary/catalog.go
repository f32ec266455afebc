package secondary

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// member is a member zone of a catalog and the label of its member node,
// its unique id: a new id for the same zone means the zone was deleted and
// made again, and must be transferred afresh (RFC 9432 §5.3).
type member struct {
	zone, id string
}

// catalogMembers reads the member zones of a catalog zone (RFC 9432): the
// target of the one PTR record of each name directly below zones.<catalog>.
// The catalog must say version "2" in the TXT record of version.<catalog>.
func catalogMembers(z *zone.Zone) ([]member, error) {
	origin := zone.CanonicalName(z.Origin)
	versionName := "version." + origin
	zonesName := "zones." + origin
	var versions []string
	ptrs := map[string][]string{} // by member node
	for _, rr := range z.Records {
		name := zone.CanonicalName(rr.Header().Name)
		switch rr := rr.(type) {
		case *dns.TXT:
			if name == versionName {
				versions = append(versions, strings.Join(rr.Txt, ""))
			}
		case *dns.PTR:
			// Only unique-N.zones.<catalog>: properties of a member
			// (group, coo) sit below it and are PTR or TXT too.
			if i := strings.IndexByte(name, '.'); i > 0 && name[i+1:] == zonesName {
				ptrs[name] = append(ptrs[name], zone.CanonicalName(rr.Ptr))
			}
		}
	}
	if len(versions) != 1 || versions[0] != "2" {
		return nil, fmt.Errorf("catalog zone %s: version TXT %q, want exactly \"2\" (RFC 9432 §4.2.1): %w", origin, versions, zone.ErrInvalid)
	}
	seen := map[string]bool{}
	var out []member
	for _, node := range slices.Sorted(maps.Keys(ptrs)) {
		targets := ptrs[node]
		// RFC 9432 §4.1: a member node with other than one PTR is broken;
		// such a member is ignored.
		if len(targets) != 1 {
			continue
		}
		m := targets[0]
		if _, ok := dns.IsDomainName(m); !ok || m == origin || seen[m] {
			continue
		}
		seen[m] = true
		out = append(out, member{zone: m, id: node[:strings.IndexByte(node, '.')]})
	}
	slices.SortFunc(out, func(a, b member) int { return strings.Compare(a.zone, b.zone) })
	return out, nil
}

// applyCatalog makes members (and the zones configured) the zones kept:
// new ones are transferred at once, those gone are no longer served and
// leave Dir.
func (s *Secondary) applyCatalog(members []member) {
	want := make(map[string]bool, len(members))
	for _, m := range members {
		want[m.zone] = true
	}
	now := time.Now()
	var gone []*zoneState
	added := 0
	s.mu.Lock()
	for _, m := range members {
		z := s.zones[m.zone]
		switch {
		case z == nil:
			s.zones[m.zone] = &zoneState{origin: m.zone, memberID: m.id, next: now}
			added++
		case z.memberID != "" && z.memberID != m.id:
			// The zone was deleted and made again on the primary: its
			// serials start afresh, so only an AXFR can be trusted.
			s.log.Info("catalog member reset: transferring the zone afresh", "zone", m.zone, "old_id", z.memberID, "id", m.id)
			z.memberID, z.reset, z.next = m.id, true, now
			added++
		default:
			z.memberID = m.id
		}
	}
	for origin, z := range s.zones {
		if z.catalog || z.listed || want[origin] {
			continue
		}
		delete(s.zones, origin)
		gone = append(gone, z)
	}
	s.queue = slices.DeleteFunc(s.queue, func(z *zoneState) bool { return !want[z.origin] && !z.catalog && !z.listed })
	s.mu.Unlock()
	if added > 0 {
		s.wakeScheduler()
	}
	for _, z := range gone {
		z.mu.Lock()
		z.dropped = true
		// Off the disk before out of the engine: once the zone stops being
		// served it is gone for good, and a restart cannot bring it back.
		if err := s.removeFiles(z.origin); err != nil {
			s.log.Error("drop zone", "zone", z.origin, "err", err)
		}
		if err := s.cfg.Engine.Update(nil, []string{z.origin}); err != nil {
			s.log.Error("stop serving zone", "zone", z.origin, "err", err)
		}
		z.mu.Unlock()
		s.log.Info("zone dropped: no longer in the catalog", "zone", z.origin, "catalog", s.catalog)
	}
	if added > 0 || len(gone) > 0 {
		s.log.Info("catalog applied", "catalog", s.catalog, "members", len(members), "added", added, "removed", len(gone))
	}
}
