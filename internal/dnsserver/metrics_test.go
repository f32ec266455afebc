package dnsserver

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
)

// gather returns the samples of the named families as "name{labels} value"
// lines, sorted; histograms give their count.
func gather(t *testing.T, m *Metrics, names ...string) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, mf := range mfs {
		want := false
		for _, n := range names {
			want = want || mf.GetName() == n
		}
		if !want {
			continue
		}
		for _, s := range mf.GetMetric() {
			var ls []string
			for _, l := range s.GetLabel() {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			var v float64
			switch {
			case s.Counter != nil:
				v = s.Counter.GetValue()
			case s.Gauge != nil:
				v = s.Gauge.GetValue()
			case s.Histogram != nil:
				v = float64(s.Histogram.GetSampleCount())
			}
			lines = append(lines, fmt.Sprintf("%s{%s} %g", mf.GetName(), strings.Join(ls, ","), v))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestMetrics(t *testing.T) {
	m := NewMetrics()
	refuse := handlerFunc(func(resp []byte, req *Request) []byte {
		resp = echo(resp, req)
		if resp != nil && req.Msg[len(req.Msg)-3] == byte(dns.TypeMX) {
			resp[3] |= dns.RcodeRefused
			resp[2] |= 0x02 // TC
		}
		return resp
	})
	s := serve(t, Config{Metrics: m, Handler: refuse, Workers: 2})
	send := []struct {
		net   string
		name  string
		qtype uint16
		n     int
	}{
		{"udp", "example.", dns.TypeA, 3},
		{"udp", "example.", dns.TypeMX, 2},
		{"udp", "example.", dns.TypeNULL, 1},
		{"udp", "drop.", dns.TypeA, 1},
		{"tcp", "example.", dns.TypeAAAA, 2},
	}
	for _, q := range send {
		addr := s.UDPAddr().String()
		if q.net == "tcp" {
			addr = s.TCPAddr().String()
		}
		// A dropped query waits out the timeout; the others must not
		// time out on a slow machine.
		c := &dns.Client{Net: q.net, Timeout: 5 * time.Second}
		if q.name == "drop." {
			c.Timeout = 300 * time.Millisecond
		}
		for range q.n {
			_, _, err := c.Exchange(query(q.name, q.qtype), addr)
			if (err != nil) != (q.name == "drop.") {
				t.Fatalf("%s %s: %v", q.net, q.name, err)
			}
		}
	}
	want := strings.TrimSpace(`
zonewarden_dns_dropped_queries_total{transport=tcp} 0
zonewarden_dns_dropped_queries_total{transport=udp} 1
zonewarden_dns_queries_total{qtype=A,rcode=NOERROR,transport=udp} 3
zonewarden_dns_queries_total{qtype=AAAA,rcode=NOERROR,transport=tcp} 2
zonewarden_dns_queries_total{qtype=MX,rcode=REFUSED,transport=udp} 2
zonewarden_dns_queries_total{qtype=other,rcode=NOERROR,transport=udp} 1
zonewarden_dns_request_duration_seconds{transport=tcp} 2
zonewarden_dns_request_duration_seconds{transport=udp} 6
zonewarden_dns_tcp_connections{} 0
zonewarden_dns_tcp_rejected_connections_total{} 0
zonewarden_dns_truncated_responses_total{transport=tcp} 0
zonewarden_dns_truncated_responses_total{transport=udp} 2`)
	// A UDP worker counts after sending, and a TCP connection is counted
	// closed when the server sees it closed: wait for the counts.
	var got string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got = gather(t, m, "zonewarden_dns_queries_total", "zonewarden_dns_dropped_queries_total",
			"zonewarden_dns_truncated_responses_total", "zonewarden_dns_request_duration_seconds",
			"zonewarden_dns_tcp_connections", "zonewarden_dns_tcp_rejected_connections_total")
		if got == want || time.Now().After(deadline) {
			break
		}
	}
	if got != want {
		t.Errorf("metrics:\n%s\nwant:\n%s", got, want)
	}
}

func TestQtypeIndex(t *testing.T) {
	tests := []struct {
		msg  []byte
		want string
	}{
		{nil, "other"},
		{make([]byte, 12), "other"},
		{[]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x1c\x00\x01"), "AAAA"},
		{[]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x01"), "SOA"},
		{[]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x01\x01"), "CAA"},
		{[]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07exam"), "other"},
		{[]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00"), "other"},
		{[]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x63\x00\x01"), "other"},
		{[]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x80\x00\x01\x00\x01"), "other"},
	}
	for i, tt := range tests {
		if got := qtypeNames[qtypeIndex(tt.msg)]; got != tt.want {
			t.Errorf("%d: qtype %s, want %s", i, got, tt.want)
		}
	}
}

func FuzzQtypeIndex(f *testing.F) {
	f.Add([]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x1c\x00\x01"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if i := qtypeIndex(msg); i < 0 || i >= numQtypes {
			t.Fatalf("index %d", i)
		}
	})
}
