// Package transfer is the primary side of zone distribution: it answers
// zone transfers (AXFR, RFC 5936; IXFR, RFC 1995, from the store's change
// journal) of the hosted zones and of a catalog zone that lists them (RFC
// 9432), checks TSIG (RFC 8945) and an access list, and sends NOTIFY (RFC
// 1996) to secondaries when a zone changes.
//
//	h, err := transfer.New(transfer.Config{
//		Next:    engine,  // answers every other query
//		Source:  st,      // the store
//		Allow:   acl,     // from transfer.ParseACL("*,192.0.2.0/24")
//		Catalog: "catalog.zonewarden.invalid.",
//	})
//	srv, err := dnsserver.New(dnsserver.Config{Addr: ":53", Handler: h})
//
// The Handler passes ordinary queries to Next untouched and without
// allocating; it takes over zone transfers (streamed over TCP, see
// dnsserver.Streamer) and queries signed with TSIG, whose answers it signs.
//
// ALIAS records, which secondaries do not know, are sent as the A and AAAA
// records Next answers for their owners at the time of the transfer.
package transfer
