package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/dnsimple/dnsimple-go/v8/dnsimple"

	"github.com/zonewarden/zonewarden/internal/api"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// backends are the databases the tests run on (testdb.Backends).
var backends = testdb.Backends

// env is an API on loopback over a fresh database, with three users:
// alice owns account A, bob owns account B, carol is a read-only member of A.
type env struct {
	st  *store.Store
	srv *httptest.Server
	log *bytes.Buffer

	alice, bob, carol       store.User
	accountA, accountB      store.Account
	tokenA, tokenB, tokenRO string // account tokens of A and B; carol's user token for A

	changedMu sync.Mutex
	changed   []string
}

const password = "correct horse battery"

type envOption func(*api.Config)

func newEnv(t *testing.T, dbURL string, opts ...envOption) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL,
		store.WithNameServers([]string{"ns1.zonewarden.test.", "ns2.zonewarden.test."}),
		store.WithPasswordParams(argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, log: &bytes.Buffer{}}
	e.alice, e.accountA = mustUser(t, st, "alice@example.com")
	e.bob, e.accountB = mustUser(t, st, "bob@example.com")
	e.carol, _ = mustUser(t, st, "carol@example.com")
	if err := st.AddMember(ctx, e.accountA.ID, e.carol.ID, store.RoleReadOnly); err != nil {
		t.Fatal(err)
	}
	e.tokenA = mustToken(t, st, store.NewToken{AccountID: e.accountA.ID, Name: "a"})
	e.tokenB = mustToken(t, st, store.NewToken{AccountID: e.accountB.ID, Name: "b"})
	e.tokenRO = mustToken(t, st, store.NewToken{AccountID: e.accountA.ID, UserID: &e.carol.ID, Name: "carol"})

	var logMu sync.Mutex
	cfg := api.Config{
		Store:        st,
		Logger:       slog.New(slog.NewTextHandler(lockedWriter{&logMu, e.log}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:          func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		NewRequestID: func() string { return "00000000-0000-4000-8000-000000000000" },
		Changed: func(zones ...string) {
			e.changedMu.Lock()
			e.changed = append(e.changed, zones...)
			e.changedMu.Unlock()
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.srv = httptest.NewServer(api.New(cfg))
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			logMu.Lock()
			t.Logf("API log:\n%s", e.log)
			logMu.Unlock()
		}
	})
	return e
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func mustUser(t *testing.T, st *store.Store, email string) (store.User, store.Account) {
	t.Helper()
	u, a, err := st.CreateUser(context.Background(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	return u, a
}

func mustToken(t *testing.T, st *store.Store, nt store.NewToken) string {
	t.Helper()
	tok, _, err := st.CreateToken(context.Background(), nt)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// client returns DNSimple's official client authenticated with token, whose
// responses rec keeps.
func (e *env) client(token string, rec *recorder) *dnsimple.Client {
	hc := dnsimple.StaticTokenHTTPClient(context.Background(), token)
	if rec != nil {
		rec.next = hc.Transport
		hc.Transport = rec
	}
	c := dnsimple.NewClient(hc)
	c.BaseURL = e.srv.URL
	return c
}

// recorder is an http.RoundTripper that keeps the last response's status
// and body.
type recorder struct {
	next   http.RoundTripper
	status int
	header http.Header
	body   []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	r.status, r.header, r.body = resp.StatusCode, resp.Header, body
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// do sends a raw request with a bearer token ("" for none) and returns the
// status, headers and body.
func (e *env) do(t *testing.T, method, path, token, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

var (
	timestampRE = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"`)
	serialRE    = regexp.MustCompile(`\b20\d{8}\b`)
)

// golden compares body with testdata/<name>.json, or rewrites the file with
// -update. Times and SOA serials, which the store takes from the wall
// clock, are replaced first; JSON is indented for reading.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	got := timestampRE.ReplaceAll(body, []byte(`"2026-01-02T03:04:05Z"`))
	got = serialRE.ReplaceAll(got, []byte("2026010200"))
	var buf bytes.Buffer
	if len(bytes.TrimSpace(got)) > 0 {
		if err := jsonIndent(&buf, got); err != nil {
			t.Fatalf("golden %s: %v: %s", name, err, body)
		}
	}
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test -update)", name, err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("golden %s differs (go test -update rewrites it):\n got: %s\nwant: %s", name, buf.Bytes(), want)
	}
}

func jsonIndent(w *bytes.Buffer, b []byte) error {
	if err := json.Indent(w, bytes.TrimSpace(b), "", "  "); err != nil {
		return err
	}
	w.WriteByte('\n')
	return nil
}
