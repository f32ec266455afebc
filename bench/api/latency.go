package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/miekg/dns"
)

type latencyResult struct {
	answer   []time.Duration // send of the write → first DNS answer with the record
	api      []time.Duration // send of the write → the API's answer
	timeouts int
}

// latencyRun makes n writes on each server, alternating between them, and
// times each until the server's DNS port answers the new record. zones maps
// a server's name to the zone written.
func latencyRun(ctx context.Context, servers []server, zones map[string]string, n int, timeout time.Duration) (map[string]latencyResult, error) {
	res := map[string]latencyResult{}
	prefix := fmt.Sprintf("lat%d-", time.Now().UnixNano()%1e6)
	for i := range n {
		for j := range servers {
			s := servers[(i+j)%len(servers)]
			answer, apiDur, err := writeToAnswer(ctx, s, zones[s.name()], hostRecord(prefix, i), timeout)
			r := res[s.name()]
			switch {
			case err == errNoAnswer:
				r.timeouts++
				r.answer = append(r.answer, timeout)
			case err != nil:
				return nil, fmt.Errorf("%s: write %d: %w", s.name(), i, err)
			default:
				r.answer = append(r.answer, answer)
			}
			r.api = append(r.api, apiDur)
			res[s.name()] = r
			time.Sleep(5 * time.Millisecond)
		}
	}
	for _, s := range servers {
		r := res[s.name()]
		logLatency(s.name(), zones[s.name()], r)
	}
	return res, nil
}

var errNoAnswer = errors.New("no answer")

func logLatency(server, zone string, r latencyResult) {
	log.Printf("%s: write→answer on %s: p50 %s p99 %s max %s, %d unanswered; API p50 %s p99 %s",
		server, zone, pct(r.answer, 50).Round(10*time.Microsecond), pct(r.answer, 99).Round(10*time.Microsecond),
		pct(r.answer, 100).Round(10*time.Microsecond), r.timeouts, pct(r.api, 50).Round(10*time.Microsecond), pct(r.api, 99).Round(10*time.Microsecond))
}

// writeToAnswer sends the create and, from that moment, asks the DNS server
// for the record over UDP every millisecond until an answer has it.
func writeToAnswer(ctx context.Context, s server, zone string, rec record, timeout time.Duration) (answer, apiDur time.Duration, err error) {
	conn, err := net.Dial("udp", s.dnsAddr())
	if err != nil {
		return 0, 0, err
	}
	co := &dns.Conn{Conn: conn}
	defer func() { co.Close() }()
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(rec.name+"."+zone), dns.TypeA)
	c := &dns.Client{Net: "udp", Timeout: 100 * time.Millisecond}

	type apiResult struct {
		d   time.Duration
		err error
	}
	done := make(chan apiResult, 1)
	start := time.Now()
	go func() {
		err := s.createRecord(ctx, zone, rec)
		done <- apiResult{time.Since(start), err}
	}()
	var apiRes *apiResult
	for {
		sent := time.Now()
		q.Id = dns.Id()
		in, _, qerr := c.ExchangeWithConnContext(ctx, q, co)
		if qerr == nil && has(in, rec.ip) {
			answer = time.Since(start)
			break
		}
		if apiRes == nil {
			select {
			case r := <-done:
				apiRes = &r
				if r.err != nil {
					return 0, r.d, r.err
				}
			default:
			}
		}
		if time.Since(start) > timeout {
			err = errNoAnswer
			break
		}
		if qerr != nil {
			// A lost datagram or a timeout: start afresh on a new socket.
			co.Close()
			conn, derr := net.Dial("udp", s.dnsAddr())
			if derr != nil {
				return 0, 0, derr
			}
			co = &dns.Conn{Conn: conn}
		}
		time.Sleep(time.Until(sent.Add(time.Millisecond)))
	}
	if apiRes == nil {
		r := <-done
		apiRes = &r
	}
	if apiRes.err != nil {
		return 0, apiRes.d, apiRes.err
	}
	return answer, apiRes.d, err
}

func has(m *dns.Msg, ip string) bool {
	if m.Rcode != dns.RcodeSuccess {
		return false
	}
	for _, rr := range m.Answer {
		if a, ok := rr.(*dns.A); ok && a.A.String() == ip {
			return true
		}
	}
	return false
}
