package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// domainsTemplatesApply is POST
// /a/{account}/domains/{domain}/templates/{template}/apply: add the
// template's records to the zone, all or none. A refusal shows the template
// page again with the reason.
func (wb *Web) domainsTemplatesApply(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Apply a template")
	if err != nil {
		return err
	}
	p, err := wb.domainTemplates(r, v)
	if err != nil {
		return err
	}
	var choice *templateChoice
	for i := range p.Templates {
		if fmt.Sprint(p.Templates[i].Template.ID) == r.PathValue("template") {
			choice = &p.Templates[i]
		}
	}
	if choice == nil {
		return notFound(fmt.Errorf("template %q of account %d", r.PathValue("template"), v.Account.ID))
	}
	t := choice.Template
	res, err := wb.store.ApplyTemplate(r.Context(), actor(r), v.Account.ID, p.Domain.Name, t.SID)
	var ve *store.ValidationError
	switch {
	case err == nil:
		wb.changed(p.Domain.Name)
		wb.flash(w, r, fmt.Sprintf("The template %s is applied: %s added and served.", t.Name, count(len(res.Created), "record")))
		http.Redirect(w, r, v.accountPath("/domains/"+url.PathEscape(p.Domain.Name)), http.StatusSeeOther)
		return nil
	case errors.As(err, &ve):
		var msgs []string
		for _, f := range ve.Fields {
			msgs = append(msgs, choice.recordOf(f.Field)+f.Msg)
		}
		p.Problem = fmt.Sprintf("The template %s was not applied, and nothing was added: %s", t.Name, sentence(strings.Join(msgs, "; ")))
	default:
		return err
	}
	v.Data = p
	wb.render(w, r, http.StatusUnprocessableEntity, "domain_templates", v)
	return nil
}

// recordOf names the template record a field error of ApplyTemplate
// ("records[2].content") is about: "its CNAME record www: ".
func (c templateChoice) recordOf(field string) string {
	var i int
	if _, err := fmt.Sscanf(field, "records[%d]", &i); err == nil && i < len(c.Records) {
		return fmt.Sprintf("its %s record %s: ", c.Records[i].Type, recordName(c.Records[i].Name))
	}
	return ""
}
