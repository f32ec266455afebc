package web_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/testdb"
	"github.com/zonewarden/zonewarden/internal/web"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var cheapArgon = argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

const password = "correct horse battery"

// env is the dashboard on loopback over a fresh SQLite store.
type env struct {
	t       *testing.T
	st      *store.Store
	srv     *httptest.Server
	changed chan string
}

func newEnv(t *testing.T, cfg web.Config) *env {
	t.Helper()
	return newEnvOn(t, filepath.Join(t.TempDir(), "zonewarden.db"), cfg)
}

// newEnvOn is newEnv over the database at dbURL: a SQLite file, or a
// PostgreSQL URL (see backends).
func newEnvOn(t *testing.T, dbURL string, cfg web.Config) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL, store.WithPasswordParams(cheapArgon))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, changed: make(chan string, 100)}
	cfg.Store = st
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	}
	cfg.Changed = func(zones ...string) {
		for _, z := range zones {
			select {
			case e.changed <- z:
			default:
			}
		}
	}
	e.srv = httptest.NewServer(web.New(cfg))
	t.Cleanup(e.srv.Close)
	return e
}

// backends runs f on each database the tests run on, with a fresh one
// (testdb.Backends).
func backends(t *testing.T, f func(t *testing.T, dbURL string)) {
	testdb.Backends(t, func(t *testing.T, dbURL func(*testing.T) string) { f(t, dbURL(t)) })
}

// browser is one visitor: a cookie jar, redirects not followed so that
// tests see them.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// response is what a request got.
type response struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (b *browser) do(req *http.Request) response {
	b.e.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body), header: resp.Header}
}

func (b *browser) get(path string) response {
	b.e.t.Helper()
	req, _ := http.NewRequest("GET", b.e.srv.URL+path, nil)
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token the forms of page carry.
func (b *browser) csrf(page string) string {
	b.e.t.Helper()
	m := csrfRE.FindStringSubmatch(b.get(page).body)
	if m == nil {
		b.e.t.Fatalf("no csrf token on %s", page)
	}
	return m[1]
}

// post sends a form from page (whose CSRF token it uses) to path.
func (b *browser) post(page, path string, form url.Values) response {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", b.csrf(page))
	}
	req, _ := http.NewRequest("POST", b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) signIn(email string) {
	b.e.t.Helper()
	r := b.post("/sign-in", "/sign-in", url.Values{"email": {email}, "password": {password}})
	if r.status != http.StatusSeeOther {
		b.e.t.Fatalf("sign in %s: %d %s", email, r.status, r.body)
	}
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.e.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (e *env) user(email string) (store.User, store.Account) {
	e.t.Helper()
	u, a, err := e.st.CreateUser(context.Background(), email, password)
	if err != nil {
		e.t.Fatal(err)
	}
	return u, a
}

func want(t *testing.T, what string, r response, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d; body:\n%.600s", what, r.status, status, r.body)
		return
	}
	for _, c := range contains {
		if !strings.Contains(r.body, c) {
			t.Errorf("%s: body lacks %q:\n%.2000s", what, c, r.body)
		}
	}
}

// golden compares a page with testdata/golden/name.html, after replacing
// what changes from run to run (tokens, times, serials).
var unstable = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`name="csrf" value="[^"]+"`), `name="csrf" value="CSRF"`},
	{regexp.MustCompile(`\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC`), "DATE"},
	{regexp.MustCompile(`Serial \d+`), "Serial SERIAL"},
	{regexp.MustCompile(`zw_[A-Za-z0-9_-]{43}`), "zw_TOKEN"},
	{regexp.MustCompile(`\b20\d{8}\b`), "SERIAL"},
}

func golden(t *testing.T, name, body string) {
	t.Helper()
	for _, u := range unstable {
		body = u.re.ReplaceAllString(body, u.with)
	}
	path := filepath.Join("testdata", "golden", name+".html")
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	w, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(w) != body {
		t.Errorf("page %s differs from %s (run with -update after checking):\n%s", name, path, body)
	}
}

var tokenRE = regexp.MustCompile(`zw_[A-Za-z0-9_-]{43}`)
