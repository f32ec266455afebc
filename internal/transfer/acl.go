package transfer

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// ACL says who may transfer zones: clients whose request is signed with one
// of Keys, and clients from one of Prefixes (signed or not). Everyone else
// is refused.
type ACL struct {
	// Keys are TSIG key names, fully qualified; "*" is any key the store
	// holds.
	Keys     []string
	Prefixes []netip.Prefix
}

// ParseACL reads a list of entries, each a TSIG key name, "*" (every key),
// an IP address or a CIDR prefix: "*", "edge1.", "192.0.2.0/24", "::1".
func ParseACL(entries []string) (ACL, error) {
	var a ACL
	for _, e := range entries {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
		case e == "*":
			a.Keys = append(a.Keys, "*")
		case strings.Contains(e, "/"):
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return ACL{}, fmt.Errorf("transfer acl: %q is not a CIDR prefix", e)
			}
			a.Prefixes = append(a.Prefixes, p.Masked())
		default:
			if ip, err := netip.ParseAddr(e); err == nil {
				a.Prefixes = append(a.Prefixes, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
				continue
			}
			if _, ok := dns.IsDomainName(e); !ok || strings.ContainsAny(e, " :@") {
				return ACL{}, fmt.Errorf("transfer acl: %q is neither a key name nor an address", e)
			}
			a.Keys = append(a.Keys, dns.CanonicalName(e))
		}
	}
	return a, nil
}

// allows reports whether a client from addr whose request was signed with
// key (empty: unsigned) may transfer.
func (a ACL) allows(key string, addr netip.Addr) bool {
	if key != "" && (slices.Contains(a.Keys, "*") || slices.Contains(a.Keys, key)) {
		return true
	}
	addr = addr.Unmap()
	for _, p := range a.Prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

func (a ACL) String() string {
	var parts []string
	parts = append(parts, a.Keys...)
	for _, p := range a.Prefixes {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, ",")
}
