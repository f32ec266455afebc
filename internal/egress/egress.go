// Package egress says where the control plane may connect on a customer's
// behalf. A customer names addresses for Zonewarden to reach — a webhook's
// URL, a secondary zone's primary server — and from inside the
// installation's network those connections could reach what the customer
// cannot: the database, a metadata service, an internal name server that
// allows zone transfers to its neighbours. Public is the rule they share:
// only public unicast addresses, unless the operator allows private ones.
package egress

import "net/netip"

// nonPublic are ranges that netip.Addr's predicates do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
}

// nat64 is the well-known NAT64 prefix (RFC 6052); sixToFour is 6to4's
// (RFC 3056), whose relays reach the IPv4 address in bits 16 to 47.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// Public reports whether a is a public unicast address: not loopback,
// private, link-local, multicast, unspecified or reserved, also when
// written IPv4-mapped, behind the well-known NAT64 prefix or in 6to4.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	switch b := a.As16(); {
	case a.Is6() && nat64.Contains(a):
		// NAT64: the IPv4 address it stands for decides.
		a = netip.AddrFrom4([4]byte(b[12:]))
	case a.Is6() && sixToFour.Contains(a):
		a = netip.AddrFrom4([4]byte(b[2:6]))
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
