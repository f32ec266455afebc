package dnsserver

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// BenchmarkUDP measures loopback round trips through the whole server with
// a trivial handler; client and server share the machine's cores.
func BenchmarkUDP(b *testing.B) {
	s := serve(b, Config{})
	q, _ := query("example.", dns.TypeA).Pack()
	b.ReportAllocs()
	b.SetParallelism(8) // enough clients in flight to fill batches
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(s.UDPAddr()))
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		buf := make([]byte, 512)
		for pb.Next() {
			c.Write(q)
			c.SetReadDeadline(time.Now().Add(time.Second))
			if _, err := c.Read(buf); err != nil {
				b.Error(err) // a lost datagram; loopback should not lose any
				return
			}
		}
	})
}

func BenchmarkTCP(b *testing.B) {
	s := serve(b, Config{})
	q, _ := query("example.", dns.TypeA).Pack()
	framed := append([]byte{0, byte(len(q))}, q...)
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		c, err := net.Dial("tcp", s.TCPAddr().String())
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		buf := make([]byte, 512)
		for pb.Next() {
			c.Write(framed)
			if _, err := c.Read(buf); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
