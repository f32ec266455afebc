package zone

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestReadRecords(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string // "line: record"
		err        string
	}{
		{
			name: "part of a zone, relative names, $TTL and $ORIGIN",
			file: "$TTL 300\n@ CNAME other.example.\nwww A 192.0.2.1\n\n$ORIGIN sub.example.com.\nmail IN 600 MX 10 mx\n",
			want: []string{
				"2: example.com.\t300\tIN\tCNAME\tother.example.",
				"3: www.example.com.\t300\tIN\tA\t192.0.2.1",
				"6: mail.sub.example.com.\t600\tIN\tMX\t10 mx.sub.example.com.",
			},
		},
		{
			name: "duplicates kept, owners canonical",
			file: "WWW 60 A 192.0.2.1\nwww 120 A 192.0.2.1\n",
			want: []string{"1: www.example.com.\t60\tIN\tA\t192.0.2.1", "2: www.example.com.\t120\tIN\tA\t192.0.2.1"},
		},
		{name: "syntax error has its line", file: "www A 192.0.2.1\n\nbad A 1.2.3\n", err: "paste:3: bad A address"},
		{name: "include refused", file: "$INCLUDE /etc/passwd\n", err: "paste:1:"},
		{name: "other classes refused", file: "www CH A 192.0.2.1\n", err: "paste:1: class CH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, err := ReadRecords(strings.NewReader(tt.file), "example.com", "paste")
			if tt.err != "" {
				var pe *ParseError
				if err == nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want a ParseError with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range lines {
				got = append(got, strings.Join([]string{strconv.Itoa(l.Line), l.RR.String()}, ": "))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
