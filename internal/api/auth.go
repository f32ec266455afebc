package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

type ctxKey int

const (
	principalKey ctxKey = iota
	authErrKey
)

// caller is the authenticated principal of r; requireAuth guarantees one
// behind it.
func caller(r *http.Request) store.Principal {
	p, _ := r.Context().Value(principalKey).(store.Principal)
	return p
}

// authenticate identifies the caller from the Authorization header, as
// DNSimple does: "Bearer <token>" (account or user token) or HTTP Basic with
// the user's email and password, plus X-Dnsimple-OTP for users with
// two-factor authentication. It refuses nothing itself, so that the rate
// limit counts anonymous requests too; requireAuth does.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.identify(r)
		switch {
		case err == nil:
			r = r.WithContext(context.WithValue(r.Context(), principalKey, p))
		case errors.Is(err, zone.ErrForbidden) || errors.Is(err, zone.ErrNotFound) || errors.Is(err, errNoCredentials):
			r = r.WithContext(context.WithValue(r.Context(), authErrKey, err))
		default:
			a.fail(w, r, fmt.Errorf("authenticate: %w", err))
			return
		}
		next.ServeHTTP(w, r)
	})
}

var errNoCredentials = errors.New("no credentials")

// errOTPRequired is a right password of a user with 2FA and no or a wrong
// one-time password.
var errOTPRequired = fmt.Errorf("one-time password required: %w", zone.ErrForbidden)

func (a *API) identify(r *http.Request) (store.Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case h == "":
		return store.Principal{}, errNoCredentials
	case strings.EqualFold(scheme, "Bearer") && cred != "":
		return a.store.Authenticate(r.Context(), cred)
	case strings.EqualFold(scheme, "Basic"):
		email, password, ok := r.BasicAuth()
		if !ok {
			return store.Principal{}, fmt.Errorf("malformed basic credentials: %w", zone.ErrForbidden)
		}
		return a.basic(r, email, password)
	}
	// Not the scheme itself: a token sent without "Bearer " would be it,
	// and the error is logged.
	return store.Principal{}, fmt.Errorf("authorization scheme neither Bearer nor Basic: %w", zone.ErrForbidden)
}

// basic identifies a user by email and password, and one-time code when
// they have two-factor authentication on. Wrong passwords and codes are
// throttled with the dashboard's sign-ins, by the store (SignInWait): the
// API is no side door for guessing.
func (a *API) basic(r *http.Request, email, password string) (store.Principal, error) {
	ctx, addr := r.Context(), clientHost(r)
	wait, err := a.store.SignInWait(ctx, email, addr, a.now())
	if err != nil {
		return store.Principal{}, fmt.Errorf("sign-in throttle: %w", err)
	}
	if wait > 0 {
		return store.Principal{}, &Error{Status: http.StatusTooManyRequests, RetryAfter: wait,
			Message: fmt.Sprintf("Too many failed sign-ins for this user or from this address. Try again in %d minutes, or use an API token", int((wait+time.Minute-1)/time.Minute))}
	}
	failed := func(err error) (store.Principal, error) {
		if ferr := a.store.SignInFailed(ctx, email, addr, a.now()); ferr != nil {
			return store.Principal{}, fmt.Errorf("count a failed sign-in: %w", ferr)
		}
		return store.Principal{}, err
	}
	u, err := a.store.UserByPassword(ctx, email, password)
	if errors.Is(err, zone.ErrForbidden) {
		return failed(err)
	}
	if err != nil {
		return store.Principal{}, err
	}
	if u.OTPSecret != "" {
		code := r.Header.Get("X-Dnsimple-OTP")
		step, ok := store.TOTPStep(u.OTPSecret, code, a.now())
		if !ok && code == "" {
			// The right password, asking for the code: not a guess.
			return store.Principal{}, errOTPRequired
		}
		if !ok {
			return failed(errOTPRequired)
		}
		// A code works once, as in the dashboard (RFC 6238, 5.2): one
		// seen on the wire cannot be replayed within its minute.
		if err := a.store.UseTOTPStep(ctx, u.ID, step); errors.Is(err, zone.ErrForbidden) {
			return failed(fmt.Errorf("%w: %w", errOTPRequired, err))
		} else if err != nil {
			return store.Principal{}, err
		}
	}
	if err := a.store.SignInSucceeded(ctx, u.Email); err != nil {
		return store.Principal{}, fmt.Errorf("clear the sign-in throttle: %w", err)
	}
	return store.Principal{User: &u}, nil
}

// clientHost is the client's address without its port.
func clientHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// requireAuth answers 401 to requests authenticate could not identify.
func (a *API) requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Value(principalKey).(store.Principal); ok {
			next.ServeHTTP(w, r)
			return
		}
		err, _ := r.Context().Value(authErrKey).(error)
		if errors.Is(err, errOTPRequired) {
			w.Header().Set("X-Dnsimple-OTP", "required")
		}
		a.fail(w, r, &Error{Status: http.StatusUnauthorized, Message: errUnauthorized.Message, Err: err})
	})
}

// account returns the account named by the {account} path segment, after
// checking that the caller may use it: an account token of that account, or
// a user who is a member of it. Anything else is a 404, as if the account
// did not exist. Writes (any method but GET and HEAD) are refused to
// read-only members with a 403.
func (a *API) account(r *http.Request) (int64, error) {
	s := r.PathValue("account")
	nf := &Error{Status: http.StatusNotFound, Message: fmt.Sprintf("Account `%s` not found", s)}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, nf
	}
	p := caller(r)
	switch {
	case p.Account != nil:
		if p.Account.ID != id {
			return 0, nf
		}
		return id, nil
	case p.User != nil:
		role, err := a.store.Role(r.Context(), id, p.User.ID)
		if errors.Is(err, zone.ErrNotFound) || errors.Is(err, zone.ErrForbidden) {
			nf.Err = err
			return 0, nf
		}
		if err != nil {
			return 0, fmt.Errorf("role of user %d in account %d: %w", p.User.ID, id, err)
		}
		if role == store.RoleReadOnly && r.Method != http.MethodGet && r.Method != http.MethodHead {
			return 0, &Error{Status: http.StatusForbidden, Message: "Permission Denied. Required role: member or above; you are read-only in this account"}
		}
		return id, nil
	}
	return 0, nf
}

// actor is who the store records as doing a write.
func actor(r *http.Request) store.Actor {
	p := caller(r)
	var a store.Actor
	if p.User != nil {
		a.UserID = &p.User.ID
		a.Label = p.User.Email
	}
	if p.TokenID != 0 {
		a.TokenID = &p.TokenID
		if a.Label == "" {
			a.Label = fmt.Sprintf("token %d", p.TokenID)
		}
	}
	a.RemoteAddr = clientHost(r)
	return a
}
