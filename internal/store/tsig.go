package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// TSIGKey is a key that signs zone transfers and NOTIFY messages (RFC 8945).
// Secret, the base64 of the key's bytes, is filled only by CreateTSIGKey
// and TSIGKey, for the one who shows it once and for the transfer server.
type TSIGKey struct {
	ID        int64
	Name      string // a domain name, fully qualified, lower case: "edge1."
	Algorithm string // dns.HmacSHA256 or dns.HmacSHA512
	Secret    string
	CreatedAt time.Time
}

// tsigSizes is the secret's length for each algorithm: its hash's output,
// as RFC 8945 §6 recommends at least.
var tsigSizes = map[string]int{dns.HmacSHA256: 32, dns.HmacSHA512: 64}

// CreateTSIGKey generates a random secret for a new key named name (a
// domain name) with algorithm "hmac-sha256" or "hmac-sha512" and stores it
// sealed. The result is the only time the secret is handed out. A name
// taken already is ErrConflict.
func (s *Store) CreateTSIGKey(ctx context.Context, name, algorithm string) (TSIGKey, error) {
	return s.ImportTSIGKey(ctx, name, algorithm, "")
}

// minTSIGSecret is the shortest secret ImportTSIGKey takes: RFC 8945 §6
// wants at least half the hash's output, and no supported hash is shorter
// than 32 bytes.
const minTSIGSecret = 16

// ImportTSIGKey stores a key whose secret (base64) was made elsewhere: the
// key a fleet of secondaries already uses. An empty secret generates one,
// as CreateTSIGKey does.
func (s *Store) ImportTSIGKey(ctx context.Context, name, algorithm, secret string) (TSIGKey, error) {
	k := TSIGKey{Algorithm: dns.CanonicalName(algorithm), CreatedAt: now()}
	n, ok := tsigName(name)
	if !ok {
		return TSIGKey{}, fmt.Errorf("create tsig key: %w", invalid("name", fmt.Sprintf("%q is not a domain name", name)))
	}
	k.Name = n
	size, ok := tsigSizes[k.Algorithm]
	if !ok {
		return TSIGKey{}, fmt.Errorf("create tsig key %s: %w", n, invalid("algorithm", fmt.Sprintf("%q is not hmac-sha256 or hmac-sha512", algorithm)))
	}
	if secret == "" {
		b := make([]byte, size)
		rand.Read(b)
		k.Secret = base64.StdEncoding.EncodeToString(b)
	} else {
		b, err := base64.StdEncoding.DecodeString(secret)
		if err != nil {
			return TSIGKey{}, fmt.Errorf("create tsig key %s: %w", n, invalid("secret", "the secret is not base64"))
		}
		if len(b) < minTSIGSecret {
			return TSIGKey{}, fmt.Errorf("create tsig key %s: %w", n, invalid("secret", fmt.Sprintf("the secret is %d bytes; at least %d are needed", len(b), minTSIGSecret)))
		}
		k.Secret = base64.StdEncoding.EncodeToString(b)
	}
	err := s.tx(ctx, func(d db) error {
		return d.row(ctx, "INSERT INTO tsig_keys (name, algorithm, secret, created_at) VALUES (?, ?, ?, ?) RETURNING id",
			k.Name, k.Algorithm, s.sealSecret(k.Secret, "tsig:"+k.Name), k.CreatedAt).Scan(&k.ID)
	})
	if isUnique(err) {
		return TSIGKey{}, fmt.Errorf("create tsig key %s: %w", n, &conflictError{field: "name", msg: fmt.Sprintf("a key named %s exists already", n)})
	}
	if err != nil {
		return TSIGKey{}, fmt.Errorf("create tsig key %s: %w", n, err)
	}
	return k, nil
}

// tsigName is name as a TSIG key's owner name: lower case, fully qualified.
func tsigName(name string) (string, bool) {
	n := dns.CanonicalName(name)
	// Letters, digits, - and _ only (below), so the wire form is one
	// octet longer than the text: at most 255.
	if n == "." || len(n) > 254 {
		return "", false
	}
	if _, ok := dns.IsDomainName(n); !ok {
		return "", false
	}
	for _, l := range dns.SplitDomainName(n) {
		if l == "" || len(l) > 63 {
			return "", false
		}
		for _, c := range []byte(l) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", false
			}
		}
	}
	return n, true
}

// TSIGKeys returns every key, by name, without secrets.
func (s *Store) TSIGKeys(ctx context.Context) ([]TSIGKey, error) {
	out, err := queryAll(ctx, s.read(), func(r interface{ Scan(...any) error }) (TSIGKey, error) {
		var k TSIGKey
		err := r.Scan(&k.ID, &k.Name, &k.Algorithm, &k.CreatedAt)
		k.CreatedAt = k.CreatedAt.UTC()
		return k, err
	}, "SELECT id, name, algorithm, created_at FROM tsig_keys ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list tsig keys: %w", err)
	}
	return out, nil
}

// TSIGKey returns the key named name with its secret, for verifying and
// signing messages. An unknown name is ErrNotFound.
func (s *Store) TSIGKey(ctx context.Context, name string) (TSIGKey, error) {
	k := TSIGKey{Name: dns.CanonicalName(name)}
	var sealed string
	err := s.read().row(ctx, "SELECT id, algorithm, secret, created_at FROM tsig_keys WHERE name = ?", k.Name).
		Scan(&k.ID, &k.Algorithm, &sealed, &k.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return TSIGKey{}, fmt.Errorf("find tsig key %s: %w", k.Name, zone.ErrNotFound)
	}
	if err != nil {
		return TSIGKey{}, fmt.Errorf("find tsig key %s: %w", k.Name, err)
	}
	k.CreatedAt = k.CreatedAt.UTC()
	if k.Secret, err = s.openSecret(sealed, "tsig:"+k.Name); err != nil {
		return TSIGKey{}, fmt.Errorf("find tsig key %s: %w", k.Name, err)
	}
	return k, nil
}

// DeleteTSIGKey removes the key named name; transfers signed with it are
// refused from then on. An unknown name is ErrNotFound.
func (s *Store) DeleteTSIGKey(ctx context.Context, name string) error {
	n := dns.CanonicalName(name)
	var count int64
	err := s.tx(ctx, func(d db) error {
		res, err := d.exec(ctx, "DELETE FROM tsig_keys WHERE name = ?", n)
		if err != nil {
			return err
		}
		count, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("delete tsig key %s: %w", n, err)
	}
	if count == 0 {
		return fmt.Errorf("delete tsig key %s: %w", n, zone.ErrNotFound)
	}
	return nil
}
