package store

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// textProblem says what is wrong with free text a person typed for a
// field (a name, a description, an address line): more than max
// characters, not UTF-8 (PostgreSQL's text refuses it, SQLite would keep
// it), or control characters — a NUL, which PostgreSQL refuses too, or a
// line break where one line is shown; multiline allows line breaks and
// tabs. "" when nothing is.
func textProblem(v string, max int, multiline bool) string {
	switch {
	case !utf8.ValidString(v):
		return "is not valid UTF-8 text"
	case utf8.RuneCountInString(v) > max:
		return fmt.Sprintf("is longer than %d characters", max)
	}
	bad := strings.IndexFunc(v, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t'))
	})
	if bad >= 0 {
		if multiline {
			return "has a control character"
		}
		return "must be one line of text, without control characters"
	}
	return ""
}

// checkText appends to ve a field error for each field whose text has a
// problem.
func checkText(ve *ValidationError, fields ...textField) {
	for _, f := range fields {
		if p := textProblem(f.v, f.max, f.multiline); p != "" {
			ve.Fields = append(ve.Fields, FieldError{f.name, p})
		}
	}
}

type textField struct {
	name      string
	v         string
	max       int
	multiline bool
}
