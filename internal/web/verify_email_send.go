package web

import (
	"net/http"
	"strconv"
)

// verifyEmailSend is POST /security/verify-email: a new verification link
// to the user's address (the earlier one stops working).
func (wb *Web) verifyEmailSend(w http.ResponseWriter, r *http.Request) error {
	u := visitOf(r).user
	if u.EmailVerifiedAt != nil {
		http.Redirect(w, r, "/security", http.StatusSeeOther)
		return nil
	}
	key := "mail:user:" + strconv.FormatInt(u.ID, 10)
	if d := wb.throttle.wait(r.Context(), key, mailsPerUser); d > 0 {
		wb.flash(w, r, "We sent you several links already. Wait "+minutes(d)+" before asking for another, and check your spam folder.")
		http.Redirect(w, r, "/security", http.StatusSeeOther)
		return nil
	}
	wb.throttle.fail(r.Context(), key)
	if err := wb.sendVerification(r, *u); err != nil {
		return err
	}
	wb.flash(w, r, "We sent a new link to "+u.Email+". Follow it to verify your address.")
	http.Redirect(w, r, "/security", http.StatusSeeOther)
	return nil
}
