package web

import (
	"net/http"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// tokensCreate is POST /a/{account}/tokens: an account token (owners and
// admins; it acts with the owner's rights) or a user token (acts as the
// visitor). The plaintext is on this response only: the store keeps a hash.
func (wb *Web) tokensCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "API tokens")
	if err != nil {
		return err
	}
	p, err := wb.tokensPage(r, v)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	nt := store.NewToken{AccountID: v.Account.ID, Name: name}
	switch r.PostFormValue("kind") {
	case "account":
		if !p.CanAccount {
			return forbidden("Only the account's owners and admins may create account tokens. Create a user token instead.")
		}
	case "user":
		nt.UserID = &visitOf(r).user.ID
	default:
		return &Error{Status: http.StatusBadRequest, Message: "Choose an account token or a user token."}
	}
	if name == "" || len(name) > 100 {
		p.Error, p.Name = "Name the token after what will use it, in at most 100 characters: \"certbot on web-1\".", name
		v.Data = p
		wb.render(w, r, http.StatusUnprocessableEntity, "tokens", v)
		return nil
	}
	plaintext, _, err := wb.store.CreateToken(r.Context(), nt)
	if err != nil {
		return err
	}
	if p, err = wb.tokensPage(r, v); err != nil {
		return err
	}
	p.Created, p.CreatedName = plaintext, name
	v.Data = p
	wb.render(w, r, http.StatusCreated, "tokens", v)
	return nil
}
