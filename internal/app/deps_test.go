package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// The DNS serving path has a dependency budget (docs/ARCHITECTURE.md):
//
//   - internal/zone, internal/authority, internal/dnsserver, internal/tsig,
//     internal/transfer (which serve puts in front of the engine) and
//     internal/secondary (which edge puts there) never reach
//     SQL, HTML templates, job queues or the control plane's packages;
//   - internal/zone, the vocabulary, and internal/tsig, which transfer and
//     secondary share, do not reach net/http at all;
//   - in authority and dnsserver, net/http comes in only through
//     github.com/prometheus/client_golang, whose base package imports it:
//     dnsserver's Metrics are a prometheus.Collector, and authority imports
//     dnsserver for its Handler contract. No package of ours, and no other
//     dependency, imports net/http on that path.
func TestServingPathDependencies(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to list dependencies: %v", err)
	}
	const internal = "github.com/zonewarden/zonewarden/internal/"
	forbidden := []string{
		"database/sql",
		"html/template",
		// SQL drivers and job queues, should they ever join the module.
		"github.com/jackc/pgx",
		"github.com/lib/pq",
		"github.com/mattn/go-sqlite3",
		"modernc.org/sqlite",
		"github.com/go-sql-driver/mysql",
		"github.com/riverqueue/river",
		"github.com/hibiken/asynq",
		// The control plane and the wiring.
		internal + "store",
		internal + "api",
		internal + "web",
		internal + "app",
	}
	for _, tc := range []struct {
		pkg    string
		noHTTP bool // net/http not even through prometheus
	}{
		{"zone", true},
		{"tsig", true}, // verifies and signs on both ends of a transfer
		{"authority", false},
		{"dnsserver", false},
		{"transfer", false},  // in front of the engine in serve; reads the store through an interface
		{"secondary", false}, // in front of the engine in edge (NOTIFY); no store at all
	} {
		pkgs := goListDeps(t, gobin, internal+tc.pkg)
		for _, p := range pkgs {
			for _, f := range forbidden {
				if p.ImportPath == f || strings.HasPrefix(p.ImportPath, f+"/") {
					t.Errorf("internal/%s depends on %s: the DNS serving path must not", tc.pkg, p.ImportPath)
				}
			}
			if tc.noHTTP && isHTTP(p.ImportPath) {
				t.Errorf("internal/%s depends on %s", tc.pkg, p.ImportPath)
			}
		}
		// Walk the import graph from the package without entering
		// prometheus: net/http must not be reachable.
		imports := make(map[string][]string, len(pkgs))
		for _, p := range pkgs {
			imports[p.ImportPath] = p.Imports
		}
		via := map[string]string{internal + tc.pkg: ""} // package: who imports it
		queue := []string{internal + tc.pkg}
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			if isHTTP(p) {
				chain := p
				for q := via[p]; q != ""; q = via[q] {
					chain = q + " → " + chain
				}
				t.Errorf("net/http reached other than through prometheus: %s", chain)
				continue
			}
			for _, imp := range imports[p] {
				if _, seen := via[imp]; seen || strings.HasPrefix(imp, "github.com/prometheus/") {
					continue
				}
				via[imp] = p
				queue = append(queue, imp)
			}
		}
	}
}

func isHTTP(path string) bool { return path == "net/http" || strings.HasPrefix(path, "net/http/") }

type listedPackage struct {
	ImportPath string
	Imports    []string
}

// goListDeps returns pkg and every package it depends on, transitively.
func goListDeps(t *testing.T, gobin, pkg string) []listedPackage {
	t.Helper()
	cmd := exec.Command(gobin, "list", "-deps", "-json=ImportPath,Imports", pkg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatalf("go list -deps %s listed nothing", pkg)
	}
	return pkgs
}
