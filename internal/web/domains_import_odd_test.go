package web_test

import (
	"strings"
	"testing"
)

// TestImportOddFiles: whatever a zone file holds, the preview is a page
// (200) or the form with the problem (422), never a failure of ours.
func TestImportOddFiles(t *testing.T) {
	_, b, _ := importEnv(t)
	page := "/a/1/domains/example.com/import"
	long := strings.Repeat("x", 3000)
	for _, tc := range []struct {
		file   string
		status int
		want   string
	}{
		{"x TYPE999 \\# 2 abcd\n", 200, "is not a supported record type"},
		{"$GENERATE 1-3 h$ A 192.0.2.$\n", 422, "Line 1:"},
		{"a\\.b A 192.0.2.1\n", 200, "skips 1"},
		{"* A 192.0.2.1\n", 200, "adds 1"},
		{"@ ALIAS example.net.\n", 200, "adds 1"},
		{"d DNAME example.net.\nd A 192.0.2.1\n", 200, "adds 2"},
		{"@ 0 A 192.0.2.1\n", 200, "<td>3600</td>"},
		{"big 700000 A 192.0.2.1\n", 200, "The TTL 700000 is above the maximum of 604800 seconds."},
		{"t TXT \"" + long + "\"\n", 200, "adds 1"},
		{"@ HTTPS 1 . alpn=h2\n", 200, "adds 1"},
		{"@ IN CH A 192.0.2.1\n", 422, "Line 1:"},
		{"( unbalanced\n", 422, "Line "},
		{"www CNAME a.example.net.\nwww CNAME b.example.net.\n", 200, "The name www.example.com has other records"},
		{"\n\n\n\nwww A 1.2.3\n", 422, "Line 5:"},
	} {
		r := b.postMultipart(page, page, map[string]string{"zone": tc.file}, nil)
		want(t, tc.file, r, tc.status, tc.want)
	}
}
