package transfer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/tsig"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// maxPayload is how many bytes of records, uncompressed, go in one message
// of a transfer over TCP: under the 65535 a message may have, with room for
// the header, the question and the TSIG.
const maxPayload = 60000

// xfr is one transfer's answer: the records in the order they are sent.
type xfr struct {
	kind   string // "axfr"; "ixfr"; "ixfr-axfr" (the journal does not reach back); "up-to-date"; "soa" (IXFR over UDP, too long)
	serial uint32 // the zone's serial sent
	from   uint32 // the client's, for IXFR
	soa    *dns.SOA
	rrs    []dns.RR
}

// prepare reads what answers q, a transfer of the zone name, from the
// store, as one consistent version of the zone.
func (h *Handler) prepare(ctx context.Context, name string, q *dns.Msg) (*xfr, error) {
	var client *uint32
	if q.Question[0].Qtype == dns.TypeIXFR {
		for _, rr := range q.Ns {
			if soa, ok := rr.(*dns.SOA); ok {
				client = &soa.Serial
				break
			}
		}
	}
	if name == h.catalog {
		return h.prepareCatalog(ctx, client)
	}
	z, err := h.cfg.Source.ZoneData(ctx, name)
	if err != nil {
		return nil, err
	}
	soa := z.SOA()
	if soa == nil {
		return nil, fmt.Errorf("zone %s has no SOA record", name)
	}
	x := &xfr{kind: "axfr", serial: soa.Serial, soa: soa}
	if client != nil {
		x.from = *client
		if !zone.SerialLess(*client, soa.Serial) {
			x.kind, x.rrs = "up-to-date", []dns.RR{soa}
			return x, nil
		}
		diffs, err := h.journal(ctx, z, *client)
		if err != nil {
			return nil, err
		}
		if diffs != nil {
			x.kind = "ixfr"
			x.rrs = append(append([]dns.RR{soa}, diffs...), soa)
			return x, nil
		}
		x.kind = "ixfr-axfr"
	}
	x.rrs = append(x.rrs, soa)
	for _, rr := range z.Records {
		switch rr.Header().Rrtype {
		case dns.TypeSOA:
		case zone.TypeALIAS:
			x.rrs = append(x.rrs, h.flatten(rr.Header().Name)...)
		default:
			x.rrs = append(x.rrs, rr)
		}
	}
	x.rrs = append(x.rrs, soa)
	return x, nil
}

// journal returns the IXFR difference sequences (RFC 1995 §4) that take the
// zone from serial from to z's, or nil when the journal cannot: it does not
// reach back to from, or ALIAS records are involved (their flattened
// addresses are not in the journal, so such zones go whole).
func (h *Handler) journal(ctx context.Context, z *zone.Zone, from uint32) ([]dns.RR, error) {
	for _, rr := range z.Records {
		if rr.Header().Rrtype == zone.TypeALIAS {
			return nil, nil
		}
	}
	changes, err := h.cfg.Source.ChangesSince(ctx, z.Origin, from)
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	cur := z.SOA().Serial
	var out []dns.RR
	prev := from
	for _, c := range changes {
		if c.PrevSerial != prev || c.Kind != "update" {
			return nil, nil
		}
		for _, text := range []string{c.Removed, c.Added} {
			rrs, err := zone.ParseLines(text)
			if err != nil {
				return nil, fmt.Errorf("journal entry %d of %s: %w", c.ID, z.Origin, err)
			}
			for _, rr := range rrs {
				if rr.Header().Rrtype == zone.TypeALIAS {
					return nil, nil
				}
			}
			out = append(out, rrs...)
		}
		prev = c.Serial
		if prev == cur {
			return out, nil
		}
	}
	// The journal was read after the zone and ends before it: a change the
	// zone saw is missing, so it cannot be trusted.
	return nil, nil
}

// flatten returns the A and AAAA records Next serves for an ALIAS owner,
// logging the owners it cannot resolve.
func (h *Handler) flatten(owner string) []dns.RR {
	rrs, _ := h.resolve(owner, true)
	return rrs
}

// resolve asks Next for the A and AAAA records of an ALIAS owner; ok is
// false when either question failed (the target is not resolved yet).
func (h *Handler) resolve(owner string, logFailures bool) (out []dns.RR, ok bool) {
	ok = true
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		q := new(dns.Msg)
		q.SetQuestion(owner, qt)
		raw, err := q.Pack()
		if err != nil {
			ok = false
			continue
		}
		resp := h.cfg.Next.ServeDNS(make([]byte, 0, 65535), &dnsserver.Request{Msg: raw, Transport: dnsserver.TCP})
		a := new(dns.Msg)
		if resp == nil || a.Unpack(resp) != nil {
			ok = false
			continue
		}
		if a.Rcode != dns.RcodeSuccess {
			ok = false
			if logFailures {
				h.log.Warn("alias not flattened in transfer", "owner", owner, "qtype", dns.TypeToString[qt], "rcode", dns.RcodeToString[a.Rcode])
			}
			continue
		}
		for _, rr := range a.Answer {
			if rr.Header().Rrtype == qt && strings.EqualFold(rr.Header().Name, owner) {
				rr.Header().Name = owner
				out = append(out, rr)
			}
		}
	}
	return out, ok
}

// Flattening is what the ALIAS records of z flatten to now, for noticing
// when the addresses behind them change: a fingerprint of the addresses,
// TTLs left out as they count down, and whether every owner resolved.
// Zero when z has no ALIAS record.
func (h *Handler) Flattening(z *zone.Zone) (fingerprint string, complete bool) {
	var lines []string
	complete = true
	for _, rr := range z.Records {
		if rr.Header().Rrtype != zone.TypeALIAS {
			continue
		}
		rrs, ok := h.resolve(rr.Header().Name, false)
		complete = complete && ok
		lines = append(lines, rr.Header().Name)
		for _, a := range rrs {
			switch a := a.(type) {
			case *dns.A:
				lines = append(lines, a.Hdr.Name+" A "+a.A.String())
			case *dns.AAAA:
				lines = append(lines, a.Hdr.Name+" AAAA "+a.AAAA.String())
			}
		}
	}
	if len(lines) == 0 {
		return "", false
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n"), complete
}

// forUDP turns x into what fits one UDP answer to q: x itself when it fits,
// else the SOA alone, which tells the client to ask again over TCP (RFC
// 1995 §2).
func (x *xfr) forUDP(q *dns.Msg, sig *tsig.Signer) *xfr {
	limit := dns.MinMsgSize
	if o := q.IsEdns0(); o != nil {
		limit = max(limit, int(o.UDPSize()))
	}
	size := 0
	for _, rr := range x.rrs {
		size += dns.Len(rr)
	}
	if size < limit {
		m := new(dns.Msg)
		m.SetReply(q)
		m.Compress = true
		m.Answer = x.rrs
		size = m.Len()
		if sig != nil {
			size += 2*len(sig.KeyName()) + 100 // the TSIG record: names, MAC, fields
		}
		if size <= limit {
			return x
		}
	}
	y := *x
	y.kind, y.rrs = "soa", []dns.RR{x.soa}
	return &y
}

// send packs x's records into messages answering q, each signed when sig
// is not nil, and sends them; it returns how many messages and bytes were
// sent.
func (x *xfr) send(q *dns.Msg, sig *tsig.Signer, send func([]byte) error) (msgs, bytes int, err error) {
	rrs := x.rrs
	for first := true; first || len(rrs) > 0; first = false {
		n, size := 0, 0
		for n < len(rrs) && (n == 0 || size+dns.Len(rrs[n]) <= maxPayload) {
			size += dns.Len(rrs[n])
			n++
		}
		m := new(dns.Msg)
		m.SetReply(q)
		m.Authoritative = true
		m.Compress = true
		m.Answer = rrs[:n]
		rrs = rrs[n:]
		b, err := sig.Pack(m)
		if err != nil {
			return msgs, bytes, err
		}
		if err := send(b); err != nil {
			return msgs, bytes, fmt.Errorf("send message %d: %w", msgs+1, err)
		}
		msgs++
		bytes += len(b)
	}
	if len(rrs) > 0 {
		return msgs, bytes, errors.New("records left over")
	}
	return msgs, bytes, nil
}
