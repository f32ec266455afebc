// Package zone is Zonewarden's DNS vocabulary: names, resource records,
// zones, their validation and their master-file form (RFC 1035 §5).
//
// Read a directory of zone files, one zone per file, with LoadDir; one file
// with ParseFile (an fs.FS confines its $INCLUDEs) or Parse (a stream, no
// $INCLUDE); write a zone back out with Zone.WriteTo:
//
//	zones, errs := zone.LoadDir("/etc/zonewarden/zones")
//	for _, err := range errs {
//		log.Printf("%v; keeping the old %s", err, err.Origin)
//	}
//	z, err := zone.Parse(r, "example.com.", "example.com.zone")
//	_, err = z.WriteTo(w)
//
// A parsed zone is normalized and valid: owner names are lower-case, RRsets
// are sets whose records share one TTL, and the checks of Zone.Validate
// hold. Errors wrap ErrInvalid and say where: "example.com.zone:12: bad A
// address "1.2.3"".
//
// It does no network or database I/O; the store, the DNS engine, the API and
// the dashboard all speak it. Records are github.com/miekg/dns values, the
// de-facto Go representation of every RR type, so that presentation parsing
// and rdata packing for the long tail of types is not reimplemented here.
//
// Deliberate choices, where the RFCs or other servers leave room:
//   - Only class IN. $GENERATE is refused (BIND's, unknown to NSD, and
//     miekg/dns would run $INCLUDEs inside it outside the include FS).
//   - Records that differ only in TTL are one record; an RRset's records
//     all get its smallest TTL (RFC 2181 §5.2), silently.
//   - Owner names are made canonical; rdata is kept as written except ALIAS
//     targets, which are lower-cased. Duplicate detection compares the names
//     inside rdata without case (RFC 4034 §6.2 types).
//   - Errors found after reading (validation) name the line where the
//     offending record ends; for a record in parentheses that is the line of
//     the closing parenthesis.
//   - Names below a delegation (glue, occluded data) are accepted; names
//     below a DNAME are refused (RFC 6672 §2.4).
//   - Zone.WriteTo writes names in rdata in full and any record miekg/dns
//     cannot print and read back identically in RFC 3597 form.
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
// validate the name.
func CanonicalName(name string) string {
	return strings.ToLower(dns.Fqdn(name))
}

// IsSubdomain reports whether child is at or below parent. Both must be
// canonical.
func IsSubdomain(parent, child string) bool {
	return dns.IsSubDomain(parent, child)
}
