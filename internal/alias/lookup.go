package alias

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// maxChain bounds the CNAME chain followed in an answer; resolvers stop well
// before this.
const maxChain = 16

// answer is the outcome of one successful resolution.
type answer struct {
	rdata [][]byte
	ttl   time.Duration // as received, before MinTTL and MaxTTL
}

// lookup asks the upstreams in order for k and returns the first usable
// answer: addresses, or an empty answer for NXDOMAIN and NODATA.
func (r *Resolver) lookup(ctx context.Context, k key) (answer, error) {
	q := new(dns.Msg)
	q.SetQuestion(k.name, k.qtype)
	q.RecursionDesired = true
	q.SetEdns0(1232, false)

	var errs []error
	for _, up := range r.cfg.Upstream {
		resp, err := r.exchange(ctx, q, up)
		if err == nil {
			var a answer
			if a, err = flatten(k, resp); err == nil {
				return a, nil
			}
		}
		errs = append(errs, fmt.Errorf("ask %s: %w", up, err))
		if ctx.Err() != nil {
			break
		}
	}
	return answer{}, fmt.Errorf("resolve %s %s: %w", k.name, dns.TypeToString[k.qtype], errors.Join(errs...))
}

// exchange sends q to upstream over UDP, and again over TCP when the answer is
// truncated.
func (r *Resolver) exchange(ctx context.Context, q *dns.Msg, upstream string) (*dns.Msg, error) {
	c := &dns.Client{Net: "udp", Timeout: r.cfg.Timeout}
	resp, _, err := c.ExchangeContext(ctx, q, upstream)
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(ctx, q, upstream)
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// flatten turns the response of a recursive resolver into the addresses at
// the end of the CNAME chain that starts at k.name. The TTL is the smallest
// along the chain; a negative answer takes the SOA's negative TTL.
func flatten(k key, resp *dns.Msg) (answer, error) {
	if len(resp.Question) != 1 || !strings.EqualFold(resp.Question[0].Name, k.name) || resp.Question[0].Qtype != k.qtype {
		return answer{}, errors.New("response to another question")
	}
	switch resp.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
	default:
		return answer{}, fmt.Errorf("rcode %s", dns.RcodeToString[resp.Rcode])
	}

	name := k.name
	ttl := uint32(1<<31 - 1)
	var rdata [][]byte
	for hop := 0; ; hop++ {
		if hop > maxChain {
			return answer{}, errors.New("CNAME chain too long")
		}
		next := ""
		for _, rr := range resp.Answer {
			h := rr.Header()
			if h.Class != dns.ClassINET || !strings.EqualFold(h.Name, name) {
				continue
			}
			switch rr := rr.(type) {
			case *dns.CNAME:
				next = rr.Target
				ttl = min(ttl, h.Ttl)
			case *dns.A:
				if ip := rr.A.To4(); ip != nil && k.qtype == dns.TypeA {
					rdata = append(rdata, ip)
					ttl = min(ttl, h.Ttl)
				}
			case *dns.AAAA:
				if ip := rr.AAAA.To16(); ip != nil && k.qtype == dns.TypeAAAA {
					rdata = append(rdata, ip)
					ttl = min(ttl, h.Ttl)
				}
			}
		}
		if len(rdata) > 0 || next == "" {
			break
		}
		name = next
	}
	if len(rdata) > 0 {
		return answer{rdata: rdata, ttl: time.Duration(ttl) * time.Second}, nil
	}

	// NXDOMAIN or NODATA at the end of the chain (RFC 2308 section 5).
	neg := uint32(0)
	for _, rr := range resp.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			neg = min(soa.Hdr.Ttl, soa.Minttl)
			break
		}
	}
	if len(resp.Answer) > 0 {
		neg = min(neg, ttl)
	}
	// Without an SOA the answer isn't cacheable by RFC 2308; 0 makes it
	// cached for MinTTL, which is what keeps the upstream from being
	// hammered.
	return answer{ttl: time.Duration(neg) * time.Second}, nil
}
