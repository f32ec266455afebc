package zone

import (
	"bytes"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"
)

// A large master file is read in pieces on every core: the parser is the
// slowest part of loading a zone, and a zone of a few hundred thousand
// records must be served within a second of start. A file is cut only at
// lines where nothing carries over from the lines before but the $ORIGIN
// and $TTL in effect, which the next piece is started with: outside
// parentheses and quotes, at a record with its own owner name, and only
// once a $TTL is in effect (otherwise a record without a TTL takes the one
// of the record before it). Files with $INCLUDE or $GENERATE are read whole.

// splitMin is the size below which a file is not worth cutting.
const splitMin = 1 << 20

// piece is a part of a master file and the state it starts in.
type piece struct {
	data   []byte
	line   int
	origin string
	ttl    string // the $TTL in effect, "" at the start of the file
}

// readSplit reads a master file, in pieces when it is large.
func readSplit(r io.Reader, fsys fs.FS, file, origin string) ([]entry, error) {
	n := runtime.GOMAXPROCS(0)
	if n < 2 {
		return readEntries(r, fsys, file, origin)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &ParseError{File: file, Msg: "read: " + err.Error()}
	}
	pieces := split(data, origin, n)
	if len(pieces) < 2 {
		return readEntries(bytes.NewReader(data), fsys, file, origin)
	}
	results := make([][]entry, len(pieces))
	errs := make([]error, len(pieces))
	var wg sync.WaitGroup
	for i, p := range pieces {
		wg.Go(func() {
			var r io.Reader = bytes.NewReader(p.data)
			line := p.line
			if p.ttl != "" {
				r = io.MultiReader(strings.NewReader("$TTL "+p.ttl+"\n"), r)
				line--
			}
			results[i], errs[i] = readEntriesAt(r, nil, file, p.origin, line)
		})
	}
	wg.Wait()
	total := 0
	for i := range pieces {
		if errs[i] != nil {
			return nil, errs[i] // the first in the file
		}
		total += len(results[i])
	}
	entries := make([]entry, 0, total)
	for _, es := range results {
		entries = append(entries, es...)
	}
	return entries, nil
}

// split cuts data into about n pieces, or returns nil when it should be read
// whole.
func split(data []byte, origin string, n int) []piece {
	if len(data) < splitMin {
		return nil
	}
	var (
		pieces = []piece{{line: 1, origin: origin}}
		depth  int
		quoted bool
		ttl    string
		line   = 1
		start  int
		next   = len(data) / n
	)
	for off := 0; off < len(data); line++ {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += off + 1
		}
		l := data[off:end]
		lineStart := depth == 0 && !quoted
		if lineStart && len(l) > 0 && l[0] == '$' {
			fields := strings.Fields(string(l))
			switch strings.ToUpper(fields[0]) {
			case "$ORIGIN":
				if len(fields) < 2 || !strings.HasSuffix(fields[1], ".") {
					return nil // a relative $ORIGIN: keep it simple, read whole
				}
				origin = fields[1]
			case "$TTL":
				if len(fields) < 2 {
					return nil
				}
				ttl = fields[1]
			default: // $INCLUDE, $GENERATE and anything else
				return nil
			}
		} else if lineStart && off >= next && ttl != "" && len(l) > 0 && !isBlankOrComment(l[0]) && len(pieces) < n {
			pieces[len(pieces)-1].data = data[start:off]
			pieces = append(pieces, piece{line: line, origin: origin, ttl: ttl})
			start = off
			next = off + (len(data)-off)/(n-len(pieces)+1)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			switch {
			case c == '\\':
				i++
			case quoted:
				if c == '"' {
					quoted = false
				}
			case c == '"':
				quoted = true
			case c == ';':
				i = len(l)
			case c == '(':
				depth++
			case c == ')':
				depth--
			}
		}
		off = end
	}
	pieces[len(pieces)-1].data = data[start:]
	return pieces
}

func isBlankOrComment(c byte) bool {
	return c == ' ' || c == '\t' || c == ';' || c == '\r' || c == '\n'
}
