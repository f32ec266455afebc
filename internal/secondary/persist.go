package secondary

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// Dir holds, per zone, its master file NAME.zone: a first line
// "; zonewarden-edge {JSON state}" and then the zone in the canonical form
// zone.WriteTo writes. A refresh that finds the zone up to date writes only
// the small NAME.state (the same JSON), so the zone file is not rewritten
// for a new "verified" time. Each file is written to a temporary file,
// synced and renamed over the old one, so a crash leaves the old version or
// the new one, never half of either. The zone's SOA is the truth about the
// serial held; of the two states, the later "verified" counts.

// stateFile is the state of a zone held: the JSON of NAME.state and of the
// zone file's first line.
type stateFile struct {
	Origin   string    `json:"origin"`
	Serial   uint32    `json:"serial"`
	Verified time.Time `json:"verified"`
	Catalog  bool      `json:"catalog,omitempty"`
}

const (
	tmpPrefix   = ".tmp-"
	stateHeader = "; zonewarden-edge "
)

// fileBase is the file name of a zone, without extension: the origin
// without its final dot, every byte but lower-case letters, digits, '-' and
// inner dots escaped as %XX, so that no origin reaches outside Dir or
// collides with another. The root zone is "%2E".
func fileBase(origin string) string {
	name := strings.TrimSuffix(origin, ".")
	if name == "" {
		return "%2E"
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.' && i > 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// writeAtomic replaces path with what write writes: a temporary file in
// the same directory, synced, renamed over path. The rename is durable once
// the directory is synced (syncDir), which the caller does after its last
// file.
func writeAtomic(path string, write func(*os.File) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// syncDir makes the renames done so far in Dir durable. Concurrent callers
// share syncs: one that arrives while a sync runs waits for the next, which
// covers its rename too, so a fresh edge writing thousands of zones does not
// queue one directory sync behind another for each.
func (s *Secondary) syncDir() error {
	s.syncMu.Lock()
	gen := s.syncGen + 1 // the first sync to start after this call
	for s.syncing {
		s.syncCond.Wait()
	}
	if s.syncDone >= gen {
		err := s.syncErr
		s.syncMu.Unlock()
		return err
	}
	s.syncing = true
	s.syncGen++
	mine := s.syncGen
	s.syncMu.Unlock()
	err := syncDir(s.cfg.Dir)
	s.syncMu.Lock()
	s.syncing, s.syncDone, s.syncErr = false, mine, err
	s.syncCond.Broadcast()
	s.syncMu.Unlock()
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (s *Secondary) zonePath(origin string) string {
	return filepath.Join(s.cfg.Dir, fileBase(origin)+".zone")
}

func (s *Secondary) statePath(origin string) string {
	return filepath.Join(s.cfg.Dir, fileBase(origin)+".state")
}

func (s *Secondary) writeZone(z *zone.Zone, st stateFile) error {
	head, err := json.Marshal(st)
	if err != nil {
		return err
	}
	err = writeAtomic(s.zonePath(z.Origin), func(f *os.File) error {
		if _, err := fmt.Fprintf(f, "%s%s\n", stateHeader, head); err != nil {
			return err
		}
		_, err := z.WriteTo(f)
		return err
	})
	if err == nil {
		err = s.syncDir()
	}
	if err != nil {
		return fmt.Errorf("write zone %s: %w", z.Origin, err)
	}
	return nil
}

func (s *Secondary) writeState(origin string, st stateFile) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	err = writeAtomic(s.statePath(origin), func(f *os.File) error {
		_, err := f.Write(append(b, '\n'))
		return err
	})
	if err == nil {
		err = s.syncDir()
	}
	if err != nil {
		return fmt.Errorf("write state of zone %s: %w", origin, err)
	}
	return nil
}

// readZone reads the version of origin held in Dir.
func (s *Secondary) readZone(origin string) (*zone.Zone, error) {
	return zone.ParseFile(os.DirFS(s.cfg.Dir), fileBase(origin)+".zone", origin)
}

// removeFiles forgets origin on disk.
func (s *Secondary) removeFiles(origin string) error {
	var errs []error
	for _, p := range []string{s.statePath(origin), s.zonePath(origin)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove zone %s: %w", origin, err)
	}
	return s.syncDir()
}

// install serves a transferred zone and persists it. For the catalog zone
// it returns its members instead of serving it. On error the version held
// before stays, served and on disk.
func (s *Secondary) install(z *zoneState, t *transferred) ([]member, error) {
	nz := t.zone
	n := len(nz.Records)
	nz.Normalize()
	if len(nz.Records) != n {
		// Normalize dropped records the IXFR keeps apart (names in the
		// data differing in case): the change as sent is not the
		// zone's, and only a whole compile serves what Normalize kept.
		t.change = nil
	}
	if err := nz.Validate(); err != nil {
		return nil, err
	}
	soa := nz.SOA()
	if soa == nil {
		return nil, fmt.Errorf("zone %s: no SOA", nz.Origin)
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.dropped {
		return nil, errDropped
	}
	var members []member
	patched := false
	if z.catalog {
		var err error
		if members, err = catalogMembers(nz); err != nil {
			return nil, err
		}
	} else if patched = s.patch(nz.Origin, t.change); !patched {
		if err := s.put(nz); err != nil {
			return nil, err
		}
	}
	now := time.Now()
	// Served from now on; a write that fails below leaves the previous
	// version on disk, and the failure makes the zone be fetched again.
	s.mu.Lock()
	prev := z.serial
	if z.expired && !z.catalog {
		// A patch keeps the engine's expired flag, and the zone may have
		// expired while it was compiled: the zone is confirmed now.
		if err := s.cfg.Engine.SetExpired(z.origin, false); err != nil {
			s.log.Error("serve zone again", "zone", z.origin, "err", err)
		}
	}
	z.have, z.serial, z.soa, z.expired, z.verified = true, soa.Serial, timersOf(soa), false, now
	switch t.kind {
	case "ixfr":
		z.stats.ixfrs++
	default:
		z.stats.axfrs++
	}
	switch {
	case patched:
		z.stats.patched++
	case !z.catalog:
		z.stats.compiled++
	}
	z.stats.bytes += uint64(t.bytes)
	s.mu.Unlock()
	// The primary last: what comes before is read by tools (and tests) as
	// it was when there was one primary.
	s.log.Info("zone transferred", "zone", nz.Origin, "type", t.kind, "serial", soa.Serial, "previous", prev,
		"records", len(nz.Records), "bytes", t.bytes, "patched", patched, "took", t.took.Round(time.Microsecond), "primary", t.primary)
	if err := s.writeZone(nz, stateFile{Origin: nz.Origin, Serial: soa.Serial, Verified: now, Catalog: z.catalog}); err != nil {
		return nil, err
	}
	return members, nil
}

// Load serves the zones Dir holds, as they were last transferred, before
// anything is asked of the primary: a restarted secondary answers at once.
// A zone past its SOA expire is loaded expired (SERVFAIL) until refreshed.
// Zones no longer configured are removed from Dir. Only a Dir that cannot
// be created or read is an error; a bad file is logged and its zone
// transferred again.
func (s *Secondary) Load() error {
	if err := os.MkdirAll(s.cfg.Dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	entries, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		return fmt.Errorf("read data directory: %w", err)
	}
	var names []string
	have := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, tmpPrefix) {
			os.Remove(filepath.Join(s.cfg.Dir, name)) // a write cut off by a crash
			continue
		}
		if strings.HasSuffix(name, ".zone") {
			names = append(names, name)
			have[name] = true
		}
	}
	for _, e := range entries { // a state without its zone: the zone's write was cut off
		if base, ok := strings.CutSuffix(e.Name(), ".state"); ok && !have[base+".zone"] {
			os.Remove(filepath.Join(s.cfg.Dir, e.Name()))
		}
	}
	// Parsed on every core: thousands of zones are the usual case.
	found := make([]*loaded, len(names))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(names) {
					return
				}
				found[i] = s.loadOne(names[i])
			}
		})
	}
	wg.Wait()
	var all []loaded
	for _, l := range found {
		if l != nil {
			all = append(all, *l)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	// The catalog held says which zones on disk are still members; without
	// one, every zone on disk stays until the catalog can be fetched.
	members := map[string]string{} // zone → member id
	haveCatalog := false
	for _, l := range all {
		if !l.st.Catalog || l.st.Origin != s.catalog {
			continue
		}
		list, err := catalogMembers(l.z)
		if err != nil {
			s.log.Error("catalog zone on disk not used", "zone", l.st.Origin, "err", err)
			break
		}
		haveCatalog = true
		for _, m := range list {
			members[m.zone] = m.id
		}
	}
	var put []*zone.Zone
	var expired []string
	for _, l := range all {
		origin := l.st.Origin
		z := s.zones[origin]
		switch {
		case z != nil && z.catalog == l.st.Catalog:
		case s.catalog != "" && !l.st.Catalog && (members[origin] != "" || !haveCatalog):
			z = &zoneState{origin: origin, memberID: members[origin]}
			s.zones[origin] = z
		default:
			s.log.Info("zone dropped: no longer configured or in the catalog", "zone", origin)
			if err := s.removeFiles(origin); err != nil {
				s.log.Error("drop zone", "zone", origin, "err", err)
			}
			continue
		}
		soa := l.z.SOA()
		z.have, z.serial, z.soa, z.verified, z.next = true, soa.Serial, timersOf(soa), l.st.Verified, now
		if z.soa.expire > 0 && !now.Before(z.verified.Add(z.soa.expire)) {
			z.expired = true
		}
		if z.catalog {
			continue
		}
		put = append(put, l.z)
		if z.expired {
			expired = append(expired, origin)
		}
	}
	if haveCatalog {
		for m, id := range members {
			if s.zones[m] == nil {
				s.zones[m] = &zoneState{origin: m, memberID: id, next: now}
			}
		}
	}
	if err := s.cfg.Engine.Update(put, nil); err != nil {
		// One zone that does not compile must not keep the others out.
		s.log.Error("compile zones from disk", "err", err)
		for _, z := range put {
			if err := s.cfg.Engine.Update([]*zone.Zone{z}, nil); err != nil {
				s.log.Error("zone from disk not served: it will be transferred again", "zone", z.Origin, "err", err)
				s.zones[z.Origin].have = false
				expired = slices.DeleteFunc(expired, func(o string) bool { return o == z.Origin })
			}
		}
	}
	for _, origin := range expired {
		if err := s.cfg.Engine.SetExpired(origin, true); err != nil {
			s.log.Error("expire zone", "zone", origin, "err", err)
		}
		s.log.Warn("zone on disk is past its SOA expire: answering SERVFAIL until refreshed", "zone", origin)
	}
	s.loaded = true
	s.log.Info("zones loaded from disk", "dir", s.cfg.Dir, "zones", len(put), "expired", len(expired))
	return nil
}

// loaded is a zone read back from Dir.
type loaded struct {
	st stateFile
	z  *zone.Zone
}

// loadOne reads the zone file name and its state; nil when it cannot be
// used (logged).
func (s *Secondary) loadOne(name string) *loaded {
	st, err := readHeader(filepath.Join(s.cfg.Dir, name))
	if err == nil && fileBase(zone.CanonicalName(st.Origin))+".zone" != name {
		err = fmt.Errorf("names zone %q", st.Origin)
	}
	if err != nil {
		s.log.Error("zone file not loaded: the zone will be transferred again", "file", name, "err", err)
		return nil
	}
	st.Origin = zone.CanonicalName(st.Origin)
	// A later confirmation by the primary, if any.
	if b, err := os.ReadFile(s.statePath(st.Origin)); err == nil {
		var later stateFile
		if json.Unmarshal(b, &later) == nil && zone.CanonicalName(later.Origin) == st.Origin && later.Verified.After(st.Verified) {
			st.Verified = later.Verified
		}
	}
	z, err := s.readZone(st.Origin)
	if err != nil {
		s.log.Error("zone file not loaded: the zone will be transferred again", "zone", st.Origin, "err", err)
		return nil
	}
	return &loaded{st, z}
}

// readHeader reads the state on the first line of a zone file.
func readHeader(path string) (stateFile, error) {
	var st stateFile
	f, err := os.Open(path)
	if err != nil {
		return st, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return st, fmt.Errorf("read state line: %w", err)
	}
	head, ok := strings.CutPrefix(line, stateHeader)
	if !ok {
		return st, errors.New("no state line")
	}
	if err := json.Unmarshal([]byte(head), &st); err != nil {
		return st, fmt.Errorf("state line: %w", err)
	}
	return st, nil
}
