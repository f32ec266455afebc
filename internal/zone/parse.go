package zone

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// ParseError is a problem with a master file, located at a line of a file.
// It wraps ErrInvalid.
type ParseError struct {
	File string // as given to Parse or named by $INCLUDE; may be empty
	Line int    // 1-based; 0 when the problem has no single line
	Msg  string
	// RR is the record the problem was found at, nil when it is no one
	// record's (a zone without SOA). Records are checked in order, so of
	// two that clash it is the later; of a name below a DNAME, the record
	// at that name. Callers that validate records they did not read from a
	// file (the store's writes) tell by it which change is at fault.
	RR dns.RR
}

func (e *ParseError) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return e.File + ": " + e.Msg
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func (e *ParseError) Unwrap() error { return ErrInvalid }

// Parse reads one master file (RFC 1035 §5) from r. $INCLUDE is refused;
// use ParseFile for files that include others. file names r in errors.
//
// origin is the zone's apex and the initial $ORIGIN. When it is "", relative
// names need a $ORIGIN line before them and the apex is the owner of the SOA.
//
// The zone is normalized (see Zone.Normalize) and validated (see
// Zone.Validate); errors name the file and line of the offending record.
func Parse(r io.Reader, origin, file string) (*Zone, error) {
	return parse(r, nil, file, origin, origin)
}

// ParseFile reads the master file name from fsys, following $INCLUDE
// directives relative to the including file. Includes cannot leave fsys:
// pass an os.Root's FS (os.OpenRoot(dir) and then root.FS()) so that neither
// "../" paths nor symbolic links reach outside dir. origin is as for Parse.
func ParseFile(fsys fs.FS, name, origin string) (*Zone, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open zone file: %w", err)
	}
	defer f.Close()
	return parse(f, fsys, name, origin, origin)
}

// parse reads a zone. start is the $ORIGIN in effect at the top of the file;
// apex is the zone's origin, or "" to take it from the SOA. They differ only
// when LoadDir guesses a starting origin from a file name.
func parse(r io.Reader, fsys fs.FS, file, start, apex string) (z *Zone, err error) {
	if start != "" {
		start = CanonicalName(start)
		if _, ok := dns.IsDomainName(start); !ok {
			return nil, &ParseError{File: file, Msg: fmt.Sprintf("bad origin %q", start)}
		}
	}
	entries, err := readSplit(r, fsys, file, start)
	if err != nil {
		return nil, err
	}
	if apex == "" {
		apex = apexOf(entries)
	} else {
		apex = CanonicalName(apex)
	}
	if apex == "" {
		return nil, &ParseError{File: file, Msg: "no SOA record, so the zone's origin is unknown"}
	}
	entries = normalize(entries)
	if err := validate(apex, file, entries); err != nil {
		return nil, err
	}
	z = &Zone{Origin: apex, Records: make([]dns.RR, len(entries))}
	for i, e := range entries {
		z.Records[i] = e.rr
	}
	return z, nil
}

// entry is a record and where it was read, so that zone-level problems found
// after parsing can still point at a line.
type entry struct {
	rr   dns.RR
	file string
	line int
}

func (e entry) errorf(format string, args ...any) *ParseError {
	return &ParseError{File: e.file, Line: e.line, Msg: fmt.Sprintf(format, args...), RR: e.rr}
}

func apexOf(entries []entry) string {
	for _, e := range entries {
		if e.rr.Header().Rrtype == dns.TypeSOA {
			return e.rr.Header().Name
		}
	}
	return ""
}

// readEntries runs miekg's parser over r and returns every record with its
// position, owner names canonical. The parser panicking is reported as an
// error: a bad zone file must never take the server down.
func readEntries(r io.Reader, fsys fs.FS, file, origin string) (entries []entry, err error) {
	return readEntriesAt(r, fsys, file, origin, 1)
}

// readEntriesAt is readEntries for a piece of a file that starts at line.
func readEntriesAt(r io.Reader, fsys fs.FS, file, origin string, line int) (entries []entry, err error) {
	t := &tracker{}
	defer t.closeAll()
	top := t.push(r, nil, file)
	top.line = line
	t.offset = line - 1
	zp := dns.NewZoneParser(top, origin, file)
	zp.SetDefaultTTL(3600)
	if fsys != nil {
		zp.SetIncludeAllowed(true)
		zp.SetIncludeFS(trackFS{fsys: fsys, t: t})
	}
	defer func() {
		if p := recover(); p != nil {
			entries = nil
			err = &ParseError{File: t.file(), Line: t.line(), Msg: fmt.Sprintf("zone parser crashed: %v", p)}
		}
	}()
	var buf []byte
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		e := entry{rr: rr, file: t.file(), line: t.line()}
		// The record's text, for what the parsed record cannot tell:
		// how many strings an HINFO had (hinfo.go).
		text := t.take()
		if err := fixRecord(e, zp); err != nil {
			return nil, err
		}
		if h, ok := rr.(*dns.HINFO); ok {
			if msg := hinfoProblem(h, text); msg != "" {
				return nil, e.errorf("%s", msg)
			}
		}
		if simpleComplete(rr) {
			entries = append(entries, e)
			continue
		}
		// Packing catches rdata miekg accepted in presentation form but
		// cannot put on the wire, and the empty rdata of its dynamic-update
		// form ("www IN A" with nothing after it).
		if buf == nil {
			buf = make([]byte, 65535+512)
		}
		off, err := dns.PackRR(rr, buf, 0, nil, false)
		if err != nil {
			return nil, e.errorf("bad %s record: %s", typeString(rr), wireProblem(err))
		}
		// Empty fields can pack into rdata that does not decode
		// ("x SOA" with nothing after it packs as twenty zero bytes).
		if _, _, err := dns.UnpackRR(buf[:off], 0); err != nil {
			return nil, e.errorf("bad %s record: incomplete data", typeString(rr))
		}
		if rr.Header().Rdlength == 0 {
			if _, unknown := rr.(*dns.RFC3597); !unknown {
				return nil, e.errorf("%s record without data", typeString(rr))
			}
		}
		entries = append(entries, e)
	}
	if err := zp.Err(); err != nil {
		return nil, convertError(err, t)
	}
	return entries, nil
}

// fixRecord canonicalizes the owner, refuses classes other than IN and
// resolves relative ALIAS targets against the $ORIGIN in effect.
func fixRecord(e entry, zp *dns.ZoneParser) error {
	h := e.rr.Header()
	if h.Class != dns.ClassINET {
		return e.errorf("class %s is not supported, only IN", dns.Class(h.Class))
	}
	name, err := canonicalOwner(h.Name)
	if err != nil {
		return e.errorf("bad owner name %q", h.Name)
	}
	h.Name = name
	p, ok := e.rr.(*dns.PrivateRR)
	if !ok || h.Rrtype != TypeALIAS {
		return nil
	}
	a := p.Data.(*ALIAS)
	if a.err != "" {
		return e.errorf("%s", a.err)
	}
	if dns.IsFqdn(a.Target) {
		return nil
	}
	origin, ok := currentOrigin(zp)
	if !ok || origin == "" {
		return e.errorf("relative ALIAS target %q without a known $ORIGIN", a.Target)
	}
	target := origin
	if a.Target != "@" {
		target = a.Target + "." + origin
		if origin == "." {
			target = a.Target + "."
		}
	}
	if _, ok := dns.IsDomainName(target); !ok {
		return e.errorf("bad ALIAS target %q", a.Target)
	}
	a.Target = strings.ToLower(target)
	return nil
}

// currentOrigin reads the $ORIGIN in effect from miekg's parser, which hands
// private record types their fields without it. It is not exported, so this
// reaches into the (pinned) parser's fields; TestAliasRelative guards the
// coupling, and should the fields go away relative ALIAS targets are refused
// rather than resolved wrongly.
func currentOrigin(zp *dns.ZoneParser) (string, bool) {
	v := reflect.ValueOf(zp).Elem()
	for {
		sub := v.FieldByName("sub")
		if !sub.IsValid() || sub.Kind() != reflect.Pointer {
			return "", false
		}
		if sub.IsNil() {
			break
		}
		v = sub.Elem()
	}
	o := v.FieldByName("origin")
	if !o.IsValid() || o.Kind() != reflect.String {
		return "", false
	}
	return o.String(), true
}

// canonicalOwner lower-cases name and spells it the way miekg prints names it
// decoded from the wire, so that "\065.example." and "a.example." are one
// owner.
func canonicalOwner(name string) (string, error) {
	if plainName(name) {
		return name, nil // already in canonical form: the common case
	}
	var buf [256]byte
	n, err := dns.PackDomainName(name, buf[:], 0, nil, false)
	if err != nil {
		return "", err
	}
	s, _, err := dns.UnpackDomainName(buf[:n], 0)
	if err != nil {
		return "", err
	}
	return dns.CanonicalName(s), nil
}

func typeString(rr dns.RR) string {
	return dns.Type(rr.Header().Rrtype).String()
}

func wireProblem(err error) string {
	if errors.Is(err, dns.ErrRdata) {
		return "data too long"
	}
	return err.Error()
}

// convertError turns miekg's parse errors, whose fields are unexported and
// whose text reads "file: dns: bad A A: "1.2.3" at line: 12:14", into a
// ParseError saying "file:12: bad A address "1.2.3"".
func convertError(err error, t *tracker) error {
	if t.err != nil {
		return t.err
	}
	var me *dns.ParseError
	if !errors.As(err, &me) {
		return fmt.Errorf("read zone file: %w", err)
	}
	pe := &ParseError{File: t.file(), Msg: me.Error()}
	s := me.Error()
	i := strings.LastIndex(s, " at line: ")
	if i < 0 {
		return pe
	}
	if lc := strings.SplitN(s[i+len(" at line: "):], ":", 2); len(lc) > 0 {
		pe.Line, _ = strconv.Atoi(lc[0])
		pe.Line += t.offset // pieces hold no $INCLUDE, so this is the top file's line
	}
	s = s[:i]
	// The token is printed with strconv.QuoteToASCII, so a `: "` inside
	// it is escaped and the last one starts the token.
	token := ""
	if j := strings.LastIndex(s, `: "`); j >= 0 {
		token, _ = strconv.Unquote(s[j+2:])
		s = s[:j]
	}
	if j := strings.Index(s, "dns: "); j >= 0 {
		if j >= 2 {
			pe.File = s[:j-2]
		}
		s = s[j+len("dns: "):]
	}
	msg := s
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &pathErr):
		msg = fmt.Sprintf("$INCLUDE %q: %s", token, pathErr.Err)
		token = ""
	case errors.Unwrap(me) != nil:
		msg = errors.Unwrap(me).Error()
	case msg == "bad A A":
		msg = "bad A address"
	case msg == "bad AAAA AAAA":
		msg = "bad AAAA address"
	}
	switch token {
	case "":
	case "\n":
		msg += " at the end of the line"
	default:
		msg += " " + strconv.Quote(token)
	}
	pe.Msg = msg
	return pe
}

// tracker knows which file the parser is reading and at which line, because
// miekg's parser does not tell. Its lexer reads through io.ByteReader when
// the reader offers it, so every byte passes through here; $INCLUDEd files
// are opened through trackFS and pushed on the stack until closed.
type tracker struct {
	stack []*lineReader
	// err is a problem found while reading, which miekg's parser may
	// report as some other problem with what it read so far.
	err *ParseError
	// offset is the line before the first read, for a piece of a file:
	// miekg counts lines from the start of what it was given.
	offset int
}

func (t *tracker) push(r io.Reader, c io.Closer, name string) *lineReader {
	lr := &lineReader{br: bufio.NewReader(r), c: c, name: name, line: 1, bol: true, t: t}
	t.stack = append(t.stack, lr)
	return lr
}

func (t *tracker) top() *lineReader {
	if len(t.stack) == 0 {
		return nil
	}
	return t.stack[len(t.stack)-1]
}

func (t *tracker) file() string {
	if lr := t.top(); lr != nil {
		return lr.name
	}
	return ""
}

func (t *tracker) line() int {
	if lr := t.top(); lr != nil {
		return lr.line
	}
	return 0
}

// take returns what the lexer read from the file it is in since the last
// record it ended there, and starts over: called as the parser returns a
// record, it is the record's text, after any blank and comment lines and
// directives before it. The lexer stops at the newline that ends a record
// (TestRecordText), so nothing of the next one is in it. The slice is good
// until the next read.
func (t *tracker) take() []byte {
	lr := t.top()
	if lr == nil {
		return nil
	}
	text := lr.text
	lr.text = lr.text[:0]
	return text
}

func (t *tracker) closeAll() {
	for len(t.stack) > 0 {
		t.top().Close()
	}
}

type trackFS struct {
	fsys fs.FS
	t    *tracker
}

func (f trackFS) Open(name string) (fs.File, error) {
	file, err := f.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return includedFile{File: file, lineReader: f.t.push(file, file, name)}, nil
}

type includedFile struct {
	fs.File
	*lineReader
}

func (f includedFile) Read(p []byte) (int, error) { return f.lineReader.Read(p) }
func (f includedFile) Close() error               { return f.lineReader.Close() }

var generateDirective = []byte("$GENERATE")

// lineReader counts lines the way miekg's lexer does (a newline counts when
// the next byte is read) and refuses $GENERATE.
type lineReader struct {
	br   *bufio.Reader
	c    io.Closer
	name string
	line int
	eol  bool
	// bol and col follow the start of each line, where directives are.
	bol bool
	col int
	t   *tracker
	// prev is the last byte read; newline a newline owed after a blank.
	prev    byte
	newline bool
	// quoted, escaped and comment follow the lexer through quoted
	// strings, backslash escapes and comments, so that a newline is
	// known to end a word or not.
	quoted, escaped, comment bool
	// text is what the lexer read since the last record (see take), as
	// it read it: with the blank put before a newline.
	text []byte
}

func (r *lineReader) ReadByte() (byte, error) {
	var b byte
	if r.newline {
		r.newline, b = false, '\n'
	} else {
		var err error
		if b, err = r.br.ReadByte(); err != nil {
			return b, err
		}
		// Inside parentheses miekg's lexer runs a word at the end of a
		// line into the first of the next ("A\n192.0.2.1" reads as
		// "A192.0.2.1"); a blank before the newline ends the word. Not
		// inside quotes, where the newline is part of the string, nor
		// after a backslash that escapes it.
		if b == '\n' && !r.quoted && !r.escaped && r.prev != ' ' && r.prev != '\t' && r.prev != '\n' {
			r.newline, r.prev = true, '\n'
			r.comment = false
			r.text = append(r.text, ' ')
			return ' ', nil
		}
		r.prev = b
		r.follow(b)
	}
	if r.eol {
		r.line++
		r.eol = false
		r.bol, r.col = true, 0
	}
	if b == '\n' {
		r.eol = true
	}
	// $GENERATE is BIND's, NSD does not know it, and miekg runs it with
	// $INCLUDE allowed but without our FS, which would let a zone file
	// read any file on the host.
	if r.bol {
		if r.col < len(generateDirective) && upper(b) == generateDirective[r.col] {
			r.col++
			if r.col == len(generateDirective) {
				r.t.err = &ParseError{File: r.name, Line: r.line, Msg: "$GENERATE is not supported"}
				return 0, r.t.err
			}
		} else {
			r.bol = false
		}
	}
	r.text = append(r.text, b)
	return b, nil
}

// follow moves the quote, escape and comment state past b, as miekg's
// lexer reads it: a backslash escapes the next byte in and out of quotes,
// a semicolon outside quotes starts a comment that the newline ends, and
// nothing in a comment counts.
func (r *lineReader) follow(b byte) {
	switch {
	case r.comment:
		r.comment = b != '\n'
	case r.escaped:
		r.escaped = false
	case b == '\\':
		r.escaped = true
	case b == '"':
		r.quoted = !r.quoted
	case b == ';' && !r.quoted:
		r.comment = true
	}
}

func upper(b byte) byte {
	if b >= 'a' && b <= 'z' {
		return b - 'a' + 'A'
	}
	return b
}

// Read is there for io.Reader; the lexer only calls ReadByte.
func (r *lineReader) Read(p []byte) (int, error) {
	for i := range p {
		b, err := r.ReadByte()
		if err != nil {
			return i, err
		}
		p[i] = b
	}
	return len(p), nil
}

func (r *lineReader) Close() error {
	for i, lr := range r.t.stack {
		if lr == r {
			r.t.stack = append(r.t.stack[:i], r.t.stack[i+1:]...)
			break
		}
	}
	if r.c != nil {
		c := r.c
		r.c = nil
		return c.Close()
	}
	return nil
}

// plainName reports whether name is fully qualified, short enough, and made
// only of lower-case letters, digits, '-', '_' and '*' in labels of 1 to 63
// octets: then it is already canonical.
func plainName(name string) bool { return simpleName(name, false) }

// simpleComplete reports whether rr is of a type whose presentation form,
// once parsed, always packs and unpacks, and has its data: the checks of
// readEntries then have nothing to find, and a large zone of such records
// loads faster without them.
func simpleComplete(rr dns.RR) bool {
	switch v := rr.(type) {
	case *dns.A:
		return v.A.To4() != nil
	case *dns.AAAA:
		return len(v.AAAA) == 16
	case *dns.CNAME:
		return v.Target != ""
	case *dns.NS:
		return v.Ns != ""
	case *dns.PTR:
		return v.Ptr != ""
	}
	return false
}

// ParseLines reads records written one to a line in presentation form,
// fully qualified, as the store's change journal keeps them; blank lines
// are skipped. It is for text this program wrote, not for master files
// (no $ORIGIN, $TTL or parentheses): those go through Parse.
func ParseLines(text string) ([]dns.RR, error) {
	var out []dns.RR
	for line := range strings.Lines(text) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		rr, err := dns.NewRR(line)
		if err != nil {
			return nil, err
		}
		out = append(out, rr)
	}
	return out, nil
}
