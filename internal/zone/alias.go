package zone

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// TypeALIAS is the type code of DNSimple's ALIAS record (apex CNAME
// flattening). It is the code PowerDNS uses in its zone files; the engine
// never puts it on the wire: A and AAAA queries at an ALIAS owner are answered
// with the target's addresses.
const TypeALIAS uint16 = 65401

// ALIAS is the rdata of an ALIAS record: the name whose addresses are served.
type ALIAS struct {
	Target string

	// err is why Parse refused its fields. miekg's zone parser drops the
	// errors of private types' Parse, so Parse in this package reports it.
	err string
}

// NewALIAS returns an ALIAS record as a dns.RR.
func NewALIAS(owner string, ttl uint32, target string) dns.RR {
	// Made through miekg's registry, not as a literal, because a
	// PrivateRR keeps an unexported constructor that dns.Copy needs.
	rr := dns.TypeToRR[TypeALIAS]().(*dns.PrivateRR)
	rr.Hdr = dns.RR_Header{Name: owner, Rrtype: TypeALIAS, Class: dns.ClassINET, Ttl: ttl}
	rr.Data.(*ALIAS).Target = CanonicalName(target)
	return rr
}

// AliasTarget returns the target of rr when rr is an ALIAS record.
func AliasTarget(rr dns.RR) (string, bool) {
	p, ok := rr.(*dns.PrivateRR)
	if !ok || p.Hdr.Rrtype != TypeALIAS {
		return "", false
	}
	a, ok := p.Data.(*ALIAS)
	if !ok {
		return "", false
	}
	return a.Target, true
}

// miekg/dns keeps its table of private RR types in package state, so ALIAS is
// registered once here, before any zone is parsed or printed.
func init() {
	dns.PrivateHandle("ALIAS", TypeALIAS, func() dns.PrivateRdata { return new(ALIAS) })
}

func (a *ALIAS) String() string { return a.Target }

// Parse reads the target from the record's fields. It refuses nothing itself:
// miekg's zone parser would drop the reason, so bad fields are recorded and
// reported by Parse in this package, with the record's line.
func (a *ALIAS) Parse(txt []string) error {
	if len(txt) != 1 {
		a.err = fmt.Sprintf("ALIAS takes one target name, got %d fields", len(txt))
		return nil
	}
	name := txt[0]
	if _, ok := dns.IsDomainName(name); !ok {
		a.err = fmt.Sprintf("ALIAS target %q is not a domain name", name)
		return nil
	}
	// The parser hands private types their fields without the $ORIGIN in
	// effect, so a relative target is kept as written (no trailing dot)
	// and Parse in this package resolves it.
	a.Target = strings.ToLower(name)
	return nil
}

func (a *ALIAS) Pack(buf []byte) (int, error) {
	off, err := dns.PackDomainName(a.Target, buf, 0, nil, false)
	if err != nil {
		return 0, fmt.Errorf("pack ALIAS target: %w", err)
	}
	return off, nil
}

func (a *ALIAS) Unpack(buf []byte) (int, error) {
	name, off, err := dns.UnpackDomainName(buf, 0)
	if err != nil {
		return 0, fmt.Errorf("unpack ALIAS target: %w", err)
	}
	a.Target = strings.ToLower(name)
	return off, nil
}

func (a *ALIAS) Copy(dest dns.PrivateRdata) error {
	d, ok := dest.(*ALIAS)
	if !ok {
		return fmt.Errorf("copy ALIAS into %T", dest)
	}
	d.Target, d.err = a.Target, a.err
	return nil
}

func (a *ALIAS) Len() int { return len(a.Target) + 1 }
