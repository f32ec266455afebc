package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// domainsNameServersUpdate is POST
// /a/{account}/domains/{domain}/name-servers: replace the zone's name
// servers with the names of the form, one a line, or with the
// installation's defaults when the form asks for them. A refusal shows the
// form again with the text as entered and the reason beside it.
func (wb *Web) domainsNameServersUpdate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Name servers")
	if err != nil {
		return err
	}
	ctx := r.Context()
	d, err := wb.store.Domain(ctx, v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	p, err := wb.nameServersPage(ctx, v.Account.ID, d)
	if err != nil {
		return err
	}
	var names []string
	if r.PostFormValue("defaults") != "" {
		names = p.Defaults
		p.Text = strings.Join(names, "\n")
	} else {
		p.Text = r.PostFormValue("ns_names")
		// Commas and spaces separate names too: a list pasted from a
		// registrar's page or a mail is read as meant.
		names = strings.FieldsFunc(p.Text, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n' })
	}
	got, err := wb.store.SetZoneNameServers(ctx, actor(r), v.Account.ID, d.Name, names)
	var ve *store.ValidationError
	switch {
	case err == nil:
	case errors.As(err, &ve):
		var msgs []string
		for _, fe := range ve.Fields {
			msgs = append(msgs, nameServerSentence(fe.Msg))
		}
		p.Error = strings.Join(msgs, " ")
		v.Title = fmt.Sprintf("Name servers of %s", d.UnicodeName)
		v.Data = p
		wb.render(w, r, http.StatusUnprocessableEntity, "domain_name_servers", v)
		return nil
	default:
		return err
	}
	var now []string
	for _, rec := range got {
		now = append(now, strings.TrimSuffix(rec.Content, "."))
	}
	if sameNames(now, p.Current) {
		wb.flash(w, r, fmt.Sprintf("The name servers of %s are unchanged: %s.", d.UnicodeName, strings.Join(now, ", ")))
	} else {
		wb.changed(d.Name)
		wb.flash(w, r, fmt.Sprintf("The name servers of %s are now %s. Give the domain's registrar the same ones.", d.UnicodeName, strings.Join(now, ", ")))
	}
	http.Redirect(w, r, v.accountPath("/domains/"+url.PathEscape(d.Name)), http.StatusSeeOther)
	return nil
}

// nameServerSentence makes a sentence of the store's refusal, leaving a
// message that starts with a host name ("ns1.example.net is given
// twice") lower-case, as names are.
func nameServerSentence(msg string) string {
	if first, _, _ := strings.Cut(msg, " "); strings.Contains(first, ".") && !strings.HasPrefix(first, `"`) {
		return strings.TrimSuffix(msg, ".") + "."
	}
	return sentence(msg)
}
