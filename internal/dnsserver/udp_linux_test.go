package dnsserver

import (
	"log/slog"
	"net"
	"testing"
	"unsafe"

	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// fakeBatch makes w look as if recvmmsg had just read n copies of q from
// 192.0.2.1:5300, sent to 127.0.0.2 when withPktinfo.
func fakeBatch(w *udpWorker, q []byte, n int, withPktinfo bool) {
	w.pktinfo = withPktinfo
	for i := range n {
		copy(w.bufs[i][:], q)
		w.in[i].Len = uint32(len(q))
		w.in[i].Hdr.Flags = 0
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(&w.names[i]))
		*sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: [4]byte{192, 0, 2, 1}}
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		p[0], p[1] = 5300>>8, 5300&0xff
		w.in[i].Hdr.Namelen = unix.SizeofSockaddrInet4
		w.in[i].Hdr.SetControllen(0)
		if withPktinfo {
			h := (*unix.Cmsghdr)(unsafe.Pointer(&w.inCtl[i][0]))
			h.Level, h.Type = unix.IPPROTO_IP, unix.IP_PKTINFO
			h.SetLen(unix.CmsgLen(unix.SizeofInet4Pktinfo))
			pi := (*unix.Inet4Pktinfo)(unsafe.Pointer(&w.inCtl[i][unix.CmsgLen(0)]))
			*pi = unix.Inet4Pktinfo{Ifindex: 1, Spec_dst: [4]byte{127, 0, 0, 1}, Addr: [4]byte{127, 0, 0, 2}}
			w.in[i].Hdr.SetControllen(unix.CmsgSpace(unix.SizeofInet4Pktinfo))
		}
	}
}

func TestAnswerBatch(t *testing.T) {
	q, _ := query("example.", dns.TypeA).Pack()
	for _, withPktinfo := range []bool{false, true} {
		w := new(udpWorker)
		w.init(handlerFunc(echo), new(counters), slog.New(slog.DiscardHandler))
		fakeBatch(w, q, batchSize, withPktinfo)
		if k := w.answer(batchSize); k != batchSize {
			t.Fatalf("pktinfo %v: %d answers, want %d", withPktinfo, k, batchSize)
		}
		if got := w.remote(3).String(); got != "192.0.2.1:5300" {
			t.Errorf("remote %s", got)
		}
		if w.out[3].Hdr.Name != w.in[3].Hdr.Name || int(w.outIov[3].Len) != len(q) {
			t.Errorf("answer header %+v", w.out[3].Hdr)
		}
		if withPktinfo {
			pi := (*unix.Inet4Pktinfo)(unsafe.Pointer(&w.outCtl[3][unix.CmsgLen(0)]))
			if pi.Spec_dst != [4]byte{127, 0, 0, 2} || pi.Ifindex != 0 || w.out[3].Hdr.Controllen == 0 {
				t.Errorf("answer control %+v, len %d", *pi, w.out[3].Hdr.Controllen)
			}
		} else if w.out[3].Hdr.Controllen != 0 {
			t.Errorf("control message without pktinfo")
		}
		allocs := testing.AllocsPerRun(100, func() {
			fakeBatch(w, q, batchSize, withPktinfo)
			w.answer(batchSize)
		})
		if allocs != 0 {
			t.Errorf("pktinfo %v: %v allocations per batch", withPktinfo, allocs)
		}
	}
}

// TestUDPRoundTripAllocs counts every allocation in the process, server
// included, over real round trips.
func TestUDPRoundTripAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	s := serve(t, Config{Workers: 1})
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(s.UDPAddr()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	q, _ := query("example.", dns.TypeA).Pack()
	buf := make([]byte, 512)
	roundTrip := func() {
		if _, err := c.Write(q); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	roundTrip() // let the server warm up
	if allocs := testing.AllocsPerRun(1000, roundTrip); allocs != 0 {
		t.Errorf("%v allocations per query", allocs)
	}
}

// TestAnswerBatchPanic expects a panicking handler to lose only the query
// it panicked on.
func TestAnswerBatchPanic(t *testing.T) {
	q, _ := query("example.", dns.TypeA).Pack()
	calls := 0
	h := handlerFunc(func(resp []byte, req *Request) []byte {
		calls++
		if calls == 2 {
			panic("boom")
		}
		return echo(resp, req)
	})
	w := new(udpWorker)
	w.init(h, new(counters), slog.New(slog.DiscardHandler))
	fakeBatch(w, q, 4, false)
	if k := w.answer(4); k != 3 {
		t.Fatalf("%d answers, want 3", k)
	}
}

func BenchmarkAnswerBatch(b *testing.B) {
	q, _ := query("example.", dns.TypeA).Pack()
	w := new(udpWorker)
	w.init(handlerFunc(echo), new(counters), slog.New(slog.DiscardHandler))
	fakeBatch(w, q, batchSize, false)
	b.ReportAllocs()
	for b.Loop() {
		w.answer(batchSize)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batchSize), "ns/query")
}
