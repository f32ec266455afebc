package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/zonewarden/zonewarden/internal/mail"
	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// forgotForm is the forgotten-password form.
type forgotForm struct {
	Email   string
	Sent    bool
	Message string
}

// passwordForgotPage is GET /password/forgot.
func (wb *Web) passwordForgotPage(w http.ResponseWriter, r *http.Request) error {
	v := wb.view(r, "Reset your password")
	v.Data = forgotForm{}
	wb.render(w, r, http.StatusOK, "password_forgot", v)
	return nil
}

// passwordForgot is POST /password/forgot: a reset link to the address, if
// it has a user. The answer is the same, and as fast, whether or not it
// has: the look-up and the mail happen after it, in the background. Asks
// are throttled per address asked for and per client address.
func (wb *Web) passwordForgot(w http.ResponseWriter, r *http.Request) error {
	f := forgotForm{Email: strings.TrimSpace(r.PostFormValue("email"))}
	v := wb.view(r, "Reset your password")
	if f.Email == "" || !strings.Contains(f.Email, "@") {
		f.Message = "Enter the email address you sign in with."
		v.Data = f
		wb.render(w, r, http.StatusUnprocessableEntity, "password_forgot", v)
		return nil
	}
	emailKey, addrKey := "mail:email:"+strings.ToLower(f.Email), "mail:addr:"+clientAddr(r)
	if d := max(wb.throttle.wait(r.Context(), emailKey, mailsPerUser), wb.throttle.wait(r.Context(), addrKey, mailsPerAddress)); d > 0 {
		f.Message = "Too many reset links were asked for. Wait " + minutes(d) + ", and check your spam folder for the ones sent."
		v.Data = f
		wb.render(w, r, http.StatusTooManyRequests, "password_forgot", v)
		return nil
	}
	wb.throttle.fail(r.Context(), emailKey)
	wb.throttle.fail(r.Context(), addrKey)
	base := wb.linkBase(r)
	go wb.mailReset(f.Email, base)
	f.Sent = true
	v.Data = f
	wb.render(w, r, http.StatusOK, "password_forgot", v)
	return nil
}

// mailReset mails a reset link to the user with that address, if any.
func (wb *Web) mailReset(email, base string) {
	ctx, cancel := context.WithTimeout(context.Background(), mailTimeout)
	defer cancel()
	u, err := wb.store.UserByEmail(ctx, email)
	if errors.Is(err, zone.ErrNotFound) {
		return
	}
	if err == nil {
		var token string
		if token, err = wb.store.CreateLink(ctx, u.ID, store.LinkReset, resetTTL); err == nil {
			err = wb.cfg.Mail.Send(ctx, mail.Message{
				To:      u.Email,
				Subject: "Reset your Zonewarden password",
				Body: fmt.Sprintf("Someone, probably you, asked to reset the password of your Zonewarden user.\n\nChoose a new password here:\n\n%s/password/reset?token=%s\n\nThe link works once, for one hour. If you did not ask, ignore this mail: your password stays as it is.\n",
					base, url.QueryEscape(token)),
			})
		}
	}
	if err != nil {
		wb.log.Error("mail password reset", "user", u.ID, "err", err)
	}
}
