package tsig

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

var (
	key   = Key{Name: "edge1.", Algorithm: dns.HmacSHA256, Secret: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ=="}
	other = Key{Name: "other.", Algorithm: dns.HmacSHA512, Secret: "b3RoZXItb3RoZXItb3RoZXItb3RoZXIhIQ=="}
)

// find knows key and other.
func find(_ context.Context, name string) (Key, error) {
	for _, k := range []Key{key, other} {
		if k.Name == name {
			return k, nil
		}
	}
	return Key{}, fmt.Errorf("find tsig key %s: %w", name, zone.ErrNotFound)
}

func TestParseKey(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     Key
		err      string // in the error; "" for none
	}{
		{"valid", "edge1:hmac-sha256:c2VjcmV0", Key{"edge1.", dns.HmacSHA256, "c2VjcmV0"}, ""},
		{"as tsig add prints it", "edge1.:hmac-sha512:c2VjcmV0", Key{"edge1.", dns.HmacSHA512, "c2VjcmV0"}, ""},
		{"upper case, algorithm with a dot", "Edge1.:HMAC-SHA512.:c2VjcmV0", Key{"edge1.", dns.HmacSHA512, "c2VjcmV0"}, ""},
		{"bad algorithm", "edge1:hmac-md5:c2VjcmV0", Key{}, `algorithm "hmac-md5" is not hmac-sha256 or hmac-sha512`},
		{"bad base64", "edge1:hmac-sha256:not base64!", Key{}, "secret is not base64"},
		{"empty name", ":hmac-sha256:c2VjcmV0", Key{}, "want NAME:ALGORITHM:SECRET"},
		{"empty secret", "edge1:hmac-sha256:", Key{}, "want NAME:ALGORITHM:SECRET"},
		{"no secret", "edge1:hmac-sha256", Key{}, "want NAME:ALGORITHM:SECRET"},
		{"no colons", "nocolons", Key{}, "want NAME:ALGORITHM:SECRET"},
		{"extra colons", "edge1:hmac-sha256:c2Vj:cmV0", Key{}, "secret is not base64"},
		{"name not a domain name", "a..b:hmac-sha256:c2VjcmV0", Key{}, "is not a domain name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := ParseKey(c.in)
			if c.err == "" {
				if err != nil || k != c.want {
					t.Errorf("ParseKey(%q) = %+v, %v; want %+v", c.in, k, err, c.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, zone.ErrInvalid) {
				t.Errorf("ParseKey(%q) = %+v, %v; want an invalid error saying %q", c.in, k, err, c.err)
			}
			if strings.Contains(fmt.Sprint(err), "c2Vj") {
				t.Errorf("error %q shows the secret", err)
			}
		})
	}
}

// request is a signed SOA query: its wire form, parse and MAC.
func request(t testing.TB, k Key, at time.Time) ([]byte, *dns.Msg, string) {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion("example.com.", dns.TypeSOA)
	m.SetTsig(k.Name, k.Algorithm, Fudge, at.Unix())
	b, mac, err := dns.TsigGenerate(m, k.Secret, "", false)
	if err != nil {
		t.Fatal(err)
	}
	q := new(dns.Msg)
	if err := q.Unpack(b); err != nil {
		t.Fatal(err)
	}
	return b, q, mac
}

// TestVerify: each way a request's TSIG can fail gives its error, and the
// answer that carries it is signed only when the client can check it.
func TestVerify(t *testing.T) {
	now := time.Now()
	wrongSecret := key
	wrongSecret.Secret = "d3Jvbmcgd3Jvbmcgd3Jvbmcgd3Jvbmc="
	wrongAlg := key
	wrongAlg.Algorithm = dns.HmacSHA512
	unknown := key
	unknown.Name = "nobody."
	for _, c := range []struct {
		name   string
		signer Key
		at     time.Time
		code   uint16 // 0: verifies
	}{
		{"valid", key, now, 0},
		{"valid, other key", other, now, 0},
		{"within the fudge", key, now.Add(-200 * time.Second), 0},
		{"wrong secret", wrongSecret, now, dns.RcodeBadSig},
		{"unknown key", unknown, now, dns.RcodeBadKey},
		{"not the key's algorithm", wrongAlg, now, dns.RcodeBadKey},
		{"an hour ago", key, now.Add(-time.Hour), dns.RcodeBadTime},
		{"an hour ahead", key, now.Add(time.Hour), dns.RcodeBadTime},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw, q, mac := request(t, c.signer, c.at)
			sig, err := Verify(context.Background(), find, raw, q)
			if c.code == 0 {
				if err != nil || sig.KeyName() != c.signer.Name {
					t.Fatalf("Verify = %v, %v", sig, err)
				}
				a := new(dns.Msg)
				a.SetReply(q)
				b, err := sig.Pack(a)
				if err != nil {
					t.Fatal(err)
				}
				if err := dns.TsigVerify(b, c.signer.Secret, mac, false); err != nil {
					t.Errorf("answer does not verify: %v", err)
				}
				return
			}
			var f *Failure
			if !errors.As(err, &f) || f.Code != c.code || sig != nil {
				t.Fatalf("Verify = %v, %v; want a %s failure", sig, err, dns.RcodeToString[int(c.code)])
			}
			if strings.Contains(f.Error(), c.signer.Secret) || strings.Contains(f.Error(), key.Secret) {
				t.Errorf("failure %q shows a secret", f)
			}
			b, err := f.Answer(q)
			if err != nil {
				t.Fatal(err)
			}
			r := new(dns.Msg)
			if err := r.Unpack(b); err != nil {
				t.Fatal(err)
			}
			ts := r.IsTsig()
			if r.Rcode != dns.RcodeNotAuth || r.Id != q.Id || !r.Response || ts == nil || ts.Error != c.code {
				t.Fatalf("answer %v", r)
			}
			if c.code != dns.RcodeBadTime {
				// The client could not check a MAC: none is made.
				if ts.MAC != "" || ts.MACSize != 0 {
					t.Errorf("%s answer signed: %v", dns.RcodeToString[int(c.code)], ts)
				}
				return
			}
			// RFC 8945 §5.2.3: signed over the request's MAC, with our time
			// in Other Data, so the client can trust the time and fix its
			// clock. (miekg/dns's TsigVerify refuses every NOTAUTH
			// message, so the MAC is computed here, by §4.3.)
			if got := rfcMAC(t, b, key.Secret, mac); got != ts.MAC {
				t.Errorf("BADTIME answer's MAC %s, computed %s", ts.MAC, got)
			}
			if ts.OtherLen != 6 || ts.OtherData != fmt.Sprintf("%012x", ts.TimeSigned) {
				t.Errorf("BADTIME other data %q (len %d), want the time signed %d", ts.OtherData, ts.OtherLen, ts.TimeSigned)
			}
			if d := time.Since(time.Unix(int64(ts.TimeSigned), 0)); d < -time.Minute || d > time.Minute {
				t.Errorf("BADTIME answer signed at %d, not our time", ts.TimeSigned)
			}
		})
	}
}

func TestVerifyUnsigned(t *testing.T) {
	q := new(dns.Msg)
	q.SetQuestion("example.com.", dns.TypeSOA)
	raw, _ := q.Pack()
	sig, err := Verify(context.Background(), find, raw, q)
	if sig != nil || err != nil {
		t.Fatalf("Verify of an unsigned request = %v, %v", sig, err)
	}
	if sig.KeyName() != "" {
		t.Error("nil Signer has a key")
	}
	b, err := sig.Pack(q)
	if err != nil || len(b) != len(raw) {
		t.Errorf("nil Signer packed %d bytes, %v; want the %d unsigned", len(b), err, len(raw))
	}
}

// TestVerifyKeyStoreError: an error from find other than "no such key" is
// not a TSIG failure: the caller answers SERVFAIL, not BADKEY.
func TestVerifyKeyStoreError(t *testing.T) {
	raw, q, _ := request(t, key, time.Now())
	broken := errors.New("database is down")
	_, err := Verify(context.Background(), func(context.Context, string) (Key, error) { return Key{}, broken }, raw, q)
	var f *Failure
	if !errors.Is(err, broken) || errors.As(err, &f) {
		t.Errorf("Verify = %v, want the store's error", err)
	}
}

// TestSignerSequence: the messages of one transfer verify in turn as a
// client checks them, the first over the request's MAC, each later one
// over the previous MAC and the timers only.
func TestSignerSequence(t *testing.T) {
	raw, q, mac := request(t, key, time.Now())
	sig, err := Verify(context.Background(), find, raw, q)
	if err != nil {
		t.Fatal(err)
	}
	prev := mac
	for i := range 3 {
		m := new(dns.Msg)
		m.SetReply(q)
		b, err := sig.Pack(m)
		if err != nil {
			t.Fatal(err)
		}
		// TsigVerify writes into the buffer it is given.
		if err := dns.TsigVerify(append([]byte(nil), b...), key.Secret, prev, i > 0); err != nil {
			t.Fatalf("message %d does not verify: %v", i+1, err)
		}
		r := new(dns.Msg)
		if err := r.Unpack(b); err != nil {
			t.Fatal(err)
		}
		prev = r.IsTsig().MAC
	}
}

// TestNewSigner: a NOTIFY signed by NewSigner verifies as a request.
func TestNewSigner(t *testing.T) {
	m := new(dns.Msg)
	m.SetNotify("example.com.")
	b, err := NewSigner(key).Pack(m)
	if err != nil {
		t.Fatal(err)
	}
	q := new(dns.Msg)
	if err := q.Unpack(b); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(context.Background(), find, b, q); err != nil {
		t.Errorf("signed NOTIFY: %v", err)
	}
}

// TestPrepare: a request readied by Prepare, signed as miekg's Client
// signs it with the secrets Prepare returns, verifies.
func TestPrepare(t *testing.T) {
	m := new(dns.Msg)
	m.SetQuestion("example.com.", dns.TypeSOA)
	secrets := key.Prepare(m)
	ts := m.IsTsig()
	if ts == nil || ts.Hdr.Name != key.Name || ts.Algorithm != key.Algorithm || ts.Fudge != Fudge {
		t.Fatalf("TSIG record %v", ts)
	}
	b, _, err := dns.TsigGenerate(m, secrets[ts.Hdr.Name], "", false)
	if err != nil {
		t.Fatal(err)
	}
	q := new(dns.Msg)
	if err := q.Unpack(b); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(context.Background(), find, b, q); err != nil {
		t.Errorf("prepared request: %v", err)
	}
}

// TestRootAlgorithm: an unsigned error answer to a request whose algorithm
// is the root name still parses (found by FuzzHandler).
func TestRootAlgorithm(t *testing.T) {
	q := new(dns.Msg)
	q.SetQuestion("example.com.", dns.TypeSOA)
	q.Extra = append(q.Extra, &dns.TSIG{Hdr: dns.RR_Header{Name: "nobody.", Rrtype: dns.TypeTSIG, Class: dns.ClassANY}, Algorithm: ".", Fudge: Fudge})
	raw, err := q.Pack()
	if err != nil {
		t.Fatal(err)
	}
	p := new(dns.Msg)
	if err := p.Unpack(raw); err != nil {
		t.Fatal(err)
	}
	_, err = Verify(context.Background(), find, raw, p)
	var f *Failure
	if !errors.As(err, &f) {
		t.Fatalf("Verify = %v", err)
	}
	b, err := f.Answer(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := new(dns.Msg).Unpack(b); err != nil {
		t.Errorf("answer does not parse: %v", err)
	}
}

// FuzzVerify: whatever a request holds, Verify does not panic, and a
// failure's answer packs, parses and carries the request's id.
func FuzzVerify(f *testing.F) {
	for _, k := range []Key{key, other, {Name: "nobody.", Algorithm: dns.HmacSHA256, Secret: key.Secret}} {
		raw, _, _ := request(f, k, time.Now())
		f.Add(raw)
	}
	raw, _, _ := request(f, key, time.Now().Add(-time.Hour))
	f.Add(raw)
	f.Fuzz(func(t *testing.T, raw []byte) {
		q := new(dns.Msg)
		if q.Unpack(raw) != nil {
			return
		}
		sig, err := Verify(context.Background(), find, raw, q)
		var fl *Failure
		switch {
		case errors.As(err, &fl):
			b, err := fl.Answer(q)
			if err != nil {
				return // a request miekg cannot reply to (an overlong name echoed, say): the caller logs it
			}
			r := new(dns.Msg)
			if err := r.Unpack(b); err != nil {
				t.Fatalf("failure answer does not parse: %v\n% x", err, b)
			}
			if r.Id != q.Id || !r.Response || r.Rcode != dns.RcodeNotAuth {
				t.Fatalf("failure answer %v", r)
			}
		case err != nil:
			t.Fatalf("Verify: %v", err)
		case sig != nil && q.IsTsig() == nil:
			t.Fatal("a signer for an unsigned request")
		}
	})
}

// rfcMAC computes the MAC of b, a signed answer to a request whose MAC is
// reqMAC, by RFC 8945 §4.3.3, with sha256 and sha512 alone: what a
// client that trusts nothing of ours would compute.
func rfcMAC(t *testing.T, b []byte, secret, reqMAC string) string {
	t.Helper()
	m := new(dns.Msg)
	if err := m.Unpack(b); err != nil {
		t.Fatal(err)
	}
	ts := m.IsTsig()
	m.Extra = m.Extra[:len(m.Extra)-1]
	m.Id = ts.OrigId
	body, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	rm, _ := hex.DecodeString(reqMAC)
	var d []byte
	d = binary.BigEndian.AppendUint16(d, uint16(len(rm)))
	d = append(d, rm...)
	d = append(d, body...)
	name := make([]byte, 256)
	l, _ := dns.PackDomainName(dns.CanonicalName(ts.Hdr.Name), name, 0, nil, false)
	d = append(d, name[:l]...)
	d = binary.BigEndian.AppendUint16(d, dns.ClassANY)
	d = binary.BigEndian.AppendUint32(d, 0)
	l, _ = dns.PackDomainName(dns.CanonicalName(ts.Algorithm), name, 0, nil, false)
	d = append(d, name[:l]...)
	d = append(d, byte(ts.TimeSigned>>40), byte(ts.TimeSigned>>32), byte(ts.TimeSigned>>24), byte(ts.TimeSigned>>16), byte(ts.TimeSigned>>8), byte(ts.TimeSigned))
	d = binary.BigEndian.AppendUint16(d, ts.Fudge)
	d = binary.BigEndian.AppendUint16(d, ts.Error)
	d = binary.BigEndian.AppendUint16(d, ts.OtherLen)
	other, _ := hex.DecodeString(ts.OtherData)
	d = append(d, other...)
	raw, _ := base64.StdEncoding.DecodeString(secret)
	hash := sha256.New
	if dns.CanonicalName(ts.Algorithm) == dns.HmacSHA512 {
		hash = sha512.New
	}
	h := hmac.New(hash, raw)
	h.Write(d)
	return hex.EncodeToString(h.Sum(nil))
}
