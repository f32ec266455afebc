package api

import (
	"errors"
	"regexp"
	"strconv"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// apiField is the name DNSimple gives a field in its error bodies where it
// differs from the request's: a record's type is its record_type.
func apiField(f string) string {
	if f == "type" {
		return "record_type"
	}
	return f
}

// fieldErrors returns the per-field messages of a validation error, keyed as
// DNSimple keys them, or nil when err names no field.
func fieldErrors(err error) map[string][]string {
	if re, ok := errors.AsType[*zone.RecordError](err); ok {
		return map[string][]string{apiField(re.Field): {re.Msg}}
	}
	ve, ok := errors.AsType[*store.ValidationError](err)
	if !ok {
		return nil
	}
	out := map[string][]string{}
	for _, f := range ve.Fields {
		key := apiField(f.Field)
		if key == "" {
			key = "base"
		}
		out[key] = append(out[key], f.Msg)
	}
	return out
}

// userMessage is the message of a 400 that names no field: the store's
// validation text, which is written for users, or a generic one.
func userMessage(err error) string {
	if ve, ok := errors.AsType[*store.ValidationError](err); ok {
		return ve.Error()
	}
	if re, ok := errors.AsType[*zone.RecordError](err); ok {
		return re.Error()
	}
	return "Validation failed"
}

// conflictField is the store's text of a conflict on one field: "name:
// example.com is already hosted here".
var conflictField = regexp.MustCompile(`^([a-z_]+): (.+)$`)

// conflict is the message of a conflict, and its field's error when the
// store names one. The innermost error that wraps zone.ErrConflict is the
// store's statement of what clashed, written for users; the rest of the
// chain says where, for the log.
func conflict(err error) (string, map[string][]string) {
	msg := ""
	for e := err; e != nil; e = errors.Unwrap(e) {
		if errors.Unwrap(e) == zone.ErrConflict {
			msg = e.Error()
		}
	}
	if m := conflictField.FindStringSubmatch(msg); m != nil {
		return m[2], map[string][]string{apiField(m[1]): {m[2]}}
	}
	if msg == "" {
		msg = "It conflicts with what exists"
	}
	return msg, nil
}

// batchField is a field of a batch change: creates[2].content.
var batchField = regexp.MustCompile(`^(creates|updates|deletes)\[(\d+)\](?:\.(.*))?$`)

// batchOpError is one failed change of a batch, as DNSimple reports it.
type batchOpError struct {
	Index   int                 `json:"index"`
	Message string              `json:"message"`
	Errors  map[string][]string `json:"errors,omitempty"`
}

// batchErrors renders a refused batch in DNSimple's shape:
// {"creates":[{"index":0,"message":"Validation failed","errors":{"record_type":["unsupported"]}}]}.
// Problems not tied to one change come back as other.
func batchErrors(err error) (lists map[string][]batchOpError, other []string) {
	ve, ok := errors.AsType[*store.ValidationError](err)
	if !ok {
		return nil, nil
	}
	lists = map[string][]batchOpError{}
	for _, f := range ve.Fields {
		m := batchField.FindStringSubmatch(f.Field)
		if m == nil {
			other = append(other, f.Msg)
			continue
		}
		op, field := m[1], apiField(m[3])
		idx, _ := strconv.Atoi(m[2])
		list := lists[op]
		i := len(list) - 1
		if i < 0 || list[i].Index != idx {
			list = append(list, batchOpError{Index: idx})
			i++
		}
		e := &list[i]
		if field == "" {
			e.Message = f.Msg
		} else {
			if e.Errors == nil {
				e.Errors = map[string][]string{}
			}
			e.Errors[field] = append(e.Errors[field], f.Msg)
			if e.Message == "" {
				e.Message = "Validation failed"
			}
		}
		lists[op] = list
	}
	return lists, other
}
