package zone

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// splitZone writes a zone large enough to be read in pieces, with the things
// that must not be cut: parentheses over lines, quotes holding ';' and '(',
// records without an owner of their own, and $ORIGIN and $TTL changes.
func splitZone(bad int) string {
	var b strings.Builder
	b.WriteString("$ORIGIN big.test.\n$TTL 300\n@ SOA ns1 host ( 1 7200 3600\n 1209600 300 )\n@ NS ns1\nns1 A 192.0.2.1\n")
	for i := range 40000 {
		switch i % 8 {
		case 0:
			fmt.Fprintf(&b, "h%d A 10.0.%d.%d\n", i, i/256%256, i%256)
		case 1:
			fmt.Fprintf(&b, "  AAAA 2001:db8::%x\n", i) // the owner of the line before
		case 2:
			fmt.Fprintf(&b, "t%d TXT \"semi;colon (paren\" \"x\"\n", i)
		case 3:
			fmt.Fprintf(&b, "m%d MX ( 10\n   mail%d )\n", i, i)
		case 4:
			fmt.Fprintf(&b, "s%d 60 SRV 1 2 3 t%d ; a comment (\n", i, i)
		case 5:
			if i%4000 == 5 {
				fmt.Fprintf(&b, "$TTL %d\n", 100+i)
			}
			fmt.Fprintf(&b, "n%d CNAME h%d\n", i, i-5)
		case 6:
			if i%8000 == 6 {
				fmt.Fprintf(&b, "$ORIGIN sub%d.big.test.\n", i)
			}
			fmt.Fprintf(&b, "x%d A 10.1.%d.%d\n", i, i/256%256, i%256)
		case 7:
			if i == bad {
				b.WriteString("broken A 1.2.3\n")
			}
			fmt.Fprintf(&b, "; just a comment %d\n", i)
		}
	}
	return b.String()
}

func TestSplitReadsTheSame(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs two cores to cut a file")
	}
	text := splitZone(-1)
	if p := split([]byte(text), "big.test.", runtime.GOMAXPROCS(0)); len(p) < 2 {
		t.Fatalf("the test zone was not cut (%d pieces)", len(p))
	}
	whole, err := readEntries(strings.NewReader(text), nil, "big.zone", "big.test.")
	if err != nil {
		t.Fatal(err)
	}
	cut, err := readSplit(strings.NewReader(text), nil, "big.zone", "big.test.")
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) != len(cut) {
		t.Fatalf("%d records read whole, %d in pieces", len(whole), len(cut))
	}
	for i := range whole {
		if whole[i].rr.String() != cut[i].rr.String() || whole[i].line != cut[i].line {
			t.Fatalf("record %d: whole %q at line %d, in pieces %q at line %d",
				i, whole[i].rr, whole[i].line, cut[i].rr, cut[i].line)
		}
	}
}

func TestSplitErrorLine(t *testing.T) {
	text := splitZone(39999)
	_, errWhole := readEntries(strings.NewReader(text), nil, "big.zone", "big.test.")
	_, errCut := readSplit(strings.NewReader(text), nil, "big.zone", "big.test.")
	var pw, pc *ParseError
	if !errors.As(errWhole, &pw) || !errors.As(errCut, &pc) || pw.Error() != pc.Error() {
		t.Fatalf("whole: %v\nin pieces: %v", errWhole, errCut)
	}
}

func TestSplitRefuses(t *testing.T) {
	big := bytes.Repeat([]byte("a A 192.0.2.1\n"), splitMin/10)
	for _, c := range []struct{ name, head string }{
		{"include", "$TTL 1\n$INCLUDE other.zone\n"},
		{"relative origin", "$TTL 1\n$ORIGIN sub\n"},
		{"no ttl", "$ORIGIN big.test.\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := split(append([]byte(c.head), big...), "big.test.", 2)
			if c.name == "no ttl" {
				if len(p) > 1 {
					t.Errorf("cut without a $TTL in effect")
				}
				return
			}
			if p != nil {
				t.Errorf("cut into %d pieces", len(p))
			}
		})
	}
}
