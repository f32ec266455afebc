package api_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/zonewarden/zonewarden/internal/api"
	"github.com/zonewarden/zonewarden/internal/store"
)

var benchRecords = flag.Int("bench-records", 20000, "records in the zone BenchmarkListZone lists")

// BenchmarkListZone reads a large zone through the API over loopback HTTP
// as a client would: every page of its records (per_page=100, DNSimple's
// maximum), and its zone file in one request. bench/api/run.sh compares the
// same with PowerDNS; this one is for profiling the server's share:
//
//	go test ./internal/api -run '^$' -bench ListZone -bench-records 100000 -cpuprofile cpu.out
func BenchmarkListZone(b *testing.B) {
	ctx := context.Background()
	n := *benchRecords
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "z.db"),
		store.WithRecordLimit(n+100),
		store.WithPasswordParams(argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	u, acc, err := st.CreateUser(ctx, "ada@example.com", password)
	if err != nil {
		b.Fatal(err)
	}
	actor := store.Actor{UserID: &u.ID, Label: u.Email}
	if _, err := st.CreateDomain(ctx, actor, acc.ID, "example.com"); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i += 2000 {
		var batch store.Batch
		for j := i; j < min(i+2000, n); j++ {
			batch.Creates = append(batch.Creates, store.RecordInput{Name: "h" + strconv.Itoa(j), Type: "A", Content: fmt.Sprintf("10.%d.%d.%d", j>>16&255, j>>8&255, j&255)})
		}
		if _, err := st.BatchChange(ctx, actor, acc.ID, "example.com", batch); err != nil {
			b.Fatal(err)
		}
	}
	tok, _, err := st.CreateToken(ctx, store.NewToken{AccountID: acc.ID, Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Store: st, Logger: slog.New(slog.DiscardHandler), RateLimit: -1}))
	b.Cleanup(srv.Close)
	base := fmt.Sprintf("%s/v2/%d/zones/example.com", srv.URL, acc.ID)
	get := func(url string, v any) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(resp.Body)
			b.Fatalf("GET %s: %s: %s", url, resp.Status, body)
		}
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			b.Fatalf("GET %s: %v", url, err)
		}
	}

	b.Run("pages", func(b *testing.B) {
		for b.Loop() {
			seen := 0
			for p := 1; ; p++ {
				var page struct {
					Data       []struct{ ID int64 } `json:"data"`
					Pagination struct {
						TotalPages int `json:"total_pages"`
					} `json:"pagination"`
				}
				get(base+"/records?per_page=100&page="+strconv.Itoa(p), &page)
				seen += len(page.Data)
				if p >= page.Pagination.TotalPages {
					break
				}
			}
			if seen < n {
				b.Fatalf("listed %d records, want at least %d", seen, n)
			}
		}
	})
	b.Run("file", func(b *testing.B) {
		for b.Loop() {
			var f struct {
				Data struct{ Zone string } `json:"data"`
			}
			get(base+"/file", &f)
			if len(f.Data.Zone) < n*10 {
				b.Fatalf("zone file of %d bytes", len(f.Data.Zone))
			}
		}
	})
}
