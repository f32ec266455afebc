package secondary

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/tsig"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// Handler returns a dnsserver.Handler that answers NOTIFY (RFC 1996) for
// the zones of s and hands every other message to next. A NOTIFY is
// accepted from the address of any of the primaries, or from anywhere when signed with
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

	sig, err := tsig.Verify(context.Background(), s.findKey, req.Msg, q)
	var f *tsig.Failure
	if errors.As(err, &f) {
		if f.Code == dns.RcodeBadKey {
			s.metrics.notifies.WithLabelValues("badkey").Inc()
			log.Warn("NOTIFY refused: unknown TSIG key", "key", f.Key, "reason", f.Reason)
		} else {
			s.metrics.notifies.WithLabelValues("badsig").Inc()
			log.Warn("NOTIFY refused: TSIG does not verify", "key", f.Key, "error", dns.RcodeToString[int(f.Code)], "reason", f.Reason)
		}
		b, err := f.Answer(q)
		if err != nil {
			log.Error("answer TSIG failure", "err", err)
			return nil
		}
		return append(resp, b...)
	}
	if err != nil { // findKey's: there is none, but a reply is owed
		log.Error("find TSIG key", "err", err)
		r.Rcode = dns.RcodeServerFailure
		return pack(resp, r)
	}
	if sig == nil && !s.isPrimary(from) {
		s.metrics.notifies.WithLabelValues("refused").Inc()
		log.Warn("NOTIFY refused: neither from a primary nor signed")
		r.Rcode = dns.RcodeRefused
		return pack(resp, r)
	}
	switch {
	case question.Qtype != dns.TypeSOA || question.Qclass != dns.ClassINET:
		r.Rcode = dns.RcodeNotImplemented
	case !s.NotifyFrom(question.Name, from):
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
	b, err := sig.Pack(r)
	if err != nil {
		log.Error("answer NOTIFY", "err", err)
		return nil
	}
	return append(resp, b...)
}

func (s *Secondary) isPrimary(a netip.Addr) bool { return slices.Contains(s.primaries, a) }

// findKey is the edge's one key, when name is its name: the only key a
// NOTIFY may be signed with.
func (s *Secondary) findKey(_ context.Context, name string) (tsig.Key, error) {
	if k := s.cfg.Key; k != nil && k.Name == name {
		return *k, nil
	}
	return tsig.Key{}, fmt.Errorf("tsig key %s: %w", name, zone.ErrNotFound)
}

func pack(resp []byte, r *dns.Msg) []byte {
	b, err := r.Pack()
	if err != nil {
		return nil
	}
	return append(resp, b...)
}
