package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"net/http"

	"github.com/pquerna/otp/totp"
)

// twoFactorPage is the data of the enrollment page.
type twoFactorPage struct {
	// Secret and QR (a data: URL of a PNG, which the CSP's img-src
	// allows; no script is involved) are shown once, on the page that
	// starts the enrollment.
	Secret  string
	QR      template.URL
	Next    string
	Message string
}

// twoFactorNew is GET /security/two-factor: a new secret, as text and as a
// QR code, and the form that confirms it with a code. 2FA is on only once
// a code is confirmed. Each visit starts over with a new secret, so that a
// secret is never shown twice.
func (wb *Web) twoFactorNew(w http.ResponseWriter, r *http.Request) error {
	u := visitOf(r).user
	if u.OTPSecret != "" {
		http.Redirect(w, r, "/security", http.StatusSeeOther)
		return nil
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Zonewarden", AccountName: u.Email})
	if err != nil {
		return fmt.Errorf("generate totp secret: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return fmt.Errorf("draw totp qr code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return fmt.Errorf("encode totp qr code: %w", err)
	}
	if err := wb.store.StartTwoFactor(r.Context(), u.ID, key.Secret()); err != nil {
		return err
	}
	v := wb.view(r, "Turn on two-factor authentication")
	v.Data = twoFactorPage{
		Secret: key.Secret(),
		QR:     template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes())),
		Next:   safeNext(r.URL.Query().Get("next")),
	}
	wb.render(w, r, http.StatusOK, "two_factor_new", v)
	return nil
}
