package alias_test

import (
	"context"
	"fmt"
	"time"

	"github.com/zonewarden/zonewarden/internal/alias"
)

// A Resolver runs beside the DNS server; the engine reads from it on every
// A or AAAA query at an ALIAS owner.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	r := alias.New(alias.Config{Upstream: []string{"127.0.0.53:53", "[::1]:53"}})
	go r.Run(ctx)

	// After each zone load: the targets of all ALIAS records.
	r.Watch([]string{"foo.herokuapp.com."})

	if rdata, ttl, ok := r.Addresses("foo.herokuapp.com.", 1); ok {
		fmt.Println(len(rdata), "addresses for", ttl, "seconds")
	}
}
