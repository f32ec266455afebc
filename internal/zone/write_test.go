package zone

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the writer's output")

// TestWriteGolden parses every testdata/*.zone, writes it and compares with
// testdata/*.golden; the written file must parse back to the same records.
func TestWriteGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.zone")
	if err != nil || len(files) == 0 {
		t.Fatalf("no zone files in testdata: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			z := parseTestFile(t, file)
			var buf bytes.Buffer
			n, err := z.WriteTo(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if n != int64(buf.Len()) {
				t.Errorf("WriteTo returned %d, wrote %d bytes", n, buf.Len())
			}
			golden := strings.TrimSuffix(file, ".zone") + ".golden"
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("written zone differs from %s (run go test -update and review the diff):\n%s", golden, buf.String())
			}

			back, err := Parse(bytes.NewReader(buf.Bytes()), "", "written")
			if err != nil {
				t.Fatalf("written zone does not parse: %v", err)
			}
			if d := diffRecords(z, back); d != "" {
				t.Errorf("written zone reads back differently:\n%s", d)
			}

			// Writing depends on the set, not the order.
			shuffled := z.Clone()
			slices.Reverse(shuffled.Records)
			var again bytes.Buffer
			if _, err := shuffled.WriteTo(&again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Bytes(), buf.Bytes()) {
				t.Errorf("writing the records in another order gives another file")
			}
		})
	}
}

func TestWriteUnknownAndUnprintable(t *testing.T) {
	z := &Zone{Origin: "example.com.", Records: []dns.RR{
		&dns.RFC3597{Hdr: dns.RR_Header{Name: "example.com.", Rrtype: 65280, Class: dns.ClassINET, Ttl: 60}, Rdata: "00ff"},
		// NULL has no presentation form miekg reads back.
		&dns.NULL{Hdr: dns.RR_Header{Name: "n.example.com.", Rrtype: dns.TypeNULL, Class: dns.ClassINET, Ttl: 60}, Data: "\x01\x02"},
		NewALIAS("example.com.", 60, "Target.Example.NET"),
		&dns.A{Hdr: dns.RR_Header{Name: "$x.example.com.", Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: []byte{192, 0, 2, 1}},
	}}
	var buf bytes.Buffer
	if _, err := z.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	want := "$ORIGIN example.com.\n" +
		"@\t60\tIN\tTYPE65280\t\\# 2 00ff\n" +
		"@\t60\tIN\tALIAS\ttarget.example.net.\n" +
		"\\$x\t60\tIN\tA\t192.0.2.1\n" +
		"n\t60\tIN\tTYPE10\t\\# 2 0102\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func parseTestFile(t *testing.T, file string) *Zone {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := Parse(f, "", filepath.Base(file))
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// diffRecords lists the records one zone has and the other lacks, comparing
// wire forms with TTLs.
func diffRecords(a, b *Zone) string {
	if a.Origin != b.Origin {
		return "origin " + a.Origin + " != " + b.Origin
	}
	sa, sb := recordSet(a), recordSet(b)
	var d []string
	for k, text := range sa {
		if _, ok := sb[k]; !ok {
			d = append(d, "- "+text)
		}
	}
	for k, text := range sb {
		if _, ok := sa[k]; !ok {
			d = append(d, "+ "+text)
		}
	}
	slices.Sort(d)
	return strings.Join(d, "\n")
}

func recordSet(z *Zone) map[string]string {
	set := make(map[string]string, len(z.Records))
	buf := make([]byte, 70000)
	for _, rr := range z.Records {
		off, err := dns.PackRR(rr, buf, 0, nil, false)
		if err != nil {
			set["unpackable "+rr.String()] = rr.String()
			continue
		}
		set[string(buf[:off])] = rr.String()
	}
	return set
}
