package zone

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	zone := func(origin string) string {
		return "$ORIGIN " + origin + "\n@ SOA ns1 h 1 1 1 1 1\n@ NS ns1\nns1 A 192.0.2.1\n"
	}
	// Relative names start at the file's name when it has no $ORIGIN.
	writeFile(t, dir, "example.com.zone", "@ 300 SOA ns1 h 1 1 1 1 1\n@ NS ns1\n$INCLUDE inc/ns1\n")
	writeFile(t, dir, "inc/ns1", "ns1 A 192.0.2.1\n")
	writeFile(t, dir, "whatever.db", zone("example.org."))
	writeFile(t, dir, "broken.example.zone", zone("broken.example.")+"www A 1.2.3\n")
	writeFile(t, dir, "a.zone", zone("twice.example."))
	writeFile(t, dir, "b.zone", zone("twice.example."))
	writeFile(t, dir, "escape.example.zone", zone("escape.example.")+"$INCLUDE ../outside\n")
	writeFile(t, filepath.Dir(dir), "outside", "x A 192.0.2.9\n")
	// Not zone files.
	writeFile(t, dir, ".hidden.zone", "garbage")
	writeFile(t, dir, "example.com.zone~", "garbage")
	writeFile(t, dir, "README", "garbage")
	writeFile(t, dir, "dir.zone/x", "garbage")
	writeFile(t, dir, "real/linked", zone("linked.example."))
	if err := os.Symlink("real/linked", filepath.Join(dir, "link.zone")); err != nil {
		t.Fatal(err)
	}

	if err := os.Symlink(filepath.Join(filepath.Dir(dir), "outside"), filepath.Join(dir, "evil.zone")); err != nil {
		t.Fatal(err)
	}

	zones, errs := LoadDir(dir)

	var origins []string
	for _, z := range zones {
		origins = append(origins, z.Origin)
	}
	if want := []string{"example.com.", "linked.example.", "example.org."}; !slices.Equal(origins, want) {
		t.Errorf("loaded %q, want %q", origins, want)
	}
	got := make(map[string]string)
	for _, e := range errs {
		got[e.File] = e.Error()
		// Only I/O problems wrap neither kind.
		if e.File != "evil.zone" && !errors.Is(e, ErrInvalid) && !errors.Is(e, ErrConflict) {
			t.Errorf("%s: error %v is neither ErrInvalid nor ErrConflict", e.File, e)
		}
	}
	want := map[string]string{
		"broken.example.zone": `load zone broken.example.: broken.example.zone:5: bad A address "1.2.3"`,
		"a.zone":              "load zone twice.example.: a.zone: zone twice.example. is also in b.zone: conflict",
		"b.zone":              "load zone twice.example.: b.zone: zone twice.example. is also in a.zone: conflict",
		"evil.zone":           "load zone evil.: open zone file: statat evil.zone: path escapes from parent",
		"escape.example.zone": `load zone escape.example.: escape.example.zone:5: $INCLUDE "../outside": invalid argument`,
	}
	for file, w := range want {
		if got[file] != w {
			t.Errorf("%s: error %q, want %q", file, got[file], w)
		}
		delete(got, file)
	}
	for file, g := range got {
		t.Errorf("%s: unexpected error %q", file, g)
	}
	if len(zones) > 0 && zones[0].SOA().Hdr.Ttl != 300 {
		t.Errorf("example.com. SOA %v", zones[0].SOA())
	}
}

func TestLoadDirMissing(t *testing.T) {
	zones, errs := LoadDir(filepath.Join(t.TempDir(), "nope"))
	if len(zones) != 0 || len(errs) != 1 {
		t.Fatalf("got %d zones, errors %v", len(zones), errs)
	}
}
