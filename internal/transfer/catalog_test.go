package transfer

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestCatalogZoneGolden pins the catalog's form (RFC 9432 version 2), which
// consumers (Knot, BIND, NSD, our edge) read.
func TestCatalogZoneGolden(t *testing.T) {
	z := CatalogZone("Catalog.Example.Invalid", []CatalogMember{
		{Name: "example.com.", Created: 1},
		{Name: "xn--bcher-kva.example.", Created: 17},
		{Name: "b.example.", Created: 1234567},
	}, 1234570)
	if err := z.Validate(); err != nil {
		t.Fatalf("catalog does not validate: %v", err)
	}
	var b bytes.Buffer
	if _, err := z.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "catalog.zone")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("catalog zone:\n%s\nwant (%s):\n%s", b.Bytes(), golden, want)
	}
	if s := z.SOA().Serial; s != 1234571 {
		t.Errorf("serial %d", s)
	}
}
