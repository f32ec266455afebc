package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// invitationPage is the data of the page an invitation link opens.
type invitationPage struct {
	Token      string
	Invitation store.Invitation
	Team       store.Account
	Invalid    bool // the link cannot be used (any reason)
	SignUp     bool // a visitor without a user may create one here
	Mismatch   bool // signed in as someone else than the invitee
	Errors     map[string]string
	Message    string
	SignInLink string
}

// invitationShow is GET /invitation?token=: what the invitation is for,
// and how to accept it: signed in as the invited address, a button; signed
// out, a sign-up form (unless sign-ups are closed) and a way to sign in.
func (wb *Web) invitationShow(w http.ResponseWriter, r *http.Request) error {
	p, status, err := wb.invitationPage(r, r.URL.Query().Get("token"))
	if err != nil {
		return err
	}
	v := wb.view(r, "Invitation")
	v.Data = p
	wb.render(w, r, status, "invitation", v)
	return nil
}

// invitationPage looks the token up: an unusable one is a 404 page that
// says so, without saying why.
func (wb *Web) invitationPage(r *http.Request, token string) (invitationPage, int, error) {
	p := invitationPage{Token: token, SignUp: wb.cfg.SignUp != SignUpClosed,
		SignInLink: "/sign-in?next=" + url.QueryEscape("/invitation?token="+token)}
	inv, team, err := wb.store.Invitation(r.Context(), token)
	if errors.Is(err, zone.ErrNotFound) {
		p.Invalid = true
		return p, http.StatusNotFound, nil
	}
	if err != nil {
		return p, 0, err
	}
	p.Invitation, p.Team = inv, team
	if u := visitOf(r).user; u != nil && u.Email != inv.Email {
		p.Mismatch = true
	}
	return p, http.StatusOK, nil
}
