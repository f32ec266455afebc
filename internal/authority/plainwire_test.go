package authority

import (
	"bytes"
	"testing"

	"github.com/miekg/dns"
)

// plainWire must agree with miekg/dns on every name it takes, and take the
// plain ones.
func TestPlainWire(t *testing.T) {
	for _, c := range []struct {
		name  string
		plain bool
	}{
		{".", true}, {"a.", true}, {"www.Example.COM.", true}, {"_sip._tcp.example.com.", true},
		{"*.apps.example.", true}, {"xn--bcher-kva.example.", true},
		{"a..b.", false}, {"x", false}, {"a\\.b.example.", false}, {"\\065.example.", false},
	} {
		got := plainWire(c.name)
		if (got != nil) != c.plain {
			t.Errorf("%q: plain %v, want %v", c.name, got != nil, c.plain)
			continue
		}
		if got == nil {
			continue
		}
		var buf [256]byte
		n, err := dns.PackDomainName(c.name, buf[:], 0, nil, false)
		if err != nil || !bytes.Equal(got, lowerWire(buf[:n])) {
			t.Errorf("%q: got % x, miekg/dns % x (%v)", c.name, got, buf[:n], err)
		}
	}
}
