package transfer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// Source is what transfers read of the store.
type Source interface {
	ZoneData(ctx context.Context, zoneName string) (*zone.Zone, error)
	ChangesSince(ctx context.Context, zoneName string, serial uint32) ([]store.Change, error)
	TSIGKey(ctx context.Context, name string) (store.TSIGKey, error)
	Catalog(ctx context.Context) (members []store.CatalogMember, lastID int64, err error)
	CatalogEvents(ctx context.Context, fromID int64) ([]store.CatalogEvent, error)
}

// Config configures a Handler.
type Config struct {
	// Next answers every query that is not a transfer or signed: the DNS
	// engine. It also gives the addresses ALIAS records are flattened to.
	Next dnsserver.Handler
	// Source is the store.
	Source Source
	// Allow is who may transfer.
	Allow ACL
	// Catalog is the name of the catalog zone; empty offers none.
	Catalog string
	// Timeout bounds reading a zone from the store. Default 30s.
	Timeout time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Handler answers zone transfers and TSIG-signed queries, and hands every
// other query to Config.Next. It implements dnsserver.Handler and
// dnsserver.Streamer.
type Handler struct {
	cfg     Config
	log     *slog.Logger
	catalog string
}

var (
	_ dnsserver.Handler  = (*Handler)(nil)
	_ dnsserver.Streamer = (*Handler)(nil)
)

// New checks cfg and builds a Handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Next == nil || cfg.Source == nil {
		return nil, errors.New("transfer: no next handler or no source")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg, log: cfg.Logger}
	if cfg.Catalog != "" {
		if _, ok := dns.IsDomainName(cfg.Catalog); !ok {
			return nil, fmt.Errorf("transfer: catalog %q is not a domain name", cfg.Catalog)
		}
		h.catalog = dns.CanonicalName(cfg.Catalog)
	}
	return h, nil
}

// ServeDNS answers one message; see dnsserver.Handler. Queries that are not
// transfers and carry no TSIG go to Next as they are.
func (h *Handler) ServeDNS(resp []byte, req *dnsserver.Request) []byte {
	if !special(req.Msg) {
		return h.cfg.Next.ServeDNS(resp, req)
	}
	out := h.serveSpecial(req, func(msg []byte) error {
		if len(resp) > 0 {
			return errors.New("one message only")
		}
		resp = append(resp, msg...)
		return nil
	})
	if !out {
		return nil
	}
	return resp
}

// ServeStream answers a zone transfer over TCP; see dnsserver.Streamer.
func (h *Handler) ServeStream(req *dnsserver.Request, send func([]byte) error) {
	h.serveSpecial(req, send)
}

// special reports whether msg is for this handler rather than Next: a
// question of type AXFR or IXFR, or a message whose last record is a TSIG.
// It reads msg in place and allocates nothing.
func special(msg []byte) bool {
	if len(msg) < 12 || msg[2]&0x80 != 0 {
		return false
	}
	counts := [4]int{}
	for i := range counts {
		counts[i] = int(binary.BigEndian.Uint16(msg[4+2*i:]))
	}
	off := 12
	for i := range counts[0] {
		off = skipName(msg, off)
		if off < 0 || off+4 > len(msg) {
			return false
		}
		if i == 0 {
			t := binary.BigEndian.Uint16(msg[off:])
			if t == dns.TypeAXFR || t == dns.TypeIXFR {
				return true
			}
		}
		off += 4
	}
	if counts[3] == 0 {
		return false
	}
	rrs := counts[1] + counts[2] + counts[3]
	for i := range rrs {
		off = skipName(msg, off)
		if off < 0 || off+10 > len(msg) {
			return false
		}
		if i == rrs-1 {
			return binary.BigEndian.Uint16(msg[off:]) == dns.TypeTSIG
		}
		off += 10 + int(binary.BigEndian.Uint16(msg[off+8:]))
	}
	return false
}

// skipName returns the offset after the name at off, or -1.
func skipName(msg []byte, off int) int {
	for off < len(msg) {
		l := int(msg[off])
		switch {
		case l == 0:
			return off + 1
		case l&0xC0 == 0xC0:
			return off + 2
		case l > 63:
			return -1
		}
		off += 1 + l
	}
	return -1
}

// serveSpecial answers a transfer or a signed query with the messages it
// sends; false when nothing is to be sent.
func (h *Handler) serveSpecial(req *dnsserver.Request, send func([]byte) error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.Timeout)
	defer cancel()
	q := new(dns.Msg)
	if err := q.Unpack(req.Msg); err != nil || len(q.Question) != 1 {
		// Malformed: FORMERR, with the header alone, as the question
		// may be what is wrong.
		h.log.Info("malformed transfer or signed query", "remote", req.Remote, "err", err)
		m := req.Msg
		send([]byte{m[0], m[1], 0x80 | m[2]&0x78, dns.RcodeFormatError, 0, 0, 0, 0, 0, 0, 0, 0})
		return true
	}
	remote := req.Remote.Addr()
	sig, err := verify(ctx, h.cfg.Source, req.Msg, q)
	var tf *tsigFailure
	if errors.As(err, &tf) {
		h.log.Warn("tsig check failed", "remote", req.Remote, "key", tf.key, "error", dns.RcodeToString[int(tf.code)], "reason", tf.reason,
			"qname", q.Question[0].Name, "qtype", dns.TypeToString[q.Question[0].Qtype])
		b, err := failureAnswer(q, tf)
		if err != nil {
			h.log.Error("answer tsig failure", "err", err)
			return false
		}
		send(b)
		return true
	}
	if err != nil {
		h.log.Error("read tsig key", "remote", req.Remote, "err", err)
		return h.sendRcode(q, nil, dns.RcodeServerFailure, send)
	}
	qt := q.Question[0].Qtype
	if qt != dns.TypeAXFR && qt != dns.TypeIXFR {
		return h.signedQuery(req, q, sig, send)
	}
	keyName := ""
	if sig != nil {
		keyName = sig.key.Name
	}
	name := dns.CanonicalName(q.Question[0].Name)
	if !h.cfg.Allow.allows(keyName, remote) {
		h.log.Warn("zone transfer refused", "acl", h.cfg.Allow.String(), "zone", name, "qtype", dns.TypeToString[qt], "remote", req.Remote, "key", keyName)
		return h.sendRcode(q, sig, dns.RcodeRefused, send)
	}
	if q.Opcode != dns.OpcodeQuery || q.Question[0].Qclass != dns.ClassINET {
		return h.sendRcode(q, sig, dns.RcodeNotImplemented, send)
	}
	if req.Transport == dnsserver.UDP && qt == dns.TypeAXFR {
		// RFC 5936 §4.2: AXFR is not defined over UDP. NOTIMP, as Knot
		// 3.2 and NSD 4 answer.
		return h.sendRcode(q, sig, dns.RcodeNotImplemented, send)
	}
	start := time.Now()
	x, err := h.prepare(ctx, name, q)
	switch {
	case errors.Is(err, zone.ErrNotFound):
		h.log.Info("zone transfer of a zone not served here", "zone", name, "remote", req.Remote, "key", keyName)
		return h.sendRcode(q, sig, dns.RcodeNotAuth, send)
	case err != nil:
		h.log.Error("zone transfer", "zone", name, "remote", req.Remote, "err", err)
		return h.sendRcode(q, sig, dns.RcodeServerFailure, send)
	}
	if req.Transport == dnsserver.UDP {
		x = x.forUDP(q, sig)
	}
	msgs, bytes, err := x.send(q, sig, send)
	log := h.log.Info
	if err != nil {
		log = h.log.Warn
	}
	log("zone transfer", "zone", name, "qtype", dns.TypeToString[qt], "kind", x.kind, "serial", x.serial, "from_serial", x.from,
		"remote", req.Remote, "transport", req.Transport.String(), "key", keyName, "records", len(x.rrs), "messages", msgs, "bytes", bytes,
		"took", time.Since(start).Round(time.Microsecond), "err", err)
	return true
}

// sendRcode answers q with rcode alone, signed when sig is not nil.
func (h *Handler) sendRcode(q *dns.Msg, sig *signer, rcode int, send func([]byte) error) bool {
	m := new(dns.Msg)
	m.SetRcode(q, rcode)
	b, err := sig.pack(m)
	if err != nil {
		h.log.Error("pack answer", "err", err)
		return false
	}
	send(b)
	return true
}

// signedQuery answers a query that is not a transfer but carries a valid
// TSIG (a secondary's SOA check): Next answers it and the answer is
// signed.
func (h *Handler) signedQuery(req *dnsserver.Request, q *dns.Msg, sig *signer, send func([]byte) error) bool {
	// Next reads the question and EDNS and ignores the TSIG record.
	raw := h.cfg.Next.ServeDNS(make([]byte, 0, 65535), req)
	if raw == nil {
		return false
	}
	if sig == nil { // a TSIG record that is not last: Next's answer stands
		send(raw)
		return true
	}
	m := new(dns.Msg)
	if err := m.Unpack(raw); err != nil {
		h.log.Error("read engine answer to sign", "err", err)
		return false
	}
	b, err := sig.pack(m)
	if err != nil {
		h.log.Error("sign answer", "err", err)
		return false
	}
	send(b)
	return true
}
