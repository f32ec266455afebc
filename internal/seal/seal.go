// Package seal encrypts the secrets Zonewarden must be able to read back —
// TSIG keys, webhook signing secrets, TOTP secrets — before they are stored.
// Secrets that only need checking (passwords, API tokens) are hashed
// instead, elsewhere.
//
// A Box holds one 256-bit key and seals with AES-256-GCM under a fresh
// random nonce. The sealed form is text, safe for any database column:
//
//	zw1:<base64url(nonce || ciphertext || tag)>
//
// The version prefix lets a later key rotation tell old values from new.
// The key is the installation's: every process that shares a database must
// be given the same one (KeyFromEnvOrFile).
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of a key in bytes.
const KeySize = 32

const prefix = "zw1:"

// ErrOpen is returned when a sealed value cannot be opened: it was sealed
// under another key, or it was altered.
var ErrOpen = errors.New("sealed value does not open with this installation's key (another key, or altered)")

// Box seals and opens secrets with one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a KeySize-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext. The additional data binds the sealed value to
// where it is stored (say "tsig:key-name"), so that a value copied into
// another row does not open there.
func (b *Box) Seal(plaintext, additional string) string {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	rand.Read(nonce) // never fails (crypto/rand panics rather)
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(additional))
	return prefix + base64.RawURLEncoding.EncodeToString(out)
}

// Open decrypts what Seal returned with the same additional data.
func (b *Box) Open(sealed, additional string) (string, error) {
	rest, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", fmt.Errorf("open sealed value: not sealed (no %q prefix)", prefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) < b.aead.NonceSize()+b.aead.Overhead() {
		return "", fmt.Errorf("open sealed value: %w", ErrOpen)
	}
	n := b.aead.NonceSize()
	pt, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(additional))
	if err != nil {
		return "", fmt.Errorf("open sealed value: %w", ErrOpen)
	}
	return string(pt), nil
}

// IsSealed reports whether s has the form Seal produces.
func IsSealed(s string) bool { return strings.HasPrefix(s, prefix) }

// EnvKey is the environment variable that carries the key, base64 (standard
// or URL alphabet, padded or not).
const EnvKey = "ZONEWARDEN_SECRET_KEY"

// KeyFromEnvOrFile returns the installation's key: from ZONEWARDEN_SECRET_KEY
// when set, else from the file at path, which is created (mode 0600, with a
// new random key) when it does not exist. created says whether it was.
func KeyFromEnvOrFile(path string) (key []byte, created bool, err error) {
	if v := strings.TrimSpace(os.Getenv(EnvKey)); v != "" {
		key, err := decodeKey(v)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", EnvKey, err)
		}
		return key, false, nil
	}
	data, err := os.ReadFile(path)
	if err == nil {
		key, err := decodeKey(strings.TrimSpace(string(data)))
		if err != nil {
			return nil, false, fmt.Errorf("secret key file %s: %w", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("read secret key file: %w", err)
	}
	key = make([]byte, KeySize)
	rand.Read(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("create secret key file: %w", err)
	}
	// O_EXCL: two processes starting at once must not each write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return KeyFromEnvOrFile(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("create secret key file: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return nil, false, fmt.Errorf("write secret key file: %w", werr)
	}
	return key, true, nil
}

func decodeKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("key is %d bytes, want %d (base64 of 32 random bytes: openssl rand -base64 32)", len(k), KeySize)
			}
			return k, nil
		}
	}
	return nil, errors.New("key is not base64 (make one with: openssl rand -base64 32)")
}
