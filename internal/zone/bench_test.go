package zone

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

func bigZone(n int) string {
	var b strings.Builder
	b.WriteString(head)
	for i := range n {
		fmt.Fprintf(&b, "h%d A 192.0.%d.%d\nh%d TXT \"record %d\"\n", i, i/256%256, i%256, i, i)
	}
	return b.String()
}

// Loading is not the hot path, but a zone of a million records should load
// in seconds.
func BenchmarkParse(b *testing.B) {
	in := bigZone(10000)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(strings.NewReader(in), "example.com.", "big.zone"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteTo(b *testing.B) {
	z, err := Parse(strings.NewReader(bigZone(10000)), "example.com.", "big.zone")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := z.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
