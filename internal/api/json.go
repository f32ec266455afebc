package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

// maxBody is the largest request body read; a batch of a few thousand
// records fits.
const maxBody = 4 << 20

// writeJSON writes v as the response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own wire types are encoded; this is a bug.
		status = http.StatusInternalServerError
		body = []byte(`{"message":"Internal server error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
	w.Write([]byte("\n"))
}

// envelope is DNSimple's response body: {"data": …, "pagination": …}.
type envelope struct {
	Data       any         `json:"data"`
	Pagination *pagination `json:"pagination,omitempty"`
}

type pagination struct {
	CurrentPage  int `json:"current_page"`
	PerPage      int `json:"per_page"`
	TotalEntries int `json:"total_entries"`
	TotalPages   int `json:"total_pages"`
}

// data writes {"data": v} with status.
func data(w http.ResponseWriter, status int, v any) error {
	writeJSON(w, status, envelope{Data: v})
	return nil
}

// noContent writes a 204.
func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// decode reads the JSON body into v. An empty body leaves v as it is (clients
// send none with Content-Type: application/json); unknown fields are ignored.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return badRequest("Could not read the request body", err)
	}
	if len(body) > maxBody {
		return &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("Request body larger than %d bytes", maxBody)}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
			return &Error{Status: http.StatusBadRequest, Message: "Validation failed",
				Errors: map[string][]string{te.Field: {mustBe(te.Type.Kind().String())}}, Err: err}
		}
		return badRequest("Invalid JSON in the request body", err)
	}
	return nil
}

// mustBe is the message of a JSON value of the wrong type, from the kind
// of the Go value it was to fill: "must be an object".
func mustBe(kind string) string {
	switch kind {
	case "string":
		return "must be a string"
	case "bool":
		return "must be a boolean"
	case "slice", "array":
		return "must be a list"
	case "map", "struct", "ptr":
		return "must be an object"
	}
	return "must be a number"
}

// jsonKind names the kind of a JSON value as a message says it: "null",
// "a number", "a list".
func jsonKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "empty"
	}
	switch raw[0] {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '[':
		return "a list"
	case '{':
		return "an object"
	}
	return "a number"
}

// listOptions reads page, per_page (default 30, at most 100) and sort from
// the query string. The store checks the sort keys of each list.
func listOptions(r *http.Request) (store.ListOptions, error) {
	q := r.URL.Query()
	o := store.ListOptions{Page: 1, PerPage: 30, Sort: q.Get("sort")}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &o.Page}, {"per_page", &o.PerPage}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return o, &Error{Status: http.StatusBadRequest, Message: "Validation failed",
				Errors: map[string][]string{p.name: {fmt.Sprintf("%q is not a positive number", s)}}, Err: err}
		}
		*p.dst = n
	}
	o.PerPage = min(o.PerPage, 100)
	return o, nil
}

// timestamp is a time as DNSimple writes it: UTC, to the second,
// "2016-01-07T17:45:13Z".
type timestamp time.Time

func (t timestamp) MarshalJSON() ([]byte, error) {
	return t.appendJSON(nil), nil
}

func (t timestamp) appendJSON(b []byte) []byte {
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, time.RFC3339)
	return append(b, '"')
}

// appendJSONString appends s as encoding/json writes a string: the common
// case here, printable ASCII that needs no escape, directly; anything else
// through encoding/json itself, so that its escapes (HTML characters,
// U+2028, invalid UTF-8) stay exactly its own.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// optTime is a timestamp or null.
func optTime(t *time.Time) *timestamp {
	if t == nil || t.IsZero() {
		return nil
	}
	ts := timestamp(*t)
	return &ts
}
