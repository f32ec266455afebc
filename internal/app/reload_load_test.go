package app

import (
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestDNSReloadUnderLoad reloads while queries keep arriving: every query
// is answered, by the old version of the zone or by the new one, never by a
// mix, an error or silence.
func TestDNSReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "example.org.zone")
	writeFile(t, file, zoneV1)
	d := startDNS(t, testConfig(dir))
	addr := d.UDPAddr().String()

	var (
		stop     atomic.Bool
		wg       sync.WaitGroup
		answered atomic.Int64
	)
	for range 2 {
		wg.Go(func() {
			c := &dns.Client{Timeout: 2 * time.Second}
			for !stop.Load() {
				m := new(dns.Msg)
				m.SetQuestion("www.example.org.", dns.TypeA)
				r, _, err := c.Exchange(m, addr)
				if err != nil {
					t.Errorf("query during reload: %v", err)
					return
				}
				if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
					t.Errorf("answer during reload: %s", r)
					return
				}
				a := r.Answer[0].(*dns.A).A.String()
				if a != "192.0.2.1" && a != "192.0.2.2" {
					t.Errorf("answer during reload: %s", a)
					return
				}
				answered.Add(1)
			}
		})
	}
	for i := range 20 {
		text := zoneV1
		if i%2 == 0 {
			text = zoneV2
		}
		writeFile(t, file, text)
		if err := d.Reload(); err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if answered.Load() == 0 {
		t.Fatal("no query was answered")
	}
	t.Logf("%d queries answered across 20 reloads", answered.Load())
}
