package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseDNSConfig(t *testing.T) {
	c, err := parseDNSConfig([]string{"--zones", "z"}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultDNSConfig()
	if c.Listen != "127.0.0.1:5353" || c.MaxUDPSize != 1232 || c.NSID != "" || c.Identity != def.Identity ||
		c.TCPIdleTimeout != 10*time.Second || c.LogLevel != slog.LevelInfo || c.LogFormat != "text" {
		t.Errorf("defaults: %+v", c)
	}

	// The environment sets, flags override it.
	c, err = parseDNSConfig(
		[]string{"--listen", "[::1]:53", "--alias-upstream", "192.0.2.1,[2001:db8::1]:5300,2001:db8::2"},
		env(map[string]string{
			"ZONEWARDEN_ZONES":            "/srv/zones",
			"ZONEWARDEN_LISTEN":           "0.0.0.0:53",
			"ZONEWARDEN_MAX_UDP_SIZE":     "1400",
			"ZONEWARDEN_TCP_IDLE_TIMEOUT": "3s",
			"ZONEWARDEN_LOG_LEVEL":        "debug",
			"ZONEWARDEN_NSID":             "auto",
		}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Zones != "/srv/zones" || c.Listen != "[::1]:53" || c.MaxUDPSize != 1400 ||
		c.TCPIdleTimeout != 3*time.Second || c.LogLevel != slog.LevelDebug || c.NSID != "auto" {
		t.Errorf("env and flags: %+v", c)
	}
	if want := []string{"192.0.2.1:53", "[2001:db8::1]:5300", "[2001:db8::2]:53"}; !slices.Equal(c.AliasUpstream, want) {
		t.Errorf("alias upstream = %q, want %q", c.AliasUpstream, want)
	}
	if host, _ := os.Hostname(); string(c.nsid()) != host {
		t.Errorf("nsid auto = %q, want the host name %q", c.nsid(), host)
	}

	// An empty flag turns a default off.
	c, err = parseDNSConfig([]string{"--zones", "z", "--alias-upstream", "", "--identity", ""}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.AliasUpstream) != 0 || c.Identity != "" {
		t.Errorf("emptied: upstream %q identity %q", c.AliasUpstream, c.Identity)
	}
}

func TestParseDNSConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string // in the error
	}{
		{nil, nil, "--zones is required"},
		{[]string{"--zones", "z", "--listen", "localhost"}, nil, "--listen"},
		{[]string{"--zones", "z", "--listen", "127.0.0.1:99999"}, nil, "--listen"},
		{[]string{"--zones", "z", "--max-udp-size", "100"}, nil, "--max-udp-size 100"},
		{[]string{"--zones", "z", "--max-udp-size", "70000"}, nil, "--max-udp-size 70000"},
		{[]string{"--zones", "z", "--log-format", "xml"}, nil, "--log-format"},
		{[]string{"--zones", "z", "--log-level", "loud"}, nil, "log-level"},
		{[]string{"--zones", "z", "--tcp-idle-timeout", "0s"}, nil, "--tcp-idle-timeout"},
		{[]string{"--zones", "z", "--metrics", "9153"}, nil, "--metrics"},
		{[]string{"--zones", "z", "--no-such-flag"}, nil, "no-such-flag"},
		{[]string{"--zones", "z", "extra"}, nil, `unexpected argument "extra"`},
		{nil, map[string]string{"ZONEWARDEN_ZONES": "z", "ZONEWARDEN_WORKERS": "many"}, "ZONEWARDEN_WORKERS"},
	} {
		_, err := parseDNSConfig(tc.args, env(tc.env), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %v: error %v, want one containing %q", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestParseDNSConfigHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := parseDNSConfig([]string{"-h"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(out.String(), "-alias-upstream") {
		t.Errorf("usage lacks the flags:\n%s", out.String())
	}
}

func TestResolvConfNameservers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	writeFile(t, path, "# generated\nsearch example.com\nnameserver 2001:db8::53\nnameserver 192.0.2.53\noptions ndots:2\n")
	if got, want := resolvConfNameservers(path, 1), []string{"[2001:db8::53]:53"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := resolvConfNameservers(path, 3), []string{"[2001:db8::53]:53", "192.0.2.53:53"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := resolvConfNameservers(filepath.Join(t.TempDir(), "none"), 1); got != nil {
		t.Errorf("missing file: %q", got)
	}
}

func TestMainCommands(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{nil, exitUsage, "", "Usage:"},
		{[]string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{[]string{"version"}, exitOK, "zonewarden ", ""},
		{[]string{"help"}, exitOK, "dns ", ""},
		{[]string{"help", "dns"}, exitOK, "--zones", ""},
		{[]string{"help", "bogus"}, exitUsage, "", `unknown command "bogus"`},
		{[]string{"version", "extra"}, exitUsage, "", "takes no argument"},
		{[]string{"dns"}, exitUsage, "", "--zones is required"},
		{[]string{"dns", "--zones", filepath.Join(t.TempDir(), "missing"), "--listen", "127.0.0.1:0", "--alias-upstream", ""}, exitError, "", "read zone directory"},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stdout.String(), tc.out) || !strings.Contains(stderr.String(), tc.err) {
			t.Errorf("Main(%q) = %d, stdout %q, stderr %q; want %d, stdout with %q, stderr with %q",
				tc.args, code, stdout.String(), stderr.String(), tc.code, tc.out, tc.err)
		}
	}
}
