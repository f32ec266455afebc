package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/zonewarden/zonewarden/internal/authority"
	"github.com/zonewarden/zonewarden/internal/dnsserver"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// countingEngine counts the zones compiled whole.
type countingEngine struct {
	*authority.Engine
	compiled int
}

func (c *countingEngine) Update(put []*zone.Zone, remove []string) error {
	c.compiled += len(put)
	return c.Engine.Update(put, remove)
}

// racingSource runs between, once, after the journal is read and before
// the zones are: a write committed meanwhile.
type racingSource struct {
	*store.Store
	between func()
}

func (r *racingSource) ChangedZones(ctx context.Context, after int64) ([]string, int64, []string, error) {
	names, last, deleted, err := r.Store.ChangedZones(ctx, after)
	if f := r.between; f != nil {
		r.between = nil
		f()
	}
	return names, last, deleted, err
}

// TestPropagatePatches: writes to a large zone reach the engine as patches
// from the journal, not as reloads of the zone, CNAMEs included; a write
// Patch cannot apply alone (a delegation) reloads it; both answer right.
func TestPropagatePatches(t *testing.T) {
	ctx := context.Background()
	cfg := testServeConfig(t)
	st, err := openStore(ctx, cfg.StoreConfig, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, acc, err := st.CreateUser(ctx, "ops@example.com", "a long password")
	if err != nil {
		t.Fatal(err)
	}
	a := store.Actor{Label: "test"}
	if _, err := st.CreateDomain(ctx, a, acc.ID, "example.com"); err != nil {
		t.Fatal(err)
	}
	var b store.Batch
	for i := range 1100 {
		b.Creates = append(b.Creates, store.RecordInput{Name: fmt.Sprintf("h%d", i), Type: "A", Content: "192.0.2.1"})
	}
	if _, err := st.BatchChange(ctx, a, acc.ID, "example.com", b); err != nil {
		t.Fatal(err)
	}
	e := &countingEngine{Engine: authority.New(authority.Config{PatchableRecords: 1000})}
	src := &racingSource{Store: st}
	p := newPropagator(src, e, time.Hour, slog.New(slog.NewTextHandler(testWriter{t}, nil)))
	if err := p.load(ctx); err != nil {
		t.Fatal(err)
	}
	e.compiled = 0
	// Whoever follows the engine (NOTIFY to the edges) must hear of
	// patched zones as of reloaded ones.
	var told []string
	p.applied = func(_ context.Context, c engineChange) {
		told = append(told, c.patched...)
		for _, z := range c.put {
			told = append(told, z.Origin)
		}
	}

	ask := func(name string, qtype uint16) string {
		t.Helper()
		m := new(dns.Msg)
		m.SetQuestion(name, qtype)
		wire, _ := m.Pack()
		r := new(dns.Msg)
		if err := r.Unpack(e.ServeDNS(make([]byte, 0, 4096), &dnsserver.Request{Msg: wire})); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, rr := range r.Answer {
			out = append(out, rr.String())
		}
		return dns.RcodeToString[r.Rcode] + " " + strings.Join(out, "; ")
	}
	sync := func(compiled int) {
		t.Helper()
		if err := p.sync(ctx); err != nil {
			t.Fatal(err)
		}
		if e.compiled != compiled {
			t.Errorf("%d zones compiled whole, want %d", e.compiled, compiled)
		}
		if ok, err := p.Distributed(ctx, "example.com"); !ok || err != nil {
			t.Errorf("distributed: %v, %v", ok, err)
		}
	}

	r, err := st.CreateRecord(ctx, a, acc.ID, "example.com", store.RecordInput{Name: "www", Type: "A", Content: "192.0.2.80", TTL: 300})
	if err != nil {
		t.Fatal(err)
	}
	sync(0)
	if got := ask("www.example.com.", dns.TypeA); got != "NOERROR www.example.com.\t300\tIN\tA\t192.0.2.80" {
		t.Errorf("after create: %s", got)
	}
	if !slices.Equal(told, []string{"example.com."}) {
		t.Errorf("applied hook told of %q after a patch, want example.com.", told)
	}
	// Two writes between syncs, then an update and a delete.
	if _, err := st.UpdateRecord(ctx, a, acc.ID, "example.com", r.ID, store.RecordPatch{Content: new("192.0.2.81")}); err != nil {
		t.Fatal(err)
	}
	txt, err := st.CreateRecord(ctx, a, acc.ID, "example.com", store.RecordInput{Name: "a.b.c", Type: "TXT", Content: "deep", TTL: 300})
	if err != nil {
		t.Fatal(err)
	}
	sync(0)
	if got := ask("www.example.com.", dns.TypeA); got != "NOERROR www.example.com.\t300\tIN\tA\t192.0.2.81" {
		t.Errorf("after update: %s", got)
	}
	if got := ask("b.c.example.com.", dns.TypeA); got != "NOERROR " {
		t.Errorf("empty non-terminal: %s, want NOERROR and no answer", got)
	}
	if err := st.DeleteRecord(ctx, a, acc.ID, "example.com", txt.ID); err != nil {
		t.Fatal(err)
	}
	sync(0)
	if got := ask("b.c.example.com.", dns.TypeA); got != "NXDOMAIN " {
		t.Errorf("after delete: %s, want NXDOMAIN", got)
	}

	// A CNAME at a name nothing points to is patched too.
	if _, err := st.CreateRecord(ctx, a, acc.ID, "example.com", store.RecordInput{Name: "alias", Type: "CNAME", Content: "www.example.com", TTL: 300}); err != nil {
		t.Fatal(err)
	}
	sync(0)
	if got := ask("alias.example.com.", dns.TypeA); !strings.Contains(got, "192.0.2.81") {
		t.Errorf("CNAME: %s", got)
	}
	// A delegation is compiled with the zone whole.
	if _, err := st.CreateRecord(ctx, a, acc.ID, "example.com", store.RecordInput{Name: "sub", Type: "NS", Content: "ns1.example.net", TTL: 300}); err != nil {
		t.Fatal(err)
	}
	sync(1)
	if got := ask("host.sub.example.com.", dns.TypeA); got != "NOERROR " {
		t.Errorf("below the delegation: %s, want a referral", got)
	}
	// And patching goes on after it.
	if _, err := st.CreateRecord(ctx, a, acc.ID, "example.com", store.RecordInput{Name: "after", Type: "AAAA", Content: "2001:db8::1", TTL: 300}); err != nil {
		t.Fatal(err)
	}
	sync(1)
	if got := ask("after.example.com.", dns.TypeAAAA); got != "NOERROR after.example.com.\t300\tIN\tAAAA\t2001:db8::1" {
		t.Errorf("after the CNAME: %s", got)
	}

	// A write committed between reading the journal and reading the zone's
	// changes is left to the next sync, and patched then, not reloaded.
	if _, err := st.CreateRecord(ctx, a, acc.ID, "example.com", store.RecordInput{Name: "first", Type: "A", Content: "192.0.2.1", TTL: 300}); err != nil {
		t.Fatal(err)
	}
	src.between = func() {
		if _, err := st.CreateRecord(ctx, a, acc.ID, "example.com", store.RecordInput{Name: "second", Type: "A", Content: "192.0.2.2", TTL: 300}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.sync(ctx); err != nil {
		t.Fatal(err)
	}
	sync(1)
	for _, n := range []string{"first", "second"} {
		if got := ask(n+".example.com.", dns.TypeA); !strings.HasPrefix(got, "NOERROR "+n) {
			t.Errorf("%s: %s", n, got)
		}
	}
}
