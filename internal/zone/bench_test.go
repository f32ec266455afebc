package zone

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func bigZone(n int) string {
	var b strings.Builder
	b.WriteString(head)
	for i := range n {
		fmt.Fprintf(&b, "h%d A 192.0.%d.%d\nh%d TXT \"record %d\"\n", i, i/256%256, i%256, i, i)
	}
	return b.String()
}

// mixedZone is a zone of about n records shaped like a large customer zone:
// mostly address records, then TXT, MX, CNAME, SRV and a few CAA, spread
// over names of several depths so that the canonical sort has work to do.
func mixedZone(n int) string {
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < n/10; i++ {
		host := fmt.Sprintf("host-%d.dept%d", i, i%37)
		fmt.Fprintf(&b, "%s 3600 A 10.%d.%d.%d\n", host, i>>16&255, i>>8&255, i&255)
		fmt.Fprintf(&b, "%s 3600 A 10.%d.%d.%d\n", host, i>>16&255|128, i>>8&255, i&255)
		fmt.Fprintf(&b, "%s 3600 AAAA 2001:db8:%x::%x\n", host, i>>16, i&0xffff)
		fmt.Fprintf(&b, "%s 3600 AAAA 2001:db8:%x::%x:1\n", host, i>>16, i&0xffff)
		fmt.Fprintf(&b, "%s 300 TXT \"v=spf1 ip4:10.0.%d.0/24 -all\" \"id %d\"\n", host, i&255, i)
		fmt.Fprintf(&b, "%s 3600 MX 10 mx%d.example.net.\n", host, i%5)
		fmt.Fprintf(&b, "%s 3600 MX 20 mx%d.example.net.\n", host, i%5+5)
		fmt.Fprintf(&b, "www%d.dept%d 3600 CNAME %s\n", i, i%37, host)
		fmt.Fprintf(&b, "_sip._tcp.%s 3600 SRV 10 60 5060 sip%d.example.com.\n", host, i%3)
		fmt.Fprintf(&b, "_dmarc.%s 3600 TXT \"v=DMARC1; p=none\"\n", host)
	}
	b.WriteString("@ 3600 CAA 0 issue \"letsencrypt.org\"\n")
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

// BenchmarkWriteTo writes zones the size the API's zone file endpoint
// serves for the largest customers.
func BenchmarkWriteTo(b *testing.B) {
	for _, bc := range []struct {
		name string
		zone string
	}{
		{"ATXT20k", bigZone(10000)},
		{"Mixed100k", mixedZone(100000)},
	} {
		z, err := Parse(strings.NewReader(bc.zone), "example.com.", "big.zone")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := z.WriteTo(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecordRR converts records as the store does when it loads a zone
// for the engine (ZoneData): 100,000 of the common types.
func BenchmarkRecordRR(b *testing.B) {
	z, err := Parse(strings.NewReader(mixedZone(100000)), "example.com.", "big.zone")
	if err != nil {
		b.Fatal(err)
	}
	var recs []Record
	for _, rr := range z.Records {
		if rr.Header().Rrtype == dns.TypeSOA {
			continue
		}
		recs = append(recs, RecordFromRR(z.Origin, rr))
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range recs {
			if _, err := r.RR(z.Origin); err != nil {
				b.Fatal(err)
			}
		}
	}
}
