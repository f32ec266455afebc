package transfer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// fudge is the clock skew allowed between a TSIG signature and our clock
// (RFC 8945 §10 recommends 300 s).
const fudge = 300

// signer signs the messages of one answer: the first covers the request's
// MAC and every TSIG variable, each later one the previous MAC and the
// timers only (RFC 8945 §5.3.1). A nil signer leaves messages unsigned.
type signer struct {
	key   Key
	mac   string // the MAC the next message covers
	later bool
	err   uint16 // TSIG error to report (BADTIME), 0 normally
}

// pack packs m, signed when s is not nil.
func (s *signer) pack(m *dns.Msg) ([]byte, error) {
	if s == nil {
		return m.Pack()
	}
	now := time.Now().Unix()
	m.SetTsig(s.key.Name, s.key.Algorithm, fudge, now)
	t := m.Extra[len(m.Extra)-1].(*dns.TSIG)
	t.Error = s.err
	if s.err == dns.RcodeBadTime {
		// The client learns our time from Other Data (RFC 8945 §5.2.3).
		t.OtherLen = 6
		t.OtherData = fmt.Sprintf("%012x", now)
	}
	b, mac, err := dns.TsigGenerate(m, s.key.Secret, s.mac, s.later)
	if err != nil {
		return nil, fmt.Errorf("sign answer with tsig key %s: %w", s.key.Name, err)
	}
	s.mac, s.later = mac, true
	return b, nil
}

// tsigFailure is a request whose TSIG did not verify: it is answered
// NOTAUTH with the TSIG error (RFC 8945 §5.2).
type tsigFailure struct {
	key    string
	code   uint16 // BADKEY, BADSIG or BADTIME
	reason string
	signer *signer // BADTIME answers are signed
}

func (f *tsigFailure) Error() string {
	return fmt.Sprintf("tsig key %s: %s (%s)", f.key, f.reason, dns.RcodeToString[int(f.code)])
}

// keySource finds TSIG keys by name.
type keySource interface {
	TSIGKey(ctx context.Context, name string) (Key, error)
}

// verify checks the TSIG of raw, the request's wire form, whose parse is
// req. No TSIG is (nil, nil). A valid one gives the signer of the answer.
// A signature that does not verify is a *tsigFailure; other errors are the
// key store's.
func verify(ctx context.Context, keys keySource, raw []byte, req *dns.Msg) (*signer, error) {
	t := req.IsTsig()
	if t == nil {
		return nil, nil
	}
	name := dns.CanonicalName(t.Hdr.Name)
	k, err := keys.TSIGKey(ctx, name)
	if errors.Is(err, zone.ErrNotFound) {
		return nil, &tsigFailure{key: name, code: dns.RcodeBadKey, reason: "no such key"}
	}
	if err != nil {
		return nil, err
	}
	if dns.CanonicalName(t.Algorithm) != k.Algorithm {
		return nil, &tsigFailure{key: name, code: dns.RcodeBadKey, reason: "algorithm " + t.Algorithm + " is not the key's " + k.Algorithm}
	}
	// TsigVerify writes into the buffer it is given.
	buf := append([]byte(nil), raw...)
	switch err := dns.TsigVerify(buf, k.Secret, "", false); {
	case err == nil:
		return &signer{key: k, mac: t.MAC}, nil
	case errors.Is(err, dns.ErrTime):
		return nil, &tsigFailure{key: name, code: dns.RcodeBadTime, reason: "signed at a time too far from ours",
			signer: &signer{key: k, mac: t.MAC, err: dns.RcodeBadTime}}
	default:
		return nil, &tsigFailure{key: name, code: dns.RcodeBadSig, reason: "signature does not verify"}
	}
}

// failureAnswer is the NOTAUTH answer to a request whose TSIG failed: with
// a TSIG record that carries the error, unsigned for BADKEY and BADSIG
// (the client could not check it), signed for BADTIME.
func failureAnswer(req *dns.Msg, f *tsigFailure) ([]byte, error) {
	m := new(dns.Msg)
	m.SetRcode(req, dns.RcodeNotAuth)
	if f.signer != nil {
		return f.signer.pack(m)
	}
	t := req.IsTsig()
	m.Extra = append(m.Extra, &dns.TSIG{
		Hdr:       dns.RR_Header{Name: t.Hdr.Name, Rrtype: dns.TypeTSIG, Class: dns.ClassANY},
		Algorithm: echoAlgorithm(t.Algorithm), TimeSigned: uint64(time.Now().Unix()), Fudge: fudge,
		OrigId: m.Id, Error: f.code,
	})
	return m.Pack()
}

// keyCache keeps the keys looked up, and the names found missing, for a few
// seconds: a flood of signed queries, which UDP workers answer inline, must
// not turn into a flood of database reads. Removing a key takes effect
// when its entry expires.
type keyCache struct {
	src keySource
	ttl time.Duration
	max int

	mu sync.Mutex
	m  map[string]cachedKey
}

type cachedKey struct {
	key   Key
	err   error // zone.ErrNotFound, or nil
	until time.Time
}

func newKeyCache(src keySource, ttl time.Duration) *keyCache {
	return &keyCache{src: src, ttl: ttl, max: 1024, m: map[string]cachedKey{}}
}

func (c *keyCache) TSIGKey(ctx context.Context, name string) (Key, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.key, e.err
	}
	k, err := c.src.TSIGKey(ctx, name)
	if err != nil && !errors.Is(err, zone.ErrNotFound) {
		return Key{}, err // the database's trouble: not cached
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m) // names made up by a stranger fill it: start over
	}
	c.m[name] = cachedKey{key: k, err: err, until: now.Add(c.ttl)}
	c.mu.Unlock()
	return k, err
}

// echoAlgorithm is the algorithm name an unsigned TSIG error answer echoes.
// miekg/dns reads a root algorithm name as "" and packs "" as no bytes at
// all, which would make the answer unparseable (found by FuzzHandler).
func echoAlgorithm(name string) string {
	if name == "" {
		return "."
	}
	return name
}
