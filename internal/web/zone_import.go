package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// maxZoneFile is the largest zone file the import reads: ten thousand
// records (the default record limit) take about half of it.
const maxZoneFile = 1 << 20

// importItem is one record of a zone file as the import sees it.
type importItem struct {
	Line     int
	Name     string // relative, "" at the apex
	Type     string
	Content  string
	TTL      uint32
	Priority *uint16
	Old      *store.Record // the record a change changes
	Reason   string        // why it is skipped, in plain words

	rr dns.RR
}

// importPlan is what importing a zone file would do: the records it adds,
// the records of the zone it changes and the records of the file it skips.
// Records of the zone that are not in the file stay as they are.
type importPlan struct {
	Add, Change, Skip []importItem
}

// Empty is whether the plan would change nothing.
func (p importPlan) Empty() bool { return len(p.Add) == 0 && len(p.Change) == 0 }

// batch is the plan as one batch change of the store.
func (p importPlan) batch() store.Batch {
	var b store.Batch
	for _, it := range p.Change {
		content, ttl := it.Content, it.TTL
		b.Updates = append(b.Updates, store.BatchUpdate{ID: it.Old.ID,
			RecordPatch: store.RecordPatch{Content: &content, TTL: &ttl, Priority: it.Priority}})
	}
	for _, it := range p.Add {
		b.Creates = append(b.Creates, store.RecordInput{Name: it.Name, Type: it.Type, Content: it.Content, TTL: it.TTL, Priority: it.Priority})
	}
	return b
}

// Digest names the plan's writes, so that a confirmation can tell that the
// plan it would apply is the one the person saw.
func (p importPlan) Digest() string {
	h := sha256.New()
	for _, it := range p.Change {
		fmt.Fprintf(h, "change %d %q %q %q %d %s\n", it.Old.ID, it.Old.Content, it.Name, it.Content, it.TTL, prio(it.Priority))
	}
	for _, it := range p.Add {
		fmt.Fprintf(h, "add %q %q %q %d %s\n", it.Name, it.Type, it.Content, it.TTL, prio(it.Priority))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

func prio(p *uint16) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(int(*p))
}

// existingRecord is a record of the zone, as the plan matches it.
type existingRecord struct {
	rec  store.Record
	rr   dns.RR
	used bool // an exact match or the target of a change
}

// planImport reads a zone file for the zone d and says what importing it
// would do. The file's relative names are relative to the domain. A syntax
// error is a *zone.ParseError with its line.
func (wb *Web) planImport(ctx context.Context, accountID int64, d store.Domain, text string) (importPlan, error) {
	origin := zone.CanonicalName(d.Name)
	lines, err := zone.ReadRecords(strings.NewReader(text), origin, "")
	if err != nil {
		return importPlan{}, err
	}
	existing, err := wb.allRecords(ctx, accountID, d.Name, origin)
	if err != nil {
		return importPlan{}, err
	}
	byKey := map[string][]*existingRecord{}
	for _, e := range existing {
		k := e.rec.Name + " " + e.rec.Type
		byKey[k] = append(byKey[k], e)
	}

	var p importPlan
	skip := func(it importItem, format string, args ...any) {
		it.Reason = fmt.Sprintf(format, args...)
		p.Skip = append(p.Skip, it)
	}
	// First the records of the file that are valid on their own, and
	// those that are in the zone already.
	var rest []importItem
	inFile := map[string][]importItem{}
	for _, l := range lines {
		h := l.RR.Header()
		it := importItem{Line: l.Line, Type: dns.Type(h.Rrtype).String(), TTL: h.Ttl, Name: strings.TrimSuffix(h.Name, ".")}
		if h.Rrtype == zone.TypeALIAS {
			it.Type = "ALIAS"
		}
		if !dns.IsSubDomain(origin, h.Name) {
			it.Content = contentOf(l.RR)
			skip(it, "%s is outside %s.", strings.TrimSuffix(h.Name, "."), d.Name)
			continue
		}
		r := zone.RecordFromRR(origin, l.RR)
		it.Name, it.Type, it.Content, it.Priority = r.Name, r.Type, r.Content, r.Priority
		switch {
		case h.Rrtype == dns.TypeSOA:
			skip(it, "The SOA record is managed by Zonewarden, which keeps the serial.")
			continue
		case h.Rrtype == dns.TypeNS && it.Name == "":
			skip(it, "The name servers of the domain itself are managed by Zonewarden: they are this installation's.")
			continue
		}
		rr, err := r.RR(origin)
		if err != nil {
			skip(it, "%s", recordProblem(err))
			continue
		}
		it.rr, it.TTL = rr, rr.Header().Ttl // 0 is the default TTL
		k := it.Name + " " + it.Type
		if dup := duplicateOf(rr, inFile[k]); dup != nil {
			skip(it, "The same record is on line %d.", dup.Line)
			continue
		}
		inFile[k] = append(inFile[k], it)
		if e := unusedDuplicate(rr, byKey[k]); e != nil {
			e.used = true
			if e.rec.SystemRecord {
				skip(it, "The zone has this record already; Zonewarden manages it.")
				continue
			}
			if e.rec.TTL == it.TTL {
				skip(it, "The zone has this record already.")
				continue
			}
			it.Old = &e.rec
			rest = append(rest, it)
			continue
		}
		rest = append(rest, it)
	}
	// Then the rest: a change of a record of the same name and type that
	// the file does not have, or an addition.
	for i := range rest {
		it := &rest[i]
		if it.Old != nil {
			continue
		}
		for _, e := range byKey[it.Name+" "+it.Type] {
			if !e.used && !e.rec.SystemRecord {
				e.used, it.Old = true, &e.rec
				break
			}
		}
	}
	// Last, the rules between records (a CNAME alone at its name, one
	// ALIAS and no address beside it...), checked name by name against
	// the zone as the import would leave it.
	soa, apexNS := systemOf(existing)
	atName := map[string][]dns.RR{}
	byID := map[int64]*existingRecord{}
	for _, e := range existing {
		atName[e.rec.Name] = append(atName[e.rec.Name], e.rr)
		byID[e.rec.ID] = e
	}
	for _, it := range rest {
		recs := atName[it.Name]
		if it.Old != nil {
			recs = without(recs, byID[it.Old.ID].rr)
		}
		if msg := nameProblem(origin, soa, apexNS, append(recs, it.rr)); msg != "" {
			if it.Old != nil {
				byID[it.Old.ID].used = false // the record it would have changed stays
			}
			skip(importItem{Line: it.Line, Name: it.Name, Type: it.Type, Content: it.Content, TTL: it.TTL, Priority: it.Priority}, "%s", msg)
			continue
		}
		atName[it.Name] = append(recs, it.rr)
		if it.Old != nil {
			p.Change = append(p.Change, it)
		} else {
			p.Add = append(p.Add, it)
		}
	}
	slices.SortStableFunc(p.Skip, func(a, b importItem) int { return a.Line - b.Line })
	return p, nil
}

// allRecords reads every record of the zone.
func (wb *Web) allRecords(ctx context.Context, accountID int64, zoneName, origin string) ([]*existingRecord, error) {
	recs, err := wb.store.ZoneRecords(ctx, accountID, zoneName)
	if err != nil {
		return nil, err
	}
	out := make([]*existingRecord, 0, len(recs))
	for _, rec := range recs {
		rr, err := zone.Record{Name: rec.Name, Type: rec.Type, Content: rec.Content, TTL: rec.TTL, Priority: rec.Priority}.StoredRR(origin)
		if err != nil {
			return nil, fmt.Errorf("convert record %d of %s: %w", rec.ID, zoneName, err)
		}
		out = append(out, &existingRecord{rec: rec, rr: rr})
	}
	return out, nil
}

func duplicateOf(rr dns.RR, items []importItem) *importItem {
	for i := range items {
		if dns.IsDuplicate(rr, items[i].rr) {
			return &items[i]
		}
	}
	return nil
}

func unusedDuplicate(rr dns.RR, es []*existingRecord) *existingRecord {
	for _, e := range es {
		if !e.used && dns.IsDuplicate(rr, e.rr) {
			return e
		}
	}
	return nil
}

// systemOf returns the zone's SOA and apex NS records.
func systemOf(existing []*existingRecord) (soa dns.RR, ns []dns.RR) {
	for _, e := range existing {
		switch {
		case e.rec.Type == "SOA":
			soa = e.rr
		case e.rec.Type == "NS" && e.rec.Name == "":
			ns = append(ns, e.rr)
		}
	}
	return soa, ns
}

// without returns a copy of rrs without drop.
func without(rrs []dns.RR, drop dns.RR) []dns.RR {
	out := make([]dns.RR, 0, len(rrs))
	for _, rr := range rrs {
		if rr != drop {
			out = append(out, rr)
		}
	}
	return out
}

// nameProblem checks the records at one name as a zone would hold them and
// says what is wrong, in plain words.
func nameProblem(origin string, soa dns.RR, apexNS, recs []dns.RR) string {
	z := &zone.Zone{Origin: origin}
	if soa != nil && recs[0].Header().Name != origin {
		z.Records = append(z.Records, soa)
		z.Records = append(z.Records, apexNS...)
	}
	z.Records = append(z.Records, recs...)
	err := z.Validate()
	if err == nil {
		return ""
	}
	msg := err.Error()
	var pe *zone.ParseError
	if errors.As(err, &pe) {
		msg = pe.Msg
	}
	if c, ok := plainConflict(msg); ok {
		return c
	}
	return sentence("It conflicts with the records at its name: " + msg)
}

// recordProblem says in plain words what is wrong with a record alone.
func recordProblem(err error) string {
	var re *zone.RecordError
	if !errors.As(err, &re) {
		return sentence(err.Error())
	}
	return plainFieldProblem(re.Field, re.Msg)
}

// sentence capitalizes msg and ends it with a full stop.
func sentence(msg string) string {
	msg = capitalize(msg)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}

// contentOf is a record's rdata as a zone file has it.
func contentOf(rr dns.RR) string {
	s := rr.String()
	h := rr.Header().String()
	return strings.TrimPrefix(s, h)
}
