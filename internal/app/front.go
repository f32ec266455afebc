package app

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/zonewarden/zonewarden/internal/alias"
	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
)

// newEngine builds the DNS engine of a role that answers DNS (dns, serve,
// edge), and the resolver its ALIAS records ask when the role has
// upstreams, else nil. patchable is authority.Config.PatchableRecords.
func (c *DNSConfig) newEngine(log *slog.Logger, patchable int) (*authority.Engine, *alias.Resolver) {
	acfg := authority.Config{MaxUDPSize: uint16(c.MaxUDPSize), NSID: c.nsid(), Identity: c.Identity, PatchableRecords: patchable}
	var resolver *alias.Resolver
	if len(c.AliasUpstream) > 0 {
		resolver = alias.New(alias.Config{Upstream: c.AliasUpstream, Logger: log.With("component", "alias")})
		acfg.Aliases = resolver // only when non-nil: a nil *Resolver is not a nil AliasSource
	}
	return authority.New(acfg), resolver
}

// newServer builds the DNS server of such a role, answering with h on
// c.Listen, and the registry /metrics serves, holding the server's
// metrics, the Go runtime's and the process's.
func (c *DNSConfig) newServer(h dnsserver.Handler, log *slog.Logger) (*dnsserver.Server, *prometheus.Registry, error) {
	metrics := dnsserver.NewMetrics()
	srv, err := dnsserver.New(dnsserver.Config{
		Addr:           c.Listen,
		Handler:        h,
		Workers:        c.Workers,
		TCPIdleTimeout: c.TCPIdleTimeout,
		TCPMaxConns:    c.TCPMaxConns,
		Metrics:        metrics,
		Logger:         log.With("component", "dnsserver"),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("configure dns server: %w", err)
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(metrics, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return srv, registry, nil
}
