package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// signInPage is GET /sign-in.
func (wb *Web) signInPage(w http.ResponseWriter, r *http.Request) error {
	if visitOf(r).user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	v := wb.view(r, "Sign in")
	v.Data = credentialsForm{Next: safeNext(r.URL.Query().Get("next"))}
	wb.render(w, r, http.StatusOK, "sign_in", v)
	return nil
}

// signIn is POST /sign-in. Failures are counted per email and per address;
// past the limits, sign-ins are refused for a while, and the page says for
// how long.
func (wb *Web) signIn(w http.ResponseWriter, r *http.Request) error {
	f := credentialsForm{Email: strings.TrimSpace(r.PostFormValue("email")), Next: safeNext(r.PostFormValue("next"))}
	v := wb.view(r, "Sign in")
	attempt := wb.proof(r, f.Email)
	if d := attempt.wait(); d > 0 {
		f.Message = fmt.Sprintf("Too many failed sign-ins. For your safety, signing in is paused for %s; try again then, or reset your password.", minutes(d))
		v.Data = f
		wb.render(w, r, http.StatusTooManyRequests, "sign_in", v)
		return nil
	}
	u, err := wb.store.UserByPassword(r.Context(), f.Email, r.PostFormValue("password"))
	if errors.Is(err, zone.ErrForbidden) {
		attempt.failed()
		f.Message = "The email address or the password is wrong."
		v.Data = f
		wb.render(w, r, http.StatusUnauthorized, "sign_in", v)
		return nil
	}
	if err != nil {
		return err
	}
	if err := wb.startSession(w, r, u); err != nil {
		return err
	}
	if u.OTPSecret != "" {
		// The throttle is cleared after the code, not before.
		target := "/sign-in/code"
		if f.Next != "" {
			target += "?next=" + url.QueryEscape(f.Next)
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return nil
	}
	attempt.succeeded()
	http.Redirect(w, r, nextOr(f.Next), http.StatusSeeOther)
	return nil
}

// proof is one attempt to prove who one is (a password or a code), as the
// store counts them (store.SignInWait): against the user's email and
// against the client's address, shared with the API's HTTP Basic and every
// process. A count that cannot be read or written is logged and lets the
// attempt go on: what it attempts is checked against the same database
// next, and fails with it.
type proof struct {
	r     *http.Request
	wb    *Web
	email string
}

func (wb *Web) proof(r *http.Request, email string) proof { return proof{r, wb, email} }

// wait is how long the attempt must wait; 0 lets it go on.
func (p proof) wait() time.Duration {
	d, err := p.wb.store.SignInWait(p.r.Context(), p.email, clientAddr(p.r), p.wb.now())
	if err != nil {
		p.wb.log.Error("read the sign-in throttle", "err", err)
	}
	return d
}

// failed counts a wrong password or code.
func (p proof) failed() {
	if err := p.wb.store.SignInFailed(p.r.Context(), p.email, clientAddr(p.r), p.wb.now()); err != nil {
		p.wb.log.Error("count a failed sign-in", "err", err)
	}
}

// succeeded clears the user's count; the address's stays.
func (p proof) succeeded() {
	if err := p.wb.store.SignInSucceeded(p.r.Context(), p.email); err != nil {
		p.wb.log.Error("clear the sign-in throttle", "err", err)
	}
}

// confirmPassword checks the password a signed-in user typed to confirm a
// change that needs it, throttled as sign-ins are: a wrong one counts as a
// failed sign-in. It returns status 0 when the password is theirs, else
// the status and what to say beside the field (wrong, when it is wrong).
func (wb *Web) confirmPassword(r *http.Request, email, password, wrong string) (status int, msg string, err error) {
	attempt := wb.proof(r, email)
	if d := attempt.wait(); d > 0 {
		return http.StatusTooManyRequests, "Too many wrong passwords. For your safety, this is paused for " + minutes(d) + ".", nil
	}
	_, err = wb.store.UserByPassword(r.Context(), email, password)
	switch {
	case errors.Is(err, zone.ErrForbidden):
		attempt.failed()
		return http.StatusUnauthorized, wrong, nil
	case err != nil:
		return 0, "", err
	}
	return 0, "", nil
}

// safeNext keeps a "next" path only if it is one of ours: a path, not
// another site ("//evil.example" or "https://..."). Control characters and
// backslashes are refused anywhere: browsers drop tabs and newlines from a
// Location and read \ as /, so "/\t/evil.example" would be "//evil.example".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return ""
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}

func nextOr(next string) string {
	if next == "" {
		return "/"
	}
	return next
}

func minutes(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}
