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
	{"knot-cname-limit", "knot", knotCNAMELimit},
	{"nsd-cname-crosses-zones", "nsd", nsdCNAMECrossesZones},
	{"knot-stops-at-zone-edge", "knot", knotStopsAtZoneEdge},
	{"xfr-refused", "*", xfrRefused},
	{"knot-svcb-additional", "knot", knotSVCBAdditional},
	{"nsd-minimal-additional", "nsd", nsdMinimalAdditional},
	{"nsd-glue-no-tc", "nsd", nsdGlueNoTC},
	{"additional-all-or-nothing", "*", additionalAllOrNothing},
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

// knotCNAMELimit: Knot follows at most 5 CNAMEs of a chain; NSD and
// zonewarden go on (zonewarden up to 16). Knot's answer must be a prefix of
// the other's, whose rest is then checked against NSD.
func knotCNAMELimit(p *pair, x, other *view) bool {
	if p.q.qtype == dns.TypeCNAME || p.q.qtype == dns.TypeANY || x.aa != other.aa {
		return false
	}
	end, last := chainEnd(p.q.name, x.answer)
	if end == "" || countType(x.answer, "CNAME") != 5 || ownsAny(end, x.answer) || !ownsAny(end, other.answer) ||
		p.c.zoneFor(end) != p.c.zoneFor(last) || len(setDiff(x.answer, other.answer)) > 0 {
		return false
	}
	x.rcode, x.answer, x.auth, x.additional = other.rcode, other.answer, other.auth, other.additional
	return true
}

// nsdCNAMECrossesZones: NSD follows a CNAME chain from one served zone into
// another (RFC 1034 section 4.3.2 step 3a restarts at step 1, the choice of
// zone); Knot stops at the zone's edge and leaves the rest to the resolver.
// When the other server's chain stops at a name of another zone, NSD's
// answer must extend it; the extension is dropped.
func nsdCNAMECrossesZones(p *pair, x, other *view) bool {
	if !stopsAtZoneEdge(p, other, x) {
		return false
	}
	x.rcode, x.answer, x.auth, x.additional = other.rcode, other.answer, other.auth, other.additional
	return true
}

// knotStopsAtZoneEdge is the same difference seen from Knot's side, for the
// comparison with zonewarden, which follows chains as NSD does. The
// extension is checked against NSD in the NSD run.
func knotStopsAtZoneEdge(p *pair, x, other *view) bool {
	if !stopsAtZoneEdge(p, x, other) {
		return false
	}
	x.rcode, x.answer, x.auth, x.additional = other.rcode, other.answer, other.auth, other.additional
	return true
}

// stopsAtZoneEdge reports whether stopped's answer is a CNAME chain that
// ends at a name of another served zone, and full's answer extends it.
func stopsAtZoneEdge(p *pair, stopped, full *view) bool {
	if p.q.qtype == dns.TypeCNAME || p.q.qtype == dns.TypeANY || stopped.aa != full.aa {
		return false
	}
	end, last := chainEnd(p.q.name, stopped.answer)
	return end != "" && !ownsAny(end, stopped.answer) && p.c.zoneFor(end) != nil &&
		p.c.zoneFor(end) != p.c.zoneFor(last) && len(setDiff(stopped.answer, full.answer)) == 0
}

// xfrRefused: zonewarden does not offer zone transfers and REFUSES them
// over either transport. Knot answers NOTAUTH over TCP, NSD REFUSED; both
// answer NOTIMP over UDP, where AXFR is undefined (RFC 5936 section 4.2).
func xfrRefused(p *pair, x, other *view) bool {
	if (p.q.qtype != dns.TypeAXFR && p.q.qtype != dns.TypeIXFR) || other.rcode != dns.RcodeRefused ||
		(x.rcode != dns.RcodeNotAuth && x.rcode != dns.RcodeNotImplemented) {
		return false
	}
	x.rcode = dns.RcodeRefused
	return true
}

// knotSVCBAdditional: Knot adds the addresses of SVCB/HTTPS targets (RFC
// 9460 section 4.1, a SHOULD); zonewarden adds them for NS, MX and SRV only.
func knotSVCBAdditional(p *pair, x, other *view) bool {
	svcb := countType(x.answer, "SVCB") + countType(x.answer, "HTTPS")
	if svcb == 0 || svcb != len(x.answer) || len(other.additional) > 0 || len(x.additional) == 0 {
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

// additionalAllOrNothing: when the addresses of MX, SRV or NS targets do
// not all fit in a UDP response, Knot and NSD add as many as fit and
// zonewarden adds none (it never sends a partial RRset set it would have to
// choose from). Either is allowed: the section is optional (RFC 2181 section
// 9). Only over UDP, only for authoritative answers, and only when one
// server's additional section is a subset of the other's.
func additionalAllOrNothing(p *pair, x, other *view) bool {
	if p.tr.net != "udp" || !x.aa || !other.aa || x.tc || other.tc || len(x.additional) == 0 ||
		!slices.Equal(x.answer, other.answer) || !slices.Equal(x.auth, other.auth) ||
		len(setDiff(other.additional, x.additional)) > 0 || slices.Equal(x.additional, other.additional) {
		return false
	}
	x.additional = other.additional
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
// answer from qname and returns the last target and the owner of the CNAME
// pointing to it; "" when there is none.
func chainEnd(qname string, answer []string) (end, last string) {
	name := strings.ToLower(qname)
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
		name, last, end = next, name, next
	}
	return end, last
}

func countType(rrs []string, t string) int {
	n := 0
	for _, s := range rrs {
		if f := strings.Fields(s); len(f) > 3 && f[3] == t {
			n++
		}
	}
	return n
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
