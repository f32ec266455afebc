package zone

import (
	"bytes"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/miekg/dns"
)

func TestParseHINFO(t *testing.T) {
	x255 := strings.Repeat("x", 255)
	tests := []struct {
		name, in string
		want     []string // the records of in as WriteTo writes them
	}{
		{"two words", "h HINFO PC Linux", []string{`h 3600 IN HINFO "PC" "Linux"`}},
		{"quoted with spaces", `h HINFO "Intel Xeon" "Linux 6.1"`, []string{`h 3600 IN HINFO "Intel Xeon" "Linux 6.1"`}},
		{"quoted and not", `h HINFO "Intel Xeon" Linux`, []string{`h 3600 IN HINFO "Intel Xeon" "Linux"`}},
		{"empty strings", `h HINFO "" ""`, []string{`h 3600 IN HINFO "" ""`}},
		{"escapes", `h HINFO "a\"b\\" "\032x\255"`, []string{`h 3600 IN HINFO "a\"b\\" " x\255"`}},
		{"escaped blank outside quotes", `h HINFO a\ b c`, []string{`h 3600 IN HINFO "a b" "c"`}},
		{"quoted ; and parentheses", `h HINFO "a;(b" "c)"`, []string{`h 3600 IN HINFO "a;(b" "c)"`}},
		{"255 bytes each", "h HINFO " + x255 + " " + x255, []string{`h 3600 IN HINFO "` + x255 + `" "` + x255 + `"`}},
		{"comment after", `h HINFO "PC" "Linux" ; "a" "b" "c"`, []string{`h 3600 IN HINFO "PC" "Linux"`}},
		{"comment without blank", `h HINFO PC Linux;x y`, []string{`h 3600 IN HINFO "PC" "Linux"`}},
		{"parentheses over lines", "h HINFO (\n \"Intel Xeon\" ; cpu\n Linux ; os\n )", []string{`h 3600 IN HINFO "Intel Xeon" "Linux"`}},
		{"parentheses before the type", "h ( 300\n IN ; class\n HINFO\n PC\n Linux )", []string{`h 300 IN HINFO "PC" "Linux"`}},
		{"TTL and class", "h 300 IN HINFO PC Linux", []string{`h 300 IN HINFO "PC" "Linux"`}},
		{"class and TTL", "h IN 300 HINFO PC Linux", []string{`h 300 IN HINFO "PC" "Linux"`}},
		{"class only", "h IN HINFO PC Linux", []string{`h 3600 IN HINFO "PC" "Linux"`}},
		{"TTL with unit", "h 1h HINFO PC Linux", []string{`h 3600 IN HINFO "PC" "Linux"`}},
		{"type in lower case", "h hinfo PC Linux", []string{`h 3600 IN HINFO "PC" "Linux"`}},
		{"type in mixed case", "h In HiNfO PC Linux", []string{`h 3600 IN HINFO "PC" "Linux"`}},
		{"owner HINFO", "HINFO HINFO PC Linux", []string{`hinfo 3600 IN HINFO "PC" "Linux"`}},
		{"rdata HINFO", "h HINFO HINFO HINFO", []string{`h 3600 IN HINFO "HINFO" "HINFO"`}},
		{"owner and rdata HINFO", "HINFO IN HINFO HINFO TXT", []string{`hinfo 3600 IN HINFO "HINFO" "TXT"`}},
		{"owner from the line before", "h A 192.0.2.1\n HINFO PC Linux", []string{"h 3600 IN A 192.0.2.1", `h 3600 IN HINFO "PC" "Linux"`}},
		{"owner from the line before, tab", "h A 192.0.2.1\n\t300 HINFO PC Linux", []string{"h 3600 IN A 192.0.2.1", `h 300 IN HINFO "PC" "Linux"`}},
		{"owner with escapes", `a\ b\;c HINFO PC Linux`, []string{`a\032b\059c 3600 IN HINFO "PC" "Linux"`}},
		{"generic type", `h TYPE13 "PC" Linux`, []string{`h 3600 IN HINFO "PC" "Linux"`}},
		{"generic type and data", `h CLASS1 TYPE13 \# 9 02504305 4c696e7578`, []string{`h 3600 IN HINFO "PC" "Linux"`}},
		{"generic data", `h HINFO \# 4 01610162`, []string{`h 3600 IN HINFO "a" "b"`}},
		{"after comments, blank lines and directives", "; \"a\" \"b\" \"c\"\n\n$TTL 60\nh HINFO PC Linux", []string{`h 60 IN HINFO "PC" "Linux"`}},
		{"one after another", "a HINFO a b\nb HINFO \"c d\" e\nc HINFO ( f\n g ) ; h i\nd HINFO j k",
			[]string{`a 3600 IN HINFO "a" "b"`, `b 3600 IN HINFO "c d" "e"`, `c 3600 IN HINFO "f" "g"`, `d 3600 IN HINFO "j" "k"`}},
		{"CRLF", "h HINFO (\r\n PC\r\n Linux )\r\nh2 HINFO \"a b\" c\r", []string{`h 3600 IN HINFO "PC" "Linux"`, `h2 3600 IN HINFO "a b" "c"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, end := range []string{"\n", ""} { // also at the end of a file without a newline
				got := written(t, tt.in+end)
				if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
					t.Errorf("%q: got\n%s\nwant\n%s", end, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
				}
			}
		})
	}
}

func TestParseHINFOErrors(t *testing.T) {
	const hint = `HINFO is two strings, the CPU and the operating system, each at most 255 bytes; quote one that has spaces, as in "Intel Xeon" "Linux"`
	tests := []struct {
		name, in, want string
	}{
		{"three words", "h HINFO a b c", "test.zone:4: HINFO record with 3 strings: " + hint},
		{"three quoted", `h HINFO "a" "b" "c"`, "test.zone:4: HINFO record with 3 strings: " + hint},
		{"OS with spaces unquoted", `h HINFO "Intel Xeon" Linux 6.1`, "test.zone:4: HINFO record with 3 strings: " + hint},
		{"one quoted string with a space", `h HINFO "Intel Xeon"`, "test.zone:4: HINFO record with 1 string: " + hint},
		{"one word", "h HINFO PC", "test.zone:4: HINFO record with 1 string: " + hint},
		{"no data", "h HINFO", "test.zone:4: HINFO record without data: " + hint},
		// FuzzParse found it: miekg reads the first two strings of the
		// bytes and drops the rest.
		{"generic form with bytes after two strings", `h HINFO \# 6 010000000001`, `test.zone:4: HINFO record whose data in the generic form (\#) is not whole strings: ` + hint},
		{"no data, comment", "h HINFO ; PC Linux", "test.zone:4: HINFO record without data: " + hint},
		{"over 255 bytes", "h HINFO " + strings.Repeat("x", 256) + " Linux", "test.zone:4: HINFO record with 3 strings: " + hint},
		{"over lines reports the last", "h HINFO ( a\n b\n c )", "test.zone:6: HINFO record with 3 strings: " + hint},
		{"after other lines", "x A 192.0.2.1\n\n; c\n$TTL 60\nh HINFO a b c", "test.zone:8: HINFO record with 3 strings: " + hint},
		{"after a good one", "h HINFO a b\nh2 HINFO a b c", "test.zone:5: HINFO record with 3 strings: " + hint},
		{"owner and rdata HINFO", "HINFO HINFO HINFO HINFO HINFO", "test.zone:4: HINFO record with 3 strings: " + hint},
		{"TTL, class, lower case", "h 60 IN hinfo a", "test.zone:4: HINFO record with 1 string: " + hint},
		{"generic type", "h TYPE13 a b c", "test.zone:4: HINFO record with 3 strings: " + hint},
		{"generic data of three", `h HINFO \# 6 016101620163`, "test.zone:4: HINFO record with 3 strings: " + hint},
		{"generic data of one", `h TYPE13 \# 2 0161`, "test.zone:4: HINFO record with 1 string: " + hint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(head+tt.in+"\n"), "example.com.", "test.zone")
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error\n%v\nwant\n%s", err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrInvalid) || pe.RR == nil {
				t.Errorf("error %q is not a ParseError with the record, wrapping ErrInvalid", err)
			}
			// The dashboard's import reads the same way.
			_, err = ReadRecords(strings.NewReader(head+tt.in+"\n"), "example.com.", "test.zone")
			if err == nil || err.Error() != tt.want {
				t.Errorf("ReadRecords: error\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

// TestParseHINFOSplit checks a file large enough to be read in pieces: the
// record's text is kept per piece, and the line is the file's.
func TestParseHINFOSplit(t *testing.T) {
	var b strings.Builder
	b.WriteString("$TTL 300\n" + head)
	lines := 4
	for i := 0; b.Len() < 2*splitMin; i++ {
		b.WriteString("h HINFO \"Intel Xeon\" Linux\n")
		lines++
	}
	good := b.String()
	if len(split([]byte(good), "example.com.", 4)) < 2 {
		t.Fatal("the file is not cut into pieces")
	}
	z, err := Parse(strings.NewReader(good), "example.com.", "big.zone")
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Records) != 3 {
		t.Errorf("%d records, want the SOA, NS and one HINFO", len(z.Records))
	}
	_, err = Parse(strings.NewReader(good+"h HINFO Intel Xeon Linux\n"), "example.com.", "big.zone")
	want := "big.zone:" + strconv.Itoa(lines+1) + ": HINFO record with 3 strings"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want %s…", err, want)
	}
}

func TestParseHINFOInclude(t *testing.T) {
	fsys := fstest.MapFS{
		"good.zone":     {Data: []byte(head + "a HINFO a b\n$INCLUDE inc/good.inc\nc HINFO \"e f\" g\n")},
		"inc/good.inc":  {Data: []byte("; c\nb HINFO (\n c\n d )")},
		"origin.zone":   {Data: []byte(head + "$INCLUDE inc/good.inc sub.example.com.\nc HINFO e f\n")},
		"bad.zone":      {Data: []byte(head + "a HINFO a b\n$INCLUDE inc/bad.inc\n")},
		"inc/bad.inc":   {Data: []byte("b HINFO c d\n\nb HINFO c d e\n")},
		"after.zone":    {Data: []byte(head + "$INCLUDE inc/good.inc\nc HINFO e\n")},
		"nonl.zone":     {Data: []byte(head + "$INCLUDE inc/nonl.inc\nc HINFO e f\n")},
		"inc/nonl.inc":  {Data: []byte("b HINFO c d ; e f g")},
		"quote.zone":    {Data: []byte(head + "$INCLUDE inc/quote.inc\nc HINFO e f\n")},
		"inc/quote.inc": {Data: []byte("b HINFO \"c\" \"d\"")},
	}
	for _, file := range []string{"good.zone", "origin.zone", "nonl.zone", "quote.zone"} {
		z, err := ParseFile(fsys, file, "example.com.")
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		n := 0
		for _, rr := range z.Records {
			if _, ok := rr.(*dns.HINFO); ok {
				n++
			}
		}
		if n < 2 {
			t.Errorf("%s: %d HINFO records: %v", file, n, z.Records)
		}
	}
	for file, want := range map[string]string{
		"bad.zone":   "inc/bad.inc:3: HINFO record with 3 strings",
		"after.zone": "after.zone:5: HINFO record with 1 string",
	} {
		_, err := ParseFile(fsys, file, "example.com.")
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %v, want %s…", file, err, want)
		}
	}
}

// TestRecordText holds the lexer to what the HINFO check needs: as the
// parser returns a record, the text taken is the record's, up to its end,
// with nothing of the next one.
func TestRecordText(t *testing.T) {
	fsys := fstest.MapFS{"inc.zone": {Data: []byte("\ni A 192.0.2.9 ; c\nj A 192.0.2.10")}}
	in := "$TTL 60\n; c\na A 192.0.2.1\nb ( A\n 192.0.2.2 ) ; c\n\n" +
		"c TXT \"x\" y;z\n$INCLUDE inc.zone\n d A 192.0.2.4\ne HINFO a b"
	want := []string{
		"$TTL 60 \n; c \na A 192.0.2.1 \n",
		"b ( A \n 192.0.2.2 ) ; c \n",
		"\nc TXT \"x\" y;z \n",
		" \ni A 192.0.2.9 ; c \n",
		"j A 192.0.2.10",
		"$INCLUDE inc.zone \n d A 192.0.2.4 \n",
		"e HINFO a b",
	}
	tr := &tracker{}
	defer tr.closeAll()
	zp := dns.NewZoneParser(tr.push(strings.NewReader(in), nil, "main.zone"), "example.com.", "main.zone")
	zp.SetIncludeAllowed(true)
	zp.SetIncludeFS(trackFS{fsys: fs.FS(fsys), t: tr})
	var got []string
	for _, ok := zp.Next(); ok; _, ok = zp.Next() {
		got = append(got, string(tr.take()))
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// TestWriteHINFOEveryByte writes HINFO records holding each of the 256
// octets, as they arrive on the wire (a zone transfer), and reads them back
// through the check.
func TestWriteHINFOEveryByte(t *testing.T) {
	str := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	var rrs []dns.RR
	add := func(cpu, os string) {
		rdata := append(str(cpu), str(os)...)
		h := dns.RR_Header{Name: "h" + strconv.Itoa(len(rrs)) + ".example.com.", Rrtype: dns.TypeHINFO, Class: dns.ClassINET, Ttl: 60, Rdlength: uint16(len(rdata))}
		rr, _, err := dns.UnpackRRWithHeader(h, rdata, 0)
		if err != nil {
			t.Fatalf("%q %q: %v", cpu, os, err)
		}
		rrs = append(rrs, rr)
	}
	for b := range 256 {
		c := string(rune(b))
		if b >= 0x80 {
			c = string([]byte{byte(b)})
		}
		add(c, "a"+c+"a")
		add(c+c, c)
	}
	add("", "")
	add("Intel Xeon", "Linux 6.1")
	add(strings.Repeat("x", 255), strings.Repeat("\"", 255))
	z := &Zone{Origin: "example.com.", Records: rrs}
	var buf bytes.Buffer
	if _, err := z.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := readEntries(bytes.NewReader(buf.Bytes()), nil, "written", "")
	if err != nil {
		t.Fatalf("written zone does not read back: %v\n%s", err, buf.String())
	}
	if d := diffRecords(z, zoneOf("example.com.", back)); d != "" {
		t.Fatalf("written zone reads back differently:\n%s\nwritten:\n%s", d, buf.String())
	}
}
