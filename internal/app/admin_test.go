package app

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAdmin(t *testing.T) {
	sc := StoreConfig{Data: t.TempDir()}
	var user struct {
		UserID    int64 `json:"user_id"`
		AccountID int64 `json:"account_id"`
	}
	adminJSON(t, sc, "s3cret password\r\n", &user, "create-user", "--email", "Ada@Example.com", "--password-stdin")
	if user.UserID == 0 || user.AccountID == 0 {
		t.Fatalf("create-user printed %+v", user)
	}
	var tok struct {
		AccountID int64  `json:"account_id"`
		Token     string `json:"token"`
	}
	adminJSON(t, sc, "", &tok, "create-token", "--email", "ada@example.com")
	if tok.AccountID != user.AccountID || tok.Token == "" {
		t.Fatalf("create-token printed %+v", tok)
	}

	for _, tc := range []struct {
		args  []string
		stdin string
		code  int
		msg   string
	}{
		{nil, "", exitUsage, "Usage"},
		{[]string{"frobnicate"}, "", exitUsage, "unknown command"},
		{[]string{"create-user", "--email", "x@example.com"}, "pw", exitUsage, "--password-stdin is required"},
		{[]string{"create-user", "--password-stdin"}, "pw", exitUsage, "--email is required"},
		{[]string{"create-user", "--email", "x@example.com", "--password-stdin"}, "", exitError, "no password"},
		{[]string{"create-user", "--email", "x@example.com", "--password-stdin"}, "short\n", exitError, "password"},
		{[]string{"create-user", "--email", "ada@example.com", "--password-stdin"}, "another password\n", exitError, "has an account already"},
		{[]string{"create-token", "--email", "nobody@example.com"}, "", exitError, "not found"},
		{[]string{"create-token", "--email", "ada@example.com", "--database", "mysql://x"}, "", exitUsage, "postgres://"},
	} {
		var stdout, stderr bytes.Buffer
		args := tc.args
		if len(args) > 0 && args[0] != "frobnicate" {
			args = append(args, "--data", sc.Data)
		}
		code := runAdmin(context.Background(), args, env(nil), strings.NewReader(tc.stdin), &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.msg) || stdout.Len() != 0 {
			t.Errorf("admin %q: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, stdout.String(), stderr.String(), tc.code, tc.msg)
		}
	}
}

func TestMigrate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for range 2 { // twice: the second finds nothing to do
		var stderr bytes.Buffer
		if code := runMigrate(context.Background(), []string{"--data", dir}, env(nil), &stderr); code != exitOK {
			t.Fatalf("migrate: exit %d: %s", code, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "zonewarden.db")); err != nil {
		t.Errorf("no database: %v", err)
	}
	var stderr bytes.Buffer
	if code := runMigrate(context.Background(), []string{"extra"}, env(nil), &stderr); code != exitUsage {
		t.Errorf("migrate extra: exit %d", code)
	}
	// The environment names the database too.
	stderr.Reset()
	dir2 := t.TempDir()
	if code := runMigrate(context.Background(), nil, env(map[string]string{"ZONEWARDEN_DATA": dir2}), &stderr); code != exitOK {
		t.Fatalf("migrate from env: exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir2, "zonewarden.db")); err != nil {
		t.Errorf("ZONEWARDEN_DATA: no database: %v", err)
	}
}

func TestParseServeConfig(t *testing.T) {
	c, err := parseServeConfig(nil, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP != "127.0.0.1:8080" || c.DNS != "127.0.0.1:5353" || c.Data != "./data" || c.Database != "" ||
		c.RateLimit != 2400 || c.Poll != time.Second || strings.Join(c.NameServers, ",") != "ns1.zonewarden.test.,ns2.zonewarden.test." ||
		c.RecordLimit != 10000 {
		t.Errorf("defaults: %+v", c)
	}
	if c.url() != "data/zonewarden.db" {
		t.Errorf("sqlite path %q", c.url())
	}

	c, err = parseServeConfig([]string{"--http", "[::1]:0", "--nameservers", "ns1.example.net, ns2.example.net."},
		env(map[string]string{
			"ZONEWARDEN_HTTP":         "0.0.0.0:80",
			"ZONEWARDEN_DNS":          ":53",
			"ZONEWARDEN_DATABASE_URL": "postgres://zw:pw@db/zonewarden",
			"ZONEWARDEN_RATE_LIMIT":   "100",
			"ZONEWARDEN_TLDS":         "com, org",
			"ZONEWARDEN_RECORD_LIMIT": "200000",
		}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP != "[::1]:0" || c.DNS != ":53" || c.url() != "postgres://zw:pw@db/zonewarden" || c.RateLimit != 100 ||
		strings.Join(c.NameServers, ",") != "ns1.example.net,ns2.example.net." || strings.Join(c.TLDs, ",") != "com,org" ||
		c.RecordLimit != 200000 {
		t.Errorf("env and flags: %+v", c)
	}
	if d := c.describe(); strings.Contains(d, "pw") {
		t.Errorf("describe shows the password: %s", d)
	}

	_, err = parseServeConfig([]string{"--http", "nope", "--dns", "x:99999", "--nameservers", "", "--database", "mysql://x", "--max-udp-size", "100", "--tlds", "co.uk", "--record-limit", "0"}, env(nil), &bytes.Buffer{})
	for _, want := range []string{"--http", "--dns", "--nameservers", "--database", "--max-udp-size", "--tlds", "--record-limit"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad config: error %v, want it to mention %s", err, want)
		}
	}
	var out bytes.Buffer
	if _, err := parseServeConfig([]string{"-h"}, env(nil), &out); err != flag.ErrHelp || !strings.Contains(out.String(), "-nameservers") {
		t.Errorf("-h: %v\n%s", err, out.String())
	}
}
