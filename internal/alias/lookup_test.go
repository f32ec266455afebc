package alias

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
)

var lookupZone = []string{
	"foo.example. 300 IN A 192.0.2.1",
	"foo.example. 300 IN A 192.0.2.2",
	"foo.example. 200 IN AAAA 2001:db8::1",
	"www.example. 600 IN CNAME a.example.",
	"a.example. 60 IN CNAME b.example.",
	"b.example. 120 IN A 192.0.2.3",
	"dangling.example. 600 IN CNAME nowhere.example.",
	"loop1.example. 600 IN CNAME loop2.example.",
	"loop2.example. 600 IN CNAME loop1.example.",
	"v4only.example. 300 IN A 192.0.2.4",
}

func TestLookup(t *testing.T) {
	u := newUpstream(t, lookupZone...)
	tests := []struct {
		name  string
		qtype uint16
		want  []string // addresses; nil for an empty answer
		ttl   time.Duration
		err   bool
	}{
		{name: "foo.example.", qtype: dns.TypeA, want: []string{"192.0.2.1", "192.0.2.2"}, ttl: 300 * time.Second},
		{name: "foo.example.", qtype: dns.TypeAAAA, want: []string{"2001:db8::1"}, ttl: 200 * time.Second},
		{name: "www.example.", qtype: dns.TypeA, want: []string{"192.0.2.3"}, ttl: 60 * time.Second},
		{name: "v4only.example.", qtype: dns.TypeAAAA, ttl: 300 * time.Second},
		{name: "missing.example.", qtype: dns.TypeA, ttl: 300 * time.Second},
		{name: "dangling.example.", qtype: dns.TypeA, ttl: 300 * time.Second},
		{name: "loop1.example.", qtype: dns.TypeA, err: true},
	}
	r := New(Config{Upstream: []string{u.addr}})
	for _, tt := range tests {
		t.Run(dns.TypeToString[tt.qtype]+" "+tt.name, func(t *testing.T) {
			got, err := r.lookup(t.Context(), key{tt.name, tt.qtype})
			if tt.err {
				if err == nil {
					t.Fatalf("lookup = %v, want error", addrs(got.rdata))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(addrs(got.rdata), tt.want) || got.ttl != tt.ttl {
				t.Errorf("lookup = %v ttl %s, want %v ttl %s", addrs(got.rdata), got.ttl, tt.want, tt.ttl)
			}
		})
	}
}

func TestLookupUpstreams(t *testing.T) {
	good := newUpstream(t, lookupZone...)
	servfail := newUpstream(t, lookupZone...)
	servfail.fail(dns.RcodeServerFailure)
	refused := newUpstream(t, lookupZone...)
	refused.fail(dns.RcodeRefused)
	truncating := newUpstream(t, lookupZone...)
	truncating.mu.Lock()
	truncating.truncate = true
	truncating.mu.Unlock()

	tests := []struct {
		name     string
		upstream []string
		err      bool
	}{
		{name: "first answers", upstream: []string{good.addr, servfail.addr}},
		{name: "SERVFAIL then next", upstream: []string{servfail.addr, good.addr}},
		{name: "REFUSED then next", upstream: []string{refused.addr, good.addr}},
		{name: "truncated retried over TCP", upstream: []string{truncating.addr}},
		{name: "all fail", upstream: []string{servfail.addr, refused.addr}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New(Config{Upstream: tt.upstream, Timeout: time.Second})
			got, err := r.lookup(t.Context(), key{"foo.example.", dns.TypeA})
			if tt.err {
				if err == nil {
					t.Fatalf("lookup = %v, want error", addrs(got.rdata))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"192.0.2.1", "192.0.2.2"}; !slices.Equal(addrs(got.rdata), want) {
				t.Errorf("lookup = %v, want %v", addrs(got.rdata), want)
			}
		})
	}
}

func TestLookupCanceled(t *testing.T) {
	u := newUpstream(t, lookupZone...)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := New(Config{Upstream: []string{u.addr, u.addr}})
	if _, err := r.lookup(ctx, key{"foo.example.", dns.TypeA}); err == nil {
		t.Fatal("lookup with canceled context succeeded")
	}
}

// addrs renders rdata in wire form as addresses.
func addrs(rdata [][]byte) []string {
	var s []string
	for _, b := range rdata {
		a, ok := netip.AddrFromSlice(b)
		if !ok {
			s = append(s, "bad rdata")
			continue
		}
		s = append(s, a.String())
	}
	return s
}
