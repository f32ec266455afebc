package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/zone"
)

// domainsCreate is POST /a/{account}/domains: add a domain with its zone.
func (wb *Web) domainsCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Add a domain")
	if err != nil {
		return err
	}
	f := domainForm{Name: strings.TrimSpace(r.PostFormValue("name"))}
	d, err := wb.store.CreateDomain(r.Context(), actor(r), v.Account.ID, f.Name)
	if err == nil {
		wb.changed(d.Name)
		wb.flash(w, r, fmt.Sprintf("%s is added. Point its NS records at the name servers below, then add its records.", d.UnicodeName))
		http.Redirect(w, r, v.accountPath("/domains/"+url.PathEscape(d.Name)), http.StatusSeeOther)
		return nil
	}
	if f.Error, err = domainRefused(err); err != nil {
		return err
	}
	v.Data = f
	wb.render(w, r, http.StatusUnprocessableEntity, "domain_new", v)
	return nil
}

// domainRefused says in words why the store refused a domain's name, or
// returns err when it is not a refusal.
func domainRefused(err error) (string, error) {
	var ve *store.ValidationError
	switch {
	case errors.As(err, &ve):
		var msgs []string
		for _, fe := range ve.Fields {
			msgs = append(msgs, fe.Msg)
		}
		return capitalize(strings.Join(msgs, "; ")) + ".", nil
	case errors.Is(err, zone.ErrConflict):
		// The store's conflict reads "name: <why>".
		_, why, _ := strings.Cut(err.Error(), "name: ")
		return capitalize(why) + ".", nil
	}
	return "", err
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
