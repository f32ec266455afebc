package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// Error is a failed request as the person sees it: a status and a sentence.
// Err is the cause, for the log.
type Error struct {
	Status  int
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %s", e.Status, e.Message, e.Err.Error())
	}
	return fmt.Sprintf("%d %s", e.Status, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// handler is a page or an action: it writes a response or returns an error,
// which the adapter renders.
type handler func(w http.ResponseWriter, r *http.Request) error

func (wb *Web) handle(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			wb.renderError(w, r, err)
		}
	})
}

// renderError maps err to a status and a message in one switch, logs the
// cause and renders the error page.
func (wb *Web) renderError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	switch {
	case errors.As(err, &e):
	case errors.Is(err, zone.ErrNotFound):
		e = &Error{Status: http.StatusNotFound, Message: "There is nothing here. It may have been deleted, or it belongs to an account you are not a member of.", Err: err}
	case errors.Is(err, zone.ErrForbidden):
		e = &Error{Status: http.StatusForbidden, Message: "You may not do this.", Err: err}
	case errors.Is(err, zone.ErrInvalid):
		e = &Error{Status: http.StatusBadRequest, Message: "This request is not valid.", Err: err}
	case errors.Is(err, zone.ErrConflict):
		e = &Error{Status: http.StatusConflict, Message: "This conflicts with something that exists already.", Err: err}
	default:
		e = &Error{Status: http.StatusInternalServerError, Message: "Something went wrong on our side. Try again in a moment; if it persists, tell your administrator.", Err: err}
	}
	level := slogLevel(e.Status)
	wb.log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "status", e.Status, "err", err)
	v := wb.view(r, "Error")
	v.Data = e
	wb.render(w, r, e.Status, "error", v)
}

func notFound(err error) error {
	return &Error{Status: http.StatusNotFound, Message: "There is nothing here. It may have been deleted, or it belongs to an account you are not a member of.", Err: err}
}

func forbidden(msg string) error {
	return &Error{Status: http.StatusForbidden, Message: msg}
}

// slogLevel is how loudly a failed request is logged: a 5xx is ours to fix,
// anything else is the visitor's.
func slogLevel(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}
