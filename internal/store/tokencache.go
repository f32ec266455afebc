package store

import (
	"sync"
	"time"
)

// tokenCache remembers recent token authentications for a moment, so that
// a client paging through a large zone costs a token lookup a second
// rather than one a request (two or three queries).
//
// Every write through the Store empties it, so that a revocation, a
// membership or role change or a deletion made by this process applies to
// the next request; one made by another process sharing the database
// applies within tokenCacheTTL.
type tokenCache struct {
	mu      sync.Mutex
	gen     uint64 // moved by every write
	entries map[string]tokenEntry
}

type tokenEntry struct {
	p     Principal
	until time.Time
}

// tokenCacheTTL is how long an authentication is taken as read.
const tokenCacheTTL = time.Second

// tokenCacheMax bounds the entries; past it the cache starts over.
const tokenCacheMax = 10000

// generation is read before a lookup whose result may be kept: put keeps
// it only if no write came in between.
func (c *tokenCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *tokenCache) get(hash string, now time.Time) (Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || !now.Before(e.until) {
		return Principal{}, false
	}
	return e.p.clone(), true
}

func (c *tokenCache) put(hash string, gen uint64, p Principal, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= tokenCacheMax {
		c.entries = map[string]tokenEntry{}
	}
	c.entries[hash] = tokenEntry{p: p.clone(), until: until}
}

// wrote forgets every authentication: a write may have changed any.
func (c *tokenCache) wrote() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// clone copies what p points to, so that a caller's changes stay its own.
func (p Principal) clone() Principal {
	if p.User != nil {
		u := *p.User
		p.User = &u
	}
	if p.Account != nil {
		a := *p.Account
		p.Account = &a
	}
	return p
}
