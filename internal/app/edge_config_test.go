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
	if !slices.Equal(c.Primaries, []string{"192.0.2.1:53"}) || c.Data != "/var/lib/edge" || c.Listen != "[::1]:53" || c.Timeout != 3*time.Second ||
		!slices.Equal(c.Zones, []string{"a.example", "b.example"}) || c.Catalog != "catalog.example." {
		t.Errorf("parsed %+v", c)
	}
}

// TestParseEdgeConfigPrimaries: --primary (or ZONEWARDEN_PRIMARY) is a
// comma-separated list, each address with port 53 unless it says another.
func TestParseEdgeConfigPrimaries(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want []string
	}{
		{[]string{"--primary", "192.0.2.1"}, nil, []string{"192.0.2.1:53"}},
		{[]string{"--primary", "192.0.2.1,192.0.2.2:5353"}, nil, []string{"192.0.2.1:53", "192.0.2.2:5353"}},
		{[]string{"--primary", " primary1.example , [2001:db8::2]:5353, 2001:db8::3,"}, nil,
			[]string{"primary1.example:53", "[2001:db8::2]:5353", "[2001:db8::3]:53"}},
		{nil, map[string]string{"ZONEWARDEN_PRIMARY": "192.0.2.2,192.0.2.1"}, []string{"192.0.2.2:53", "192.0.2.1:53"}},
		{[]string{"--primary", "192.0.2.3"}, map[string]string{"ZONEWARDEN_PRIMARY": "192.0.2.2,192.0.2.1"}, []string{"192.0.2.3:53"}},
	} {
		c, err := parseEdgeConfig(append(tc.args, "--catalog", "catalog.example."), env(tc.env), &bytes.Buffer{})
		if err != nil {
			t.Errorf("%q %v: %v", tc.args, tc.env, err)
			continue
		}
		if !slices.Equal(c.Primaries, tc.want) {
			t.Errorf("%q %v: primaries %q, want %q", tc.args, tc.env, c.Primaries, tc.want)
		}
	}
}

func TestParseEdgeConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--catalog", "c.example"}, "--primary is required"},
		{[]string{"--primary", " , ", "--catalog", "c"}, "--primary is required"},
		{[]string{"--primary", "192.0.2.1,192.0.2.2:99999", "--catalog", "c"}, `--primary: "192.0.2.2:99999": port "99999"`},
		{[]string{"--primary", "192.0.2.1,192.0.2.2:0", "--catalog", "c"}, `--primary: "192.0.2.2:0": port 0`},
		{[]string{"--primary", "192.0.2.1,bad/host", "--catalog", "c"}, `--primary: "bad/host:53": "bad/host" is neither an IP address nor a host name`},
		{[]string{"--primary", "192.0.2.1,192.0.2.1:53", "--catalog", "c"}, `--primary: "192.0.2.1:53" is listed twice`},
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
