package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// DNSimple's fixtures are recorded HTTP responses shipped in the client
// module: fixtures.http/api/<endpoint>/<case>.http.

var fixturesDir = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/dnsimple/dnsimple-go/v8").Output()
	if err != nil {
		return "", fmt.Errorf("find the dnsimple-go module: %w", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "fixtures.http", "api"), nil
})

// fixture is one recorded response.
type fixture struct {
	status int
	header http.Header
	body   []byte
}

// readFixture reads fixtures.http/api/<name>.http, e.g.
// "createZoneRecord/created".
func readFixture(t *testing.T, name string) fixture {
	t.Helper()
	dir, err := fixturesDir()
	if err != nil {
		t.Skip(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, name+".http"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body) // the fixtures' Content-Length is often absent: read to EOF
	return fixture{status: resp.StatusCode, header: resp.Header, body: bytes.TrimSpace(body.Bytes())}
}

// shapeDiff compares the shape of two JSON documents: the same keys in
// objects, recursively, and the same JSON type for each value. A null on
// either side matches any type (the fixtures show null for fields that are
// set in other cases, and the other way round). Array elements of got are
// each compared with the first element of want. It returns the differences,
// one per line, with the path where each is.
func shapeDiff(got, want []byte) ([]string, error) {
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		return nil, fmt.Errorf("ours: %w", err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	var diffs []string
	compareShape("$", g, w, &diffs)
	return diffs, nil
}

// dictionaries are the paths of objects whose keys are data, not fields:
// the per-field messages of a validation error. Each of their values is
// compared with any one of the fixture's.
var dictionaries = map[string]bool{"$.errors": true}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func compareShape(path string, got, want any, diffs *[]string) {
	if got == nil || want == nil {
		return
	}
	if gt, wt := jsonType(got), jsonType(want); gt != wt {
		*diffs = append(*diffs, fmt.Sprintf("%s: %s, DNSimple has %s", path, gt, wt))
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		if dictionaries[path] && len(w) > 0 && isMessages(w) {
			var sample any
			for _, v := range w {
				sample = v
				break
			}
			for k, v := range g {
				compareShape(path+"."+k, v, sample, diffs)
			}
			return
		}
		var keys []string
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !gok:
				*diffs = append(*diffs, fmt.Sprintf("%s.%s: missing", path, k))
			case !wok:
				*diffs = append(*diffs, fmt.Sprintf("%s.%s: not in DNSimple's response", path, k))
			default:
				compareShape(path+"."+k, gv, wv, diffs)
			}
		}
	case []any:
		g := got.([]any)
		if len(w) == 0 {
			return
		}
		for i, gv := range g {
			compareShape(fmt.Sprintf("%s[%d]", path, i), gv, w[0], diffs)
		}
	}
}

// isMessages reports whether every value of m is a list of strings, as in
// {"content": ["can't be blank"]}.
func isMessages(m map[string]any) bool {
	for _, v := range m {
		l, ok := v.([]any)
		if !ok {
			return false
		}
		for _, s := range l {
			if _, ok := s.(string); !ok {
				return false
			}
		}
	}
	return true
}

// checkShape fails the test when body does not have the shape of the
// fixture's body.
func checkShape(t *testing.T, fixtureName string, body []byte) {
	t.Helper()
	f := readFixture(t, fixtureName)
	diffs, err := shapeDiff(body, f.body)
	if err != nil {
		t.Fatalf("shape against %s: %v\nours: %s", fixtureName, err, body)
	}
	for _, d := range diffs {
		t.Errorf("shape against %s: %s", fixtureName, d)
	}
	if len(diffs) > 0 {
		t.Logf("ours:    %s\nfixture: %s", body, f.body)
	}
}

func TestShapeDiff(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		diffs     []string
	}{
		{`{"a":1,"b":"x"}`, `{"a":2,"b":"y"}`, nil},
		{`{"a":null}`, `{"a":"x"}`, nil},
		{`{"a":"x"}`, `{"a":null}`, nil},
		{`{"a":"1"}`, `{"a":1}`, []string{"$.a: string, DNSimple has number"}},
		{`{"a":1}`, `{"a":1,"b":2}`, []string{"$.b: missing"}},
		{`{"a":1,"c":2}`, `{"a":1}`, []string{"$.c: not in DNSimple's response"}},
		{`{"d":[{"x":1},{"x":"2"}]}`, `{"d":[{"x":3}]}`, []string{"$.d[1].x: string, DNSimple has number"}},
		{`{"d":[{"x":1}]}`, `{"d":[]}`, nil},
		{`{"errors":{"content":["bad"]}}`, `{"errors":{"city":["can't be blank"]}}`, nil},
		{`{"errors":{"content":"bad"}}`, `{"errors":{"city":["can't be blank"]}}`, []string{"$.errors.content: string, DNSimple has array"}},
		{`{"errors":{"deletes":[{"index":0}]}}`, `{"errors":{"creates":[{"index":0}]}}`, []string{"$.errors.creates: missing", "$.errors.deletes: not in DNSimple's response"}},
	} {
		got, err := shapeDiff([]byte(tc.got), []byte(tc.want))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.diffs) {
			t.Errorf("shapeDiff(%s, %s) = %q, want %q", tc.got, tc.want, got, tc.diffs)
		}
	}
}
