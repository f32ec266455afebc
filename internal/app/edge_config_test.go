package app

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseEdgeConfig(t *testing.T) {
	c, err := parseEdgeConfig([]string{"--primary", "192.0.2.1", "--catalog", "catalog.example.",
		"--tsig", "edge1:hmac-sha512:c2VjcmV0", "--zones", "a.example, b.example", "--timeout", "3s"},
		env(map[string]string{"ZONEWARDEN_DATA": "/var/lib/edge", "ZONEWARDEN_LISTEN": "[::1]:53"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Primary != "192.0.2.1:53" || c.Data != "/var/lib/edge" || c.Listen != "[::1]:53" || c.Timeout != 3*time.Second ||
		!slices.Equal(c.Zones, []string{"a.example", "b.example"}) || c.Catalog != "catalog.example." {
		t.Errorf("parsed %+v", c)
	}
}

func TestParseEdgeConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--catalog", "c.example"}, "--primary is required"},
		{[]string{"--primary", "192.0.2.1"}, "--catalog or --zones is required"},
		{[]string{"--primary", "192.0.2.1", "--catalog", "c", "--tsig", "k:hmac-md5:c2VjcmV0"}, "hmac-md5"},
		{[]string{"--primary", "192.0.2.1", "--catalog", "c", "--tsig", "nocolons"}, "NAME:ALGORITHM:SECRET"},
		{[]string{"--primary", "192.0.2.1", "--zones", "a b"}, `"a b" is not a domain name`},
		{[]string{"--primary", "192.0.2.1", "--catalog", "c", "--transfers", "0"}, "--transfers"},
		{[]string{"--primary", "192.0.2.1", "--catalog", "c", "--data", ""}, "--data is required"},
		{[]string{"--primary", "192.0.2.1", "--catalog", "c", "--max-udp-size", "100"}, "--max-udp-size"},
	} {
		_, err := parseEdgeConfig(tc.args, env(nil), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}
