package authority

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	"github.com/miekg/dns"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// maxChain bounds the CNAME chains followed when compiling answers; a longer
// chain or a loop is answered with the CNAMEs found so far (RFC 1034 §3.6.2
// leaves the bound to the server).
const maxChain = 16

// compiledZone is the immutable, query-ready form of one zone.
type compiledZone struct {
	origin string
	apex   []byte // lower-case wire name
	nodes  map[string]*node
	// neg is the authority section of negative answers: the SOA with the
	// TTL of RFC 2308 §5, for any question name in the zone.
	neg tail
	// aliasTargets are ALIAS targets outside this zone, resolved at query
	// time.
	aliasTargets []string
	records      int
	// src is kept under Config.PatchableRecords, for Patch.
	src *patchSource
	// expired marks a secondary zone past its SOA expire without a
	// successful refresh: its names answer SERVFAIL (RFC 1035 §4.3.5).
	expired bool
}

// node is one name of a zone, existing or an empty non-terminal.
type node struct {
	// tails holds a tail per query type, in type order, each entry a type
	// (2 octets), a length (2 octets) and the tail. On a CNAME node the
	// entry of type 0 answers every type without an entry of its own.
	tails []byte
	// x holds what few names need, to keep the common node small.
	x *nodeExtra
}

type nodeExtra struct {
	// cut is the topmost delegation at or above this name (nil at and
	// above the apex side): queries at or below it are referred.
	cut *node
	// wild is the node "*.<this name>", the source of wildcard answers.
	wild *node
	// referral is set on delegation points.
	referral tail
	// dname is set on DNAME owners (RFC 6672).
	dname *dnameData
	// aliasTarget is the wire name of an ALIAS at this name whose A/AAAA
	// answers are found at query time.
	aliasTarget []byte
	aliasName   string
	aliasTTL    uint32
}

func (n *node) extra() *nodeExtra {
	if n.x == nil {
		n.x = new(nodeExtra)
	}
	return n.x
}

func (n *node) cut() *node {
	if n.x == nil {
		return nil
	}
	return n.x.cut
}

func (n *node) wild() *node {
	if n.x == nil {
		return nil
	}
	return n.x.wild
}

func (n *node) referral() tail {
	if n.x == nil {
		return nil
	}
	return n.x.referral
}

func (n *node) dname() *dnameData {
	if n.x == nil {
		return nil
	}
	return n.x.dname
}

// alias returns the ALIAS answered at query time at this name, if any.
func (n *node) alias() *nodeExtra {
	if n.x == nil || n.x.aliasTarget == nil {
		return nil
	}
	return n.x
}

type typed struct {
	t  uint16
	tl tail
}

type dnameData struct {
	target []byte // wire
	ttl    uint32
	rr     tail // the DNAME record, for the answer
}

func (n *node) answer(qtype uint16) tail {
	b := n.tails
	var first tail
	for i := 0; i+4 <= len(b); {
		t := uint16(b[i])<<8 | uint16(b[i+1])
		l := int(b[i+2])<<8 | int(b[i+3])
		tl := tail(b[i+4 : i+4+l : i+4+l])
		if l == 0 {
			tl = nil // an explicit "nothing", as for ANY at an ALIAS
		}
		if t == qtype {
			return tl
		}
		if i == 0 {
			first = tl
		}
		i += 4 + l
	}
	if len(b) >= 4 && (b[0] == 0 && b[1] == 0 || qtype == dns.TypeANY) {
		// Type 0 is a CNAME node's answer for every other type; ANY gets
		// one RRset, the first in type order (RFC 8482).
		return first
	}
	return nil
}

// raw is a name being compiled.
type raw struct {
	answers []typed // being compiled
	wire    []byte
	sets    []rrset // in type order once grouped
	cut     *raw
	node    *node
}

type rrset struct {
	t   uint16
	rrs []dns.RR
}

// set returns the records of type t at this name.
func (r *raw) set(t uint16) []dns.RR {
	for i := range r.sets {
		if r.sets[i].t == t {
			return r.sets[i].rrs
		}
	}
	return nil
}

func (r *raw) occluded() bool { return r.cut != nil && r.cut != r }

type compiler struct {
	b     builder // reused for every tail
	arena arena   // holds the nodes' tails
	z     *zone.Zone
	apex  []byte
	names map[string]*raw
	cz    *compiledZone
}

// compile turns a zone into its query-ready form; patchable keeps what
// Patch needs.
func compile(z *zone.Zone, patchable bool) (*compiledZone, error) {
	origin := zone.CanonicalName(z.Origin)
	apex, err := wireName(origin)
	if err != nil {
		return nil, fmt.Errorf("compile zone %s: %w", origin, err)
	}
	c := &compiler{z: z, apex: apex, names: make(map[string]*raw, len(z.Records))}
	c.cz = &compiledZone{origin: origin, apex: apex, records: len(z.Records)}
	if err := c.group(); err != nil {
		return nil, fmt.Errorf("compile zone %s: %w", origin, err)
	}
	if err := c.build(); err != nil {
		return nil, fmt.Errorf("compile zone %s: %w", origin, err)
	}
	if patchable {
		c.cz.src = newPatchSource(c)
	}
	return c.cz, nil
}

func (c *compiler) group() error {
	var (
		lastName string
		r        *raw
		cuts     = map[string]*raw{}
	)
	for _, rr := range c.z.Records {
		h := rr.Header()
		if h.Class != dns.ClassINET {
			return fmt.Errorf("record %s: class %s is not served", h.Name, dns.ClassToString[h.Class])
		}
		// A zone's records mostly come grouped by owner.
		if r == nil || h.Name != lastName {
			w, err := wireName(h.Name)
			if err != nil {
				return err
			}
			if !isBelow(w, c.apex) {
				return fmt.Errorf("record %s is outside the zone: %w", h.Name, zone.ErrInvalid)
			}
			r, lastName = c.raw(w), h.Name
		}
		i := slices.IndexFunc(r.sets, func(s rrset) bool { return s.t == h.Rrtype })
		if i < 0 {
			i = len(r.sets)
			r.sets = append(r.sets, rrset{t: h.Rrtype})
		}
		r.sets[i].rrs = append(r.sets[i].rrs, rr)
		if h.Rrtype == dns.TypeNS && len(r.wire) > len(c.apex) {
			cuts[string(r.wire)] = r
		}
	}
	apex := c.names[string(c.apex)]
	if apex == nil || apex.set(dns.TypeSOA) == nil {
		return fmt.Errorf("no SOA record at the apex: %w", zone.ErrInvalid)
	}
	// Empty non-terminals exist (RFC 4592 §2.2.2): give every ancestor up
	// to the apex a node. A walk stops at a name that exists: its own
	// ancestors are, or will be, seen to.
	owners := make([]*raw, 0, len(c.names))
	for _, r := range c.names {
		owners = append(owners, r)
	}
	for _, r := range owners {
		for w := r.wire; len(w) > len(c.apex); {
			w = w[w[0]+1:]
			if c.names[string(w)] != nil {
				break
			}
			c.raw(w)
		}
	}
	for _, r := range c.names {
		if len(r.sets) > 1 {
			slices.SortFunc(r.sets, func(a, b rrset) int { return int(a.t) - int(b.t) })
		}
		if len(cuts) == 0 {
			continue
		}
		// The topmost delegation above a name occludes it (RFC 1034 §4.2.1).
		for w := r.wire; len(w) > len(c.apex); w = w[w[0]+1:] {
			if a := cuts[string(w)]; a != nil {
				r.cut = a
			}
		}
	}
	return nil
}

func (c *compiler) raw(w []byte) *raw {
	if r := c.names[string(w)]; r != nil {
		return r
	}
	r := &raw{wire: w}
	// Wire names are never changed once made, so the key can share their
	// bytes instead of copying them.
	c.names[unsafe.String(&w[0], len(w))] = r
	return r
}

func (c *compiler) build() error {
	cz := c.cz
	cz.nodes = make(map[string]*node, len(c.names))
	rs := make([]*raw, 0, len(c.names))
	keyLen := 0
	for _, r := range c.names {
		rs = append(rs, r)
		keyLen += len(r.wire)
	}
	// Nodes and their names are allocated together: a zone is a few large
	// objects, not one per name, which keeps the heap compact and the
	// garbage of parsing from fragmenting it.
	nodes := make([]node, len(rs))
	keys := make([]byte, 0, keyLen)
	for i, r := range rs {
		r.node = &nodes[i]
		keys = append(keys, r.wire...)
		cz.nodes[unsafe.String(&keys[len(keys)-len(r.wire)], len(r.wire))] = r.node
	}
	neg, err := c.negative(c.apex, nil, 0)
	if err != nil {
		return err
	}
	cz.neg = neg
	for _, r := range rs {
		if r.cut != nil {
			r.node.extra().cut = r.cut.node
		}
		if r.wire[0] == 1 && r.wire[1] == '*' {
			c.names[string(r.wire[2:])].node.extra().wild = r.node
		}
	}
	// Names compile independently of each other: share them out among
	// the cores, each worker with its own builder.
	workers := min(runtime.GOMAXPROCS(0), 1+len(rs)/4096)
	errs := make([]error, workers)
	aliases := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			wc := &compiler{z: c.z, apex: c.apex, names: c.names, cz: &compiledZone{}}
			size := 0
			for i := w; i < len(rs) && errs[w] == nil; i += workers {
				errs[w] = wc.compileName(rs[i])
				size += tailsSize(rs[i].answers)
			}
			// Lay this worker's answers out in one allocation of the
			// exact size, so a small zone wastes nothing.
			wc.arena.reserve(size)
			for i := w; i < len(rs) && errs[w] == nil; i += workers {
				rs[i].node.tails, errs[w] = wc.arena.tails(rs[i].answers)
				rs[i].answers = nil
			}
			aliases[w] = wc.cz.aliasTargets
		})
	}
	wg.Wait()
	for _, a := range aliases {
		cz.aliasTargets = append(cz.aliasTargets, a...)
	}
	return errors.Join(errs...)
}

// compileName compiles the answers of one name into r.answers.
func (c *compiler) compileName(r *raw) error {
	n := r.node
	switch {
	case r.occluded():
		// Glue and other data below a cut is not authoritative; it only
		// serves referrals.
	case r.cut == r:
		var err error
		if n.extra().referral, err = c.referral(r); err != nil {
			return err
		}
		if ds := r.set(dns.TypeDS); ds != nil {
			t, err := c.positive(r, r.wire, ds)
			if err != nil {
				return err
			}
			r.answers = append(r.answers, typed{dns.TypeDS, t})
		}
	default:
		return c.authoritative(r)
	}
	return nil
}

// authoritative compiles the answers of a name with authoritative data.
func (c *compiler) authoritative(r *raw) error {
	n := r.node
	if cn := r.set(dns.TypeCNAME); cn != nil {
		return c.cnameNode(r)
	}
	for _, rs := range r.sets {
		t, set := rs.t, rs.rrs
		switch t {
		case zone.TypeALIAS:
			target, _ := zone.AliasTarget(set[0])
			tw, err := wireName(target)
			if err != nil {
				return err
			}
			x := n.extra()
			x.aliasTarget, x.aliasName, x.aliasTTL = tw, target, set[0].Header().Ttl
			if err := c.aliasInZone(r, tw); err != nil {
				return err
			}
			continue
		case dns.TypeDNAME:
			tw, err := wireName(set[0].(*dns.DNAME).Target)
			if err != nil {
				return err
			}
			b := c.newBuilder(r.wire, suffixMode)
			if err := b.rr(r.wire, set[0], set[0].Header().Ttl); err != nil {
				return err
			}
			n.extra().dname = &dnameData{target: tw, ttl: set[0].Header().Ttl, rr: b.finish(tailAA, 0, true)}
		}
		tl, err := c.positive(r, r.wire, set)
		if err != nil {
			return err
		}
		r.answers = append(r.answers, typed{t, tl})
	}
	slices.SortStableFunc(r.answers, func(a, b typed) int { return int(a.t) - int(b.t) })
	if n.x != nil && n.x.aliasName != "" {
		// ANY shows one RRset of the zone's own (RFC 8482), never the
		// addresses an ALIAS stands for.
		var any tail
		for _, a := range r.answers {
			if a.t != dns.TypeA && a.t != dns.TypeAAAA {
				any = a.tl
				break
			}
		}
		r.answers = append(r.answers, typed{dns.TypeANY, any})
	}
	return nil
}

// positive renders an RRset owned by owner with the addresses of its targets.
func (c *compiler) positive(r *raw, owner []byte, set []dns.RR) (tail, error) {
	b := c.newBuilder(r.wire, qnameMode)
	if err := c.rrset(b, owner, set); err != nil {
		return nil, err
	}
	b.nextSection()
	b.nextSection()
	if err := c.additional(b, set, false); err != nil {
		return nil, err
	}
	return b.finish(tailAA, 0, isWildcard(r.wire)), nil
}

func (c *compiler) rrset(b *builder, owner []byte, set []dns.RR) error {
	ttl := set[0].Header().Ttl
	for _, rr := range set {
		ttl = min(ttl, rr.Header().Ttl) // RFC 2181 §5.2
	}
	for _, rr := range set {
		if err := b.rr(owner, rr, ttl); err != nil {
			return err
		}
	}
	return nil
}

// additional adds the addresses of NS, MX and SRV targets held in this zone
// (RFC 1034 §4.3.2 step 6). glue allows occluded addresses, for referrals.
func (c *compiler) additional(b *builder, set []dns.RR, glue bool) error {
	seen := map[string]bool{}
	for _, rr := range set {
		var target string
		switch v := rr.(type) {
		case *dns.NS:
			target = v.Ns
		case *dns.MX:
			target = v.Mx
		case *dns.SRV:
			target = v.Target
		default:
			continue
		}
		tw, err := wireName(target)
		if err != nil {
			return err
		}
		t := c.names[string(tw)]
		if t == nil || seen[string(tw)] || (t.occluded() && !glue) {
			continue
		}
		seen[string(tw)] = true
		for _, typ := range []uint16{dns.TypeA, dns.TypeAAAA} {
			if s := t.set(typ); s != nil {
				if err := c.rrset(b, tw, s); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// referral renders the answer for names at or below a delegation point.
func (c *compiler) referral(cut *raw) (tail, error) {
	b := c.newBuilder(cut.wire, suffixMode)
	b.nextSection()
	ns := cut.set(dns.TypeNS)
	if err := c.rrset(b, cut.wire, ns); err != nil {
		return nil, err
	}
	b.nextSection()
	if err := c.additional(b, ns, true); err != nil {
		return nil, err
	}
	var flags byte
	for _, rr := range ns {
		if w, err := wireName(rr.(*dns.NS).Ns); err == nil && isBelow(w, cut.wire) && b.counts[2] > 0 {
			flags |= tailNeedGlue
		}
	}
	return b.finish(flags, 0, true), nil
}

// negative renders a negative answer after the CNAMEs of chain (if any).
func (c *compiler) negative(q0 []byte, chain []link, rcode byte) (tail, error) {
	mode := suffixMode
	if chain != nil {
		mode = qnameMode
	}
	b := c.newBuilder(q0, mode)
	for _, l := range chain {
		if err := b.rr(l.owner, l.rr, l.rr.Header().Ttl); err != nil {
			return nil, err
		}
	}
	b.nextSection()
	if err := c.soa(b); err != nil {
		return nil, err
	}
	return b.finish(tailAA, rcode, true), nil
}

func (c *compiler) soa(b *builder) error {
	soa := c.names[string(c.apex)].set(dns.TypeSOA)[0].(*dns.SOA)
	return b.rr(c.apex, soa, min(soa.Hdr.Ttl, soa.Minttl))
}

type link struct {
	owner []byte
	rr    dns.RR
}

type chainEnd int

const (
	endFound     chainEnd = iota // the final name exists here
	endNXDomain                  // the final name does not exist here
	endElsewhere                 // outside this zone or below a cut: chased when queried
	endLoop                      // a loop, or too long a chain
)

// follow walks a CNAME chain from r inside this zone.
func (c *compiler) follow(r *raw, owner []byte) (chain []link, final *raw, finalOwner []byte, end chainEnd) {
	seen := map[string]bool{}
	for cur, curOwner := r, owner; ; {
		cn := cur.set(dns.TypeCNAME)
		if cn == nil {
			return chain, cur, curOwner, endFound
		}
		if len(chain) == maxChain {
			return chain, nil, nil, endLoop
		}
		chain = append(chain, link{curOwner, cn[0]})
		seen[string(curOwner)] = true
		tw, err := wireName(cn[0].(*dns.CNAME).Target)
		switch {
		case err != nil || seen[string(tw)]:
			return chain, nil, nil, endLoop
		case !isBelow(tw, c.apex):
			return chain, nil, nil, endElsewhere
		case isWildcard(r.wire) && c.synthesizedBy(tw, r):
			// A wildcard CNAME whose target the same wildcard
			// synthesizes: what follows depends on the question name,
			// so let the resolver follow.
			return chain, nil, nil, endLoop
		}
		next, nextOwner, end := c.resolve(tw)
		if end != endFound {
			return chain, nil, nil, end
		}
		cur, curOwner = next, nextOwner
	}
}

// resolve finds the data for an in-zone name: the name itself, or the
// wildcard that synthesizes it.
func (c *compiler) resolve(w []byte) (*raw, []byte, chainEnd) {
	if t := c.names[string(w)]; t != nil {
		if t.cut != nil {
			return nil, nil, endElsewhere
		}
		return t, w, endFound
	}
	for ce := w[w[0]+1:]; ; ce = ce[ce[0]+1:] {
		e := c.names[string(ce)]
		if e == nil {
			continue
		}
		if e.cut != nil || e.set(dns.TypeDNAME) != nil {
			return nil, nil, endElsewhere
		}
		if wc := c.names["\x01*"+string(ce)]; wc != nil {
			return wc, w, endFound
		}
		return nil, nil, endNXDomain
	}
}

// cnameNode compiles a name holding a CNAME: its answers follow the chain.
func (c *compiler) cnameNode(r *raw) error {
	own, err := c.positive(r, r.wire, r.set(dns.TypeCNAME))
	if err != nil {
		return err
	}
	chain, final, finalOwner, end := c.follow(r, r.wire)
	var def tail
	switch end {
	case endFound:
		for _, s := range final.sets {
			t := s.t
			if t == dns.TypeCNAME || t == zone.TypeALIAS {
				continue
			}
			tl, err := c.chained(r, chain, finalOwner, s.rrs)
			if err != nil {
				return err
			}
			r.answers = append(r.answers, typed{t, tl})
		}
		def, err = c.negative(r.wire, chain, 0)
	case endNXDomain:
		def, err = c.negative(r.wire, chain, dns.RcodeNameError)
	default:
		def, err = c.chained(r, chain, nil, nil)
		if err == nil && end == endElsewhere {
			def[0] |= tailChase
		}
	}
	if err != nil {
		return err
	}
	r.answers = slices.DeleteFunc(r.answers, func(a typed) bool { return a.t == dns.TypeCNAME })
	r.answers = append(r.answers, typed{0, def}, typed{dns.TypeCNAME, own}, typed{dns.TypeANY, own})
	slices.SortStableFunc(r.answers, func(a, b typed) int { return int(a.t) - int(b.t) })
	return nil
}

// chained renders the CNAMEs of chain followed by set, owned by owner.
func (c *compiler) chained(r *raw, chain []link, owner []byte, set []dns.RR) (tail, error) {
	b := c.newBuilder(r.wire, qnameMode)
	for _, l := range chain {
		if err := b.rr(l.owner, l.rr, l.rr.Header().Ttl); err != nil {
			return nil, err
		}
	}
	if set != nil {
		if err := c.rrset(b, owner, set); err != nil {
			return nil, err
		}
	}
	b.nextSection()
	b.nextSection()
	if set != nil {
		if err := c.additional(b, set, false); err != nil {
			return nil, err
		}
	}
	return b.finish(tailAA, 0, isWildcard(r.wire)), nil
}

// aliasInZone compiles the A and AAAA answers of an ALIAS whose target is in
// this zone; other targets are looked up when queried.
func (c *compiler) aliasInZone(r *raw, target []byte) error {
	if !isBelow(target, c.apex) {
		c.cz.aliasTargets = append(c.cz.aliasTargets, r.node.x.aliasName)
		return nil
	}
	final, owner, end := c.resolve(target)
	if end == endFound {
		_, final, _, end = c.follow(final, owner)
	}
	r.node.x.aliasTarget = nil // answered from compiled data
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		var set []dns.RR
		if end == endFound {
			set = final.set(t)
		}
		if set == nil {
			continue
		}
		ttl := min(r.node.x.aliasTTL, set[0].Header().Ttl)
		owned := make([]dns.RR, len(set))
		for i, rr := range set {
			owned[i] = dns.Copy(rr)
			owned[i].Header().Ttl = ttl
		}
		tl, err := c.positive(r, r.wire, owned)
		if err != nil {
			return err
		}
		r.answers = append(r.answers, typed{t, tl})
	}
	return nil
}

// isBelow reports whether wire name w is at or below wire name parent.
func isBelow(w, parent []byte) bool {
	for {
		if string(w) == string(parent) {
			return true
		}
		if w[0] == 0 {
			return false
		}
		w = w[w[0]+1:]
	}
}

func isWildcard(w []byte) bool { return len(w) > 1 && w[0] == 1 && w[1] == '*' }

// newBuilder readies the compiler's builder for one tail. Tails are built one
// at a time, so one builder and its scratch space serve them all.
func (c *compiler) newBuilder(q0 []byte, mode int) *builder { return c.b.reset(q0, mode) }

// synthesizedBy reports whether wildcard node wc would synthesize name w.
func (c *compiler) synthesizedBy(w []byte, wc *raw) bool {
	if c.names[string(w)] != nil {
		return false
	}
	for ce := w[w[0]+1:]; len(ce) >= len(c.apex); ce = ce[ce[0]+1:] {
		if c.names[string(ce)] != nil {
			return string(ce) == string(wc.wire[2:])
		}
	}
	return false
}
