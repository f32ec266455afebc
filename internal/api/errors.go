package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// Error is an answer for the user: an HTTP status, the message DNSimple's
// clients show, per-field errors, and the cause, which only the log sees.
type Error struct {
	Status  int
	Message string
	// Errors is the "errors" member: map[string][]string for validation
	// errors, the batch endpoint's lists for its own. Nil omits it.
	Errors any
	// RetryAfter, when set, is sent as Retry-After (whole seconds, at
	// least 1): when a refused caller may try again.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %s", e.Status, e.Message, e.Err.Error())
	}
	return fmt.Sprintf("%d %s", e.Status, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// errorBody is DNSimple's error shape.
type errorBody struct {
	Message string `json:"message"`
	Errors  any    `json:"errors,omitempty"`
}

// handlerFunc is an API handler: it writes a response and returns nil, or
// returns an error and writes nothing.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc to net/http: its error goes to fail.
func (a *API) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	})
}

// fail renders err in DNSimple's shape and logs its cause: server errors at
// error level, the caller's mistakes at debug.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := public(err)
	level := slog.LevelDebug
	if e.Status >= 500 {
		level = slog.LevelError
	}
	a.log.Log(r.Context(), level, "api request failed", "method", r.Method, "path", r.URL.Path,
		"status", e.Status, "request_id", w.Header().Get("X-Request-Id"), "err", err)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int((e.RetryAfter+time.Second-1)/time.Second))))
	}
	writeJSON(w, e.Status, errorBody{Message: e.Message, Errors: e.Errors})
}

// public is what the user reads of err. It is the one place that maps the
// error kinds of the store and the zone model to HTTP statuses. Conflicts are
// 400s, as at DNSimple ("The domain … is already in DNSimple and cannot be
// added").
func public(err error) *Error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	switch {
	case errors.Is(err, zone.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Message: "Not found", Err: err}
	case errors.Is(err, zone.ErrForbidden):
		return &Error{Status: http.StatusForbidden, Message: "Permission Denied", Err: err}
	case errors.Is(err, zone.ErrInvalid):
		if fields := fieldErrors(err); len(fields) > 0 {
			return &Error{Status: http.StatusBadRequest, Message: "Validation failed", Errors: fields, Err: err}
		}
		return &Error{Status: http.StatusBadRequest, Message: userMessage(err), Err: err}
	case errors.Is(err, zone.ErrConflict):
		msg, fields := conflict(err)
		return &Error{Status: http.StatusBadRequest, Message: msg, Errors: fields, Err: err}
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads this.
		return &Error{Status: 499, Message: "Client closed request", Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Message: "Internal server error", Err: err}
}

// notFound gives an ErrNotFound from the store DNSimple's message,
// "Domain `example.com` not found"; other errors pass unchanged.
func notFound(err error, what, id string) error {
	if errors.Is(err, zone.ErrNotFound) {
		return &Error{Status: http.StatusNotFound, Message: fmt.Sprintf("%s `%s` not found", what, id), Err: err}
	}
	return err
}

var errUnauthorized = &Error{Status: http.StatusUnauthorized, Message: "Authentication failed"}

// badRequest is a 400 whose message is msg.
func badRequest(msg string, cause error) error {
	return &Error{Status: http.StatusBadRequest, Message: msg, Err: cause}
}
