package transfer

import (
	"context"
	"strconv"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// The catalog zone (RFC 9432, version 2) lists every hosted zone as a PTR
// record under zones.<catalog>. Its serial is the journal id of the last
// creation or deletion of a zone, plus one: it moves exactly when the list
// does, and every process sharing the database derives the same one, so a
// secondary may ask any of them. A member's label is "z" and the journal id
// of its zone's creation: a zone deleted and created again is a new member.

// CatalogSerial is the catalog's serial after journal entry lastID.
func CatalogSerial(lastID int64) uint32 { return uint32(lastID + 1) }

// catalogSOA is the catalog's SOA at serial.
func catalogSOA(origin string, serial uint32) *dns.SOA {
	return &dns.SOA{
		Hdr: dns.RR_Header{Name: origin, Rrtype: dns.TypeSOA, Class: dns.ClassINET},
		Ns:  "invalid.", Mbox: "invalid.", Serial: serial,
		// Secondaries hear of changes by NOTIFY; the timers are the
		// fallback. Expire is long: a catalog that expires would make a
		// consumer drop every zone.
		Refresh: 300, Retry: 60, Expire: 2419200, Minttl: 0,
	}
}

func memberPTR(origin string, m store.CatalogMember) dns.RR {
	return &dns.PTR{
		Hdr: dns.RR_Header{Name: "z" + strconv.FormatInt(m.Created, 10) + ".zones." + origin, Rrtype: dns.TypePTR, Class: dns.ClassINET},
		Ptr: m.Name,
	}
}

// CatalogZone is the catalog zone named origin listing members, at the
// version after journal entry lastID, as the DNS engine serves it.
func CatalogZone(origin string, members []store.CatalogMember, lastID int64) *zone.Zone {
	origin = dns.CanonicalName(origin)
	z := &zone.Zone{Origin: origin}
	z.Records = append(z.Records,
		catalogSOA(origin, CatalogSerial(lastID)),
		&dns.NS{Hdr: dns.RR_Header{Name: origin, Rrtype: dns.TypeNS, Class: dns.ClassINET}, Ns: "invalid."},
		&dns.TXT{Hdr: dns.RR_Header{Name: "version." + origin, Rrtype: dns.TypeTXT, Class: dns.ClassINET}, Txt: []string{"2"}},
	)
	for _, m := range members {
		z.Records = append(z.Records, memberPTR(origin, m))
	}
	return z
}

// prepareCatalog answers a transfer of the catalog: IXFR from the journal's
// creations and deletions of zones when client (the client's serial) is
// set and the journal has it, else the whole catalog.
func (h *Handler) prepareCatalog(ctx context.Context, client *uint32) (*xfr, error) {
	members, lastID, err := h.cfg.Source.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	z := CatalogZone(h.catalog, members, lastID)
	soa := z.SOA()
	x := &xfr{kind: "axfr", serial: soa.Serial, soa: soa}
	if client != nil {
		x.from = *client
		if !zone.SerialLess(*client, soa.Serial) {
			x.kind, x.rrs = "up-to-date", []dns.RR{soa}
			return x, nil
		}
		if diffs, err := h.catalogDiffs(ctx, *client, lastID); err != nil {
			return nil, err
		} else if diffs != nil {
			x.kind = "ixfr"
			x.rrs = append(append([]dns.RR{soa}, diffs...), soa)
			return x, nil
		}
		x.kind = "ixfr-axfr"
	}
	x.rrs = append(z.Records, soa)
	return x, nil
}

// catalogDiffs is the IXFR difference sequences from the catalog at serial
// from to the one at journal entry lastID; nil when from is not a serial
// the catalog had.
func (h *Handler) catalogDiffs(ctx context.Context, from uint32, lastID int64) ([]dns.RR, error) {
	fromID := int64(from) - 1
	if fromID < 0 {
		return nil, nil
	}
	events, err := h.cfg.Source.CatalogEvents(ctx, fromID)
	if err != nil {
		return nil, err
	}
	if fromID > 0 {
		if len(events) == 0 || events[0].ID != fromID {
			return nil, nil
		}
		events = events[1:]
	}
	var out []dns.RR
	prev := from
	for _, e := range events {
		if e.ID > lastID {
			break
		}
		serial := CatalogSerial(e.ID)
		out = append(out, catalogSOA(h.catalog, prev))
		if e.Deleted {
			out = append(out, memberPTR(h.catalog, e.CatalogMember))
		}
		out = append(out, catalogSOA(h.catalog, serial))
		if !e.Deleted {
			out = append(out, memberPTR(h.catalog, e.CatalogMember))
		}
		prev = serial
	}
	if prev != CatalogSerial(lastID) {
		return nil, nil
	}
	return out, nil
}
