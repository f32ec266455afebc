package api_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/dnsimple/dnsimple-go/v8/dnsimple"

	"github.com/zonewarden/zonewarden/internal/api"
	"github.com/zonewarden/zonewarden/internal/store"
)

// TestZoneRecordsPaging reads every page of a zone larger than a page
// through the official client, in id order and sorted and filtered, and
// checks the pagination and that every record comes once.
func TestZoneRecordsPaging(t *testing.T) {
	n := 1500
	if v, err := strconv.Atoi(os.Getenv("ZONEWARDEN_TEST_PAGING_RECORDS")); err == nil {
		n = v // to profile a large zone
	}
	backends(t, func(t *testing.T, dbURL func(t *testing.T) string) {
		e := newEnv(t, dbURL(t), func(c *api.Config) {})
		ctx := context.Background()
		c := e.client(e.tokenA, nil)
		acc := strconv.FormatInt(e.accountA.ID, 10)
		if _, err := c.Domains.CreateDomain(ctx, acc, dnsimple.Domain{Name: "example.com"}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i += 2000 {
			var b store.Batch
			for j := i; j < min(i+2000, n); j++ {
				typ, content := "A", "192.0.2.1"
				if j%4 == 0 {
					typ, content = "TXT", fmt.Sprintf("t%d", j)
				}
				b.Creates = append(b.Creates, store.RecordInput{Name: fmt.Sprintf("h%05d", j), Type: typ, Content: content})
			}
			if _, err := e.st.BatchChange(ctx, store.Actor{Label: "test"}, e.accountA.ID, "example.com", b); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			opts dnsimple.ZoneRecordListOptions
			want int
		}{
			{dnsimple.ZoneRecordListOptions{}, n + 3},
			{dnsimple.ZoneRecordListOptions{Type: dnsimple.String("A"), ListOptions: dnsimple.ListOptions{Sort: dnsimple.String("name:desc")}}, n - (n+3)/4},
			{dnsimple.ZoneRecordListOptions{NameLike: dnsimple.String("h01"), ListOptions: dnsimple.ListOptions{Sort: dnsimple.String("content,name")}}, min(max(n-1000, 0), 1000)},
		} {
			seen := map[int64]bool{}
			prev := ""
			for page := 1; ; page++ {
				o := tc.opts
				o.Page, o.PerPage = dnsimple.Int(page), dnsimple.Int(100)
				res, err := c.Zones.ListRecords(ctx, acc, "example.com", &o)
				if err != nil {
					t.Fatal(err)
				}
				p := res.Pagination
				if p.CurrentPage != page || p.PerPage != 100 || p.TotalEntries != tc.want || p.TotalPages != (tc.want+99)/100 {
					t.Fatalf("%+v page %d: pagination %+v, want %d entries", tc.opts, page, p, tc.want)
				}
				for _, r := range res.Data {
					if seen[r.ID] {
						t.Fatalf("%+v: record %d listed twice", tc.opts, r.ID)
					}
					seen[r.ID] = true
					if tc.opts.Sort != nil && *tc.opts.Sort == "name:desc" {
						if prev != "" && r.Name > prev {
							t.Fatalf("name:desc: %q after %q", r.Name, prev)
						}
						prev = r.Name
					}
				}
				if page >= p.TotalPages {
					break
				}
			}
			if len(seen) != tc.want {
				t.Errorf("%+v: %d records listed, want %d", tc.opts, len(seen), tc.want)
			}
		}
	})
}
