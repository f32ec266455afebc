package zone

import (
	"strings"
	"testing"
)

// FuzzReadRecords feeds the dashboard's zone-file import arbitrary text.
// Whatever arrives, ReadRecords must not panic, and every record it returns
// must say which line it came from (the preview names it).
func FuzzReadRecords(f *testing.F) {
	for _, s := range []string{
		"$TTL 600\n@ IN SOA ns.old.example. host.old.example. 1 7200 3600 1209600 300\nwww IN A 192.0.2.1\n",
		"$ORIGIN sub.example.com.\nftp 300 CNAME www.example.com.\n",
		"@ MX 10 mail\n_sip._tcp SRV 10 5 5060 sip\n@ TXT \"v=spf1 -all\" \"two\"\n",
		"@ ALIAS www\n@ CAA 0 issue \"letsencrypt.org\"\n",
		"h HINFO \"Intel Xeon\" Linux\nh2 HINFO a b c\n", "h IN 60 hinfo ( a\n b ) ; c\n", "h TYPE13 \\# 2 0161\n",
		"$INCLUDE /etc/passwd\n", "$GENERATE 1-10 host$ A 192.0.2.$\n", "( unbalanced\n", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lines, err := ReadRecords(strings.NewReader(text), "example.com.", "import")
		if err != nil {
			unreadHINFO(t, err)
			return
		}
		for _, l := range lines {
			if l.RR == nil {
				t.Fatalf("line %d: no record", l.Line)
			}
			if l.Line < 1 {
				t.Fatalf("record %s without its line", l.RR)
			}
		}
	})
}
