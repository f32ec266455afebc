package secondary

import (
	"cmp"
	"errors"
	"net/netip"
	"slices"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/dnsserver"
)

// Handler returns a dnsserver.Handler that answers NOTIFY (RFC 1996) for
// the zones of s and hands every other message to next. A NOTIFY is
// accepted from the primary's address, or from anywhere when signed with
// the TSIG key; anyone else is REFUSED, a bad signature gets NOTAUTH with
// the TSIG error (RFC 8945 §5.2), and a zone not kept here NOTAUTH.
func (s *Secondary) Handler(next dnsserver.Handler) dnsserver.Handler {
	return &notifyHandler{s: s, next: next}
}

type notifyHandler struct {
	s    *Secondary
	next dnsserver.Handler
}

func (h *notifyHandler) ServeDNS(resp []byte, req *dnsserver.Request) []byte {
	m := req.Msg
	// Queries take the engine's allocation-free path untouched.
	if len(m) < 12 || m[2]&0x80 != 0 || (m[2]>>3)&0xF != dns.OpcodeNotify {
		return h.next.ServeDNS(resp, req)
	}
	return h.s.notify(resp, req)
}

// notify answers one NOTIFY. It allocates, as the rare message it is.
func (s *Secondary) notify(resp []byte, req *dnsserver.Request) []byte {
	q := new(dns.Msg)
	if err := q.Unpack(req.Msg); err != nil || len(q.Question) != 1 {
		r := new(dns.Msg)
		r.Id, r.Response, r.Opcode, r.Rcode = q.Id, true, dns.OpcodeNotify, dns.RcodeFormatError
		return pack(resp, r)
	}
	from := req.Remote.Addr().Unmap()
	question := q.Question[0]
	log := s.log.With("zone", question.Name, "from", req.Remote.String())
	r := new(dns.Msg)
	r.SetReply(q)

	signed := false
	if t := q.IsTsig(); t != nil {
		k := s.cfg.Key
		switch {
		case k == nil || dns.CanonicalName(t.Hdr.Name) != k.Name || dns.CanonicalName(t.Algorithm) != k.Algorithm:
			s.metrics.notifies.WithLabelValues("badkey").Inc()
			log.Warn("NOTIFY refused: unknown TSIG key", "key", t.Hdr.Name)
			return pack(resp, tsigFailure(q, r, dns.RcodeBadKey))
		default:
			buf := append([]byte(nil), req.Msg...) // TsigVerify writes into it
			if err := dns.TsigVerify(buf, k.Secret, "", false); err != nil {
				code := dns.RcodeBadSig
				if errors.Is(err, dns.ErrTime) {
					code = dns.RcodeBadTime
				}
				s.metrics.notifies.WithLabelValues("badsig").Inc()
				log.Warn("NOTIFY refused: TSIG does not verify", "key", t.Hdr.Name, "err", err)
				return pack(resp, tsigFailure(q, r, code))
			}
			signed = true
		}
	}
	if !signed && !s.isPrimary(from) {
		s.metrics.notifies.WithLabelValues("refused").Inc()
		log.Warn("NOTIFY refused: neither from the primary nor signed")
		r.Rcode = dns.RcodeRefused
		return pack(resp, r)
	}
	switch {
	case question.Qtype != dns.TypeSOA || question.Qclass != dns.ClassINET:
		r.Rcode = dns.RcodeNotImplemented
	case !s.Notify(question.Name):
		s.metrics.notifies.WithLabelValues("notauth").Inc()
		r.Rcode = dns.RcodeNotAuth
		// A zone new on the primary is often notified before the catalog
		// that lists it has been fetched: look at the catalog now.
		if s.catalog != "" {
			s.Notify(s.catalog)
		}
		log.Info("NOTIFY for a zone not kept here: checking the catalog", "catalog", s.catalog)
	default:
		s.metrics.notifies.WithLabelValues("accepted").Inc()
		log.Debug("NOTIFY accepted: refreshing the zone")
		r.Authoritative = true
	}
	if signed {
		k := s.cfg.Key
		r.SetTsig(k.Name, k.Algorithm, fudge, time.Now().Unix())
		b, _, err := dns.TsigGenerate(r, k.Secret, q.IsTsig().MAC, false)
		if err != nil {
			log.Error("sign NOTIFY answer", "err", err)
			return nil
		}
		return append(resp, b...)
	}
	return pack(resp, r)
}

func (s *Secondary) isPrimary(a netip.Addr) bool { return slices.Contains(s.primaries, a) }

// tsigFailure is the NOTAUTH answer carrying a TSIG error, unsigned: the
// sender could not check a signature made with a key it does not share.
func tsigFailure(q, r *dns.Msg, code int) *dns.Msg {
	t := q.IsTsig()
	r.Rcode = dns.RcodeNotAuth
	r.Extra = append(r.Extra, &dns.TSIG{
		Hdr:        dns.RR_Header{Name: t.Hdr.Name, Rrtype: dns.TypeTSIG, Class: dns.ClassANY},
		Algorithm:  cmp.Or(t.Algorithm, "."), // miekg reads a root name as "", and packs "" as nothing
		TimeSigned: uint64(time.Now().Unix()),
		Fudge:      fudge,
		OrigId:     q.Id,
		Error:      uint16(code),
	})
	return r
}

func pack(resp []byte, r *dns.Msg) []byte {
	b, err := r.Pack()
	if err != nil {
		return nil
	}
	return append(resp, b...)
}
