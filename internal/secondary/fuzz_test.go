package secondary

import (
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/tsig"
)

// FuzzNotify throws arbitrary messages at an edge's NOTIFY handler, from
// the primary's address and from a stranger's. Whatever arrives, it must
// not panic, and what it answers must parse and be a response.
func FuzzNotify(f *testing.F) {
	key, err := tsig.ParseKey("edge1:hmac-sha256:" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==")
	if err != nil {
		f.Fatal(err)
	}
	engine := authority.New(authority.Config{})
	s, err := New(Config{Primaries: []string{"127.0.0.1:1"}, Key: &key, Zones: []string{"example.com."}, Dir: f.TempDir(),
		Engine: engine, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	h := s.Handler(engine)

	plain, _ := notifyMsg("example.com.").Pack()
	f.Add(plain, true)
	signed := notifyMsg("example.com.")
	signed.SetTsig(key.Name, key.Algorithm, 300, time.Now().Unix())
	wire, _, err := dns.TsigGenerate(signed, key.Secret, "", false)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(wire, false)
	f.Add(plain[:12], true)

	primary := netip.MustParseAddrPort("127.0.0.1:5300")
	stranger := netip.MustParseAddrPort("192.0.2.9:5300")
	f.Fuzz(func(t *testing.T, msg []byte, fromPrimary bool) {
		if len(msg) > 65535 {
			return
		}
		from := stranger
		if fromPrimary {
			from = primary
		}
		out := h.ServeDNS(make([]byte, 0, 65535), &dnsserver.Request{Msg: msg, Transport: dnsserver.UDP, Remote: from})
		if out == nil {
			return
		}
		var r dns.Msg
		if err := r.Unpack(out); err != nil {
			t.Fatalf("answer does not parse: %v\n% x", err, out)
		}
		if !r.Response {
			t.Fatalf("answer is not a response: %v", r)
		}
	})
}
