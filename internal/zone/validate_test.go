package zone

import (
	"errors"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// records builds a zone in code, the way the store will, from zone-file
// lines with absolute names.
func records(t *testing.T, origin string, lines ...string) *Zone {
	t.Helper()
	z := &Zone{Origin: origin}
	for _, line := range lines {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		z.Records = append(z.Records, rr)
	}
	return z
}

func TestValidate(t *testing.T) {
	base := []string{
		"example.com. 3600 IN SOA ns1.example.com. h.example.com. 1 2 3 4 5",
		"example.com. 3600 IN NS ns1.example.com.",
	}
	tests := []struct {
		name  string
		lines []string
		want  string // "" for valid
	}{
		{"valid", []string{"www.example.com. 60 IN A 192.0.2.1"}, ""},
		{"delegation with glue", []string{"sub.example.com. NS ns.sub.example.com.", "ns.sub.example.com. A 192.0.2.1"}, ""},
		{"CNAME beside RRSIG and NSEC", []string{"w.example.com. CNAME x.", "w.example.com. NSEC z.example.com. CNAME RRSIG NSEC", "w.example.com. RRSIG CNAME 13 3 3600 20300101000000 20200101000000 1 example.com. AAAA"}, ""},
		{"out of zone", []string{"example.net. A 192.0.2.1"}, "validate zone example.com.: example.net. A record is outside the zone example.com."},
		{"CNAME and TXT", []string{"w.example.com. CNAME x.", "w.example.com. TXT x"}, "validate zone example.com.: TXT record at w.example.com., which has a CNAME"},
		{"below DNAME", []string{"d.example.com. DNAME x.", "x.d.example.com. A 192.0.2.1"}, "validate zone example.com.: x.d.example.com. is below the DNAME at d.example.com."},
		{"DNAME at the apex", []string{"example.com. DNAME example.net."}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := records(t, "example.com.", append(base, tt.lines...)...)
			err := z.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("Validate: %v, want %q", err, tt.want)
			case err != nil && !errors.Is(err, ErrInvalid):
				t.Errorf("%v does not wrap ErrInvalid", err)
			}
		})
	}

	empty := &Zone{Origin: "example.com."}
	want := "validate zone example.com.: no SOA record at the zone apex example.com.\nno NS record at the zone apex example.com."
	if err := empty.Validate(); err == nil || err.Error() != want {
		t.Errorf("empty zone: %v, want %q", err, want)
	}
}

func TestNormalizeAndClone(t *testing.T) {
	z := records(t, "Example.COM",
		"WWW.Example.COM. 300 IN A 192.0.2.1",
		"www.example.com. 60 IN A 192.0.2.2",
		"www.example.com. 600 IN A 192.0.2.1",
		`\119ww.example.com. 10 IN TXT x`,
	)
	z.Normalize()
	var got []string
	for _, rr := range z.Records {
		got = append(got, rr.String())
	}
	want := []string{
		"www.example.com.\t60\tIN\tA\t192.0.2.1",
		"www.example.com.\t60\tIN\tA\t192.0.2.2",
		"www.example.com.\t10\tIN\tTXT\t\"x\"",
	}
	if z.Origin != "example.com." || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("normalized %s\n%s\nwant\n%s", z.Origin, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	c := z.Clone()
	c.Records[0].Header().Ttl = 1
	if z.Records[0].Header().Ttl != 60 {
		t.Errorf("Clone shares records")
	}
}

// TestValidateRecordAtFault: each problem says which record it was found
// at, the later of two that clash, so that a caller can tell which of its
// changes is at fault.
func TestValidateRecordAtFault(t *testing.T) {
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, cname := rr("www.example.com. 3600 IN A 192.0.2.1"), rr("www.example.com. 3600 IN CNAME example.net.")
	z := &Zone{Origin: "example.com.", Records: []dns.RR{
		rr("example.com. 3600 IN SOA ns1.example.net. admin.example.net. 1 2 3 4 5"),
		rr("example.com. 3600 IN NS ns1.example.net."), a, cname,
	}}
	var pe *ParseError
	if err := z.Validate(); !errors.As(err, &pe) || pe.RR != cname {
		t.Errorf("Validate = %v, found at %v; want the CNAME", err, pe)
	}
}
