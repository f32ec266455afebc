package main

import (
	"fmt"
	"io"
)

type better int

const (
	higher better = iota
	lower
)

// table is the markdown table of one backend: a row per figure, both
// servers, and how many times better Zonewarden's figure is.
type table struct {
	backend string
	rows    []row
}

type row struct {
	what        string
	zw, pd      string
	ratio       float64
	betterIsLow bool
}

// add adds a row; with extra (zw99, pd99) the cells read "p50 / p99" and the
// ratio is that of the second figure, the p99.
func (t *table) add(what string, b better, zw, pd float64, format string, extra ...float64) {
	r := row{what: what, zw: fmt.Sprintf(format, zw), pd: fmt.Sprintf(format, pd), betterIsLow: b == lower}
	if len(extra) == 2 {
		r.zw += " / " + fmt.Sprintf(format, extra[0])
		r.pd += " / " + fmt.Sprintf(format, extra[1])
		zw, pd = extra[0], extra[1]
	}
	switch {
	case zw == 0 || pd == 0:
	case b == higher:
		r.ratio = zw / pd
	default:
		r.ratio = pd / zw
	}
	t.rows = append(t.rows, r)
}

func (t *table) addLatency(what string, l map[string]latencyResult, zw, pd server) {
	z, p := l[zw.name()], l[pd.name()]
	t.add(what+": p50 / p99 (ms)", lower, ms(pct(z.answer, 50)), ms(pct(p.answer, 50)), "%.1f", ms(pct(z.answer, 99)), ms(pct(p.answer, 99)))
	t.add(what+": max (ms); writes never answered", lower, ms(pct(z.answer, 100)), ms(pct(p.answer, 100)), "%.1f")
	t.rows[len(t.rows)-1].zw += fmt.Sprintf("; %d", z.timeouts)
	t.rows[len(t.rows)-1].pd += fmt.Sprintf("; %d", p.timeouts)
	t.add(what+": the API's answer to the write, p50 / p99 (ms)", lower, ms(pct(z.api, 50)), ms(pct(p.api, 50)), "%.1f", ms(pct(z.api, 99)), ms(pct(p.api, 99)))
}

func (t *table) write(w io.Writer) {
	fmt.Fprintf(w, "\n#### %s\n\n", t.backend)
	fmt.Fprintf(w, "| workload | Zonewarden | PowerDNS | Zonewarden's advantage |\n|---|--:|--:|--:|\n")
	for _, r := range t.rows {
		ratio := "–"
		if r.ratio != 0 {
			ratio = fmt.Sprintf("%.2f×", r.ratio)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.what, r.zw, r.pd, ratio)
	}
	fmt.Fprintf(w, "\nZonewarden's advantage: PowerDNS's figure ÷ Zonewarden's for times (for p50 / p99 cells, of the p99), Zonewarden's ÷ PowerDNS's for rates; above 1× Zonewarden is better.\n")
}
