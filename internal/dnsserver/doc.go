// Package dnsserver carries DNS messages between sockets and a Handler: UDP
// with batched reads and writes (recvmmsg, sendmmsg) on one SO_REUSEPORT
// socket per core, and TCP per RFC 7766. It knows nothing of zones;
// internal/authority answers.
//
//	m := dnsserver.NewMetrics()
//	registry.MustRegister(m)
//	srv, err := dnsserver.New(dnsserver.Config{
//		Addr:    ":53",
//		Handler: engine, // anything with ServeDNS(resp []byte, req *Request) []byte
//		Metrics: m,
//	})
//	if err != nil { ... }
//	err = srv.Run(ctx) // serves until ctx is done, then stops cleanly
//
// Call Start before Run to bind the sockets early, for instance to read
// UDPAddr and TCPAddr after listening on port 0.
//
// The server drops, without answering, UDP messages shorter than a DNS
// header or with the QR bit set; everything else, malformed or not, goes to
// the Handler, and a nil answer sends nothing. In steady state serving a UDP
// query allocates nothing.
package dnsserver
