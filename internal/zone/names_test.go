package zone

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestCompareNames(t *testing.T) {
	// RFC 4034 §6.1's example, in order, with case and escapes mixed in.
	ordered := []string{
		"example.",
		"a.example.",
		"yljkjljk.a.example.",
		"Z.a.example.",
		"zABC.a.EXAMPLE.",
		"z.example.",
		`\001.z.example.`,
		"*.z.example.",
		`\200.z.example.`,
	}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got := CompareNames(a, b); got != want {
				t.Errorf("CompareNames(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
	shuffled := slices.Clone(ordered)
	slices.Reverse(shuffled)
	slices.SortFunc(shuffled, CompareNames)
	if !slices.Equal(shuffled, ordered) {
		t.Errorf("sorted %q", shuffled)
	}
	if CompareNames("A.example.", "a.example") != 0 {
		t.Errorf("case or the final dot matters")
	}
	if CompareNames(`a\.b.example.`, "b.example.") >= 0 {
		t.Errorf(`a\.b.example. (one label under example.) sorts after b.example.`)
	}
}

func TestSerialLess(t *testing.T) {
	tests := []struct {
		a, b uint32
		want bool
	}{
		{1, 2, true},
		{2, 1, false},
		{1, 1, false},
		{0xffffffff, 0, true},
		{0, 0xffffffff, false},
		{0xfffffff0, 5, true},
		{0, 1 << 31, false},
		{1 << 31, 0, false},
		{0, 1<<31 - 1, true},
	}
	for _, tt := range tests {
		if got := SerialLess(tt.a, tt.b); got != tt.want {
			t.Errorf("SerialLess(%d, %d) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestNameKey holds the sort keys of WriteTo to CompareNames: for names
// that pack, bytes.Compare of their keys is CompareNames; names that do not
// pack are said so, for the sort to compare their text as CompareNames does.
func TestNameKey(t *testing.T) {
	names := []string{
		".", "example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.", "z.example.",
		`\001.z.example.`, "*.z.example.", `\200.z.example.`, `\000.example.`, `\000\000.example.`, `a\000.example.`,
		`a.example.`, `a\000b.example.`, `ab.example.`, `\000.a.example.`, `a\.b.example.`, "A.EXAMPLE", "a.example",
		`\065.example.`, `\255\255.example.`, strings.Repeat("x", 63) + ".example.", strings.Repeat("x", 64) + ".example.",
		"a..example.", strings.Repeat("a.", 127) + ".", `bad\`, "",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		names = append(names, randName(r, pick(r, "example.com.", "com.", ".")))
	}
	type keyed struct {
		key []byte
		ok  bool
	}
	keys := make([]keyed, len(names))
	for i, n := range names {
		keys[i].key, keys[i].ok = nameKey(nil, n)
		var w [256]byte
		var starts [128]uint8
		if _, ok := wireLabels(dns.Fqdn(n), w[:], starts[:]); ok != keys[i].ok {
			t.Errorf("nameKey(%q) ok = %v, packing says %v", n, keys[i].ok, ok)
		}
	}
	for i, a := range names {
		for j, b := range names {
			if !keys[i].ok || !keys[j].ok {
				continue
			}
			if got, want := bytes.Compare(keys[i].key, keys[j].key), CompareNames(a, b); got != want {
				t.Errorf("keys of %q and %q compare %d, CompareNames says %d", a, b, got, want)
			}
		}
	}
}
