package api

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

// sameAsEncodingJSON checks that writeList writes exactly what writeJSON
// writes for the same records.
func sameAsEncodingJSON(t *testing.T, recs []store.Record) {
	t.Helper()
	out := make([]recordJSON, len(recs))
	for i, r := range recs {
		out[i] = toRecord(r)
	}
	pg := &pagination{CurrentPage: 2, PerPage: 100, TotalEntries: 1234, TotalPages: 13}
	want, got := httptest.NewRecorder(), httptest.NewRecorder()
	writeJSON(want, 200, envelope{Data: out, Pagination: pg})
	writeList(got, out, pg)
	if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
		t.Errorf("writeList wrote\n%s\nencoding/json writes\n%s", got.Body, want.Body)
	}
	if got.Header().Get("Content-Type") != want.Header().Get("Content-Type") || got.Code != want.Code {
		t.Errorf("header %v %d, want %v %d", got.Header(), got.Code, want.Header(), want.Code)
	}
}

func TestRecordListJSON(t *testing.T) {
	prio := uint16(10)
	at := time.Date(2026, 1, 2, 3, 4, 5, 678, time.FixedZone("x", 3600))
	base := store.Record{ID: 1, ZoneName: "example.com", Name: "www", Type: "A", Content: "192.0.2.1", TTL: 3600,
		Regions: []string{"global"}, CreatedAt: at, UpdatedAt: at.Add(time.Hour)}
	var recs []store.Record
	for _, c := range []string{
		"", `"quoted" \ back`, "<script>&amp;</script>", "tab\there\nline\r\x00\x01\x1f\x7f",
		"caf\u00e9 \u2028 \u2029 \U0001F600", "bad \xff\xfe utf-8", `v=spf1 include:_spf.example.com ~all`,
	} {
		r := base
		r.ID++
		r.Content, r.Name = c, c
		recs = append(recs, r)
	}
	mx := base
	mx.Type, mx.Priority, mx.SystemRecord, mx.Regions = "MX", &prio, true, []string{"", "global"}
	recs = append(recs, mx)
	sameAsEncodingJSON(t, recs)
}

func FuzzRecordListJSON(f *testing.F) {
	f.Add("www", "TXT", "v=spf1 -all", uint32(3600), uint16(0), false, int64(0))
	f.Add("a<b", "MX", "\xff\"\\\u2028", uint32(0), uint16(10), true, int64(-62135596800))
	f.Fuzz(func(t *testing.T, name, typ, content string, ttl uint32, prio uint16, system bool, unix int64) {
		at := time.Unix(unix%(1<<40), 0)
		r := store.Record{ID: 7, ZoneName: name + ".test", Name: name, Type: typ, Content: content, TTL: ttl,
			SystemRecord: system, Regions: []string{"global", name}, CreatedAt: at, UpdatedAt: at}
		if prio != 0 {
			r.Priority = &prio
		}
		if _, err := json.Marshal(timestamp(at)); err != nil {
			t.Skip() // a year encoding/json's RFC 3339 refuses too
		}
		sameAsEncodingJSON(t, []store.Record{r})
	})
}
