package interop

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// view is what the comparison looks at: the header bits that matter and each
// section as a sorted set of RRs in zone-file notation, owner names
// lowercased (0x20 is checked separately, on the question).
type view struct {
	rcode        int
	aa, tc, ra   bool
	rd           bool
	edns, do     bool
	answer, auth []string
	additional   []string
}

var sectionNames = [3]string{"ANSWER", "AUTHORITY", "ADDITIONAL"}

func (v *view) sections() [3]*[]string { return [3]*[]string{&v.answer, &v.auth, &v.additional} }

func newView(m *dns.Msg) *view {
	v := &view{
		rcode: m.Rcode,
		aa:    m.Authoritative,
		tc:    m.Truncated,
		ra:    m.RecursionAvailable,
		rd:    m.RecursionDesired,
	}
	if opt := m.IsEdns0(); opt != nil {
		v.edns, v.do = true, opt.Do()
		v.rcode = opt.ExtendedRcode() | m.Rcode&0xf
	}
	v.answer = canonical(m.Answer)
	v.auth = canonical(m.Ns)
	v.additional = canonical(m.Extra)
	return v
}

func canonical(rrs []dns.RR) []string {
	out := make([]string, 0, len(rrs))
	for _, rr := range rrs {
		if rr.Header().Rrtype == dns.TypeOPT {
			continue
		}
		rr = dns.Copy(rr)
		rr.Header().Name = strings.ToLower(rr.Header().Name)
		lowerTargets(rr)
		out = append(out, rr.String())
	}
	slices.Sort(out)
	return out
}

// lowerTargets lowercases the domain names in rr's RDATA: names compare
// case-insensitively (RFC 4343), and servers that compress RDATA names
// against a 0x20-randomized question echo its case into them.
func lowerTargets(rr dns.RR) {
	switch rr := rr.(type) {
	case *dns.NS:
		rr.Ns = strings.ToLower(rr.Ns)
	case *dns.CNAME:
		rr.Target = strings.ToLower(rr.Target)
	case *dns.DNAME:
		rr.Target = strings.ToLower(rr.Target)
	case *dns.PTR:
		rr.Ptr = strings.ToLower(rr.Ptr)
	case *dns.MX:
		rr.Mx = strings.ToLower(rr.Mx)
	case *dns.SRV:
		rr.Target = strings.ToLower(rr.Target)
	case *dns.SOA:
		rr.Ns, rr.Mbox = strings.ToLower(rr.Ns), strings.ToLower(rr.Mbox)
	case *dns.SVCB:
		rr.Target = strings.ToLower(rr.Target)
	case *dns.HTTPS:
		rr.Target = strings.ToLower(rr.Target)
	case *dns.RP:
		rr.Mbox, rr.Txt = strings.ToLower(rr.Mbox), strings.ToLower(rr.Txt)
	case *dns.NAPTR:
		rr.Replacement = strings.ToLower(rr.Replacement)
	}
}

func (v *view) header() string {
	var b strings.Builder
	b.WriteString(dns.RcodeToString[v.rcode])
	for _, f := range []struct {
		on   bool
		name string
	}{{v.aa, "aa"}, {v.tc, "tc"}, {v.rd, "rd"}, {v.ra, "ra"}} {
		if f.on {
			b.WriteString(" " + f.name)
		}
	}
	if !v.edns {
		b.WriteString(" (no EDNS)")
	} else if v.do {
		b.WriteString(" (EDNS, DO)")
	}
	return b.String()
}

// sanity lists what is wrong with r on its own, whatever any other server
// says: the things RFC 1035, 6891 and 7766 leave no room on.
func sanity(q *dns.Msg, tr transport, r response) []string {
	if r.err != nil {
		return []string{r.err.Error()}
	}
	var bad []string
	m := r.msg
	if m.Id != q.Id {
		bad = append(bad, fmt.Sprintf("id %d, sent %d", m.Id, q.Id))
	}
	if !m.Response {
		bad = append(bad, "QR not set")
	}
	if m.RecursionDesired != q.RecursionDesired {
		bad = append(bad, fmt.Sprintf("RD %t, sent %t (RD must be copied)", m.RecursionDesired, q.RecursionDesired))
	}
	if len(m.Question) != 1 || m.Question[0] != q.Question[0] {
		bad = append(bad, fmt.Sprintf("question %v, sent %v (must be echoed byte for byte, 0x20)", m.Question, q.Question[0]))
	}
	if (m.IsEdns0() != nil) != (tr.edns > 0) && m.Rcode != dns.RcodeFormatError {
		bad = append(bad, fmt.Sprintf("OPT record present=%t, query had one=%t (RFC 6891 section 7)", m.IsEdns0() != nil, tr.edns > 0))
	}
	limit := 512
	if tr.edns > 512 {
		limit = int(tr.edns)
	}
	if tr.net == "udp" && r.size > limit {
		bad = append(bad, fmt.Sprintf("%d octets over UDP, the client accepts %d", r.size, limit))
	}
	return bad
}

// diff describes how got differs from want, reference first; empty when
// they agree.
func diff(refName, sutName string, want, got *view) string {
	var b strings.Builder
	if want.rcode != got.rcode || want.aa != got.aa || want.tc != got.tc || want.ra != got.ra || want.rd != got.rd || want.edns != got.edns || want.do != got.do {
		fmt.Fprintf(&b, "  header: %s: %s; %s: %s\n", refName, want.header(), sutName, got.header())
	}
	ws, gs := want.sections(), got.sections()
	for i := range ws {
		missing, extra := setDiff(*ws[i], *gs[i]), setDiff(*gs[i], *ws[i])
		if len(missing) == 0 && len(extra) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s (%d in common):\n", sectionNames[i], len(*ws[i])-len(missing))
		for _, s := range missing {
			fmt.Fprintf(&b, "    - %s   (only %s)\n", s, refName)
		}
		for _, s := range extra {
			fmt.Fprintf(&b, "    + %s   (only %s)\n", s, sutName)
		}
	}
	return b.String()
}

// setDiff returns the elements of a not in b; both are sorted.
func setDiff(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}

// dump renders a whole response in zone-file notation, for context.
func dump(v *view) string {
	var b strings.Builder
	fmt.Fprintf(&b, "    ;; %s\n", v.header())
	for i, s := range v.sections() {
		if len(*s) == 0 {
			continue
		}
		fmt.Fprintf(&b, "    ;; %s\n", sectionNames[i])
		for _, rr := range *s {
			fmt.Fprintf(&b, "    %s\n", rr)
		}
	}
	return b.String()
}
