package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/zonewarden/zonewarden/internal/web"
)

var inlineScriptRE = regexp.MustCompile(`<script(\s[^>]*)?>`)

// TestTokenCopyButton: the token shown once has a copy button, hidden
// until the external script shows it, and the policy allows that script
// and no other.
func TestTokenCopyButton(t *testing.T) {
	e := newEnv(t, web.Config{})
	e.user("ada@example.com")
	b := e.browser()
	b.signIn("ada@example.com")
	r := b.post("/a/1/tokens", "/a/1/tokens", url.Values{"kind": {"account"}, "name": {"ci"}})
	want(t, "created", r, http.StatusCreated, `<button type="button" class="secondary" data-copy="new-token" hidden>Copy</button>`,
		`<script src="/static/copy.js" defer></script>`, `id="new-token-copied" role="status"`)
	for _, m := range inlineScriptRE.FindAllString(r.body, -1) {
		if !strings.Contains(m, ` src="/static/`) {
			t.Errorf("inline script %s", m)
		}
	}
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(b.get("/a/1/tokens").body, "copy.js") {
		t.Error("the list of tokens loads the copy script with nothing to copy")
	}
	js := b.get("/static/copy.js")
	if js.status != 200 || !strings.HasPrefix(js.header.Get("Content-Type"), "text/javascript") || !strings.Contains(js.body, "data-copy") {
		t.Errorf("copy.js: %d %q", js.status, js.header.Get("Content-Type"))
	}
}
