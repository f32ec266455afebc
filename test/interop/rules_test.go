package interop

import (
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// pair is one query's two answers being compared.
type pair struct {
	q  query
	tr transport
	c  *corpus
}

// rule normalizes one deliberate difference. It is about one server (by
// name, "*" for any): apply gets that server's view as x and the other
// server's as other, so the same rule serves zonewarden-vs-reference and
// reference-vs-reference runs. Each rule has an entry of the same name in
// DIFFERENCES.md; keep them narrow: a rule that fires on a real bug hides it.
type rule struct {
	name   string
	server string
	apply  func(p *pair, x, other *view) bool
}

// rules run in order; tc-sections must come after the rules that settle TC.
var rules = []rule{
	{"any-one-rrset", "*", anyOneRRset},
	{"knot-cname-stops", "knot", knotCNAMEStops},
	{"knot-xfr-notauth", "knot", knotXfrNotauth},
	{"knot-svcb-additional", "knot", knotSVCBAdditional},
	{"nsd-minimal-additional", "nsd", nsdMinimalAdditional},
	{"nsd-glue-no-tc", "nsd", nsdGlueNoTC},
	{"tc-sections", "*", tcSections},
}

// anyOneRRset: RFC 8482 lets a server answer ANY with any one RRset of the
// name (or a synthesized HINFO). Both answers must be a single complete
// RRset of the zone data; additional data follows from the choice, so it
// is not compared.
func anyOneRRset(p *pair, x, other *view) bool {
	if p.q.qtype != dns.TypeANY || x.rcode != dns.RcodeSuccess || other.rcode != dns.RcodeSuccess {
		return false
	}
	if slices.Equal(x.answer, other.answer) || !p.c.isRRset(p.q.name, x.answer) || !p.c.isRRset(p.q.name, other.answer) {
		return false
	}
	x.answer, x.additional, other.additional = other.answer, nil, nil
	return true
}

// knotCNAMEStops: Knot follows a CNAME chain only inside the zone of the
// query and at most 5 links; NSD and zonewarden follow it through every
// served zone (RFC 1034 section 4.3.2 step 3a restarts at step 1, the choice
// of zone). When Knot's chain stops at a name the other server continued
// from, Knot's answer must be a prefix of the other's, whose rest is then
// checked against NSD instead. This covers DNAME-synthesized CNAMEs too.
func knotCNAMEStops(p *pair, x, other *view) bool {
	if p.q.qtype == dns.TypeCNAME || p.q.qtype == dns.TypeANY || len(x.answer) == 0 || x.aa != other.aa {
		return false
	}
	end := chainEnd(p.q.name, x.answer)
	if end == "" || ownsAny(end, x.answer) || len(setDiff(x.answer, other.answer)) > 0 {
		return false
	}
	// Either the other server went on with data at end, or it went on into
	// end's zone and found nothing there (NXDOMAIN or NODATA with that
	// zone's SOA).
	if !ownsAny(end, other.answer) {
		z := p.c.zoneFor(end)
		if z == nil || z == p.c.zoneFor(p.q.name) || !slices.ContainsFunc(other.auth, func(s string) bool {
			return strings.HasPrefix(s, z.origin+"\t") && strings.Fields(s)[3] == "SOA"
		}) {
			return false
		}
	}
	x.rcode, x.answer, x.auth, x.additional = other.rcode, other.answer, other.auth, other.additional
	return true
}

// knotXfrNotauth: Knot answers a zone transfer it does not allow with
// NOTAUTH, NSD and zonewarden with REFUSED (RFC 5936 section 2.2.1 allows
// either; REFUSED is what resolvers and operators expect).
func knotXfrNotauth(p *pair, x, other *view) bool {
	if (p.q.qtype != dns.TypeAXFR && p.q.qtype != dns.TypeIXFR) || x.rcode != dns.RcodeNotAuth || other.rcode != dns.RcodeRefused {
		return false
	}
	x.rcode = dns.RcodeRefused
	return true
}

// knotSVCBAdditional: Knot adds the addresses of SVCB/HTTPS targets (RFC
// 9460 section 4.1, a SHOULD); zonewarden adds them for NS, MX and SRV only.
func knotSVCBAdditional(p *pair, x, other *view) bool {
	if (p.q.qtype != dns.TypeSVCB && p.q.qtype != dns.TypeHTTPS) || len(other.additional) > 0 || len(x.additional) == 0 {
		return false
	}
	x.additional = nil
	return true
}

// nsdMinimalAdditional: with minimal-responses NSD adds additional data to
// referrals only, so the other server's additional section of authoritative
// answers is checked against Knot, not NSD.
func nsdMinimalAdditional(p *pair, x, other *view) bool {
	if !x.aa || len(x.answer) == 0 || len(x.additional) > 0 || len(other.additional) == 0 {
		return false
	}
	other.additional = nil
	return true
}

// nsdGlueNoTC: NSD 4.6 predates RFC 9471 and drops the in-domain glue that
// does not fit without setting TC; Knot and zonewarden set TC.
func nsdGlueNoTC(p *pair, x, other *view) bool {
	if x.aa || x.tc || !other.tc || len(x.answer) > 0 || !slices.Equal(x.auth, other.auth) {
		return false
	}
	x.tc = true
	return true
}

// tcSections: a truncated answer is only a signal to retry over TCP (RFC
// 2181 section 9); which records a server leaves in it is not compared.
func tcSections(p *pair, x, other *view) bool {
	if !x.tc || !other.tc {
		return false
	}
	x.answer, x.auth, x.additional = nil, nil, nil
	other.answer, other.auth, other.additional = nil, nil, nil
	return true
}

// chainEnd follows the CNAMEs (including those synthesized from DNAMEs) in
// answer from qname and returns the last target, "" when there is none.
func chainEnd(qname string, answer []string) string {
	name, end := strings.ToLower(qname), ""
	for range len(answer) {
		next := ""
		for _, s := range answer {
			f := strings.Fields(s)
			if len(f) == 5 && f[3] == "CNAME" && f[0] == name {
				next = strings.ToLower(f[4])
			}
		}
		if next == "" || next == end {
			break
		}
		name, end = next, next
	}
	return end
}

func ownsAny(name string, rrs []string) bool {
	return slices.ContainsFunc(rrs, func(s string) bool { return strings.HasPrefix(s, name+"\t") })
}

// isRRset reports whether answer is exactly one RRset the corpus holds at
// qname, directly or through a wildcard, or the HINFO of RFC 8482 section 4.2.
func (c *corpus) isRRset(qname string, answer []string) bool {
	if len(answer) == 0 {
		return false
	}
	qname = strings.ToLower(qname)
	f := strings.Fields(answer[0])
	if len(f) < 4 || f[0] != qname {
		return false
	}
	if len(answer) == 1 && f[3] == "HINFO" && strings.Contains(answer[0], `"RFC8482"`) {
		return true
	}
	t := dns.StringToType[f[3]]
	if t == 0 {
		t = typeFromGeneric(f[3])
	}
	owners := []string{qname}
	for a := parent(qname); a != ""; a = parent(a) {
		owners = append(owners, "*."+a)
	}
	for _, o := range owners {
		if set := c.rrset(o, t, qname); set != nil {
			return slices.Equal(set, answer)
		}
	}
	return false
}

// rrset returns the canonical text of the RRset (owner, t) with its owner
// rewritten to as, or nil if there is none.
func (c *corpus) rrset(owner string, t uint16, as string) []string {
	z := c.zoneFor(as)
	if z == nil {
		return nil
	}
	var rrs []dns.RR
	for _, rr := range z.rrs {
		if rr.Header().Rrtype == t && strings.EqualFold(rr.Header().Name, owner) {
			rr = dns.Copy(rr)
			rr.Header().Name = as
			rrs = append(rrs, rr)
		}
	}
	if rrs == nil {
		return nil
	}
	return canonical(rrs)
}

func typeFromGeneric(s string) uint16 {
	var t uint16
	for _, c := range strings.TrimPrefix(s, "TYPE") {
		if c < '0' || c > '9' {
			return 0
		}
		t = t*10 + uint16(c-'0')
	}
	return t
}

// zoneFor returns the most specific zone of the corpus holding name.
func (c *corpus) zoneFor(name string) *corpusZone {
	var best *corpusZone
	for _, z := range c.zones {
		if dns.IsSubDomain(z.origin, strings.ToLower(name)) && (best == nil || len(z.origin) > len(best.origin)) {
			best = z
		}
	}
	return best
}
