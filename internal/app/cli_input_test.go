package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestTSIGCommandFlags: an unknown flag or a bad value is a usage error
// wherever it stands among the arguments, and does nothing (one before a
// positional once went unnoticed: "tsig remove k --bogus" removed k).
func TestTSIGCommandFlags(t *testing.T) {
	data := t.TempDir()
	run := func(stdin string, args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := runTSIG(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := run("", "add", "k1", "--data", data); code != exitOK {
		t.Fatalf("add k1: %d %s", code, out)
	}
	for _, args := range [][]string{
		{"remove", "k1", "--bogus", "--data", data},
		{"add", "k2", "--bogus", "--data", data},
		{"add", "k3", "--secret-stdin=maybe", "--data", data},
		{"list", "--bogus", "--data", data},
	} {
		if code, out := run("", args...); code != exitUsage {
			t.Errorf("tsig %s: exit %d, want %d\n%s", strings.Join(args, " "), code, exitUsage, out)
		}
	}
	code, out := run("", "list", "--data", data)
	if code != exitOK || !strings.Contains(out, "k1.") || strings.Contains(out, "k2.") || strings.Contains(out, "k3.") {
		t.Errorf("keys after the refusals: %d\n%s", code, out)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://zw:pw@db/zonewarden":                    "postgres://zw:%E2%80%A6@db/zonewarden",
		"postgres://db/x?password=QSECRET&sslmode=disable":  "postgres://db/x?password=%E2%80%A6&sslmode=disable",
		"postgres://u:p@ss@host/x?passfile=/secret":         "postgres://u:%E2%80%A6@host/x?passfile=%E2%80%A6",
		"postgres://db/zonewarden":                          "postgres://db/zonewarden",
		"postgres://u:TOPSECRET@[::1/x?password=QSECRET%zz": "postgres://…",
	} {
		got := redactURL(in)
		if got != want || strings.Contains(got, "SECRET") || strings.Contains(got, "pw@") {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDNSNameFlag(t *testing.T) {
	long := strings.Repeat("a", 64)
	for in, ok := range map[string]bool{
		"ns1.example.net":               true,
		"ns1.example.net.":              true,
		"NS1.Example.NET":               true,
		"catalog.zonewarden.invalid":    true,
		long + ".example.net":           false,
		strings.Repeat("a.", 127) + "a": false,
		`a\000b`:                        false,
		"a..b":                          false,
		"":                              false,
		"ns1.example.net:53":            false,
		"ns 1.example.net":              false,
	} {
		if _, got := dnsName(in); got != ok {
			t.Errorf("dnsName(%q) ok = %v, want %v", in, got, ok)
		}
	}
	c := DefaultServeConfig()
	c.NameServers = []string{long + ".example.net"}
	c.Workers = 100000
	err := c.Validate()
	for _, want := range []string{"--nameservers", "--workers"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %v, want it to name %s", err, want)
		}
	}
}
