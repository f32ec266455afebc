package web

import "testing"

// TestSafeNext: a "next" path leads to one of our pages or nowhere.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/a/1/domains?q=x":         "/a/1/domains?q=x",
		"/security#two-factor":     "/security#two-factor",
		"":                         "",
		"a/1":                      "",
		"//evil.example/":          "",
		"https://evil.example/":    "",
		"/\\evil.example":          "",
		"/\t/evil.example/login":   "",
		"/\r\n/evil.example":       "",
		"/ok/\\/evil.example":      "",
		"/\x7f/evil.example":       "",
		"/%09/still-ours":          "/%09/still-ours",
		"/path with a space/is/ok": "/path with a space/is/ok",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
