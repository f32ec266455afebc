package transfer

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/tsig"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// Source is what transfers read of the control plane's data (the store,
// through a small adapter in internal/app). An unknown zone or key is
// zone.ErrNotFound.
type Source interface {
	// ZoneData is the zone's current version, read consistently.
	ZoneData(ctx context.Context, zoneName string) (*zone.Zone, error)
	// ChangesSince is the zone's journal from the change that left serial
	// behind, oldest first; none when no change did.
	ChangesSince(ctx context.Context, zoneName string, serial uint32) ([]Change, error)
	// TSIGKey is the key named name, with its secret.
	TSIGKey(ctx context.Context, name string) (tsig.Key, error)
	// Catalog is every hosted zone and the journal id of the last creation
	// or deletion of one, read together.
	Catalog(ctx context.Context) (members []CatalogMember, lastID int64, err error)
	// CatalogEvents is every creation and deletion of a zone from journal
	// entry fromID on, that one included, oldest first.
	CatalogEvents(ctx context.Context, fromID int64) ([]CatalogEvent, error)
}

// Change is one entry of a zone's journal: the records removed and added
// as master-file lines, the old SOA heading Removed and the new one Added
// (an IXFR difference sequence, RFC 1995 §4).
type Change struct {
	ID             int64
	Kind           string // "create", "update" or "delete"
	PrevSerial     uint32
	Serial         uint32
	Removed, Added string
}

// CatalogMember is a hosted zone in the catalog. Created, the journal id of
// the zone's creation, makes its label: unique, and new when a zone is
// deleted and created again.
type CatalogMember struct {
	Name    string
	Created int64
}

// CatalogEvent is a zone's creation or deletion, journal entry ID.
type CatalogEvent struct {
	ID      int64
	Deleted bool
	CatalogMember
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
	// KeyCache is how long a TSIG key, or the absence of one, is
	// remembered; a removed key is refused after at most this long.
	// Default 5s.
	KeyCache time.Duration
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
	keys    *keyCache
	// catalogWire is the catalog's name in lower-case wire form: queries
	// at or below it are only for those who may transfer.
	catalogWire []byte
	// outcomes counts transfer requests by how they were answered: the
	// kind of transfer sent, or why none was.
	outcomes *prometheus.CounterVec
	// tsigWarn and refusedWarn bound the warn lines of TSIG failures and
	// refused transfers, each on its own.
	tsigWarn, refusedWarn warnLimiter
}

// Collectors are the Handler's metrics, for a Prometheus registry.
func (h *Handler) Collectors() []prometheus.Collector { return []prometheus.Collector{h.outcomes} }

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
	if cfg.KeyCache == 0 {
		cfg.KeyCache = 5 * time.Second
	}
	h := &Handler{cfg: cfg, log: cfg.Logger, keys: newKeyCache(cfg.Source, cfg.KeyCache), outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "zonewarden_zone_transfers_total",
		Help: "Zone transfer requests, by outcome: axfr, ixfr, ixfr-axfr (journal too short), up-to-date, soa (IXFR over UDP, too long), refused, notauth, notimp, formerr (a TSIG or OPT out of place), servfail, or the TSIG error (badkey, badsig, badtime).",
	}, []string{"outcome"})}
	if cfg.Catalog != "" {
		if _, ok := dns.IsDomainName(cfg.Catalog); !ok {
			return nil, fmt.Errorf("transfer: catalog %q is not a domain name", cfg.Catalog)
		}
		h.catalog = dns.CanonicalName(cfg.Catalog)
		h.catalogWire = make([]byte, 256)
		n, err := dns.PackDomainName(h.catalog, h.catalogWire, 0, nil, false)
		if err != nil {
			return nil, fmt.Errorf("transfer: catalog %q: %w", cfg.Catalog, err)
		}
		h.catalogWire = h.catalogWire[:n]
	}
	return h, nil
}

// ServeDNS answers one message; see dnsserver.Handler. Queries that are not
// transfers, carry no TSIG and are not about the catalog go to Next as they
// are.
func (h *Handler) ServeDNS(resp []byte, req *dnsserver.Request) []byte {
	if !special(req.Msg, h.catalogWire) {
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
// question of type AXFR or IXFR, or about a name at or below catalog (wire
// form, lower case; nil for none), or a message whose last record is a
// TSIG. It reads msg in place and allocates nothing.
func special(msg []byte, catalog []byte) bool {
	if len(msg) < 12 || msg[2]&0x80 != 0 {
		return false
	}
	counts := [4]int{}
	for i := range counts {
		counts[i] = int(binary.BigEndian.Uint16(msg[4+2*i:]))
	}
	off := 12
	for i := range counts[0] {
		off = dnsserver.SkipName(msg, off)
		if off < 0 || off+4 > len(msg) {
			return false
		}
		if i == 0 {
			t := binary.BigEndian.Uint16(msg[off:])
			if t == dns.TypeAXFR || t == dns.TypeIXFR || under(msg[12:off], catalog) {
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
		off = dnsserver.SkipName(msg, off)
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

// under reports whether the uncompressed wire name is suffix or ends with it
// at a label boundary, ignoring ASCII case.
func under(name, suffix []byte) bool {
	if len(suffix) == 0 || len(name) < len(suffix) {
		return false
	}
	for off := 0; off < len(name) && name[off] != 0; off += 1 + int(name[off]) {
		if len(name)-off == len(suffix) {
			for i, c := range name[off:] {
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				if c != suffix[i] {
					return false
				}
			}
			return true
		}
	}
	return false
}

// serveSpecial answers a transfer or a signed query with the messages it
// sends; false when nothing is to be sent.
func (h *Handler) serveSpecial(req *dnsserver.Request, send func([]byte) error) bool {
	if len(req.Msg) < 12 || req.Msg[2]&0x80 != 0 {
		return false // no header to answer, or a response: nothing is sent (RFC 1035 §4.1.1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.Timeout)
	defer cancel()
	q := new(dns.Msg)
	if err := q.Unpack(req.Msg); err != nil || len(q.Question) != 1 {
		// Malformed: FORMERR, with the header alone, as the question
		// may be what is wrong.
		// Debug: anyone can send these from a spoofed UDP address.
		h.log.Debug("malformed transfer or signed query", "remote", req.Remote, "err", err)
		m := req.Msg
		send([]byte{m[0], m[1], 0x80 | m[2]&0x78, dns.RcodeFormatError, 0, 0, 0, 0, 0, 0, 0, 0})
		return true
	}
	if misplaced(q) {
		// RFC 8945 §5.1, RFC 6891 §6.1.1: FORMERR, as NSD and Knot
		// answer; the engine answers the same when this is not a
		// transfer (special reads only the last record).
		h.log.Debug("transfer or signed query with a TSIG or OPT out of place", "remote", req.Remote)
		return h.sendRcode(q, nil, dns.RcodeFormatError, send)
	}
	remote := req.Remote.Addr()
	sig, err := tsig.Verify(ctx, h.keys.TSIGKey, req.Msg, q)
	var tf *tsig.Failure
	if errors.As(err, &tf) {
		h.outcomes.WithLabelValues(strings.ToLower(dns.RcodeToString[int(tf.Code)])).Inc()
		// Rate-limited: see warnLimiter.
		h.warn(&h.tsigWarn, remote)("tsig check failed", "remote", req.Remote, "key", tf.Key, "error", dns.RcodeToString[int(tf.Code)], "reason", tf.Reason,
			"qname", q.Question[0].Name, "qtype", dns.TypeToString[q.Question[0].Qtype])
		b, err := tf.Answer(q)
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
	keyName := sig.KeyName()
	name := dns.CanonicalName(q.Question[0].Name)
	if qt != dns.TypeAXFR && qt != dns.TypeIXFR {
		// The catalog lists every customer's zones: only those who may
		// transfer it may ask about it (RFC 9432 §7).
		if h.catalog != "" && dns.IsSubDomain(h.catalog, name) && !h.cfg.Allow.allows(keyName, remote) {
			h.log.Debug("catalog query refused", "qname", name, "remote", req.Remote, "key", keyName)
			return h.sendRcode(q, sig, dns.RcodeRefused, send)
		}
		return h.signedQuery(req, q, sig, send)
	}
	if req.Transport == dnsserver.UDP && qt == dns.TypeAXFR {
		// RFC 5936 §4.2: AXFR is not defined over UDP. NOTIMP, as Knot
		// 3.2 and NSD 4 answer, signed or not, allowed or not: before
		// the access check, which would answer REFUSED.
		return h.sendRcode(q, sig, dns.RcodeNotImplemented, send)
	}
	if !h.cfg.Allow.allows(keyName, remote) {
		h.warn(&h.refusedWarn, remote)("zone transfer refused", "acl", h.cfg.Allow.String(), "zone", name, "qtype", dns.TypeToString[qt], "remote", req.Remote, "key", keyName)
		return h.sendRcode(q, sig, dns.RcodeRefused, send)
	}
	if q.Opcode != dns.OpcodeQuery || q.Question[0].Qclass != dns.ClassINET {
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
	h.outcomes.WithLabelValues(x.kind).Inc()
	log := h.log.Info
	switch {
	case err != nil:
		log = h.log.Warn
	case x.kind == "up-to-date":
		log = h.log.Debug // a secondary's routine check
	}
	log("zone transfer", "zone", name, "qtype", dns.TypeToString[qt], "kind", x.kind, "serial", x.serial, "from_serial", x.from,
		"remote", req.Remote, "transport", req.Transport.String(), "key", keyName, "records", len(x.rrs), "messages", msgs, "bytes", bytes,
		"took", time.Since(start).Round(time.Microsecond), "err", err)
	return true
}

// warn is the log function for a refusal or TSIG failure from addr: warn
// when the limiter lets it through, noting how many lines it held back,
// debug otherwise.
func (h *Handler) warn(l *warnLimiter, addr netip.Addr) func(msg string, args ...any) {
	ok, held := l.allow(time.Now(), addr)
	if !ok {
		return h.log.Debug
	}
	if held == 0 {
		return h.log.Warn
	}
	return func(msg string, args ...any) { h.log.Warn(msg, append(args, "suppressed", held)...) }
}

// misplaced reports whether q has a TSIG anywhere but last in the
// additional section, or an OPT outside it.
func misplaced(q *dns.Msg) bool {
	for _, sec := range [][]dns.RR{q.Answer, q.Ns} {
		for _, rr := range sec {
			if t := rr.Header().Rrtype; t == dns.TypeTSIG || t == dns.TypeOPT {
				return true
			}
		}
	}
	for i, rr := range q.Extra {
		if rr.Header().Rrtype == dns.TypeTSIG && i != len(q.Extra)-1 {
			return true
		}
	}
	return false
}

// sendRcode answers q with rcode alone, signed when sig is not nil.
func (h *Handler) sendRcode(q *dns.Msg, sig *tsig.Signer, rcode int, send func([]byte) error) bool {
	if t := q.Question[0].Qtype; t == dns.TypeAXFR || t == dns.TypeIXFR {
		h.outcomes.WithLabelValues(strings.ToLower(dns.RcodeToString[rcode])).Inc()
	}
	m := new(dns.Msg)
	m.SetRcode(q, rcode)
	b, err := sig.Pack(m)
	if err != nil {
		h.log.Error("pack answer", "err", err)
		return false
	}
	send(b)
	return true
}

// signedQuery answers a query that is not a transfer: one with a valid
// TSIG (a secondary's SOA check) or about the catalog from a client that
// may ask. Next answers it, and the answer is signed when the query was.
func (h *Handler) signedQuery(req *dnsserver.Request, q *dns.Msg, sig *tsig.Signer, send func([]byte) error) bool {
	// Next reads the question and EDNS and ignores the TSIG record.
	raw := h.cfg.Next.ServeDNS(make([]byte, 0, 65535), req)
	if raw == nil {
		return false
	}
	if sig == nil {
		send(raw)
		return true
	}
	m := new(dns.Msg)
	if err := m.Unpack(raw); err != nil {
		h.log.Error("read engine answer to sign", "err", err)
		return false
	}
	b, err := sig.Pack(m)
	if err != nil {
		h.log.Error("sign answer", "err", err)
		return false
	}
	send(b)
	return true
}
