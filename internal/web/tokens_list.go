package web

import (
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// tokensPage is the data of the tokens page. Created is the plaintext of a
// token just created, shown this once.
type tokensPage struct {
	Tokens      []store.Token
	Created     string
	CreatedName string
	Error       string
	Name        string
	CanAccount  bool // may create account tokens (owners and admins)
	CurrentUser int64
}

// CanRevoke is whether the visitor may revoke t: owners and admins any
// token, members their own user tokens.
func (p tokensPage) CanRevoke(t store.Token) bool {
	return t.RevokedAt == nil && (p.CanAccount || (t.UserID != nil && *t.UserID == p.CurrentUser))
}

// tokensList is GET /a/{account}/tokens.
func (wb *Web) tokensList(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "API tokens")
	if err != nil {
		return err
	}
	p, err := wb.tokensPage(r, v)
	if err != nil {
		return err
	}
	v.Data = p
	wb.render(w, r, http.StatusOK, "tokens", v)
	return nil
}

func (wb *Web) tokensPage(r *http.Request, v view) (tokensPage, error) {
	list, err := wb.store.Tokens(r.Context(), v.Account.ID)
	if err != nil {
		return tokensPage{}, err
	}
	return tokensPage{Tokens: list, CanAccount: canManage(v.Role), CurrentUser: visitOf(r).user.ID}, nil
}

func canManage(r store.Role) bool { return r == store.RoleOwner || r == store.RoleAdmin }
