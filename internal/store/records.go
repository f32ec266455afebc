package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// Record is a zone record as DNSimple's API shows it.
type Record struct {
	ID       int64
	ZoneID   int64  // the zone's numeric id
	ZoneName string // the zone's name, which DNSimple's API calls zone_id
	// Name is relative to the zone, "" at the apex; lower-case.
	Name string
	Type string
	// Content is in DNSimple's form, as zone.Record has it; MX and SRV
	// priorities are in Priority.
	Content      string
	TTL          uint32
	Priority     *uint16
	Regions      []string
	SystemRecord bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// RecordInput is a record to create.
type RecordInput struct {
	Name, Type, Content string
	TTL                 uint32   // 0 means zone.DefaultTTL
	Priority            *uint16  // MX and SRV
	Regions             []string // nil or ["global"]: Zonewarden serves every record everywhere
}

// RecordPatch changes some fields of a record; nil fields keep their values.
// A record's type cannot change.
type RecordPatch struct {
	// Type, when set, must be the record's: a type does not change (a
	// client may send the whole record back).
	Type     *string
	Name     *string
	Content  *string
	TTL      *uint32
	Priority *uint16
	Regions  []string
}

// RecordFilter selects records of a zone.
type RecordFilter struct {
	Name     *string // exactly this name ("" for the apex)
	NameLike string  // names containing this
	Type     string
}

// Batch is DNSimple's batch change: deletes, then updates, then creates,
// all applied or none.
type Batch struct {
	Creates []RecordInput
	Updates []BatchUpdate
	Deletes []int64
}

// BatchUpdate is one update of a Batch.
type BatchUpdate struct {
	ID int64
	RecordPatch
}

// BatchResult is what a Batch did.
type BatchResult struct {
	Created []Record
	Updated []Record
	Deleted []int64
}

const recordCols = "id, zone_id, name, type, content, ttl, priority, system_record, regions, created_at, updated_at"

func scanRecord(r interface{ Scan(...any) error }, zoneName string) (Record, error) {
	var (
		rec     Record
		ttl     int64
		prio    sql.NullInt64
		regions string
	)
	err := r.Scan(&rec.ID, &rec.ZoneID, &rec.Name, &rec.Type, &rec.Content, &ttl, &prio, &rec.SystemRecord, &regions, &rec.CreatedAt, &rec.UpdatedAt)
	rec.ZoneName, rec.TTL, rec.Regions = zoneName, uint32(ttl), strings.Split(regions, ",")
	if prio.Valid {
		p := uint16(prio.Int64)
		rec.Priority = &p
	}
	rec.CreatedAt, rec.UpdatedAt = rec.CreatedAt.UTC(), rec.UpdatedAt.UTC()
	return rec, err
}

func (r Record) zoneRecord() zone.Record {
	return zone.Record{Name: r.Name, Type: r.Type, Content: r.Content, TTL: r.TTL, Priority: r.Priority}
}

func (r Record) audit() map[string]any {
	return map[string]any{"id": r.ID, "zone_id": r.ZoneName, "name": r.Name, "type": r.Type, "content": r.Content,
		"ttl": r.TTL, "priority": r.Priority, "regions": r.Regions, "system_record": r.SystemRecord}
}

// recordSort is the sort keys of Records.
var recordSort = []string{"id", "name", "content", "type", "ttl"}

// Records returns one page of the records of one of an account's zones,
// system records included. Sort keys: id, name, content, type (DNSimple's)
// and ttl (the dashboard's); strings sort by their bytes. name_like matches
// regardless of case.
//
// The zone's records are read once per version of the zone (s.snaps) and
// each list's order once per version and query: paging through a zone of n
// records costs one read of it and an O(n log n) sort, and then a read of
// the zone's row a page.
func (s *Store) Records(ctx context.Context, accountID int64, zoneName string, f RecordFilter, o ListOptions) ([]Record, Page, error) {
	terms, limit, offset, err := o.terms(func(key string) bool { return slices.Contains(recordSort, key) })
	if err != nil {
		return nil, Page{}, err
	}
	q := recordQuery{like: strings.ToLower(f.NameLike), typ: strings.ToUpper(f.Type), terms: terms}
	sn, err := s.currentVersion(ctx, accountID, zoneName)
	if err != nil {
		return nil, Page{}, fmt.Errorf("list records of zone %s: %w", zoneName, err)
	}
	if f.Name != nil {
		n, err := zone.NormalizeName(sn.zone.origin(), *f.Name)
		if err != nil {
			return nil, Page{}, fmt.Errorf("list records of zone %s: %w", sn.zone.Name, fieldError("", err))
		}
		q.name = &n
	}
	if q.all() {
		page := sn.recs[min(offset, len(sn.recs)):min(offset+limit, len(sn.recs))]
		out := make([]Record, len(page))
		for i, r := range page {
			out[i] = r.clone()
		}
		return out, o.page(len(sn.recs)), nil
	}
	ids := sn.order(q, s.snaps)
	page := ids[min(offset, len(ids)):min(offset+limit, len(ids))]
	out := make([]Record, len(page))
	for i, j := range page {
		out[i] = sn.recs[j].clone()
	}
	return out, o.page(len(ids)), nil
}

// clone copies r's pointed-to fields, so that a caller's changes stay its
// own and never reach a shared snapshot.
func (r Record) clone() Record {
	if r.Priority != nil {
		p := *r.Priority
		r.Priority = &p
	}
	r.Regions = slices.Clone(r.Regions)
	return r
}

// ZoneRecords returns every record of one of an account's zones, system
// records included, in id order: for work on the whole zone (the plan of
// an import) that pages of Records would only slow down.
func (s *Store) ZoneRecords(ctx context.Context, accountID int64, zoneName string) ([]Record, error) {
	sn, err := s.currentVersion(ctx, accountID, zoneName)
	if err != nil {
		return nil, fmt.Errorf("read records of zone %s: %w", zoneName, err)
	}
	out := make([]Record, len(sn.recs))
	for i, r := range sn.recs {
		out[i] = r.clone()
	}
	return out, nil
}

// Record returns one record of one of an account's zones.
func (s *Store) Record(ctx context.Context, accountID int64, zoneName string, id int64) (Record, error) {
	z, err := s.Zone(ctx, accountID, zoneName)
	if err != nil {
		return Record{}, err
	}
	return recordIn(ctx, s.read(), z, id)
}

func recordIn(ctx context.Context, d db, z Zone, id int64) (Record, error) {
	r, err := scanRecord(d.row(ctx, "SELECT "+recordCols+" FROM records WHERE zone_id = ? AND id = ?", z.ID, id), z.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, fmt.Errorf("find record %d in zone %s: %w", id, z.Name, zone.ErrNotFound)
	}
	if err != nil {
		return Record{}, fmt.Errorf("find record %d in zone %s: %w", id, z.Name, err)
	}
	return r, nil
}

// CreateRecord adds a record to one of an account's zones.
func (s *Store) CreateRecord(ctx context.Context, a Actor, accountID int64, zoneName string, in RecordInput) (Record, error) {
	var out Record
	err := s.writeZone(ctx, a, accountID, zoneName, "record.create", func(w *zoneWrite) {
		w.create("", in)
	}, func(res BatchResult) { out = res.Created[0] })
	return out, err
}

// UpdateRecord changes a record of one of an account's zones.
func (s *Store) UpdateRecord(ctx context.Context, a Actor, accountID int64, zoneName string, id int64, p RecordPatch) (Record, error) {
	var out Record
	err := s.writeZone(ctx, a, accountID, zoneName, "record.update", func(w *zoneWrite) {
		w.update("", id, p)
	}, func(res BatchResult) { out = res.Updated[0] })
	return out, err
}

// DeleteRecord deletes a record of one of an account's zones.
func (s *Store) DeleteRecord(ctx context.Context, a Actor, accountID int64, zoneName string, id int64) error {
	return s.writeZone(ctx, a, accountID, zoneName, "record.delete", func(w *zoneWrite) {
		w.delete("", id)
	}, nil)
}

// BatchChange applies DNSimple's batch change to one of an account's zones:
// its deletes, then its updates, then its creates, validated together, in
// one transaction. Field errors name the change: "creates[1].content".
func (s *Store) BatchChange(ctx context.Context, a Actor, accountID int64, zoneName string, b Batch) (BatchResult, error) {
	var out BatchResult
	err := s.writeZone(ctx, a, accountID, zoneName, "zone.batch_change", func(w *zoneWrite) {
		for i, id := range b.Deletes {
			w.delete(fmt.Sprintf("deletes[%d].", i), id)
		}
		for i, u := range b.Updates {
			w.update(fmt.Sprintf("updates[%d].", i), u.ID, u.RecordPatch)
		}
		for i, c := range b.Creates {
			w.create(fmt.Sprintf("creates[%d].", i), c)
		}
	}, func(res BatchResult) { out = res })
	if err != nil {
		return BatchResult{}, err
	}
	return out, nil
}

// ZoneData returns everything served for a zone: all its records, the SOA
// with the current serial among them, as the DNS engine and zone transfers
// take them. A deactivated zone is not served: ErrNotFound, as for a zone
// not hosted here. It is not account-scoped: internal use.
func (s *Store) ZoneData(ctx context.Context, zoneName string) (*zone.Zone, error) {
	return s.zoneData(ctx, zoneName, true)
}

// ZoneContents returns a zone's records as ZoneData does, whether the zone
// is served or deactivated: what its zone file shows. It is not
// account-scoped.
func (s *Store) ZoneContents(ctx context.Context, zoneName string) (*zone.Zone, error) {
	return s.zoneData(ctx, zoneName, false)
}

func (s *Store) zoneData(ctx context.Context, zoneName string, served bool) (*zone.Zone, error) {
	name := lookupName(zoneName)
	z := &zone.Zone{Origin: zone.CanonicalName(name)}
	err := s.readTx(ctx, func(d db) error {
		var (
			id     int64
			active bool
		)
		err := d.row(ctx, "SELECT id, active FROM zones WHERE name = ?", name).Scan(&id, &active)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find zone %s: %w", name, zone.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if served && !active {
			return fmt.Errorf("zone %s is deactivated: %w", name, zone.ErrNotFound)
		}
		rows, err := d.query(ctx, "SELECT id, name, type, content, ttl, priority FROM records WHERE zone_id = ? ORDER BY id", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			_, rr, err := scanRR(rows, z.Origin)
			if err != nil {
				return err
			}
			z.Records = append(z.Records, rr)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read zone %s: %w", name, err)
	}
	z.Normalize()
	return z, nil
}

// scanRR reads id, name, type, content, ttl, priority and converts them.
func scanRR(rows *sql.Rows, origin string) (int64, dns.RR, error) {
	var (
		id   int64
		r    zone.Record
		ttl  int64
		prio sql.NullInt64
	)
	if err := rows.Scan(&id, &r.Name, &r.Type, &r.Content, &ttl, &prio); err != nil {
		return 0, nil, err
	}
	r.TTL = uint32(ttl)
	if prio.Valid {
		p := uint16(prio.Int64)
		r.Priority = &p
	}
	rr, err := r.StoredRR(origin)
	if err != nil {
		// Not wrapped: a stored record that no longer converts is the
		// store's fault, not the caller's input.
		return 0, nil, fmt.Errorf("convert stored record %d: %s", id, err.Error())
	}
	return id, rr, nil
}

// change is one staged record write: a create (rec without old), an update
// (both) or a delete (old without rec).
type change struct {
	field string // prefix of field errors: "" or "creates[0]."
	old   *Record
	oldRR dns.RR
	rec   *Record
	rr    dns.RR
}

// zoneWrite stages the changes of one write to one zone.
type zoneWrite struct {
	ctx     context.Context
	d       db
	z       Zone
	changes []*change
	fields  []FieldError
	err     error // an error that is not a field's: not found, database
}

func (w *zoneWrite) fail(field string, err error) {
	var re *zone.RecordError
	var ve *ValidationError
	switch {
	case errors.As(err, &re):
		w.fields = append(w.fields, FieldError{Field: field + re.Field, Msg: re.Msg})
	case errors.As(err, &ve):
		for _, f := range ve.Fields {
			w.fields = append(w.fields, FieldError{Field: field + f.Field, Msg: f.Msg})
		}
	case w.err == nil:
		w.err = err
	}
}

// build turns r into the record stored and the RR served.
func (w *zoneWrite) build(field string, r zone.Record, regions []string) (*Record, dns.RR, bool) {
	if strings.EqualFold(strings.TrimSpace(r.Type), "SOA") {
		w.fail(field, invalid("type", "SOA records are managed by Zonewarden"))
		return nil, nil, false
	}
	for _, reg := range regions {
		if reg != "global" {
			w.fail(field, invalid("regions", fmt.Sprintf("%q: Zonewarden serves every record from every name server; the only region is global", reg)))
			return nil, nil, false
		}
	}
	rr, err := r.RR(w.z.origin())
	if err != nil {
		w.fail(field, err)
		return nil, nil, false
	}
	c := zone.RecordFromRR(w.z.origin(), rr)
	rec := &Record{ZoneID: w.z.ID, ZoneName: w.z.Name, Name: c.Name, Type: c.Type, Content: c.Content, TTL: c.TTL, Regions: []string{"global"}}
	if c.Priority != nil {
		p := *c.Priority
		rec.Priority = &p
	}
	return rec, rr, true
}

func (w *zoneWrite) create(field string, in RecordInput) {
	rec, rr, ok := w.build(field, zone.Record{Name: in.Name, Type: in.Type, Content: in.Content, TTL: in.TTL, Priority: in.Priority}, in.Regions)
	if ok {
		w.changes = append(w.changes, &change{field: field, rec: rec, rr: rr})
	}
}

// existing reads a record the write changes; system records are refused.
func (w *zoneWrite) existing(field string, id int64) (*Record, dns.RR, bool) {
	for _, c := range w.changes {
		if c.old != nil && c.old.ID == id {
			w.fail(field, invalid("id", fmt.Sprintf("record %d is changed twice", id)))
			return nil, nil, false
		}
	}
	old, err := recordIn(w.ctx, w.d, w.z, id)
	if err != nil {
		w.fail(field, err)
		return nil, nil, false
	}
	if old.SystemRecord {
		w.fail(field, invalid("id", fmt.Sprintf("record %d is a system record, which Zonewarden manages", id)))
		return nil, nil, false
	}
	rr, err := old.zoneRecord().StoredRR(w.z.origin())
	if err != nil {
		w.fail(field, fmt.Errorf("convert stored record %d: %s", id, err.Error()))
		return nil, nil, false
	}
	return &old, rr, true
}

func (w *zoneWrite) update(field string, id int64, p RecordPatch) {
	old, oldRR, ok := w.existing(field, id)
	if !ok {
		return
	}
	r := old.zoneRecord()
	if p.Type != nil && !strings.EqualFold(strings.TrimSpace(*p.Type), old.Type) {
		to := strings.ToUpper(strings.TrimSpace(*p.Type))
		w.fail(field, invalid("type", fmt.Sprintf("%s record cannot become %s: delete it and create %s record", article(old.Type), to, article(to))))
		return
	}
	if p.Name != nil {
		r.Name = *p.Name
	}
	if p.Content != nil {
		r.Content = *p.Content
	}
	if p.TTL != nil {
		r.TTL = *p.TTL
	}
	if p.Priority != nil {
		r.Priority = p.Priority
	}
	rec, rr, ok := w.build(field, r, p.Regions)
	if !ok {
		return
	}
	rec.ID, rec.CreatedAt = old.ID, old.CreatedAt
	w.changes = append(w.changes, &change{field: field, old: old, oldRR: oldRR, rec: rec, rr: rr})
}

func (w *zoneWrite) delete(field string, id int64) {
	old, oldRR, ok := w.existing(field, id)
	if ok {
		w.changes = append(w.changes, &change{field: field, old: old, oldRR: oldRR})
	}
}

// writeZone is one user intent on one zone's records, in one transaction:
// stage stages the changes; they are validated against the zone, written,
// the serial is bumped, the journal and the audit log appended; done sees
// what was written.
func (s *Store) writeZone(ctx context.Context, a Actor, accountID int64, zoneName, action string, stage func(*zoneWrite), done func(BatchResult)) error {
	var res BatchResult
	err := s.tx(ctx, func(d db) error {
		z, err := s.lockZone(ctx, d, accountID, zoneName)
		if err != nil {
			return err
		}
		if z.Secondary {
			return secondaryWriteRefused(z.Name)
		}
		w := &zoneWrite{ctx: ctx, d: d, z: z}
		stage(w)
		if w.err != nil {
			return w.err
		}
		if len(w.fields) > 0 {
			return &ValidationError{Fields: w.fields}
		}
		if len(w.changes) == 0 {
			return nil // nothing to write, journal or bump
		}
		soa, err := s.validate(ctx, d, w)
		if err != nil {
			return err
		}
		res, err = s.apply(ctx, d, a, action, w, soa)
		return err
	})
	if err != nil {
		return fmt.Errorf("change zone %s: %w", zoneName, err)
	}
	if done != nil {
		done(res)
	}
	return nil
}

// validate checks the zone as the changes would leave it and returns its
// SOA. It reads only the records the changes can conflict with: those at
// the names changed and their ancestors (CNAME, ALIAS and DNAME rules, the
// apex's SOA and NS), and those below a DNAME added. The record limit is
// checked on the whole zone's count.
func (s *Store) validate(ctx context.Context, d db, w *zoneWrite) (*dns.SOA, error) {
	origin := w.z.origin()
	names := map[string]bool{"": true}
	var below []string
	whole := false
	for _, c := range w.changes {
		for _, r := range []*Record{c.old, c.rec} {
			if r == nil {
				continue
			}
			for n := r.Name; n != ""; {
				names[n] = true
				_, rest, ok := strings.Cut(n, ".")
				if !ok {
					break
				}
				n = rest
			}
		}
		if c.rec != nil && c.rec.Type == "DNAME" {
			if c.rec.Name == "" {
				whole = true
			}
			below = append(below, c.rec.Name)
		}
	}
	// A very large write reads the whole zone rather than a long IN list
	// (both engines take tens of thousands of parameters).
	whole = whole || len(names)+len(below) > 10000
	q, args := "SELECT id, name, type, content, ttl, priority FROM records WHERE zone_id = ?", []any{w.z.ID}
	if !whole {
		var conds []string
		var list []any
		for n := range names {
			list = append(list, n)
		}
		conds = append(conds, "name IN "+inList(len(list)))
		args = append(args, list...)
		for _, n := range below {
			conds = append(conds, `name LIKE ? ESCAPE '\'`)
			args = append(args, likeSuffix(n))
		}
		q += " AND (" + strings.Join(conds, " OR ") + ")"
	}
	rows, err := d.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read records to validate: %w", err)
	}
	current := map[int64]dns.RR{}
	var order []int64
	for rows.Next() {
		id, rr, err := scanRR(rows, origin)
		if err != nil {
			rows.Close()
			return nil, err
		}
		current[id] = rr
		order = append(order, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read records to validate: %w", err)
	}

	var soa *dns.SOA
	zz := &zone.Zone{Origin: origin}
	for _, id := range order {
		if rr, ok := current[id]; ok {
			if t, ok := rr.(*dns.SOA); ok {
				soa = t
			}
		}
	}
	removed := map[int64]bool{}
	creates, deletes := 0, 0
	for _, c := range w.changes {
		if c.old != nil {
			removed[c.old.ID] = true
		}
		switch {
		case c.old == nil:
			creates++
		case c.rec == nil:
			deletes++
		}
	}
	for _, id := range order {
		if !removed[id] {
			zz.Records = append(zz.Records, current[id])
		}
	}
	// Duplicates can only be among records of one name and type: look
	// there, not through the zone, which made a large batch quadratic.
	type rrset struct {
		name   string
		rrtype uint16
	}
	sets := map[rrset][]dns.RR{}
	keyOf := func(rr dns.RR) rrset { return rrset{strings.ToLower(rr.Header().Name), rr.Header().Rrtype} }
	for _, rr := range zz.Records {
		k := keyOf(rr)
		sets[k] = append(sets[k], rr)
	}
	var fields []FieldError
	for _, c := range w.changes {
		if c.rr == nil {
			continue
		}
		k := keyOf(c.rr)
		for _, other := range sets[k] {
			if dns.IsDuplicate(c.rr, other) {
				fields = append(fields, FieldError{Field: c.field + "content", Msg: fmt.Sprintf("the zone already has this %s record at %s", c.rec.Type, displayName(c.rec.Name, w.z.Name))})
				break
			}
		}
		sets[k] = append(sets[k], c.rr)
		zz.Records = append(zz.Records, c.rr)
	}
	if len(fields) > 0 {
		return nil, &ValidationError{Fields: fields}
	}
	if err := zz.Validate(); err != nil {
		return nil, w.zoneProblems(err)
	}
	if soa == nil {
		return nil, fmt.Errorf("zone %s has no SOA record", w.z.Name)
	}
	if creates > deletes {
		var n int
		if err := d.row(ctx, "SELECT record_count FROM zones WHERE id = ?", w.z.ID).Scan(&n); err != nil {
			return nil, fmt.Errorf("count records: %w", err)
		}
		if total := n + creates - deletes; total > s.cfg.recordLimit {
			return nil, invalid("", fmt.Sprintf("the zone would have %d records, more than the limit of %d", total, s.cfg.recordLimit))
		}
	}
	return soa, nil
}

func displayName(rel, zoneName string) string {
	if rel == "" {
		return zoneName
	}
	return rel + "." + zoneName
}

// zoneProblems turns the zone's validation error into field errors. Each
// problem is about a name: what else is at it, or above it. It is put on
// the name of the change at fault, so that a batch says which of its
// changes clashed ("creates[3].name").
func (w *zoneWrite) zoneProblems(err error) error {
	errs := []error{err}
	if j, ok := errors.Unwrap(err).(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	ve := &ValidationError{}
	for _, e := range errs {
		msg, at := e.Error(), dns.RR(nil)
		var pe *zone.ParseError
		if errors.As(e, &pe) {
			msg, at = pe.Msg, pe.RR
		}
		ve.Fields = append(ve.Fields, FieldError{Field: w.culprit(at) + "name", Msg: msg})
	}
	return ve
}

// culprit is the field prefix of the change a problem found at rr is
// about. validate puts the zone's records before the changes, so a clash
// is found at the change that writes rr; a problem found at a record of
// the zone is one a change above it made (a DNAME over existing names).
// With no such change, the write's only change, or none ("").
func (w *zoneWrite) culprit(rr dns.RR) string {
	if rr != nil {
		for _, c := range w.changes {
			if c.rr == rr {
				return c.field
			}
		}
		for _, c := range w.changes {
			if c.rr != nil && c.rr.Header().Rrtype == dns.TypeDNAME && dns.IsSubDomain(c.rr.Header().Name, rr.Header().Name) {
				return c.field
			}
		}
	}
	if len(w.changes) == 1 {
		return w.changes[0].field
	}
	return ""
}

// apply writes validated changes, bumps the serial and journals and audits
// the write.
func (s *Store) apply(ctx context.Context, d db, a Actor, action string, w *zoneWrite, soa *dns.SOA) (BatchResult, error) {
	var res BatchResult
	t := now()
	var removed, added []dns.RR
	var insert *sql.Stmt
	for _, c := range w.changes {
		switch {
		case c.rec == nil:
			if _, err := d.exec(ctx, "DELETE FROM records WHERE id = ?", c.old.ID); err != nil {
				return res, fmt.Errorf("delete record %d: %w", c.old.ID, err)
			}
			res.Deleted = append(res.Deleted, c.old.ID)
		case c.old != nil:
			c.rec.UpdatedAt = t
			if _, err := d.exec(ctx, "UPDATE records SET name = ?, content = ?, ttl = ?, priority = ?, regions = ?, updated_at = ? WHERE id = ?",
				c.rec.Name, c.rec.Content, int64(c.rec.TTL), prioArg(c.rec.Priority), strings.Join(c.rec.Regions, ","), t, c.rec.ID); err != nil {
				return res, fmt.Errorf("update record %d: %w", c.rec.ID, err)
			}
			res.Updated = append(res.Updated, *c.rec)
		default:
			c.rec.CreatedAt, c.rec.UpdatedAt = t, t
			if insert == nil {
				// Prepared once per write: parsing the statement again for
				// each record was half the cost of a large batch.
				var err error
				if insert, err = d.prepare(ctx, "INSERT INTO records (zone_id, name, type, content, ttl, priority, system_record, regions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"); err != nil {
					return res, fmt.Errorf("create record: %w", err)
				}
				defer insert.Close()
			}
			if err := insert.QueryRowContext(ctx, w.z.ID, c.rec.Name, c.rec.Type, c.rec.Content, int64(c.rec.TTL), prioArg(c.rec.Priority), false, strings.Join(c.rec.Regions, ","), t, t).Scan(&c.rec.ID); err != nil {
				return res, fmt.Errorf("create record: %w", err)
			}
			res.Created = append(res.Created, *c.rec)
		}
		if c.oldRR != nil {
			removed = append(removed, c.oldRR)
		}
		if c.rr != nil {
			added = append(added, c.rr)
		}
	}

	if _, err := s.bumpSerial(ctx, d, w.z, soa, t, len(res.Created)-len(res.Deleted), removed, added); err != nil {
		return res, err
	}

	if err := s.emit(ctx, d, a, w.z.AccountID, recordEvents(w)...); err != nil {
		return res, err
	}
	if len(w.changes) == 1 && strings.HasPrefix(action, "record.") {
		c := w.changes[0]
		var before, after any
		id := int64(0)
		if c.old != nil {
			before, id = c.old.audit(), c.old.ID
		}
		if c.rec != nil {
			after, id = c.rec.audit(), c.rec.ID
		}
		return res, audit(ctx, d, a, w.z.AccountID, action, "record", id, before, after)
	}
	var before, after []map[string]any
	for _, c := range w.changes {
		if c.old != nil {
			before = append(before, c.old.audit())
		}
		if c.rec != nil {
			after = append(after, c.rec.audit())
		}
	}
	return res, audit(ctx, d, a, w.z.AccountID, action, "zone", w.z.Name, before, after)
}

func prioArg(p *uint16) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

// fieldError turns a zone.RecordError into a ValidationError under prefix.
func fieldError(prefix string, err error) error {
	var re *zone.RecordError
	if errors.As(err, &re) {
		return &ValidationError{Fields: []FieldError{{Field: prefix + re.Field, Msg: re.Msg}}}
	}
	return err
}

// article is a record type with the article a sentence gives it, as the
// type is read out: "an A", "an MX", "a CNAME", "a TXT".
func article(typ string) string {
	if typ == "" {
		return "a"
	}
	if typ == "LOC" {
		return "a LOC" // read as a word
	}
	if strings.ContainsRune("AEFHILMNORSX", rune(typ[0])) {
		return "an " + typ
	}
	return "a " + typ
}
