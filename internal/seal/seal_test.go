package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	box, err := New(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	sealed := box.Seal("hunter2", "tsig:k1")
	if !IsSealed(sealed) || strings.Contains(sealed, "hunter2") {
		t.Fatalf("sealed = %q", sealed)
	}
	if again := box.Seal("hunter2", "tsig:k1"); again == sealed {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	tests := []struct {
		name       string
		box        *Box
		sealed, ad string
		want       string
		wantErr    bool
	}{
		{"same key and data", box, sealed, "tsig:k1", "hunter2", false},
		{"other additional data", box, sealed, "tsig:k2", "", true},
		{"other key", other, sealed, "tsig:k1", "", true},
		{"altered", box, sealed[:len(sealed)-2] + "AA", "tsig:k1", "", true},
		{"not sealed", box, "hunter2", "tsig:k1", "", true},
		{"truncated", box, "zw1:AAAA", "tsig:k1", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.box.Open(tt.sealed, tt.ad)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("Open = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	if _, err := box.Open(sealed[:len(sealed)-2]+"AA", "tsig:k1"); !errors.Is(err, ErrOpen) {
		t.Errorf("altered value: %v, want ErrOpen", err)
	}
}

func TestKeyFromEnvOrFile(t *testing.T) {
	t.Setenv(EnvKey, "")
	path := filepath.Join(t.TempDir(), "data", "secret.key")
	k1, created, err := KeyFromEnvOrFile(path)
	if err != nil || !created || len(k1) != KeySize {
		t.Fatalf("first call: %d bytes, created %v, %v", len(k1), created, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	k2, created, err := KeyFromEnvOrFile(path)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("second call: created %v, same %v, %v", created, bytes.Equal(k1, k2), err)
	}

	t.Setenv(EnvKey, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	k3, _, err := KeyFromEnvOrFile(path)
	if err != nil || k3[31] != 31 {
		t.Fatalf("from env: %v, %v", k3, err)
	}
	t.Setenv(EnvKey, "c2hvcnQ=")
	if _, _, err := KeyFromEnvOrFile(path); err == nil || !strings.Contains(err.Error(), "32") {
		t.Fatalf("short key from env: %v", err)
	}
	t.Setenv(EnvKey, "")
	os.WriteFile(path, []byte("not base64!\n"), 0o600)
	if _, _, err := KeyFromEnvOrFile(path); err == nil {
		t.Fatal("bad key file accepted")
	}
}
