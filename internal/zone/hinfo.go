package zone

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// HINFO data is exactly two character-strings, the CPU and the operating
// system (RFC 1035 §3.3.2). miekg's parser takes any number: it joins those
// after the first into the OS ("a b c" reads as "a" "b c", the same record
// as `"a" "b c"`), splits a lone string at its spaces or gives it an empty
// OS, and cuts strings over 255 bytes into more. The record it returns
// cannot tell what was written, so the check reads the record's text again:
// the lineReader keeps what the lexer read for it (tracker.take). Its rdata
// is handed to miekg as TXT's, which is read by the same code but keeps the
// strings apart, and the record is refused unless they are two and are the
// ones miekg read. Letting miekg read the strings means its quoting and
// escapes need no second implementation here; only the part of the line
// before the rdata (owner, TTL, class, type) is found by hand, and should
// that go wrong the comparison refuses the record rather than let a changed
// one through.

// hinfoHint is how HINFO is written, for the messages.
const hinfoHint = `HINFO is two strings, the CPU and the operating system, each at most 255 bytes; quote one that has spaces, as in "Intel Xeon" "Linux"`

// hinfoProblem returns why the HINFO record rr, read from text, is refused,
// or "" when its text is two strings. text is as tracker.take returns it.
func hinfoProblem(rr *dns.HINFO, text []byte) string {
	strs, ok, generic := hinfoStrings(text)
	if !ok && generic {
		// miekg reads the first two strings of the generic form's
		// bytes and drops what follows; as TXT they do not split into
		// whole strings.
		return `HINFO record whose data in the generic form (\#) is not whole strings: ` + hinfoHint
	}
	if !ok || len(strs) == 2 && (strs[0] != rr.Cpu || strs[1] != rr.Os) {
		return "HINFO record that cannot be read as two strings: " + hinfoHint
	}
	switch len(strs) {
	case 2:
		return ""
	case 0:
		return "HINFO record without data: " + hinfoHint
	case 1:
		return "HINFO record with 1 string: " + hinfoHint
	}
	return fmt.Sprintf("HINFO record with %d strings: %s", len(strs), hinfoHint)
}

// hinfoStrings returns the strings of the record at the end of text as
// miekg reads TXT's, and false when it cannot find the record's rdata or
// read it so; generic is whether the rdata is in the generic form of RFC
// 3597.
func hinfoStrings(text []byte) (strs []string, ok, generic bool) {
	rdata, depth, ok := afterType(lastRecord(text))
	if !ok || depth < 0 {
		return nil, false, false
	}
	generic = strings.HasPrefix(strings.TrimLeft(rdata, " \t\n("), `\#`)
	// The parentheses opened before the type are opened again, so that
	// the rdata's newlines and closing parentheses read as they did.
	in := ". 0 IN TXT " + strings.Repeat("(", depth) + " " + rdata
	zp := dns.NewZoneParser(strings.NewReader(in), ".", "")
	rr, _ := zp.Next()
	txt, isTXT := rr.(*dns.TXT)
	if zp.Err() != nil || !isTXT {
		return nil, false, generic
	}
	return txt.Txt, true, generic
}

// lastRecord returns the last entry of text that is more than blanks and
// comments: a record or directive, with the parentheses and quoted strings
// that carry it over lines, up to and with the newline that ends it. It
// follows miekg's lexer: a backslash escapes the byte after it but a
// newline; quotes hold blanks, ';', parentheses and newlines.
func lastRecord(text []byte) []byte {
	var (
		start, last, end                    = 0, -1, len(text)
		depth                               int
		quoted, comment, escaped, something bool
	)
	for i, c := range text {
		if comment {
			if c != '\n' {
				continue
			}
			comment = false
		} else if escaped && c != '\n' {
			escaped = false
			continue
		}
		escaped = false
		switch c {
		case '\\':
			escaped, something = true, true
		case '"':
			quoted, something = !quoted, true
		case '\n':
			if !quoted && depth == 0 {
				if something {
					last, end = start, i+1
				}
				start, something = i+1, false
			}
		case ';':
			if !quoted {
				comment = true
			}
		case '(':
			if !quoted {
				depth++
			}
		case ')':
			if !quoted {
				depth--
			}
		case ' ', '\t', '\r':
		default:
			something = true
		}
	}
	if something {
		last, end = start, len(text)
	}
	if last < 0 {
		return nil
	}
	return text[last:end]
}

// afterType returns the text of a record after its type, and how many
// parentheses are open there. It reads the words before as miekg's lexer
// does: the first is the owner unless the line starts with a blank; the
// type is the first other word that names a type (TTLs and classes do
// not), ended by a blank or, with nothing after it, a newline; '(' and ')'
// count but do not end a word; CRs are dropped. Quotes cannot come before
// the rdata.
func afterType(line []byte) (rdata string, depth int, ok bool) {
	var (
		word             []byte
		comment, escaped bool
		owner            = true // the next word ended by a blank is the owner
	)
	isType := func() bool {
		u := strings.ToUpper(string(word))
		_, ok := dns.StringToType[u]
		return ok || strings.HasPrefix(u, "TYPE")
	}
	for i, c := range line {
		if comment {
			if c == '\n' {
				comment = false
			}
			continue
		}
		if escaped && c != '\n' && c != '\r' {
			word = append(word, c)
			escaped = false
			continue
		}
		escaped = false
		switch c {
		case ' ', '\t':
			if len(word) > 0 {
				if !owner && isType() {
					return string(line[i+1:]), depth, true
				}
				word = word[:0]
			}
			owner = false
		case '\n':
			// Inside parentheses a newline neither ends a word nor the
			// record (the lineReader puts a blank before it).
			if depth == 0 {
				if len(word) > 0 && isType() {
					return string(line[i:]), depth, true
				}
				return "", 0, false
			}
		case '\r':
		case '\\':
			word = append(word, c)
			escaped = true
		case '(':
			depth++
		case ')':
			depth--
		case ';':
			comment = true
			word = word[:0] // the lexer does not take a word ended by ';' for a type
		case '"':
			return "", 0, false
		default:
			word = append(word, c)
		}
	}
	return "", 0, false
}
