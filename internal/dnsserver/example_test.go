package dnsserver_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/miekg/dns"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
)

// refuser answers every query with REFUSED, without allocating.
type refuser struct{}

func (refuser) ServeDNS(resp []byte, req *dnsserver.Request) []byte {
	resp = append(resp, req.Msg...)
	resp[2] |= 0x80 // QR
	resp[3] = resp[3]&0xf0 | 5
	return resp
}

func Example() {
	srv, err := dnsserver.New(dnsserver.Config{Addr: "127.0.0.1:0", Handler: refuser{}})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Start(); err != nil { // bind now, to learn the port
		log.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- srv.Run(ctx) }()

	q := new(dns.Msg)
	q.SetQuestion("example.com.", dns.TypeA)
	c := &dns.Client{Timeout: time.Second}
	r, _, err := c.Exchange(q, srv.UDPAddr().String())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(dns.RcodeToString[r.Rcode])

	stop()
	fmt.Println(<-done)
	// Output:
	// REFUSED
	// <nil>
}
