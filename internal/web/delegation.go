package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// delegation is what a live NS lookup of a domain found, compared with the
// name servers its zone lists at its apex.
type delegation struct {
	Checked  bool     // a resolver was asked
	State    string   // "delegated", "partly", "elsewhere", "missing", "failed"
	Found    []string // the NS records the resolver gave, fully qualified
	Ours     []string // the zone's apex NS records: where it should be delegated
	Missing  []string // ours that the domain is not delegated to
	Foreign  []string // name servers in the delegation that are not ours
	Resolver string   // the resolver asked
	Problem  string   // why the lookup failed, in plain words
}

// checkDelegation looks the domain's NS records up through the configured
// resolvers, within the configured time, and compares them with ours, the
// zone's own. Names are shown without their final dot.
func (wb *Web) checkDelegation(ctx context.Context, domain string, ours []string) delegation {
	d := wb.lookupDelegation(ctx, domain, ours)
	for _, list := range [][]string{d.Found, d.Ours, d.Missing, d.Foreign} {
		for i := range list {
			list[i] = strings.TrimSuffix(list[i], ".")
		}
	}
	return d
}

func (wb *Web) lookupDelegation(ctx context.Context, domain string, ours []string) delegation {
	// Canonical, as the lookup's answers are made, so that the two
	// compare; checkDelegation trims the final dots for showing.
	d := delegation{}
	for _, ns := range ours {
		d.Ours = append(d.Ours, zone.CanonicalName(ns))
	}
	if len(wb.cfg.Resolvers) == 0 {
		return d
	}
	d.Checked = true
	ctx, cancel := context.WithTimeout(ctx, wb.cfg.ResolverTimeout)
	defer cancel()
	var (
		nss []*net.NS
		err error
	)
	for _, addr := range wb.cfg.Resolvers {
		d.Resolver = addr
		nss, err = resolverAt(addr).LookupNS(ctx, zone.CanonicalName(domain))
		var de *net.DNSError
		if err == nil || errors.As(err, &de) && de.IsNotFound || ctx.Err() != nil {
			// Another resolver would say the same, or has no time left.
			break
		}
	}
	var de *net.DNSError
	switch {
	case err == nil:
	case errors.As(err, &de) && de.IsNotFound:
		d.State = "missing"
		return d
	case ctx.Err() != nil, errors.As(err, &de) && de.IsTimeout:
		d.State, d.Problem = "failed", fmt.Sprintf("The resolver %s did not answer within %s.", d.Resolver, wb.cfg.ResolverTimeout)
		return d
	default:
		d.State, d.Problem = "failed", fmt.Sprintf("The resolver %s could not look the domain up: %s.", d.Resolver, lookupProblem(err))
		return d
	}
	for _, ns := range nss {
		d.Found = append(d.Found, zone.CanonicalName(ns.Host))
	}
	slices.Sort(d.Found)
	d.Found = slices.Compact(d.Found)
	for _, ns := range d.Ours {
		if !slices.Contains(d.Found, ns) {
			d.Missing = append(d.Missing, ns)
		}
	}
	for _, ns := range d.Found {
		if !slices.Contains(d.Ours, ns) {
			d.Foreign = append(d.Foreign, ns)
		}
	}
	switch {
	case len(d.Found) == 0:
		d.State = "missing"
	case len(d.Missing) == 0 && len(d.Foreign) == 0:
		d.State = "delegated"
	case len(d.Missing) < len(d.Ours):
		d.State = "partly"
	default:
		d.State = "elsewhere"
	}
	return d
}

// resolverAt is a resolver that sends every query to addr.
func resolverAt(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

func lookupProblem(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) {
		return strings.TrimSuffix(de.Err, ".")
	}
	return err.Error()
}
