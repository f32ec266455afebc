package transfer

import (
	"net/netip"
	"sync"
	"time"
)

// warnLimiter bounds the warn lines of refused transfers and failed TSIG
// checks. Anyone can cause one with a UDP packet from a spoofed address, so
// a line each would let a stranger flood the log; logging them at debug
// only would hide a misconfigured secondary (a wrong secret) from the
// operator, who should see it at once. So: at most one warn line per source
// address per minute, and at most warnPerMinute in all, since a per-address
// limit alone does nothing against addresses that are new each time. The
// next warn line says how many were held back (at debug). Every request is
// still counted in zonewarden_zone_transfers_total.
type warnLimiter struct {
	mu         sync.Mutex
	window     time.Time
	seen       map[netip.Addr]struct{} // at most warnPerMinute entries
	suppressed int
}

const warnPerMinute = 10

// allow reports whether a warn line for addr may be written now, and how
// many were held back since the last one that was.
func (l *warnLimiter) allow(now time.Time, addr netip.Addr) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.window) >= time.Minute || l.seen == nil {
		l.window = now
		l.seen = make(map[netip.Addr]struct{}, warnPerMinute)
	}
	if _, ok := l.seen[addr]; ok || len(l.seen) >= warnPerMinute {
		l.suppressed++
		return false, 0
	}
	l.seen[addr] = struct{}{}
	n := l.suppressed
	l.suppressed = 0
	return true, n
}
