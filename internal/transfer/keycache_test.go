package transfer

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zonewarden/zonewarden/internal/tsig"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// countingKeys counts lookups.
type countingKeys struct {
	n    int
	keys map[string]tsig.Key
}

func (c *countingKeys) TSIGKey(_ context.Context, name string) (tsig.Key, error) {
	c.n++
	if k, ok := c.keys[name]; ok {
		return k, nil
	}
	return tsig.Key{}, zone.ErrNotFound
}

func TestKeyCache(t *testing.T) {
	// In a bubble the clock moves only by the Sleep below: a slow machine
	// must not expire entries between the lookups that expect them cached.
	synctest.Test(t, func(t *testing.T) {
		src := &countingKeys{keys: map[string]tsig.Key{"a.": {Name: "a.", Secret: "x"}}}
		c := newKeyCache(src, 50*time.Millisecond)
		c.max = 3
		ctx := context.Background()
		for range 3 {
			if k, err := c.TSIGKey(ctx, "a."); err != nil || k.Secret != "x" {
				t.Fatal(k, err)
			}
			if _, err := c.TSIGKey(ctx, "nobody."); !errors.Is(err, zone.ErrNotFound) {
				t.Fatal(err)
			}
		}
		if src.n != 2 {
			t.Errorf("%d lookups, want 2", src.n)
		}
		delete(src.keys, "a.") // removed
		time.Sleep(60 * time.Millisecond)
		if _, err := c.TSIGKey(ctx, "a."); !errors.Is(err, zone.ErrNotFound) {
			t.Errorf("removed key still found after the cache's time: %v", err)
		}
		for _, n := range []string{"b.", "c.", "d.", "e."} {
			c.TSIGKey(ctx, n)
		}
		if len(c.m) > c.max {
			t.Errorf("cache holds %d names, max %d", len(c.m), c.max)
		}
	})
}
