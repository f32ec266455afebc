package zone

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// LoadError is a zone file that LoadDir could not load.
type LoadError struct {
	// File is the file's name within the directory.
	File string
	// Origin is the zone the file holds, or the best guess from its name
	// when it could not be read that far, so that a caller can keep serving
	// the zone's previous version.
	Origin string
	Err    error
}

func (e *LoadError) Error() string {
	return "load zone " + e.Origin + ": " + e.Err.Error()
}

func (e *LoadError) Unwrap() error { return e.Err }

// LoadDir loads every zone file in dir: the regular files (or symbolic links
// to them inside dir) named *.zone or *.db, skipping dotfiles and editor
// backups ending in "~". Subdirectories are not read. Each file's $ORIGIN
// starts as its name without the suffix ("example.com.zone" starts at
// example.com.) and its zone is the owner of its SOA. $INCLUDE can reach
// files in dir and below, never outside it.
//
// A file that does not load is reported in errs and the others load anyway;
// two files holding the same zone are both refused.
func LoadDir(dir string) (zones []*Zone, errs []*LoadError) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, []*LoadError{{File: dir, Err: fmt.Errorf("open zone directory: %w", err)}}
	}
	defer root.Close()
	fsys := root.FS()
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, []*LoadError{{File: dir, Err: fmt.Errorf("read zone directory: %w", err)}}
	}

	var files []string
	for _, ent := range ents {
		name := ent.Name()
		if !IsZoneFileName(name) {
			continue
		}
		if ent.Type()&fs.ModeSymlink == 0 && !ent.Type().IsRegular() {
			continue
		}
		origin := originGuess(name)
		z, err := loadFile(fsys, name, origin)
		if err != nil {
			errs = append(errs, &LoadError{File: name, Origin: origin, Err: err})
			continue
		}
		zones = append(zones, z)
		files = append(files, name)
	}

	byOrigin := make(map[string][]string, len(zones))
	for i, z := range zones {
		byOrigin[z.Origin] = append(byOrigin[z.Origin], files[i])
	}
	kept := zones[:0]
	for i, z := range zones {
		same := byOrigin[z.Origin]
		if len(same) == 1 {
			kept = append(kept, z)
			continue
		}
		others := slices.DeleteFunc(slices.Clone(same), func(f string) bool { return f == files[i] })
		errs = append(errs, &LoadError{File: files[i], Origin: z.Origin,
			Err: fmt.Errorf("%s: zone %s is also in %s: %w", files[i], z.Origin, strings.Join(others, ", "), ErrConflict)})
	}
	clear(zones[len(kept):])
	zones = kept
	return zones, errs
}

func loadFile(fsys fs.FS, name, origin string) (*Zone, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("open zone file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: %w", name, ErrInvalid)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open zone file: %w", err)
	}
	defer f.Close()
	return parse(f, fsys, name, origin, "")
}

// originGuess names the zone of a file from its name, "" when that is not
// a domain name.
func originGuess(file string) string {
	name := strings.TrimSuffix(strings.TrimSuffix(file, ".zone"), ".db")
	name = CanonicalName(name)
	if _, ok := dns.IsDomainName(name); !ok || name == "." {
		return ""
	}
	return name
}

// IsZoneFileName reports whether LoadDir reads a file of this name: *.zone
// or *.db, but no dotfile or editor backup.
func IsZoneFileName(name string) bool {
	return !strings.HasPrefix(name, ".") && !strings.HasSuffix(name, "~") &&
		(strings.HasSuffix(name, ".zone") || strings.HasSuffix(name, ".db"))
}
