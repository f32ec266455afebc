package store

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/miekg/dns"
	"golang.org/x/net/idna"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// MaxNameServers is how many name servers SetZoneNameServers takes: 13,
// the most a referral has carried since the root's. More only make
// referrals larger, and truncated over UDP.
const MaxNameServers = 13

// SetZoneNameServers replaces the NS records at one of an account's zone
// apex that Zonewarden manages (system records) with one for each of
// names, host names such as "ns1.example.net", and returns them. NS
// records a user added at the apex stay. A name already there keeps its
// record; the write is one transaction that bumps the serial and journals
// the difference, as a record write does, so that DNS answers and IXFR
// follow. Names equal to the zone's now are no write. Secondary zones are
// refused: their records come from their primary.
func (s *Store) SetZoneNameServers(ctx context.Context, a Actor, accountID int64, zoneName string, names []string) ([]Record, error) {
	want, err := nameServerNames(names)
	if err != nil {
		return nil, err
	}
	var out []Record
	err = s.tx(ctx, func(d db) error {
		z, err := s.lockZone(ctx, d, accountID, zoneName)
		if err != nil {
			return err
		}
		if z.Secondary {
			return secondaryWriteRefused(z.Name)
		}
		apex, err := queryAll(ctx, d, func(r interface{ Scan(...any) error }) (Record, error) { return scanRecord(r, z.Name) },
			"SELECT "+recordCols+" FROM records WHERE zone_id = ? AND name = '' AND type = 'NS' ORDER BY id", z.ID)
		if err != nil {
			return fmt.Errorf("read apex NS records: %w", err)
		}
		w := &zoneWrite{ctx: ctx, d: d, z: z}
		ttl := s.cfg.soa.TTL
		have := map[string]bool{}
		var before []string
		for _, r := range apex {
			host := strings.TrimSuffix(r.Content, ".")
			if !r.SystemRecord {
				if slices.Contains(want, host) {
					return invalid("ns_names", fmt.Sprintf("%s has an NS record for %s added by hand (id %d): delete it first, or leave the name out", z.Name, host, r.ID))
				}
				continue
			}
			ttl = r.TTL
			have[host] = true
			before = append(before, host)
			if !slices.Contains(want, host) {
				rr, err := r.zoneRecord().StoredRR(z.origin())
				if err != nil {
					return fmt.Errorf("convert stored record %d: %s", r.ID, err.Error())
				}
				w.changes = append(w.changes, &change{old: &r, oldRR: rr})
			}
		}
		for _, host := range want {
			if err := hasGlue(ctx, d, z, host); err != nil {
				return err
			}
			if have[host] {
				continue
			}
			rec, rr, ok := w.build("", zone.Record{Type: "NS", Content: host, TTL: ttl}, nil)
			if !ok {
				if w.err != nil {
					return w.err
				}
				return invalid("ns_names", fmt.Sprintf("%s: %s", host, w.fields[0].Msg))
			}
			w.changes = append(w.changes, &change{rec: rec, rr: rr})
		}
		if len(w.changes) > 0 {
			soa, err := s.validate(ctx, d, w)
			if err != nil {
				return err
			}
			if err := s.writeNameServers(ctx, d, a, w, soa, before, want); err != nil {
				return err
			}
		}
		out, err = queryAll(ctx, d, func(r interface{ Scan(...any) error }) (Record, error) { return scanRecord(r, z.Name) },
			"SELECT "+recordCols+" FROM records WHERE zone_id = ? AND name = '' AND type = 'NS' AND system_record = ? ORDER BY id", z.ID, true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("set name servers of zone %s: %w", zoneName, err)
	}
	return out, nil
}

// hasGlue refuses host, a name server of zone z, when it is in z (the
// zone's name or below it) and z has no A or AAAA record at it: its
// address would be nowhere to find, since resolvers must ask z's servers
// for it, and the delegation would be lame.
func hasGlue(ctx context.Context, d db, z Zone, host string) error {
	rel, ok := "", host == z.Name
	if !ok && strings.HasSuffix(host, "."+z.Name) {
		rel, ok = strings.TrimSuffix(host, "."+z.Name), true
	}
	if !ok {
		return nil
	}
	var n int
	if err := d.row(ctx, "SELECT COUNT(*) FROM records WHERE zone_id = ? AND name = ? AND type IN ('A', 'AAAA')", z.ID, rel).Scan(&n); err != nil {
		return fmt.Errorf("read addresses of %s: %w", host, err)
	}
	if n == 0 {
		return invalid("ns_names", fmt.Sprintf("%s is in the zone %s, which has no A or AAAA record for it: resolvers could not find the name server's address (no glue); add its address first", host, z.Name))
	}
	return nil
}

// writeNameServers writes the staged NS changes as system records, bumps
// the serial, and emits and audits the write.
func (s *Store) writeNameServers(ctx context.Context, d db, a Actor, w *zoneWrite, soa *dns.SOA, before, after []string) error {
	t := now()
	var removed, added []dns.RR
	for _, c := range w.changes {
		if c.old != nil {
			if _, err := d.exec(ctx, "DELETE FROM records WHERE id = ?", c.old.ID); err != nil {
				return fmt.Errorf("delete record %d: %w", c.old.ID, err)
			}
			removed = append(removed, c.oldRR)
			continue
		}
		c.rec.SystemRecord, c.rec.CreatedAt, c.rec.UpdatedAt = true, t, t
		if err := d.row(ctx, "INSERT INTO records (zone_id, name, type, content, ttl, priority, system_record, regions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			w.z.ID, c.rec.Name, c.rec.Type, c.rec.Content, int64(c.rec.TTL), nil, true, "global", t, t).Scan(&c.rec.ID); err != nil {
			return fmt.Errorf("create record: %w", err)
		}
		added = append(added, c.rr)
	}
	if _, err := s.bumpSerial(ctx, d, w.z, soa, t, len(added)-len(removed), removed, added); err != nil {
		return err
	}
	if err := s.emit(ctx, d, a, w.z.AccountID, recordEvents(w)...); err != nil {
		return err
	}
	return audit(ctx, d, a, w.z.AccountID, "zone.ns_records_update", "zone", w.z.Name,
		map[string]any{"ns_names": before}, map[string]any{"ns_names": after})
}

// nameServerNames checks the host names of a zone's name servers as a user
// gave them, and returns them lower-case, in ASCII, without the final dot.
func nameServerNames(names []string) ([]string, error) {
	switch {
	case len(names) == 0:
		return nil, invalid("ns_names", "give at least one name server")
	case len(names) > MaxNameServers:
		return nil, invalid("ns_names", fmt.Sprintf("%d name servers are more than the %d a zone may have", len(names), MaxNameServers))
	}
	var (
		out  []string
		errs []FieldError
	)
	for _, in := range names {
		h, why := hostName(in)
		switch {
		case why != "":
			errs = append(errs, FieldError{Field: "ns_names", Msg: fmt.Sprintf("%q is not a host name: %s", in, why)})
		case slices.Contains(out, h):
			errs = append(errs, FieldError{Field: "ns_names", Msg: fmt.Sprintf("%s is given twice", h)})
		default:
			out = append(out, h)
		}
	}
	if len(errs) > 0 {
		return nil, &ValidationError{Fields: errs}
	}
	return out, nil
}

// hostName checks a host name (RFC 1123: letters, digits and hyphens, no
// hyphen first or last in a label; at least two labels, since a name
// server is not a top-level domain) and returns its ASCII form, or why it
// is not one.
func hostName(in string) (string, string) {
	// Not trimmed: " ns1.example.net" is refused, as "ns 1.example.net" is.
	n := strings.TrimSuffix(strings.ToLower(in), ".")
	if n == "" {
		return "", "it is empty"
	}
	if !isASCII(n) || strings.Contains(n, "xn--") {
		// Each label on its own, so that a message names the label
		// at fault; idna's lookup profile checks punycode too.
		labels := strings.Split(n, ".")
		for i, l := range labels {
			if isASCII(l) && !strings.HasPrefix(l, "xn--") {
				continue
			}
			a, err := idna.Lookup.ToASCII(l)
			if err == nil && strings.HasPrefix(a, "xn--") {
				_, err = idna.Lookup.ToUnicode(a)
			}
			if err != nil {
				what := "a valid internationalized label"
				if strings.HasPrefix(l, "xn--") {
					what = "valid punycode"
				}
				return "", fmt.Sprintf("the label %q is not %s (%s)", l, what, strings.TrimPrefix(err.Error(), "idna: "))
			}
			labels[i] = a
		}
		n = strings.Join(labels, ".")
	}
	if len(n) > 253 {
		return "", "it is longer than 253 characters"
	}
	if _, err := netip.ParseAddr(n); err == nil {
		return "", "it is an IP address; NS records name their server"
	}
	labels := strings.Split(n, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "", "a label is empty or longer than 63 characters"
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", fmt.Sprintf("the label %q starts or ends with a hyphen", l)
		}
		for _, c := range l {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return "", fmt.Sprintf("it contains %q", c)
			}
		}
	}
	if len(labels) < 2 {
		return "", "it has a single label"
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", "its last label is a number, which no top-level domain is"
	}
	return n, ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
