package zone

import (
	"bytes"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that no input panics or hangs the parser and that every
// file that parses writes out and reads back to the same records.
func FuzzParse(f *testing.F) {
	corpus, err := os.ReadFile("testdata/corpus.zone")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(corpus))
	for _, line := range strings.Split(string(corpus), "\n") {
		f.Add(head + line + "\n")
	}
	f.Add(head + "www (\nIN A\n192.0.2.1 )\n")
	f.Add(head + "@ ALIAS x\n$ORIGIN a.example.com.\nb ALIAS @\n")
	f.Add(head + `t TXT "\"\\\000\255" x` + "\n")

	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 64<<10 {
			t.Skip("zone files this big are not what the fuzzer should spend time on")
		}
		// The fuzzer does not time inputs out; crash with every stack so
		// that a hang is caught and its input saved.
		hang := time.AfterFunc(10*time.Second, func() {
			debug.SetTraceback("all")
			panic("parsing hangs on " + strconv.Quote(in))
		})
		defer hang.Stop()
		// The public path: whatever it returns, it must return.
		_, _ = Parse(strings.NewReader(in), "example.com.", "fuzz.zone")

		// The record path, without zone-level validation so that most
		// inputs that parse at all are checked for the round trip.
		entries, err := readEntries(strings.NewReader(in), nil, "fuzz.zone", "example.com.")
		if err != nil {
			return
		}
		z := zoneOf("example.com.", normalize(entries))
		var buf bytes.Buffer
		if _, err := z.WriteTo(&buf); err != nil {
			// Records miekg parses but cannot pack are refused by
			// readEntries, so everything it returns can be written.
			t.Fatalf("WriteTo: %v", err)
		}
		back, err := readEntries(bytes.NewReader(buf.Bytes()), nil, "written", "")
		if err != nil {
			t.Fatalf("written zone does not parse: %v\n%s", err, buf.String())
		}
		if d := diffRecords(z, zoneOf("example.com.", normalize(back))); d != "" {
			t.Fatalf("written zone reads back differently:\n%s\nwritten:\n%s", d, buf.String())
		}
	})
}

func zoneOf(origin string, entries []entry) *Zone {
	z := &Zone{Origin: origin}
	for _, e := range entries {
		z.Records = append(z.Records, e.rr)
	}
	return z
}
