package zone

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// head makes a body of records into a zone that validates.
const head = "$ORIGIN example.com.\n@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ 3600 IN NS ns1\n"

// written parses head+body and returns the records of body as WriteTo
// writes them, tabs turned to spaces.
func written(t *testing.T, body string) []string {
	t.Helper()
	z, err := Parse(strings.NewReader(head+body), "example.com.", "test.zone")
	if err != nil {
		t.Fatalf("Parse(%q): %v", body, err)
	}
	var buf bytes.Buffer
	if _, err := z.WriteTo(&buf); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		line = strings.ReplaceAll(line, "\t", " ")
		switch line {
		case "$ORIGIN example.com.", "@ 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300", "@ 3600 IN NS ns1.example.com.":
			continue
		}
		lines = append(lines, line)
	}
	return lines
}

func TestParseRecords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"A", "www IN A 192.0.2.1", []string{"www 3600 IN A 192.0.2.1"}},
		{"AAAA", "www 60 IN AAAA 2001:DB8::1", []string{"www 60 IN AAAA 2001:db8::1"}},
		{"CNAME relative", "ftp CNAME www", []string{"ftp 3600 IN CNAME www.example.com."}},
		{"DNAME", "old DNAME new.example.net.", []string{"old 3600 IN DNAME new.example.net."}},
		{"MX", "@ MX 10 mail", []string{"@ 3600 IN MX 10 mail.example.com."}},
		{"NS delegation", "sub NS ns.sub\nns.sub A 192.0.2.2", []string{"sub 3600 IN NS ns.sub.example.com.", "ns.sub 3600 IN A 192.0.2.2"}},
		{"PTR", "1 PTR host.example.net.", []string{"1 3600 IN PTR host.example.net."}},
		{"TXT multi-string", `t TXT "a b" c "d;e"`, []string{`t 3600 IN TXT "a b" "c" "d;e"`}},
		{"TXT escapes", `t TXT "\065\\\"x"`, []string{`t 3600 IN TXT "A\\\"x"`}},
		{"TXT over 255 is split", "t TXT " + strings.Repeat("x", 300), []string{`t 3600 IN TXT "` + strings.Repeat("x", 255) + `" "` + strings.Repeat("x", 45) + `"`}},
		{"SRV", "_sip._tcp SRV 10 60 5060 sip", []string{"_sip._tcp 3600 IN SRV 10 60 5060 sip.example.com."}},
		{"CAA", `@ CAA 0 issue "ca.example.net"`, []string{`@ 3600 IN CAA 0 issue "ca.example.net"`}},
		{"NAPTR", `n NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp`, []string{`n 3600 IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.com.`}},
		{"SSHFP", "h SSHFP 4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789", []string{"h 3600 IN SSHFP 4 2 123456789ABCDEF67890123456789ABCDEF67890123456789ABCDEF123456789"}},
		{"TLSA", "_443._tcp TLSA 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6", []string{"_443._tcp 3600 IN TLSA 3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"}},
		{"HTTPS", `@ HTTPS 1 . alpn=h2,h3 port=8443`, []string{`@ 3600 IN HTTPS 1 . alpn="h2,h3" port="8443"`}},
		{"SVCB", `_dns SVCB 1 dot.example.net. alpn=dot`, []string{`_dns 3600 IN SVCB 1 dot.example.net. alpn="dot"`}},
		{"DS", "s NS ns.example.net.\ns DS 60485 5 1 2bb183af5f22588179a53b0a98631fad1a292118", []string{"s 3600 IN NS ns.example.net.", "s 3600 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"}},
		{"DNSKEY", "@ DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==", []string{"@ 3600 IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="}},
		{"CDS", "@ CDS 2371 13 2 c988ec423e3880eb8dd8a46e8cacbf1c8e4a1e4ac1ae2f16e2d7e9a4d9f7a6c0", []string{"@ 3600 IN CDS 2371 13 2 C988EC423E3880EB8DD8A46E8CACBF1C8E4A1E4AC1AE2F16E2D7E9A4D9F7A6C0"}},
		{"CDNSKEY", "@ CDNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==", []string{"@ 3600 IN CDNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="}},
		{"HINFO", `h HINFO "PC" "Linux"`, []string{`h 3600 IN HINFO "PC" "Linux"`}},
		{"URI", `_ftp._tcp URI 10 1 "ftp://ftp.example.com/"`, []string{`_ftp._tcp 3600 IN URI 10 1 "ftp://ftp.example.com/"`}},
		{"ALIAS absolute", "@ ALIAS Target.Example.NET.", []string{"@ 3600 IN ALIAS target.example.net."}},
		{"ALIAS relative", "@ ALIAS www", []string{"@ 3600 IN ALIAS www.example.com."}},
		{"ALIAS at origin", "a ALIAS @", []string{"a 3600 IN ALIAS example.com."}},
		{"unknown type", `u TYPE65280 \# 3 ABCDEF`, []string{`u 3600 IN TYPE65280 \# 3 abcdef`}},
		{"unknown type empty", `u TYPE65280 \# 0`, []string{`u 3600 IN TYPE65280 \# 0`}},
		{"known type generic", `g CLASS1 TYPE1 \# 4 C0000201`, []string{"g 3600 IN A 192.0.2.1"}},
		{"parentheses and comments", "p ( 300 ; ttl\n IN A ; type\n 192.0.2.1 )", []string{"p 300 IN A 192.0.2.1"}},
		{"owner case and escapes", "WwW.\\065 A 192.0.2.1\nwww.a A 192.0.2.1", []string{"www.a 3600 IN A 192.0.2.1"}},
		{"$ORIGIN and $TTL", "$ORIGIN sub.example.com.\n$TTL 60\nx A 192.0.2.1", []string{"x.sub 60 IN A 192.0.2.1"}},
		{"wildcard", "*.w A 192.0.2.1", []string{"*.w 3600 IN A 192.0.2.1"}},
		{"duplicates removed", "d A 192.0.2.1\nD 60 A 192.0.2.1", []string{"d 60 IN A 192.0.2.1"}},
		{"rdata names compared without case", "c NS a.example.net.\nc NS A.Example.NET.", []string{"c 3600 IN NS a.example.net."}},
		{"RRset TTL is the smallest", "r 300 A 192.0.2.1\nr 60 A 192.0.2.2\nr 30 AAAA 2001:db8::1", []string{"r 60 IN A 192.0.2.1", "r 60 IN A 192.0.2.2", "r 30 IN AAAA 2001:db8::1"}},
		{"leading $ in an owner", `\$TTL A 192.0.2.1`, []string{`\$ttl 3600 IN A 192.0.2.1`}},
		// A newline inside quotes is part of the string, as miekg and
		// BIND read it: no blank may be put before it.
		{"newline inside quotes", "q TXT \"a\nb\"", []string{`q 3600 IN TXT "a\010b"`}},
		{"newline inside quotes in parentheses", "q TXT ( \"a\nb\"\n \"c\" )", []string{`q 3600 IN TXT "a\010b" "c"`}},
		{"escaped quote does not end the string", "q TXT \"a\\\"\nb\"", []string{`q 3600 IN TXT "a\"\010b"`}},
		{"quote in a comment opens no string", "q TXT \"a\" ; it's \"quoted\nr TXT \"b\"", []string{`q 3600 IN TXT "a"`, `r 3600 IN TXT "b"`}},
		{"semicolon inside quotes is no comment", "q TXT ( \"a;\"\n b )", []string{`q 3600 IN TXT "a;" "b"`}},
		{"escaped backslash before a newline", "q TXT ( a\\\\\n b )", []string{`q 3600 IN TXT "a\\" "b"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := written(t, tt.in+"\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bad address", "www A 1.2.3", `test.zone:4: bad A address "1.2.3"`},
		{"bad AAAA", "www AAAA 1.2.3.4", `test.zone:4: bad AAAA address "1.2.3.4"`},
		{"no data", "www A", `test.zone:4: bad A address at the end of the line`},
		{"unknown type name", "www FOO 1", `test.zone:4: not a TTL "FOO"`},
		{"class CH", "www CH TXT x", `test.zone:4: class CH is not supported, only IN`},
		{"include refused", "$INCLUDE other.zone", `test.zone:4: $INCLUDE directive not allowed "other.zone"`},
		{"generate refused", "$GENERATE 1-100 host$ A 192.0.2.$", `test.zone:4: $GENERATE is not supported`},
		{"bad ALIAS", "@ ALIAS a b", `test.zone:4: ALIAS takes one target name, got 2 fields`},
		{"out of zone", "www.example.net. A 192.0.2.1", `test.zone:4: www.example.net. A record is outside the zone example.com.`},
		{"CNAME and other data", "www A 192.0.2.1\nwww CNAME x", `test.zone:5: CNAME record at www.example.com., which has other records`},
		{"other data and CNAME", "www CNAME x\nwww MX 1 x", `test.zone:5: MX record at www.example.com., which has a CNAME`},
		{"two CNAMEs", "www CNAME x\nwww CNAME y", `test.zone:5: second CNAME record at www.example.com.`},
		{"CNAME at apex", "@ CNAME x", "test.zone:4: CNAME record at the zone apex example.com."},
		{"two DNAMEs", "d DNAME x.\nd DNAME y.", `test.zone:5: second DNAME record at d.example.com.`},
		{"below DNAME", "d DNAME x.\na.b.d A 192.0.2.1", `test.zone:5: a.b.d.example.com. is below the DNAME at d.example.com.`},
		{"ALIAS and A", "@ A 192.0.2.1\n@ ALIAS x.", `test.zone:5: ALIAS record at example.com., which has A or AAAA records`},
		{"AAAA and ALIAS", "@ ALIAS x.\n@ AAAA ::1", `test.zone:5: AAAA record at example.com., which has an ALIAS`},
		{"two ALIASes", "@ ALIAS x.\n@ ALIAS y.", `test.zone:5: second ALIAS record at example.com.`},
		{"second SOA", "@ SOA a b 2 1 1 1 1", `test.zone:4: second SOA record at example.com.`},
		{"SOA below apex", "x SOA a b 2 1 1 1 1", `test.zone:4: SOA record at x.example.com., not at the zone apex example.com.`},
		{"parenthesized record reports its last line", "www 300 (\nIN A\n1.2.3 )", `test.zone:6: bad A address "1.2.3"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(head+tt.in+"\n"), "example.com.", "test.zone")
			if err == nil {
				t.Fatalf("Parse succeeded, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n%s\nwant\n%s", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %q does not wrap ErrInvalid", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "test.zone" || pe.Line == 0 {
				t.Errorf("error %q is not a ParseError with a position: %+v", err, pe)
			}
		})
	}
}

func TestParseZoneLevelErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no SOA", "$ORIGIN example.com.\n@ NS ns1\n", "test.zone: no SOA record at the zone apex example.com."},
		{"no NS", "$ORIGIN example.com.\n@ SOA ns1 h 1 1 1 1 1\n", "test.zone: no NS record at the zone apex example.com."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.in), "example.com.", "test.zone")
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseCRLF(t *testing.T) {
	in := strings.ReplaceAll(head+"www 300 (\nIN A\n192.0.2.1 ) ; c\nt TXT \"a b\"\n", "\n", "\r\n")
	z, err := Parse(strings.NewReader(in), "example.com.", "crlf.zone")
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Records) != 4 {
		t.Errorf("got %d records: %v", len(z.Records), z.Records)
	}
	for _, rr := range z.Records {
		if txt, ok := rr.(*dns.TXT); ok && (len(txt.Txt) != 1 || txt.Txt[0] != "a b") {
			t.Errorf("TXT %q", txt.Txt)
		}
	}
}

func TestParseOriginFromSOA(t *testing.T) {
	in := "$TTL 300\nExample.ORG. SOA ns1.example.org. h.example.org. 1 1 1 1 1\nexample.org. NS ns1.example.org.\n"
	z, err := Parse(strings.NewReader(in), "", "x.zone")
	if err != nil {
		t.Fatal(err)
	}
	if z.Origin != "example.org." {
		t.Errorf("origin %q, want example.org.", z.Origin)
	}
	if soa := z.SOA(); soa == nil || soa.Hdr.Ttl != 300 {
		t.Errorf("SOA %v", soa)
	}
}

// TestAliasRelative guards reading the $ORIGIN in effect out of miekg's
// parser, including in $INCLUDEd files, which start with their own.
func TestAliasRelative(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "main.zone", head+"a ALIAS x\n$ORIGIN sub.example.com.\nb ALIAS x\n$INCLUDE inc/more.zone deeper.example.com.\nc ALIAS x\n")
	writeFile(t, dir, "inc/more.zone", "d ALIAS x\n")
	z := parseFileInRoot(t, dir, "main.zone")
	want := map[string]string{
		"a.example.com.":        "x.example.com.",
		"b.sub.example.com.":    "x.sub.example.com.",
		"d.deeper.example.com.": "x.deeper.example.com.",
		"c.sub.example.com.":    "x.sub.example.com.",
	}
	for _, rr := range z.Records {
		if target, ok := AliasTarget(rr); ok {
			if want[rr.Header().Name] != target {
				t.Errorf("%s ALIAS %s, want %s", rr.Header().Name, target, want[rr.Header().Name])
			}
			delete(want, rr.Header().Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing ALIAS records: %v", want)
	}
}

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	zones := filepath.Join(dir, "zones")
	writeFile(t, dir, "secret", "leak A 192.0.2.66\n")
	writeFile(t, zones, "ok.zone", head+"$INCLUDE inc/www.zone\n")
	writeFile(t, zones, "inc/www.zone", "www A 192.0.2.1\n$INCLUDE ../bad.inc\n")
	writeFile(t, zones, "bad.inc", "www AAAA ::1\nbad A 1.2.3\n")
	writeFile(t, zones, "cname.zone", head+"$INCLUDE inc/cname.inc\n")
	writeFile(t, zones, "inc/cname.inc", "www A 192.0.2.1\nwww CNAME x\n")
	writeFile(t, zones, "after.zone", head+"$INCLUDE inc/a.inc\n\nwww CNAME x\n")
	writeFile(t, zones, "inc/a.inc", "\n\nwww A 192.0.2.1\n")
	writeFile(t, zones, "dotdot.zone", head+"$INCLUDE ../secret\n")
	writeFile(t, zones, "abs.zone", head+"$INCLUDE "+filepath.Join(dir, "secret")+"\n")
	writeFile(t, zones, "link.zone", head+"$INCLUDE link\n")
	if err := os.Symlink(filepath.Join(dir, "secret"), filepath.Join(zones, "link")); err != nil {
		t.Fatal(err)
	}

	root, err := os.OpenRoot(zones)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	tests := []struct {
		file, want string
	}{
		{"ok.zone", `bad.inc:2: bad A address "1.2.3"`},
		{"cname.zone", "inc/cname.inc:2: CNAME record at www.example.com., which has other records"},
		{"after.zone", "after.zone:6: CNAME record at www.example.com., which has other records"},
		{"dotdot.zone", `dotdot.zone:4: $INCLUDE "../secret": invalid argument`},
		{"abs.zone", `abs.zone:4: $INCLUDE "` + filepath.Join(dir, "secret") + `": no such file or directory`},
		{"link.zone", `link.zone:4: $INCLUDE "link": path escapes from parent`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := ParseFile(root.FS(), tt.file, "example.com.")
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "leak") {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

func parseFileInRoot(t *testing.T, dir, name string) *Zone {
	t.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	z, err := ParseFile(root.FS(), name, "example.com.")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
