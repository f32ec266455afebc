package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/transfer"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// DefaultCatalog is the name of the catalog zone unless --catalog says
// otherwise: under .invalid (RFC 6761), so that it can never be a real
// zone.
const DefaultCatalog = "catalog.zonewarden.invalid."

// TransferConfig is how `serve` distributes zones to secondaries.
type TransferConfig struct {
	// Allow is who may transfer zones: TSIG key names, "*" (every key in
	// the store), IP addresses and CIDR prefixes.
	Allow []string
	// Edges are the edge nodes, "host:port": they get NOTIFY, and a zone
	// is distributed once every one of them serves its current serial.
	Edges []string
	// Notify are more secondaries told of changes ("host:port"), whose
	// serials are not waited for.
	Notify []string
	// NotifyKey names the TSIG key that signs NOTIFY; empty sends them
	// unsigned.
	NotifyKey string
	// Catalog is the name of the catalog zone (RFC 9432) listing every
	// hosted zone.
	Catalog string
}

func (c TransferConfig) validate() []error {
	var errs []error
	if _, err := transfer.ParseACL(c.Allow); err != nil {
		errs = append(errs, fmt.Errorf("--transfer-allow: %w", err))
	}
	for _, l := range []struct {
		flag  string
		addrs []string
	}{{"--edges", c.Edges}, {"--notify", c.Notify}} {
		for _, a := range l.addrs {
			if err := checkHostPort(a); err != nil {
				errs = append(errs, fmt.Errorf("%s %q: %w", l.flag, a, err))
			}
		}
	}
	if c.NotifyKey != "" {
		if _, ok := dnsName(c.NotifyKey); !ok {
			errs = append(errs, fmt.Errorf("--notify-key %q is not a key name", c.NotifyKey))
		}
	}
	if _, ok := dnsName(c.Catalog); !ok {
		errs = append(errs, fmt.Errorf("--catalog %q is not a domain name", c.Catalog))
	}
	return errs
}

func transferFlags(fs *flag.FlagSet, c *TransferConfig) {
	fs.Var((*nameList)(&c.Allow), "transfer-allow", "comma-separated `list` of who may transfer zones (AXFR, IXFR): TSIG key names, * for every key made with `zonewarden tsig add`, IP addresses and CIDR prefixes")
	fs.Var((*nameList)(&c.Edges), "edges", "comma-separated `host:port`s of the edge nodes: they are sent NOTIFY, and a zone counts as distributed once all of them serve its serial")
	fs.Var((*nameList)(&c.Notify), "notify", "comma-separated `host:port`s of other secondaries to send NOTIFY to on every change")
	fs.StringVar(&c.NotifyKey, "notify-key", c.NotifyKey, "`name` of the TSIG key that signs NOTIFY messages (empty: unsigned)")
	fs.StringVar(&c.Catalog, "catalog", c.Catalog, "`name` of the catalog zone (RFC 9432) that lists every hosted zone")
}

// storeSource lets the transfer handler, built before the store is opened,
// read it once it is.
type storeSource struct{ st *store.Store }

func (s *storeSource) ZoneData(ctx context.Context, n string) (*zone.Zone, error) {
	return s.st.ZoneData(ctx, n)
}
func (s *storeSource) ChangesSince(ctx context.Context, n string, serial uint32) ([]store.Change, error) {
	return s.st.ChangesSince(ctx, n, serial)
}
func (s *storeSource) TSIGKey(ctx context.Context, n string) (store.TSIGKey, error) {
	return s.st.TSIGKey(ctx, n)
}
func (s *storeSource) Catalog(ctx context.Context) ([]store.CatalogMember, int64, error) {
	return s.st.Catalog(ctx)
}
func (s *storeSource) CatalogEvents(ctx context.Context, from int64) ([]store.CatalogEvent, error) {
	return s.st.CatalogEvents(ctx, from)
}

// startTransfers loads the catalog into the engine, prepares NOTIFY and
// hooks both to the propagator. Called by Start once the zones are loaded.
func (s *Serve) startTransfers(ctx context.Context) error {
	s.source.st = s.store
	tc := s.cfg.Transfer
	nc := transfer.NotifyConfig{Targets: append(append([]string(nil), tc.Edges...), tc.Notify...), Logger: s.log.With("component", "notify")}
	if tc.NotifyKey != "" {
		k, err := s.store.TSIGKey(ctx, tc.NotifyKey)
		if err != nil {
			return fmt.Errorf("--notify-key: %w (create it with `zonewarden tsig add`)", err)
		}
		nc.Key = k
	}
	var err error
	if s.notifier, err = transfer.NewNotifier(nc); err != nil {
		return err
	}
	if err := s.refreshCatalog(ctx); err != nil {
		return err
	}
	s.prop.applied = s.zonesApplied
	return nil
}

// zonesApplied tells secondaries of the zones the engine now serves, and
// updates the catalog when zones came or went.
func (s *Serve) zonesApplied(ctx context.Context, put []*zone.Zone, created, removed []string) {
	names := make([]string, 0, len(put))
	for _, z := range put {
		names = append(names, z.Origin)
	}
	s.notifier.Notify(names...)
	if len(created)+len(removed) > 0 {
		if err := s.refreshCatalog(ctx); err != nil {
			s.log.Error("update catalog zone", "err", err)
		}
	}
}

// refreshCatalog rebuilds the catalog zone from the store, serves it and
// notifies secondaries.
func (s *Serve) refreshCatalog(ctx context.Context) error {
	members, last, err := s.store.Catalog(ctx)
	if err != nil {
		return err
	}
	cat := transfer.CatalogZone(s.cfg.Transfer.Catalog, members, last)
	if err := s.engine.Update([]*zone.Zone{cat}, nil); err != nil {
		return fmt.Errorf("serve catalog zone %s: %w", cat.Origin, err)
	}
	s.notifier.Notify(cat.Origin)
	return nil
}

// edgeCheck answers the API's distribution checks from what the edges
// serve: a zone is distributed when this process and every edge serve its
// current serial or a newer one.
type edgeCheck struct {
	src     zoneSource
	local   func(ctx context.Context, zone string) (bool, error)
	edges   []string
	timeout time.Duration
	log     *slog.Logger
}

func (e *edgeCheck) Distributed(ctx context.Context, name string) (bool, error) {
	ok, err := e.local(ctx, name)
	if err != nil || !ok || len(e.edges) == 0 {
		return ok, err
	}
	z, err := e.src.ZoneData(ctx, name)
	if err != nil {
		return false, err
	}
	want := z.SOA().Serial
	results := make([]bool, len(e.edges))
	var wg sync.WaitGroup
	for i, edge := range e.edges {
		wg.Go(func() {
			serial, err := edgeSerial(ctx, edge, z.Origin, e.timeout)
			if err != nil {
				e.log.Debug("edge serial", "edge", edge, "zone", z.Origin, "err", err)
				return
			}
			results[i] = !zone.SerialLess(serial, want)
		})
	}
	wg.Wait()
	for _, r := range results {
		if !r {
			return false, nil
		}
	}
	return true, nil
}

// edgeSerial asks edge for the SOA of origin.
func edgeSerial(ctx context.Context, edge, origin string, timeout time.Duration) (uint32, error) {
	q := new(dns.Msg)
	q.SetQuestion(origin, dns.TypeSOA)
	c := &dns.Client{Net: "udp", Timeout: timeout}
	r, _, err := c.ExchangeContext(ctx, q, edge)
	if err == nil && r.Truncated {
		c.Net = "tcp"
		r, _, err = c.ExchangeContext(ctx, q, edge)
	}
	if err != nil {
		return 0, err
	}
	if r.Rcode != dns.RcodeSuccess {
		return 0, fmt.Errorf("rcode %s", dns.RcodeToString[r.Rcode])
	}
	for _, rr := range r.Answer {
		if soa, ok := rr.(*dns.SOA); ok && strings.EqualFold(soa.Hdr.Name, origin) {
			return soa.Serial, nil
		}
	}
	return 0, errors.New("no SOA in the answer")
}

// distributed is the API's distribution check: the engine's own serial,
// and with --edges, every edge's.
func (s *Serve) distributed() func(ctx context.Context, zone string) (bool, error) {
	if len(s.cfg.Transfer.Edges) == 0 {
		return s.prop.Distributed
	}
	e := &edgeCheck{src: s.store, local: s.prop.Distributed, edges: s.cfg.Transfer.Edges, timeout: time.Second, log: s.log.With("component", "distribution")}
	return e.Distributed
}
