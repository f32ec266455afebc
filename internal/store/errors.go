package store

import (
	"strings"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// FieldError is what is wrong with one field of a request.
type FieldError struct {
	// Field is the input's field as the API names it ("content", "ttl"),
	// prefixed in a batch by the change it belongs to ("creates[2].content").
	// Empty when the problem is not one field's.
	Field string
	Msg   string
}

// ValidationError is a refused write: what was wrong, field by field. It
// wraps zone.ErrInvalid. The API renders it as DNSimple's error body:
// {"message": "Validation failed", "errors": {"content": ["..."]}}.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		if f.Field == "" {
			parts = append(parts, f.Msg)
		} else {
			parts = append(parts, f.Field+": "+f.Msg)
		}
	}
	return strings.Join(parts, "; ")
}

func (e *ValidationError) Unwrap() error { return zone.ErrInvalid }

func invalid(field, msg string) *ValidationError {
	return &ValidationError{Fields: []FieldError{{Field: field, Msg: msg}}}
}
