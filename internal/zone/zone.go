// Package zone is Zonewarden's DNS vocabulary: names, resource records,
// zones, their validation and their master-file form (RFC 1035 §5).
//
// It does no network or database I/O; the store, the DNS engine, the API and
// the dashboard all speak it. Records are github.com/miekg/dns values, the
// de-facto Go representation of every RR type, so that presentation parsing
// and rdata packing for the long tail of types is not reimplemented here.
//
//	z, err := zone.Parse(r, "example.com.", "example.com.zone")
//	...
//	err = z.WriteTo(w)
package zone

import (
	"errors"
	"strings"

	"github.com/miekg/dns"
)

// The error kinds of the domain. Callers wrap them with context (%w); the API
// maps them to HTTP statuses and the DNS server to RCODEs.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
	ErrForbidden = errors.New("forbidden")
)

// Zone is one zone's authoritative data: everything at or below Origin,
// including delegation NS records and glue, as read from a master file or the
// store. A Zone is a value; the engine compiles it into its own immutable form.
type Zone struct {
	// Origin is the apex, a lower-case fully qualified name ("example.com.").
	Origin string
	// Records holds every record; owner names are lower-case and fully
	// qualified. The SOA is among them.
	Records []dns.RR
}

// SOA returns the zone's SOA record, or nil when it has none.
func (z *Zone) SOA() *dns.SOA {
	for _, rr := range z.Records {
		if soa, ok := rr.(*dns.SOA); ok && soa.Hdr.Name == z.Origin {
			return soa
		}
	}
	return nil
}

// CanonicalName returns name lower-cased and fully qualified. It does not
// validate; see ValidName.
func CanonicalName(name string) string {
	return strings.ToLower(dns.Fqdn(name))
}

// IsSubdomain reports whether child is at or below parent. Both must be
// canonical.
func IsSubdomain(parent, child string) bool {
	return dns.IsSubDomain(parent, child)
}
