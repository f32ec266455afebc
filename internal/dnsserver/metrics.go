package dnsserver

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what the servers using it do. It implements
// prometheus.Collector; register it once and pass it in Config.Metrics.
//
// Counting must not slow the serving path down, so each UDP worker (and the
// TCP side as a whole) counts into its own shard of atomic counters, and the
// shards are summed only when Prometheus scrapes.
type Metrics struct {
	mu     sync.Mutex
	shards []*counters

	queries     *prometheus.Desc
	respBytes   *prometheus.Desc
	dropped     *prometheus.Desc
	truncated   *prometheus.Desc
	duration    *prometheus.Desc
	tcpConns    *prometheus.Desc
	tcpRejected *prometheus.Desc
}

// NewMetrics returns a Metrics with all counters at zero.
func NewMetrics() *Metrics {
	return &Metrics{
		queries: prometheus.NewDesc("zonewarden_dns_queries_total",
			"DNS queries answered, by transport, question type and response code.",
			[]string{"transport", "qtype", "rcode"}, nil),
		respBytes: prometheus.NewDesc("zonewarden_dns_response_bytes_total",
			"Bytes of DNS responses sent, without TCP length prefixes.",
			[]string{"transport"}, nil),
		dropped: prometheus.NewDesc("zonewarden_dns_dropped_queries_total",
			"Messages dropped without an answer: too short, too long, not a query, or no answer from the handler.",
			[]string{"transport"}, nil),
		truncated: prometheus.NewDesc("zonewarden_dns_truncated_responses_total",
			"Responses sent with the TC bit set.",
			[]string{"transport"}, nil),
		duration: prometheus.NewDesc("zonewarden_dns_request_duration_seconds",
			"Time from reading a query to handing its answer to the kernel. UDP queries are read and written in batches and each is observed with its batch's time.",
			[]string{"transport"}, nil),
		tcpConns: prometheus.NewDesc("zonewarden_dns_tcp_connections",
			"Open TCP connections.", nil, nil),
		tcpRejected: prometheus.NewDesc("zonewarden_dns_tcp_rejected_connections_total",
			"TCP connections closed on accept because the connection limit was reached.", nil, nil),
	}
}

// shard returns a new set of counters that Collect includes. A nil Metrics
// hands out counters nobody reads, so the serving path needs no nil checks.
func (m *Metrics) shard() *counters {
	c := new(counters)
	if m == nil {
		return c
	}
	m.mu.Lock()
	m.shards = append(m.shards, c)
	m.mu.Unlock()
	return c
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.queries, m.respBytes, m.dropped, m.truncated, m.duration, m.tcpConns, m.tcpRejected} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	shards := append([]*counters(nil), m.shards...)
	m.mu.Unlock()

	var sum counters
	for _, c := range shards {
		sum.addFrom(c)
	}
	for t := range numTransports {
		tr := Transport(t).String()
		for q := range numQtypes {
			for r := range numRcodes {
				if v := sum.queries[t][q][r].Load(); v > 0 {
					ch <- prometheus.MustNewConstMetric(m.queries, prometheus.CounterValue, float64(v), tr, qtypeNames[q], rcodeName(r))
				}
			}
		}
		ch <- prometheus.MustNewConstMetric(m.respBytes, prometheus.CounterValue, float64(sum.respBytes[t].Load()), tr)
		ch <- prometheus.MustNewConstMetric(m.dropped, prometheus.CounterValue, float64(sum.dropped[t].Load()), tr)
		ch <- prometheus.MustNewConstMetric(m.truncated, prometheus.CounterValue, float64(sum.truncated[t].Load()), tr)

		buckets := make(map[float64]uint64, len(durationBounds))
		var count uint64
		for i, b := range durationBounds {
			count += sum.hist[t][i].Load()
			buckets[b.Seconds()] = count
		}
		count += sum.hist[t][len(durationBounds)].Load()
		secs := time.Duration(sum.histNanos[t].Load()).Seconds()
		ch <- prometheus.MustNewConstHistogram(m.duration, count, secs, buckets, tr)
	}
	ch <- prometheus.MustNewConstMetric(m.tcpConns, prometheus.GaugeValue, float64(sum.tcpConns.Load()))
	ch <- prometheus.MustNewConstMetric(m.tcpRejected, prometheus.CounterValue, float64(sum.tcpRejected.Load()))
}

const (
	numTransports = 2
	numRcodes     = 16 // the header's 4 bits; extended RCODEs from OPT count as their low bits
)

// durationBounds are the histogram's upper bounds. An authoritative answer
// takes microseconds, so the buckets are fine there.
var durationBounds = [...]time.Duration{
	5 * time.Microsecond, 10 * time.Microsecond, 25 * time.Microsecond, 50 * time.Microsecond,
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond, 10 * time.Millisecond,
	50 * time.Millisecond, 100 * time.Millisecond, 500 * time.Millisecond, time.Second,
}

// counters is one shard. Only atomics: a scrape reads while a worker writes.
type counters struct {
	queries   [numTransports][numQtypes][numRcodes]atomic.Uint64
	respBytes [numTransports]atomic.Uint64
	dropped   [numTransports]atomic.Uint64
	truncated [numTransports]atomic.Uint64
	hist      [numTransports][len(durationBounds) + 1]atomic.Uint64 // per bucket, not cumulative; the last is +Inf
	histNanos [numTransports]atomic.Uint64

	tcpConns    atomic.Int64
	tcpRejected atomic.Uint64
}

// answered counts a query (msg) and its response.
func (c *counters) answered(t Transport, msg, resp []byte) {
	rcode := 0
	if len(resp) >= 4 {
		rcode = int(resp[3] & 0x0f)
		if resp[2]&0x02 != 0 {
			c.truncated[t].Add(1)
		}
	}
	c.queries[t][qtypeIndex(msg)][rcode].Add(1)
	c.respBytes[t].Add(uint64(len(resp)))
}

// observe records n queries that each took d.
func (c *counters) observe(t Transport, d time.Duration, n int) {
	i := 0
	for i < len(durationBounds) && d > durationBounds[i] {
		i++
	}
	c.hist[t][i].Add(uint64(n))
	c.histNanos[t].Add(uint64(d) * uint64(n))
}

func (c *counters) addFrom(o *counters) {
	for t := range numTransports {
		for q := range numQtypes {
			for r := range numRcodes {
				c.queries[t][q][r].Add(o.queries[t][q][r].Load())
			}
		}
		c.respBytes[t].Add(o.respBytes[t].Load())
		c.dropped[t].Add(o.dropped[t].Load())
		c.truncated[t].Add(o.truncated[t].Load())
		for i := range o.hist[t] {
			c.hist[t][i].Add(o.hist[t][i].Load())
		}
		c.histNanos[t].Add(o.histNanos[t].Load())
	}
	c.tcpConns.Add(o.tcpConns.Load())
	c.tcpRejected.Add(o.tcpRejected.Load())
}

// The question types worth a label of their own; the rest count as "other",
// which keeps the series count bounded whatever clients send.
const (
	qtOther = iota
	qtA
	qtNS
	qtCNAME
	qtSOA
	qtPTR
	qtMX
	qtTXT
	qtAAAA
	qtSRV
	qtNAPTR
	qtDS
	qtRRSIG
	qtNSEC
	qtDNSKEY
	qtNSEC3PARAM
	qtTLSA
	qtSVCB
	qtHTTPS
	qtCAA
	qtIXFR
	qtAXFR
	qtANY
	numQtypes
)

var qtypeNames = [numQtypes]string{
	qtOther: "other", qtA: "A", qtNS: "NS", qtCNAME: "CNAME", qtSOA: "SOA", qtPTR: "PTR",
	qtMX: "MX", qtTXT: "TXT", qtAAAA: "AAAA", qtSRV: "SRV", qtNAPTR: "NAPTR", qtDS: "DS",
	qtRRSIG: "RRSIG", qtNSEC: "NSEC", qtDNSKEY: "DNSKEY", qtNSEC3PARAM: "NSEC3PARAM",
	qtTLSA: "TLSA", qtSVCB: "SVCB", qtHTTPS: "HTTPS", qtCAA: "CAA", qtIXFR: "IXFR",
	qtAXFR: "AXFR", qtANY: "ANY",
}

// qtypeIndex reads the type of msg's first question. Anything it cannot
// read counts as "other".
func qtypeIndex(msg []byte) int {
	if len(msg) < 12 || msg[4] == 0 && msg[5] == 0 {
		return qtOther
	}
	off := SkipName(msg, 12)
	if off < 0 || off+2 > len(msg) {
		return qtOther
	}
	switch uint16(msg[off])<<8 | uint16(msg[off+1]) {
	case 1:
		return qtA
	case 2:
		return qtNS
	case 5:
		return qtCNAME
	case 6:
		return qtSOA
	case 12:
		return qtPTR
	case 15:
		return qtMX
	case 16:
		return qtTXT
	case 28:
		return qtAAAA
	case 33:
		return qtSRV
	case 35:
		return qtNAPTR
	case 43:
		return qtDS
	case 46:
		return qtRRSIG
	case 47:
		return qtNSEC
	case 48:
		return qtDNSKEY
	case 51:
		return qtNSEC3PARAM
	case 52:
		return qtTLSA
	case 64:
		return qtSVCB
	case 65:
		return qtHTTPS
	case 257:
		return qtCAA
	case 251:
		return qtIXFR
	case 252:
		return qtAXFR
	case 255:
		return qtANY
	}
	return qtOther
}

var rcodeNames = [numRcodes]string{
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
}

func rcodeName(r int) string {
	if rcodeNames[r] != "" {
		return rcodeNames[r]
	}
	return "RCODE" + strconv.Itoa(r)
}
