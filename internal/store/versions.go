package store

import (
	"cmp"
	clist "container/list"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// versionCache keeps the records of recent versions of zones in memory, so
// that a client paging through a large zone reads it from the database once
// rather than once a page, and each page costs a read of the zone's row.
//
// An entry is keyed by the zone's version: its id, SOA serial and
// updated_at, which every write to its records changes in the write's
// transaction. A snapshot is read in one read transaction with the version
// it is filed under, so an entry is exact for every reader that finds it,
// whichever process wrote the zone: nothing needs invalidating; old
// versions age out. Filters and orders are applied in memory, in byte order
// of the columns, so that a list is ordered alike on both databases whatever
// PostgreSQL's collation.
type versionCache struct {
	mu      sync.Mutex
	entries map[versionKey]*clist.Element
	lru     clist.List // of *zoneVersion, most recent first
	held    int        // bytes held by every entry, roughly
	max     int
}

type versionKey struct {
	zoneID  int64
	serial  uint32
	updated int64 // updated_at in Unix nanoseconds: time.Time's == also compares locations
}

func versionOf(z Zone) versionKey {
	return versionKey{zoneID: z.ID, serial: z.Serial, updated: z.UpdatedAt.UnixNano()}
}

// zoneVersion is the records of one version of a zone, in id order, and the
// orders of the lists read from it. Its records are shared by every reader
// of that version: nobody may change them.
type zoneVersion struct {
	key   versionKey
	zone  Zone // as read with the records
	ready chan struct{}
	recs  []Record // set with err before ready is closed
	err   error

	mu     sync.Mutex
	orders map[string][]int32 // by recordQuery.key

	// Under the cache's mu: whether sn is in the cache, and what of its
	// held it counts.
	cached bool
	held   int
}

// versionCacheBytes bounds what the cache holds: the records of about ten
// 100,000-record zones and a few orders of each. A zone larger than that
// is read for each list.
const versionCacheBytes = 256 << 20

// recordBytes is roughly what a Record in a version takes besides its
// name and content: the struct, its times and shared strings.
const recordBytes = 192

// versionBytes is roughly what recs hold in memory.
func versionBytes(recs []Record) int {
	n := len(recs) * recordBytes
	for i := range recs {
		n += len(recs[i].Name) + len(recs[i].Content)
	}
	return n
}

// orderBytes is what an index in an order takes.
const orderBytes = 4

// maxOrders bounds the orders kept per snapshot; further queries are
// ordered for each request.
const maxOrders = 16

func newVersionCache(max int) *versionCache {
	return &versionCache{entries: map[versionKey]*clist.Element{}, max: max}
}

// acquire returns the snapshot of version k; load is true when the caller
// must load it and then call done.
func (c *versionCache) acquire(k versionKey) (sn *zoneVersion, load bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[k]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*zoneVersion), false
	}
	sn = &zoneVersion{key: k, ready: make(chan struct{}), orders: map[string][]int32{}, cached: true}
	c.entries[k] = c.lru.PushFront(sn)
	return sn, true
}

// done publishes what the loader of sn read: the records of version got,
// which is sn's version unless a write came between the caller's read of
// the zone and its load. A failed load or a version other than sn's leaves
// the cache; waiters see the result either way (a later version serves
// them as well as theirs).
func (c *versionCache) done(sn *zoneVersion, z Zone, recs []Record, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sn.zone, sn.recs, sn.err = z, recs, err
	close(sn.ready)
	if !sn.cached {
		return
	}
	size := versionBytes(recs)
	if err != nil || versionOf(z) != sn.key || size > c.max {
		c.remove(c.entries[sn.key])
		return
	}
	sn.held += size
	c.held += size
	c.evict()
}

// keepOrder keeps o, the order of query k, in sn, unless another reader
// kept one meanwhile (then that one is returned) or sn has enough.
func (c *versionCache) keepOrder(sn *zoneVersion, k string, o []int32) []int32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	sn.mu.Lock()
	if prev, ok := sn.orders[k]; ok {
		sn.mu.Unlock()
		return prev
	}
	if len(sn.orders) >= maxOrders {
		sn.mu.Unlock()
		return o
	}
	sn.orders[k] = o
	sn.mu.Unlock()
	if sn.cached {
		sn.held += len(o) * orderBytes
		c.held += len(o) * orderBytes
		c.evict()
	}
	return o
}

func (c *versionCache) evict() {
	for c.held > c.max {
		c.remove(c.lru.Back())
	}
}

// remove takes e out of the cache; c.mu is held.
func (c *versionCache) remove(e *clist.Element) {
	sn := e.Value.(*zoneVersion)
	c.lru.Remove(e)
	delete(c.entries, sn.key)
	sn.cached = false
	c.held -= sn.held
	sn.held = 0
}

// currentVersion returns the records of the current version of one of an
// account's zones, from the cache or read into it, and that version.
func (s *Store) currentVersion(ctx context.Context, accountID int64, zoneName string) (*zoneVersion, error) {
	z, err := s.zone(ctx, s.read(), accountID, zoneName, false)
	if err != nil {
		return nil, err
	}
	sn, load := s.snaps.acquire(versionOf(z))
	if load {
		var (
			z    Zone
			recs []Record
			err  = errors.New("reading the zone's records stopped short") // if readVersion panics
		)
		func() {
			// Deferred, so that waiters are never left waiting.
			defer func() { s.snaps.done(sn, z, recs, err) }()
			z, recs, err = s.readVersion(ctx, accountID, zoneName)
		}()
	} else {
		select {
		case <-sn.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if sn.err != nil {
		// The loader's failure may be its own (its request ended): try
		// once more, for this caller alone.
		z, recs, err := s.readVersion(ctx, accountID, zoneName)
		if err != nil {
			return nil, err
		}
		return &zoneVersion{key: versionOf(z), zone: z, recs: recs, orders: map[string][]int32{}}, nil
	}
	return sn, nil
}

// readVersion reads a zone and its records, in id order, in one snapshot
// of the database.
func (s *Store) readVersion(ctx context.Context, accountID int64, zoneName string) (Zone, []Record, error) {
	var (
		z    Zone
		recs []Record
	)
	err := s.readTx(ctx, func(d db) error {
		var err error
		if z, err = s.zone(ctx, d, accountID, zoneName, false); err != nil {
			return err
		}
		if recs, err = versionRecords(ctx, d, z); err != nil {
			return fmt.Errorf("read records of zone %s: %w", z.Name, err)
		}
		return nil
	})
	return z, recs, err
}

// versionRecords reads every record of z, in id order, for a version:
// a read of a whole zone, which for a large one must be quick. So the rows
// come in index order and are sorted here (SQLite would sort them in a
// temporary b-tree); SQLite's times come as text and are parsed here (its
// driver tries layouts in turn); the few distinct types and region lists
// are shared, which a version may do as nobody changes its records.
func versionRecords(ctx context.Context, d db, z Zone) ([]Record, error) {
	created, updated := "created_at", "updated_at"
	if !d.pg {
		created, updated = "created_at || ''", "updated_at || ''"
	}
	// Growing a slice of 100,000 records step by step copies them a dozen
	// times over; the zone's count, read in the same snapshot, sizes it.
	var count int
	if err := d.row(ctx, "SELECT record_count FROM zones WHERE id = ?", z.ID).Scan(&count); err != nil {
		return nil, err
	}
	rows, err := d.query(ctx, "SELECT id, name, type, content, ttl, priority, system_record, regions, "+created+", "+updated+
		" FROM records WHERE zone_id = ?", z.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		recs    = make([]Record, 0, count)
		types   = map[string]string{}
		regions = map[string][]string{}
	)
	for rows.Next() {
		var (
			r            = Record{ZoneID: z.ID, ZoneName: z.Name}
			typ, regs    sql.RawBytes
			ttl          int64
			prio         sql.NullInt64
			cText, uText sql.RawBytes
			err          error
		)
		if d.pg {
			err = rows.Scan(&r.ID, &r.Name, &typ, &r.Content, &ttl, &prio, &r.SystemRecord, &regs, &r.CreatedAt, &r.UpdatedAt)
		} else {
			err = rows.Scan(&r.ID, &r.Name, &typ, &r.Content, &ttl, &prio, &r.SystemRecord, &regs, &cText, &uText)
		}
		if err != nil {
			return nil, err
		}
		if !d.pg {
			if r.CreatedAt, err = parseSQLiteTime(cText); err != nil {
				return nil, fmt.Errorf("record %d: created_at: %w", r.ID, err)
			}
			if r.UpdatedAt, err = parseSQLiteTime(uText); err != nil {
				return nil, fmt.Errorf("record %d: updated_at: %w", r.ID, err)
			}
		}
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		if t, ok := types[string(typ)]; ok {
			r.Type = t
		} else {
			r.Type = string(typ)
			types[r.Type] = r.Type
		}
		if rs, ok := regions[string(regs)]; ok {
			r.Regions = rs
		} else {
			r.Regions = strings.Split(string(regs), ",")
			regions[string(regs)] = r.Regions
		}
		r.TTL = uint32(ttl)
		if prio.Valid {
			p := uint16(prio.Int64)
			r.Priority = &p
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byID := func(a, b Record) int { return cmp.Compare(a.ID, b.ID) }
	if slices.IsSortedFunc(recs, byID) {
		return recs, nil
	}
	// Sorting indexes and copying each record once moves far less than
	// sorting the records themselves.
	perm := make([]int32, len(recs))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(i, j int32) int { return byID(recs[i], recs[j]) })
	out := make([]Record, len(recs))
	for i, j := range perm {
		out[i] = recs[j]
	}
	return out, nil
}

// sqliteTimeLayout is how the SQLite driver writes times.
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// sqliteTimeLayouts are the layouts a time in SQLite may have besides
// sqliteTimeLayout, as the driver reads them: written by hand or by
// another tool, say. Without an offset, a time is UTC.
var sqliteTimeLayouts = []string{
	sqliteTimeLayout,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseSQLiteTime parses a time as the SQLite driver writes it,
// "2026-01-02 03:04:05.123456+00:00", without the general parser for the
// usual case: a zone's worth of them is read at once.
func parseSQLiteTime(b []byte) (time.Time, error) {
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, len(s) > 0
	}
	slow := func() (time.Time, error) {
		var err error
		for _, l := range sqliteTimeLayouts {
			var t time.Time
			if t, err = time.Parse(l, string(b)); err == nil {
				return t, nil
			}
		}
		return time.Time{}, err
	}
	if len(b) < 25 || b[4] != '-' || b[7] != '-' || b[10] != ' ' || b[13] != ':' || b[16] != ':' {
		return slow()
	}
	year, ok1 := num(b[0:4])
	month, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hour, ok4 := num(b[11:13])
	minute, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	rest := b[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		digits := rest[1:i]
		if len(digits) == 0 || len(digits) > 9 {
			return slow()
		}
		n, _ := num(digits)
		for range 9 - len(digits) {
			n *= 10
		}
		nsec, rest = n, rest[i:]
	}
	if len(rest) != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' {
		return slow()
	}
	oh, ok7 := num(rest[1:3])
	om, ok8 := num(rest[4:6])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && ok8) || month < 1 || month > 12 || day < 1 || day > 31 ||
		hour > 23 || minute > 59 || sec > 59 || oh > 23 || om > 59 {
		return slow()
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day {
		return slow() // 31 February: the slow path's error
	}
	off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
	if rest[0] == '+' {
		off = -off
	}
	return t.Add(off), nil
}

// recordQuery is a list of a zone's records: filters and order.
type recordQuery struct {
	name  *string // relative and lower-case, as stored
	like  string  // lower-case
	typ   string  // upper-case
	terms []sortTerm
}

func (q recordQuery) key() string {
	var b strings.Builder
	if q.name != nil {
		fmt.Fprintf(&b, "name=%q ", *q.name)
	}
	fmt.Fprintf(&b, "like=%q type=%q", q.like, q.typ)
	for _, t := range q.terms {
		fmt.Fprintf(&b, " %s:%t", t.key, t.desc)
	}
	return b.String()
}

// keep reports whether r is in the list. Names are stored lower-case, so
// comparing them with a lower-cased filter matches regardless of case, as
// SQLite's LIKE did.
func (q recordQuery) keep(r *Record) bool {
	return (q.name == nil || r.Name == *q.name) &&
		(q.like == "" || strings.Contains(r.Name, q.like)) &&
		(q.typ == "" || r.Type == q.typ)
}

func (q recordQuery) compare(a, b *Record) int {
	for _, t := range q.terms {
		var c int
		switch t.key {
		case "id":
			c = cmp.Compare(a.ID, b.ID)
		case "name":
			c = strings.Compare(a.Name, b.Name)
		case "content":
			c = strings.Compare(a.Content, b.Content)
		case "type":
			c = strings.Compare(a.Type, b.Type)
		case "ttl":
			c = cmp.Compare(a.TTL, b.TTL)
		}
		if t.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(a.ID, b.ID)
}

// all reports whether q lists every record in id order, which is sn.recs.
func (q recordQuery) all() bool {
	return q.name == nil && q.like == "" && q.typ == "" && len(q.terms) == 0
}

// order returns the indexes in sn.recs of the records in q's list, in its
// order, and keeps it in sn for later pages.
func (sn *zoneVersion) order(q recordQuery, cache *versionCache) []int32 {
	k := q.key()
	sn.mu.Lock()
	o, ok := sn.orders[k]
	sn.mu.Unlock()
	if ok {
		return o
	}
	o = make([]int32, 0, len(sn.recs))
	for i := range sn.recs {
		if q.keep(&sn.recs[i]) {
			o = append(o, int32(i))
		}
	}
	if len(q.terms) > 0 {
		slices.SortFunc(o, func(i, j int32) int { return q.compare(&sn.recs[i], &sn.recs[j]) })
	}
	return cache.keepOrder(sn, k, o)
}
