package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Guard keeps webhooks away from the installation's own networks: a URL
// whose host is or resolves to a loopback, private, link-local or otherwise
// non-public address is refused when the webhook is created (CheckURL), and
// a delivery never connects to such an address (Client), whatever the name
// resolves to by then — a name that resolved to a public address at
// creation and is later pointed at 127.0.0.1 (DNS rebinding) still reaches
// nothing inside. AllowPrivate turns both off, for installations whose
// receivers live on a private network (serve --webhook-allow-private).
type Guard struct {
	AllowPrivate bool
	// Resolver looks names up for CheckURL; nil is net.DefaultResolver.
	Resolver *net.Resolver
}

// errPrivate is wrapped by the refusals of non-public addresses.
var errPrivate = errors.New("not a public address")

// nonPublic are ranges that netip.Addr's predicates do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
}

// nat64 is the well-known NAT64 prefix (RFC 6052).
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// public reports whether a is an address a webhook may be delivered to.
func public(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is6() && nat64.Contains(a) {
		// NAT64: the IPv4 address it stands for decides.
		b := a.As16()
		a = netip.AddrFrom4([4]byte(b[12:]))
	}
	if !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// CheckURL refuses a webhook URL whose host is, or resolves to, an address
// that is not public. A host that does not resolve is refused too.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	if g.AllowPrivate {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if !public(a) {
			return fmt.Errorf("%s is %w", host, errPrivate)
		}
		return nil
	}
	r := g.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("host %s does not resolve", host)
	}
	for _, a := range addrs {
		if !public(a) {
			return fmt.Errorf("host %s resolves to %s, which is %w", host, a.Unmap(), errPrivate)
		}
	}
	return nil
}

// control refuses, as a connection is made, to connect to an address that
// is not public: the address checked is the one dialled.
func (g Guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook delivery to %s: %w", address, err)
	}
	if !public(ap.Addr()) {
		return fmt.Errorf("webhook delivery to %s: the address is %w (serve --webhook-allow-private allows it)", ap.Addr().Unmap(), errPrivate)
	}
	return nil
}

// Client returns the HTTP client deliveries are sent with: no proxy (the
// receiver's address is the one checked), no redirects, and, unless
// AllowPrivate, connections to public addresses only.
func (g Guard) Client() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !g.AllowPrivate {
		d.Control = g.control
	}
	t := &http.Transport{
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
