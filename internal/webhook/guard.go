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

	"github.com/zonewarden/zonewarden/internal/egress"
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
		if !egress.Public(a) {
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
		if !egress.Public(a) {
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
	if !egress.Public(ap.Addr()) {
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
