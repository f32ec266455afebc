package zone

import "testing"

func TestParseLines(t *testing.T) {
	tests := []struct {
		text    string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"www.example.com.\t300\tIN\tA\t192.0.2.1\n\n@bad\n", nil, true},
		{"www.example.com.\t300\tIN\tA\t192.0.2.1\n\nexample.com.\t60\tIN\tALIAS\twww.example.com.\n",
			[]string{"www.example.com.\t300\tIN\tA\t192.0.2.1", "example.com.\t60\tIN\tALIAS\twww.example.com."}, false},
		{"x.example.com. 60 IN TXT \"a b\"", []string{"x.example.com.\t60\tIN\tTXT\t\"a b\""}, false},
	}
	for _, tt := range tests {
		rrs, err := ParseLines(tt.text)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseLines(%q): %v", tt.text, err)
			continue
		}
		if tt.wantErr {
			continue
		}
		if len(rrs) != len(tt.want) {
			t.Fatalf("ParseLines(%q) = %v", tt.text, rrs)
		}
		for i, rr := range rrs {
			if rr.String() != tt.want[i] {
				t.Errorf("record %d = %q, want %q", i, rr.String(), tt.want[i])
			}
		}
	}
}
