// Package tsig signs and checks DNS messages with a shared secret (RFC 8945),
// for both ends of a zone transfer: the primary that answers transfers and
// sends NOTIFY, and the secondary that asks for transfers and answers
// NOTIFY.
//
//	k, err := tsig.ParseKey("edge1.:hmac-sha256:c2VjcmV0...") // as `zonewarden tsig add` prints it
//
//	// Answering a request raw (wire form), req its parse:
//	sig, err := tsig.Verify(ctx, find, raw, req)
//	var f *tsig.Failure
//	if errors.As(err, &f) {
//		b, err := f.Answer(req) // NOTAUTH with BADKEY, BADSIG or BADTIME
//	}
//	b, err := sig.Pack(answer) // signed; a nil sig (unsigned request) packs it as it is
//
// A Signer signs every message of one answer in turn, as a multi-message
// zone transfer needs. Requests sent through miekg/dns's Client or
// Transfer are readied with Key.Prepare; those sign them and check the
// answers.
package tsig

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// Fudge is the clock skew, in seconds, allowed between a signature and our
// clock, and the one our signatures allow (RFC 8945 §10 recommends 300).
const Fudge = 300

// Key is a TSIG key.
type Key struct {
	Name      string // canonical: lower-case, fully qualified
	Algorithm string // dns.HmacSHA256 or dns.HmacSHA512
	Secret    string // base64
}

// ParseKey reads NAME:ALG:SECRET, the form `zonewarden tsig add` prints;
// ALG is hmac-sha256 or hmac-sha512, SECRET base64. Errors wrap
// zone.ErrInvalid.
func ParseKey(s string) (Key, error) {
	name, rest, ok1 := strings.Cut(s, ":")
	alg, secret, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || name == "" || secret == "" {
		return Key{}, fmt.Errorf("tsig key: want NAME:ALGORITHM:SECRET: %w", zone.ErrInvalid)
	}
	k := Key{Name: zone.CanonicalName(name), Secret: secret}
	switch strings.ToLower(strings.TrimSuffix(alg, ".")) {
	case "hmac-sha256":
		k.Algorithm = dns.HmacSHA256
	case "hmac-sha512":
		k.Algorithm = dns.HmacSHA512
	default:
		return Key{}, fmt.Errorf("tsig key %s: algorithm %q is not hmac-sha256 or hmac-sha512: %w", name, alg, zone.ErrInvalid)
	}
	if _, ok := dns.IsDomainName(k.Name); !ok {
		return Key{}, fmt.Errorf("tsig key: name %q is not a domain name: %w", name, zone.ErrInvalid)
	}
	if _, err := base64.StdEncoding.DecodeString(secret); err != nil {
		// A colon too many lands here too: base64 has none.
		return Key{}, fmt.Errorf("tsig key %s: secret is not base64: %w", name, zone.ErrInvalid)
	}
	return k, nil
}

// Prepare readies m, a request, for miekg/dns's Client or Transfer to sign
// with k: it adds the TSIG record they fill in and returns what they take
// as TsigSecret, with which they also check the answers.
func (k Key) Prepare(m *dns.Msg) map[string]string {
	m.SetTsig(k.Name, k.Algorithm, Fudge, time.Now().Unix())
	return map[string]string{k.Name: k.Secret}
}

// Signer signs the messages of one exchange in turn: the first covers the
// request's MAC (none for a request) and every TSIG variable, each later
// one the previous MAC and the timers only (RFC 8945 §5.3.1). A nil
// Signer packs messages unsigned.
type Signer struct {
	key   Key
	mac   string // the MAC the next message covers
	later bool
	err   uint16 // the TSIG error reported (BADTIME), 0 normally
}

// NewSigner signs messages that answer nothing, such as a NOTIFY.
func NewSigner(k Key) *Signer { return &Signer{key: k} }

// KeyName is the name of the key s signs with, "" for a nil s.
func (s *Signer) KeyName() string {
	if s == nil {
		return ""
	}
	return s.key.Name
}

// Pack packs m, signed when s is not nil. It adds the TSIG record to m.
func (s *Signer) Pack(m *dns.Msg) ([]byte, error) {
	if s == nil {
		return m.Pack()
	}
	now := time.Now().Unix()
	m.SetTsig(s.key.Name, s.key.Algorithm, Fudge, now)
	t := m.Extra[len(m.Extra)-1].(*dns.TSIG)
	t.Error = s.err
	if s.err == dns.RcodeBadTime {
		// The client learns our time from Other Data (RFC 8945 §5.2.3).
		t.OtherLen = 6
		t.OtherData = fmt.Sprintf("%012x", now)
	}
	b, mac, err := dns.TsigGenerate(m, s.key.Secret, s.mac, s.later)
	if err != nil {
		return nil, fmt.Errorf("sign with tsig key %s: %w", s.key.Name, err)
	}
	s.mac, s.later = mac, true
	return b, nil
}

// Failure is a request whose TSIG did not verify. It is answered NOTAUTH
// with the TSIG error (RFC 8945 §5.2), by Answer. Its text names the key
// and never holds a secret.
type Failure struct {
	Key    string // the name the request gave
	Code   uint16 // dns.RcodeBadKey, dns.RcodeBadSig or dns.RcodeBadTime
	Reason string
	signer *Signer // BADTIME answers are signed
}

func (f *Failure) Error() string {
	return fmt.Sprintf("tsig key %s: %s (%s)", f.Key, f.Reason, dns.RcodeToString[int(f.Code)])
}

// Answer is the NOTAUTH answer to req: with a TSIG record that carries the
// error, unsigned for BADKEY and BADSIG (the client could not check a
// signature made with a key it does not share, RFC 8945 §5.2.1–2), signed
// for BADTIME with our time in Other Data (§5.2.3).
func (f *Failure) Answer(req *dns.Msg) ([]byte, error) {
	m := new(dns.Msg)
	m.SetRcode(req, dns.RcodeNotAuth)
	if f.signer != nil {
		return f.signer.Pack(m)
	}
	t := req.IsTsig()
	m.Extra = append(m.Extra, &dns.TSIG{
		Hdr:       dns.RR_Header{Name: t.Hdr.Name, Rrtype: dns.TypeTSIG, Class: dns.ClassANY},
		Algorithm: echoAlgorithm(t.Algorithm), TimeSigned: uint64(time.Now().Unix()), Fudge: Fudge,
		OrigId: m.Id, Error: f.Code,
	})
	return m.Pack()
}

// Verify checks the TSIG of raw, a request's wire form, whose parse is req,
// with the key find gives for its name (zone.ErrNotFound: no such key).
// No TSIG is (nil, nil). A valid one gives the Signer of the answer. A
// signature that does not verify is a *Failure; other errors are find's.
func Verify(ctx context.Context, find func(ctx context.Context, name string) (Key, error), raw []byte, req *dns.Msg) (*Signer, error) {
	t := req.IsTsig()
	if t == nil {
		return nil, nil
	}
	name := dns.CanonicalName(t.Hdr.Name)
	k, err := find(ctx, name)
	if errors.Is(err, zone.ErrNotFound) {
		return nil, &Failure{Key: name, Code: dns.RcodeBadKey, Reason: "no such key"}
	}
	if err != nil {
		return nil, err
	}
	if dns.CanonicalName(t.Algorithm) != k.Algorithm {
		return nil, &Failure{Key: name, Code: dns.RcodeBadKey, Reason: "algorithm " + t.Algorithm + " is not the key's " + k.Algorithm}
	}
	// TsigVerify writes into the buffer it is given.
	buf := append([]byte(nil), raw...)
	switch err := dns.TsigVerify(buf, k.Secret, "", false); {
	case err == nil:
		return &Signer{key: k, mac: t.MAC}, nil
	case errors.Is(err, dns.ErrTime):
		return nil, &Failure{Key: name, Code: dns.RcodeBadTime, Reason: "signed at a time too far from ours",
			signer: &Signer{key: k, mac: t.MAC, err: dns.RcodeBadTime}}
	default:
		return nil, &Failure{Key: name, Code: dns.RcodeBadSig, Reason: "signature does not verify"}
	}
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
