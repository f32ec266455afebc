package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
)

// TestPrimaryFormRefused: an address refused for where it is (not public)
// says so, rather than asking for an address.
func TestPrimaryFormRefused(t *testing.T) {
	for _, c := range []struct{ ip, msg, want string }{
		{"10.0.0.53", "10.0.0.53 is not a public address: this installation transfers zones only from public ones", "10.0.0.53 is not a public address"},
		{"ns1.example.com", `"ns1.example.com" is not an IPv4 or IPv6 address`, "Enter the server's IPv4 or IPv6 address"},
	} {
		f := primaryForm{IP: c.ip, Errors: map[string]string{}}
		err := f.refused(fmt.Errorf("create primary server: %w", &store.ValidationError{Fields: []store.FieldError{{Field: "ip", Msg: c.msg}}}))
		if err != nil || !strings.HasPrefix(f.Errors["ip"], c.want) {
			t.Errorf("%s: %v, ip error %q, want it to start %q", c.ip, err, f.Errors["ip"], c.want)
		}
	}
}
