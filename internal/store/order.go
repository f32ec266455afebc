package store

import (
	clist "container/list"
	"sync"
	"time"
)

// orderCache keeps the ordered record ids of recent record lists, so that a
// client paging through a large zone pays for ordering it once rather than
// once a page: with LIMIT/OFFSET and a COUNT, reading every page of a zone
// is quadratic in its size.
//
// An entry is keyed by the zone's version — its id, SOA serial and
// updated_at, which every write to its records changes in the write's
// transaction — and by the query (filters and order). A reader reads the
// zone's version in the same read transaction (snapshot) as the records, so
// an entry is exact for every reader that finds it, whichever process wrote
// the zone: nothing needs invalidating; old versions age out.
type orderCache struct {
	mu      sync.Mutex
	entries map[orderKey]*clist.Element
	lru     clist.List // of *orderEntry, most recent first
	ids     int        // ids held by every entry
	maxIDs  int
}

type orderKey struct {
	zoneID  int64
	serial  uint32
	updated time.Time
	query   string // the WHERE clause's arguments and the ORDER BY
}

type orderEntry struct {
	key orderKey
	ids []int64
}

// orderCacheIDs bounds the ids the cache holds: 16 MB, the orders of
// twenty 100,000-record zones.
const orderCacheIDs = 2 << 20

// orderCacheMin is the fewest ids worth caching: a list of one page costs
// as much to read again as to look up.
const orderCacheMin = maxPerPage

func newOrderCache(maxIDs int) *orderCache {
	return &orderCache{entries: map[orderKey]*clist.Element{}, maxIDs: maxIDs}
}

func (c *orderCache) get(k orderKey) ([]int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*orderEntry).ids, true
}

// put keeps ids, which the caller must not change afterwards, evicting the
// least recently used entries beyond the bound.
func (c *orderCache) put(k orderKey, ids []int64) {
	if len(ids) < orderCacheMin || len(ids) > c.maxIDs {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; ok {
		return
	}
	c.entries[k] = c.lru.PushFront(&orderEntry{key: k, ids: ids})
	c.ids += len(ids)
	for c.ids > c.maxIDs {
		last := c.lru.Back()
		e := last.Value.(*orderEntry)
		c.lru.Remove(last)
		delete(c.entries, e.key)
		c.ids -= len(e.ids)
	}
}
