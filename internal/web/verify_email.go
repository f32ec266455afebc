package web

import (
	"errors"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// linkPage is the data of the pages mailed links open.
type linkPage struct {
	Token   string
	Email   string
	Invalid bool
	Errors  map[string]string
}

// verifyEmailPage is GET /verify-email?token=…: the link of a verification
// mail, with a button that verifies. A GET changes nothing, so that a mail
// scanner that opens links does not use it up.
func (wb *Web) verifyEmailPage(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	p := linkPage{Token: token}
	status := http.StatusOK
	u, err := wb.store.LinkUser(r.Context(), token, store.LinkVerify)
	switch {
	case errors.Is(err, zone.ErrNotFound):
		p.Invalid, p.Token, status = true, "", http.StatusNotFound
	case err != nil:
		return err
	default:
		p.Email = u.Email
	}
	v := wb.view(r, "Verify your email address")
	v.Data = p
	wb.render(w, r, status, "verify_email", v)
	return nil
}

// verifyEmail is POST /verify-email: the link's address is verified.
func (wb *Web) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	_, err := wb.store.VerifyEmail(r.Context(), r.PostFormValue("token"))
	if errors.Is(err, zone.ErrNotFound) {
		v := wb.view(r, "Verify your email address")
		v.Data = linkPage{Invalid: true}
		wb.render(w, r, http.StatusNotFound, "verify_email", v)
		return nil
	}
	if err != nil {
		return err
	}
	wb.flash(w, r, "Your email address is verified. Thank you.")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
