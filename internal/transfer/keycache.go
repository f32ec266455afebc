package transfer

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/zonewarden/zonewarden/internal/tsig"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// keySource finds TSIG keys by name.
type keySource interface {
	TSIGKey(ctx context.Context, name string) (tsig.Key, error)
}

// keyCache keeps the keys looked up, and the names found missing, for a few
// seconds: a flood of signed queries, which UDP workers answer inline, must
// not turn into a flood of database reads. Removing a key takes effect
// when its entry expires.
type keyCache struct {
	src keySource
	ttl time.Duration
	max int

	mu sync.Mutex
	m  map[string]cachedKey
}

type cachedKey struct {
	key   tsig.Key
	err   error // zone.ErrNotFound, or nil
	until time.Time
}

func newKeyCache(src keySource, ttl time.Duration) *keyCache {
	return &keyCache{src: src, ttl: ttl, max: 1024, m: map[string]cachedKey{}}
}

func (c *keyCache) TSIGKey(ctx context.Context, name string) (tsig.Key, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.key, e.err
	}
	k, err := c.src.TSIGKey(ctx, name)
	if err != nil && !errors.Is(err, zone.ErrNotFound) {
		return tsig.Key{}, err // the database's trouble: not cached
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m) // names made up by a stranger fill it: start over
	}
	c.m[name] = cachedKey{key: k, err: err, until: now.Add(c.ttl)}
	c.mu.Unlock()
	return k, err
}
