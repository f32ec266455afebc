package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// visit is what the session middleware knows of a request.
type visit struct {
	sessionID string // the cookie's value; empty when signed out
	session   store.Session
	user      *store.User // set when fully signed in
	pending   *store.User // set when the two-factor step is due
	csrf      string
}

type ctxKey struct{}

func visitOf(r *http.Request) *visit {
	v, _ := r.Context().Value(ctxKey{}).(*visit)
	if v == nil {
		return &visit{}
	}
	return v
}

const (
	sessionCookie = "zw_session"
	// preCookie holds the CSRF token of the forms shown before there is a
	// session (sign-in, sign-up): a double-submit token.
	preCookie   = "zw_pre"
	flashCookie = "zw_flash"
)

func (wb *Web) secure(r *http.Request) bool { return r.TLS != nil || wb.cfg.SecureCookies }

// cookieName adds the __Host- prefix when cookies are Secure: the browser
// then refuses the cookie from a sibling subdomain or plain HTTP.
func (wb *Web) cookieName(r *http.Request, name string) string {
	if wb.secure(r) {
		return "__Host-" + name
	}
	return name
}

func (wb *Web) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: wb.cookieName(r, name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: wb.secure(r), SameSite: http.SameSiteLaxMode,
	})
}

func (wb *Web) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(wb.cookieName(r, name))
	if err != nil {
		return ""
	}
	return c.Value
}

// csrfFor derives a session's CSRF token from its id: forms carry it, and
// it cannot be turned back into the id.
func csrfFor(sessionID string) string {
	h := sha256.Sum256([]byte("zonewarden csrf\x00" + sessionID))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// session loads the visitor's session, and refuses a POST whose CSRF token
// is not the session's (or, signed out, the pre-session cookie's).
func (wb *Web) session(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &visit{}
		if id := wb.cookie(r, sessionCookie); id != "" {
			ss, u, err := wb.store.SessionUser(r.Context(), id, wb.now().Add(-wb.cfg.SessionIdle))
			switch {
			case err == nil:
				v.sessionID, v.session = id, ss
				if ss.SecondFactor || u.OTPSecret == "" {
					v.user = &u
				} else {
					v.pending = &u
				}
				v.csrf = csrfFor(id)
			case errors.Is(err, zone.ErrForbidden):
				wb.setCookie(w, r, sessionCookie, "", -1)
			default:
				wb.renderError(w, r, err)
				return
			}
		}
		if v.sessionID == "" {
			v.csrf = wb.cookie(r, preCookie)
			if v.csrf == "" && r.Method == http.MethodGet {
				v.csrf = randomToken()
				wb.setCookie(w, r, preCookie, v.csrf, 0)
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, v))
		if r.Method == http.MethodPost {
			got := r.PostFormValue("csrf")
			if v.csrf == "" || subtle.ConstantTimeCompare([]byte(got), []byte(v.csrf)) != 1 {
				wb.renderError(w, r, &Error{Status: http.StatusForbidden,
					Message: "This form has expired or was not sent from this site. Go back, reload the page and try again."})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// signedIn wraps the pages of signed-in users: others are sent to sign in,
// and come back afterwards. Members without 2FA of an account that
// requires it are sent to turn it on (twoFactorGate).
func (wb *Web) signedIn(h handler) http.Handler {
	return wb.handle(func(w http.ResponseWriter, r *http.Request) error {
		v := visitOf(r)
		if v.user == nil {
			if v.pending != nil {
				http.Redirect(w, r, "/sign-in/code", http.StatusSeeOther)
				return nil
			}
			target := "/sign-in"
			if r.Method == http.MethodGet && r.URL.Path != "/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return nil
		}
		if gated, err := wb.twoFactorGate(w, r); gated || err != nil {
			return err
		}
		return h(w, r)
	})
}

// startSession signs a user in: a new session with a new id (whatever
// session the browser had is ended), and its cookie.
func (wb *Web) startSession(w http.ResponseWriter, r *http.Request, u store.User) error {
	if v := visitOf(r); v.sessionID != "" {
		wb.store.RevokeSession(r.Context(), v.session.UserID, v.session.ID) //nolint:errcheck // best effort: it is replaced
	}
	id, _, err := wb.store.CreateSession(r.Context(), store.NewSession{
		UserID: u.ID, SecondFactor: u.OTPSecret == "", UserAgent: r.UserAgent(), RemoteAddr: clientAddr(r),
	})
	if err != nil {
		return err
	}
	wb.setCookie(w, r, sessionCookie, id, 0)
	wb.setCookie(w, r, preCookie, "", -1)
	return nil
}

// clientAddr is the address a request came from, without its port.
func clientAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// actor is who the store records as making a write.
func actor(r *http.Request) store.Actor {
	v := visitOf(r)
	a := store.Actor{RemoteAddr: clientAddr(r)}
	if v.user != nil {
		a.UserID, a.Label = &v.user.ID, v.user.Email
	}
	return a
}

// flash leaves a message for the next page the visitor sees.
func (wb *Web) flash(w http.ResponseWriter, r *http.Request, msg string) {
	wb.setCookie(w, r, flashCookie, url.QueryEscape(msg), 60)
}
