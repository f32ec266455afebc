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
	ctx := r.Context()
	d, err := wb.store.Domain(ctx, v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	// The one template asked for, whichever page of the list it is on.
	t, err := wb.store.Template(ctx, v.Account.ID, r.PathValue("template"))
	if err != nil {
		return err
	}
	res, err := wb.store.ApplyTemplate(ctx, actor(r), v.Account.ID, d.Name, t.SID)
	var ve *store.ValidationError
	if err == nil {
		wb.changed(d.Name)
		wb.flash(w, r, fmt.Sprintf("The template %s is applied: %s added and served.", t.Name, count(len(res.Created), "record")))
		http.Redirect(w, r, v.accountPath("/domains/"+url.PathEscape(d.Name)), http.StatusSeeOther)
		return nil
	}
	if !errors.As(err, &ve) {
		return err
	}
	// Refused: the template page again, with the reason.
	recs, _, err := wb.store.TemplateRecords(ctx, v.Account.ID, t.SID, store.ListOptions{PerPage: 100})
	if err != nil {
		return err
	}
	choice := templateChoice{Template: t, Records: recs}
	var msgs []string
	for _, f := range ve.Fields {
		msgs = append(msgs, choice.recordOf(f.Field)+f.Msg)
	}
	p, err := wb.domainTemplates(r, v)
	if err != nil {
		return err
	}
	p.Problem = fmt.Sprintf("The template %s was not applied, and nothing was added: %s", t.Name, sentence(strings.Join(msgs, "; ")))
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
