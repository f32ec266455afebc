package authority

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/miekg/dns"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// ErrNotPatchable says that Patch could not apply a change by itself: the
// change touches what other names' answers are compiled from (a delegation,
// a DNAME, a wildcard, a target of another record...), or the zone is not
// kept for patching. Give the engine the whole zone instead (Update).
var ErrNotPatchable = errors.New("the change needs the whole zone compiled")

// patchSource is what a zone compiled under Config.PatchableRecords keeps beside
// its answers, so that a change recompiles only the names it touches.
type patchSource struct {
	names map[string]*raw // every name and its records; answers dropped
	kids  map[string]int  // how many names are immediately below a name
	// targets are the names whose data or existence other names' answers
	// are compiled from: targets of NS, MX, SRV, CNAME, ALIAS and DNAME
	// records, and their ancestors below the apex.
	targets map[string]uses
	// cnames are the CNAME owners whose target is in the zone: their
	// answers may end in a negative answer holding the SOA. A chain that
	// leaves the zone at once is chased when queried and holds no SOA.
	cnames []string
}

// uses says what other names' answers take from a name.
type uses uint8

const (
	usesAddresses uses = 1 << iota // its A and AAAA records (NS, MX, SRV, ALIAS targets)
	usesAll                        // all its records (CNAME and DNAME targets)
	usesExistence                  // whether it exists (every target and its ancestors)
)

// patchMax is the most names a patch recompiles; a change touching more
// compiles the whole zone, which then costs about as much.
const patchMax = 4096

func parentWire(w []byte) []byte { return w[w[0]+1:] }

// newPatchSource records what a compiled zone needs to be patched.
func newPatchSource(c *compiler) *patchSource {
	src := &patchSource{names: c.names, kids: map[string]int{}, targets: map[string]uses{}}
	for k, r := range c.names {
		if len(r.wire) > len(c.apex) {
			src.kids[string(parentWire(r.wire))]++
		}
		for _, s := range r.sets {
			for _, rr := range s.rrs {
				src.addTarget(c.apex, rr)
			}
			if s.t == dns.TypeCNAME && cnameInZone(c.apex, s.rrs) {
				src.cnames = append(src.cnames, k)
			}
		}
	}
	return src
}

// cnameInZone reports whether the CNAME of set points into the zone.
func cnameInZone(apex []byte, set []dns.RR) bool {
	cn, ok := set[0].(*dns.CNAME)
	if !ok {
		return true // unknown: recompile it, to be safe
	}
	w, err := wireName(cn.Target)
	return err != nil || isBelow(w, apex)
}

// targetOf returns the in-zone target of rr, if it has one, and what rr's
// owner takes from it.
func targetOf(apex []byte, rr dns.RR) ([]byte, uses, bool) {
	var target string
	u := usesAddresses
	switch v := rr.(type) {
	case *dns.NS:
		target = v.Ns
	case *dns.MX:
		target = v.Mx
	case *dns.SRV:
		target = v.Target
	case *dns.CNAME:
		target, u = v.Target, usesAll
	case *dns.DNAME:
		target, u = v.Target, usesAll
	default:
		if rr.Header().Rrtype != zone.TypeALIAS {
			return nil, 0, false
		}
		target, _ = zone.AliasTarget(rr)
	}
	w, err := wireName(target)
	if err != nil || !isBelow(w, apex) {
		return nil, 0, false
	}
	return w, u | usesExistence, true
}

// addTarget adds the in-zone target of rr, if it has one, and its
// ancestors below the apex to src.targets.
func (src *patchSource) addTarget(apex []byte, rr dns.RR) {
	if w, u, ok := targetOf(apex, rr); ok {
		src.mark(apex, w, u)
	}
}

func (src *patchSource) mark(apex, w []byte, u uses) {
	src.targets[string(w)] |= u
	for w = parentWire(w); len(w) > len(apex); w = parentWire(w) {
		src.targets[string(w)] |= usesExistence
	}
}

// marked reports whether w is marked for u already. Its ancestors then are
// too: mark marks them together.
func (src *patchSource) marked(w []byte, u uses) bool {
	return src.targets[string(w)]&u == u
}

// affects reports whether a change of records of type t at the name k, or
// of its existence (t 0), changes what other names' answers hold. The
// apex's SOA is not counted: a patch that changes it recompiles the CNAMEs.
func (src *patchSource) affects(k string, t uint16) bool {
	u := src.targets[k]
	switch t {
	case 0:
		return u != 0
	case dns.TypeCNAME:
		// A CNAME stands for all of a name's data: whatever another
		// answer takes from the name, even its mere addresses (an ALIAS
		// follows the chain), changes when the name gets or loses one.
		return u != 0
	case dns.TypeA, dns.TypeAAAA:
		return u&(usesAddresses|usesAll) != 0
	case dns.TypeSOA:
		return false
	}
	return u&usesAll != 0
}

// Patchable reports whether the zone at origin is kept for patching
// (Config.PatchableRecords), so that a caller need not prepare a change
// Patch would refuse anyway.
func (e *Engine) Patchable(origin string) bool {
	w, err := wireName(zone.CanonicalName(origin))
	if err != nil {
		return false
	}
	z := e.snap.Load().zones[string(w)]
	return z != nil && z.src != nil
}

// Patch applies one change of a zone kept for it (Config.PatchableRecords) — the
// records removed and added, an IXFR difference — recompiling only the names
// it touches. When the change is beyond what Patch does alone it returns an
// error wrapping ErrNotPatchable and nothing changes; so it does on any
// other error.
func (e *Engine) Patch(origin string, removed, added []dns.RR) error {
	w, err := wireName(zone.CanonicalName(origin))
	if err != nil {
		return fmt.Errorf("patch zone %s: %w", origin, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.snap.Load()
	old := cur.zones[string(w)]
	if old == nil || old.src == nil {
		return fmt.Errorf("patch zone %s: not served for patching: %w", origin, ErrNotPatchable)
	}
	next, err := old.patch(removed, added)
	if err != nil {
		return fmt.Errorf("patch zone %s: %w", origin, err)
	}
	snap := &snapshot{zones: maps.Clone(cur.zones), maxLabels: cur.maxLabels} // the apex, hence the bound, is the same
	snap.zones[string(w)] = next
	e.swap(snap)
	return nil
}

// patch returns old with the change applied. old is not modified: raws and
// nodes of untouched names are shared; touched names get new ones.
//
// The names of src are changed in place — copying a map of 100,000 names for
// each write was most of a patch's garbage — and put back as they were when
// the patch fails; only Patch, under the engine's lock, reads them.
func (old *compiledZone) patch(removed, added []dns.RR) (_ *compiledZone, err error) {
	src, apex := old.src, old.apex
	names, kids := src.names, maps.Clone(src.kids)
	undo := map[string]*raw{} // each name's raw before the patch; nil: absent
	keep := func(k string) {
		if _, ok := undo[k]; !ok {
			undo[k] = names[k]
		}
	}
	put := func(k string, r *raw) { keep(k); names[k] = r }
	del := func(k string) { keep(k); delete(names, k) }
	before := func(k string) *raw {
		if r, ok := undo[k]; ok {
			return r
		}
		return names[k]
	}
	defer func() {
		if err != nil {
			for k, r := range undo {
				if r == nil {
					delete(names, k)
				} else {
					names[k] = r
				}
			}
		}
	}()
	changed := map[string]*raw{}   // names whose records changed, and new names
	types := map[string][]uint16{} // the types changed at each name
	vanished := map[string]bool{}
	soa := false
	notPatchable := func(why string, w []byte) error {
		return fmt.Errorf("%s at %s: %w", why, dnsName(w), ErrNotPatchable)
	}

	// edit returns a copy of the name's raw to change, made once; a new
	// name gets one, and its missing ancestors empty ones.
	edit := func(w []byte, create bool) (*raw, error) {
		k := string(w)
		if r := changed[k]; r != nil {
			return r, nil
		}
		r := names[k]
		if r == nil && !create {
			return nil, notPatchable("no such name", w)
		}
		nr := &raw{wire: w}
		if r != nil {
			nr.wire, nr.cut = r.wire, r.cut
			nr.sets = make([]rrset, len(r.sets))
			for i, s := range r.sets {
				nr.sets[i] = rrset{t: s.t, rrs: slices.Clone(s.rrs)}
			}
		} else {
			// Empty non-terminals appear up to the nearest existing
			// ancestor.
			for c := w; len(c) > len(apex); {
				p := parentWire(c)
				kids[string(p)]++
				if names[string(p)] != nil {
					break
				}
				ent := &raw{wire: p}
				put(string(p), ent)
				changed[string(p)] = ent
				c = p
			}
		}
		put(k, nr)
		changed[k] = nr
		return nr, nil
	}

	for _, step := range []struct {
		rrs []dns.RR
		add bool
	}{{removed, false}, {added, true}} {
		for _, rr := range step.rrs {
			h := rr.Header()
			w, err := wireName(h.Name)
			if err != nil {
				return nil, err
			}
			if !isBelow(w, apex) {
				return nil, fmt.Errorf("record %s is outside the zone: %w", h.Name, zone.ErrInvalid)
			}
			if h.Class != dns.ClassINET {
				return nil, fmt.Errorf("record %s: class %s is not served", h.Name, dns.ClassToString[h.Class])
			}
			switch h.Rrtype {
			case dns.TypeSOA:
				if len(w) != len(apex) {
					return nil, notPatchable("SOA record", w)
				}
				soa = true
			case dns.TypeCNAME:
				if len(w) == len(apex) {
					return nil, notPatchable("CNAME record at the apex", w)
				}
			case dns.TypeNS, dns.TypeDNAME, dns.TypeDS, zone.TypeALIAS:
				return nil, notPatchable(dns.TypeToString[h.Rrtype]+" record", w)
			}
			if isWildcard(w) {
				return nil, notPatchable("wildcard", w)
			}
			r, err := edit(w, step.add)
			if err != nil {
				return nil, err
			}
			types[string(w)] = append(types[string(w)], h.Rrtype)
			i := slices.IndexFunc(r.sets, func(s rrset) bool { return s.t == h.Rrtype })
			if !step.add {
				j := -1
				if i >= 0 {
					j = slices.IndexFunc(r.sets[i].rrs, func(x dns.RR) bool { return dns.IsDuplicate(x, rr) })
				}
				if j < 0 {
					return nil, notPatchable("removed record "+rr.String()+" not served", w)
				}
				r.sets[i].rrs = slices.Delete(r.sets[i].rrs, j, j+1)
				if len(r.sets[i].rrs) == 0 {
					r.sets = slices.Delete(r.sets, i, i+1)
				}
				continue
			}
			if i < 0 {
				r.sets = append(r.sets, rrset{t: h.Rrtype})
				slices.SortStableFunc(r.sets, func(a, b rrset) int { return int(a.t) - int(b.t) })
				i = slices.IndexFunc(r.sets, func(s rrset) bool { return s.t == h.Rrtype })
			}
			r.sets[i].rrs = append(r.sets[i].rrs, rr)
		}
	}

	// Names left empty without names below them go, and so do ancestors
	// they leave empty in turn.
	for _, r := range changed {
		for w := r.wire; len(w) > len(apex); w = parentWire(w) {
			rw := names[string(w)]
			if rw == nil || len(rw.sets) > 0 || kids[string(w)] > 0 {
				break
			}
			del(string(w))
			delete(kids, string(w))
			vanished[string(w)] = true
			p := string(parentWire(w))
			if kids[p]--; kids[p] == 0 {
				delete(kids, p)
			}
		}
	}
	for k := range vanished {
		delete(changed, k)
	}
	if a := names[string(apex)]; a == nil || len(a.set(dns.TypeSOA)) != 1 {
		return nil, notPatchable("not one SOA record", apex)
	}

	// What other names are compiled from must not change: the targets,
	// and whatever is at or below a delegation or a DNAME.
	for _, set := range []map[string]bool{vanished, keys(changed)} {
		for k := range set {
			exists := before(k) != nil
			if exists != (names[k] != nil) && src.affects(k, 0) {
				return nil, notPatchable("a target of other records appears or goes", []byte(k))
			}
			for _, t := range types[k] {
				if src.affects(k, t) {
					return nil, notPatchable("a target of other records changes", []byte(k))
				}
			}
			for w := []byte(k); len(w) > len(apex); w = parentWire(w) {
				for _, r := range []*raw{names[string(w)], before(string(w))} {
					if r != nil && (r.cut != nil || r.set(dns.TypeDNAME) != nil) {
						return nil, notPatchable("below a delegation or DNAME", []byte(k))
					}
				}
			}
		}
	}

	// The CNAME owners after the change. Untouched owners keep theirs;
	// the compiler answers from the first of several, whose order the
	// store's may not be, so a name left with more is refused.
	cnames := src.cnames
	touched := map[string]bool{}
	for k := range changed {
		if slices.Contains(types[k], dns.TypeCNAME) {
			touched[k] = true
		}
	}
	for k := range vanished {
		if slices.Contains(types[k], dns.TypeCNAME) {
			touched[k] = true
		}
	}
	if len(touched) > 0 {
		cnames = make([]string, 0, len(src.cnames)+len(touched))
		for _, k := range src.cnames {
			if !touched[k] {
				cnames = append(cnames, k)
			}
		}
		for k := range touched {
			r := names[k]
			if r == nil {
				continue
			}
			switch cn := r.set(dns.TypeCNAME); {
			case len(cn) > 1:
				return nil, notPatchable("more than one CNAME record", r.wire)
			case cn != nil && cnameInZone(apex, cn):
				cnames = append(cnames, k)
			}
		}
	}

	// Recompile the changed names; a new serial also changes the apex's
	// answers and those of CNAMEs whose chain ends in a negative answer.
	if soa {
		for _, k := range cnames {
			if changed[k] != nil {
				continue
			}
			p := names[k]
			if p == nil || p.set(dns.TypeCNAME) == nil {
				continue // cannot be: cnames holds the owners after the change
			}
			r := *p
			if r.cut != nil || isWildcard(r.wire) {
				return nil, notPatchable("CNAME below a delegation or at a wildcard", r.wire)
			}
			r.answers, r.node = nil, nil
			put(k, &r)
			changed[k] = &r
		}
	}
	if len(changed) > patchMax {
		return nil, fmt.Errorf("%d names to recompile: %w", len(changed), ErrNotPatchable)
	}
	nodes := maps.Clone(old.nodes)
	for k := range vanished {
		delete(nodes, k)
	}
	rs := make([]*raw, 0, len(changed))
	fresh := make([]node, len(changed))
	for _, r := range changed {
		n := &fresh[len(rs)]
		if on := old.nodes[string(r.wire)]; on != nil && on.x != nil && on.x.cut != nil {
			n.extra().cut = on.x.cut
		}
		if wc := names["\x01*"+string(r.wire)]; wc != nil {
			n.extra().wild = wc.node
		}
		r.node = n
		nodes[string(r.wire)] = n
		rs = append(rs, r)
	}
	c := &compiler{apex: apex, names: names, cz: &compiledZone{}}
	size := 0
	for _, r := range rs {
		if err := c.compileName(r); err != nil {
			return nil, err
		}
		size += tailsSize(r.answers)
	}
	c.arena.reserve(size)
	for _, r := range rs {
		var err error
		if r.node.tails, err = c.arena.tails(r.answers); err != nil {
			return nil, err
		}
		r.answers = nil
	}

	next := &compiledZone{
		origin: old.origin, apex: apex, nodes: nodes, neg: old.neg,
		aliasTargets: old.aliasTargets, // ALIAS records are never patched
		expired:      old.expired,
		records:      old.records - len(removed) + len(added),
		src:          &patchSource{names: names, kids: kids, targets: src.targets, cnames: cnames},
	}
	if soa {
		neg, err := c.negative(apex, nil, 0)
		if err != nil {
			return nil, err
		}
		next.neg = neg
	}
	// The new records' targets join the new zone's; the old zone's map is
	// copied only when one is not marked already.
	cloned := false
	for _, rr := range added {
		w, u, ok := targetOf(apex, rr)
		if !ok || next.src.marked(w, u) {
			continue
		}
		if !cloned {
			next.src.targets, cloned = maps.Clone(src.targets), true
		}
		next.src.mark(apex, w, u)
	}
	return next, nil
}

func keys(m map[string]*raw) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// dnsName is the presentation form of a wire name, for messages.
func dnsName(w []byte) string {
	name, _, err := dns.UnpackDomainName(w, 0)
	if err != nil {
		return fmt.Sprintf("% x", w)
	}
	return name
}
