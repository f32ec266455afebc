package secondary

import (
	"github.com/prometheus/client_golang/prometheus"
)

// zoneStats count what happened to one zone since the process started.
type zoneStats struct {
	axfrs, ixfrs, upToDate, failures uint64
	bytes                            uint64 // received in transfers
	// How the versions transferred reached the engine: patched from an
	// IXFR's change, or compiled whole.
	patched, compiled uint64
	// Refreshes that a primary other than the first asked answered.
	failovers uint64
}

// Metrics is the Prometheus collector of a Secondary: per zone, the serial
// served, whether it expired, when the primary last confirmed it, and the
// transfers; the NOTIFY messages received; per primary, the refreshes it
// failed.
type Metrics struct {
	s               *Secondary
	notifies        *prometheus.CounterVec
	primaryFailures *prometheus.CounterVec

	serial, expired, verified, transfers, failures, checks, bytes, zones, patched, compiled, failovers *prometheus.Desc
}

func newMetrics(s *Secondary) *Metrics {
	zl := []string{"zone"}
	m := &Metrics{
		s: s,
		notifies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zonewarden_secondary_notifies_total",
			Help: "NOTIFY messages received, by result: accepted, refused (not from the primary), badkey, badsig, notauth (zone not kept here)."},
			[]string{"result"}),
		primaryFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "zonewarden_secondary_primary_failures_total",
			Help: "Refreshes of a zone that the primary failed (no answer, refused, transfer cut off), whether or not another primary served them."},
			[]string{"primary"}),
		zones: prometheus.NewDesc("zonewarden_secondary_zones",
			"Zones to keep (the catalog zone not included), by state: held, missing (never transferred), expired.", []string{"state"}, nil),
		serial: prometheus.NewDesc("zonewarden_secondary_zone_serial",
			"SOA serial of the version of the zone served.", zl, nil),
		expired: prometheus.NewDesc("zonewarden_secondary_zone_expired",
			"1 when the zone is past its SOA expire without a refresh and answers SERVFAIL.", zl, nil),
		verified: prometheus.NewDesc("zonewarden_secondary_zone_refreshed_timestamp_seconds",
			"When the primary last confirmed the serial held, by a transfer or a SOA answer.", zl, nil),
		transfers: prometheus.NewDesc("zonewarden_secondary_zone_transfers_total",
			"Transfers of the zone that completed, by type (ixfr, axfr).", []string{"zone", "type"}, nil),
		failures: prometheus.NewDesc("zonewarden_secondary_zone_refresh_failures_total",
			"Refreshes of the zone that failed (primary unreachable, refused, transfer cut off or unusable).", zl, nil),
		checks: prometheus.NewDesc("zonewarden_secondary_zone_up_to_date_total",
			"Refreshes that found the zone held up to date.", zl, nil),
		bytes: prometheus.NewDesc("zonewarden_secondary_zone_transfer_bytes_total",
			"Bytes received in the zone's completed transfers.", zl, nil),
		patched: prometheus.NewDesc("zonewarden_secondary_zone_patched_total",
			"Versions of the zone served by patching the names an IXFR changed.", zl, nil),
		compiled: prometheus.NewDesc("zonewarden_secondary_zone_compiled_total",
			"Versions of the zone served by compiling it whole: AXFR, an IXFR the engine could not patch, or a zone too small to keep for patching.", zl, nil),
		failovers: prometheus.NewDesc("zonewarden_secondary_zone_failovers_total",
			"Refreshes of the zone that a primary other than the first asked answered, the first having failed.", zl, nil),
	}
	// Every primary from the start, at 0, so that a rate can be taken of
	// one that has not failed yet.
	for _, p := range s.cfg.Primaries {
		m.primaryFailures.WithLabelValues(p)
	}
	return m
}

func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.notifies.Describe(ch)
	m.primaryFailures.Describe(ch)
	for _, d := range []*prometheus.Desc{m.zones, m.serial, m.expired, m.verified, m.transfers, m.failures, m.checks, m.bytes, m.patched, m.compiled, m.failovers} {
		ch <- d
	}
}

func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.notifies.Collect(ch)
	m.primaryFailures.Collect(ch)
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	var held, missing, expired float64
	for _, z := range m.s.zones {
		if !z.catalog {
			switch {
			case z.expired:
				expired++
			case z.have:
				held++
			default:
				missing++
			}
		}
		o := z.origin
		if z.have {
			ch <- prometheus.MustNewConstMetric(m.serial, prometheus.GaugeValue, float64(z.serial), o)
			ch <- prometheus.MustNewConstMetric(m.verified, prometheus.GaugeValue, float64(z.verified.UnixMilli())/1000, o)
		}
		e := 0.0
		if z.expired {
			e = 1
		}
		ch <- prometheus.MustNewConstMetric(m.expired, prometheus.GaugeValue, e, o)
		ch <- prometheus.MustNewConstMetric(m.transfers, prometheus.CounterValue, float64(z.stats.ixfrs), o, "ixfr")
		ch <- prometheus.MustNewConstMetric(m.transfers, prometheus.CounterValue, float64(z.stats.axfrs), o, "axfr")
		ch <- prometheus.MustNewConstMetric(m.failures, prometheus.CounterValue, float64(z.stats.failures), o)
		ch <- prometheus.MustNewConstMetric(m.checks, prometheus.CounterValue, float64(z.stats.upToDate), o)
		ch <- prometheus.MustNewConstMetric(m.bytes, prometheus.CounterValue, float64(z.stats.bytes), o)
		ch <- prometheus.MustNewConstMetric(m.failovers, prometheus.CounterValue, float64(z.stats.failovers), o)
		if !z.catalog { // not served: never patched nor compiled
			ch <- prometheus.MustNewConstMetric(m.patched, prometheus.CounterValue, float64(z.stats.patched), o)
			ch <- prometheus.MustNewConstMetric(m.compiled, prometheus.CounterValue, float64(z.stats.compiled), o)
		}
	}
	ch <- prometheus.MustNewConstMetric(m.zones, prometheus.GaugeValue, held, "held")
	ch <- prometheus.MustNewConstMetric(m.zones, prometheus.GaugeValue, missing, "missing")
	ch <- prometheus.MustNewConstMetric(m.zones, prometheus.GaugeValue, expired, "expired")
}
