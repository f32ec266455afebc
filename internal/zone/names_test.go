package zone

import (
	"slices"
	"testing"
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
