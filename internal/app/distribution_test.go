package app

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// oneZone is a zoneSource holding one zone.
type oneZone struct{ z *zone.Zone }

func (o oneZone) ZoneNames(context.Context) ([]string, int64, error) { return nil, 0, nil }
func (o oneZone) ChangedZones(context.Context, int64) ([]string, int64, []string, error) {
	return nil, 0, nil, nil
}
func (o oneZone) ZoneData(_ context.Context, name string) (*zone.Zone, error) {
	if zone.CanonicalName(name) != o.z.Origin {
		return nil, zone.ErrNotFound
	}
	return o.z, nil
}
func (o oneZone) ZoneSerial(ctx context.Context, name string) (uint32, error) {
	z, err := o.ZoneData(ctx, name)
	if err != nil {
		return 0, err
	}
	return z.SOA().Serial, nil
}

func serialZone(t *testing.T, serial uint32) *zone.Zone {
	t.Helper()
	z := &zone.Zone{Origin: "example.com."}
	for _, l := range []string{
		fmt.Sprintf("example.com. 3600 IN SOA ns1.example.net. h.example.com. %d 2 3 4 5", serial),
		"example.com. 3600 IN NS ns1.example.net.",
	} {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatal(err)
		}
		z.Records = append(z.Records, rr)
	}
	return z
}

// edgeServer serves zones (none: it refuses) on loopback and returns its
// address.
func edgeServer(t *testing.T, zs ...*zone.Zone) string {
	t.Helper()
	e := authority.New(authority.Config{})
	if err := e.Replace(zs); err != nil {
		t.Fatal(err)
	}
	srv, err := dnsserver.New(dnsserver.Config{Addr: "127.0.0.1:0", Handler: e, Workers: 1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return srv.UDPAddr().String()
}

func TestEdgeDistribution(t *testing.T) {
	current := edgeServer(t, serialZone(t, 10))
	newer := edgeServer(t, serialZone(t, 11))
	behind := edgeServer(t, serialZone(t, 9))
	without := edgeServer(t)
	tests := []struct {
		name  string
		local bool
		edges []string
		want  bool
	}{
		{"no edges: the engine decides", true, nil, true},
		{"no edges, engine behind", false, nil, false},
		{"every edge current", true, []string{current, current}, true},
		{"an edge newer", true, []string{current, newer}, true},
		{"an edge behind", true, []string{current, behind}, false},
		{"an edge without the zone", true, []string{current, without}, false},
		{"engine behind, edges current", false, []string{current}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &edgeCheck{
				src:     oneZone{serialZone(t, 10)},
				local:   func(context.Context, string) (bool, error) { return tc.local, nil },
				edges:   tc.edges,
				timeout: 300 * time.Millisecond,
				log:     slog.New(slog.DiscardHandler),
			}
			got, err := e.Distributed(context.Background(), "example.com")
			if err != nil || got != tc.want {
				t.Errorf("Distributed = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	t.Run("an edge down", func(t *testing.T) {
		e := &edgeCheck{src: oneZone{serialZone(t, 10)}, local: func(context.Context, string) (bool, error) { return true, nil },
			edges: []string{current, "127.0.0.1:9"}, timeout: 200 * time.Millisecond, log: slog.New(slog.DiscardHandler)}
		start := time.Now()
		if got, err := e.Distributed(context.Background(), "example.com"); got || err != nil {
			t.Errorf("Distributed = %v, %v", got, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %s", d)
		}
	})
}
