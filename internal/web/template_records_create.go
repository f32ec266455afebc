package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// templateRecordsCreate is POST /a/{account}/templates/{template}/records.
func (wb *Web) templateRecordsCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Template")
	if err != nil {
		return err
	}
	p, err := wb.templatePage(r, v)
	if err != nil {
		return err
	}
	g := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := templateRecordForm{Name: g("name"), Type: strings.ToUpper(g("type")), Content: g("content"), TTL: g("ttl"), Priority: g("priority"), Errors: map[string]string{}}
	if !slices.Contains(recordTypes, f.Type) {
		f.Errors["type"] = "Choose one of the record types offered."
	}
	in := store.RecordInput{Name: f.Name, Type: f.Type, Content: f.Content}
	if f.TTL != "" {
		n, err := strconv.ParseUint(f.TTL, 10, 32)
		if err != nil {
			f.Errors["ttl"] = "Enter the TTL as a number of seconds, for example 3600 for an hour."
		}
		in.TTL = uint32(n)
	}
	if f.Priority != "" {
		n, err := strconv.ParseUint(f.Priority, 10, 16)
		if err != nil {
			f.Errors["priority"] = "Enter the priority as a number from 0 to 65535."
		}
		in.Priority = new(uint16(n))
	}
	if len(f.Errors) == 0 {
		_, err := wb.store.CreateTemplateRecord(r.Context(), actor(r), v.Account.ID, strconv.FormatInt(p.Template.ID, 10), in)
		if err == nil {
			wb.flash(w, r, fmt.Sprintf("The %s record %s is added to the template.", f.Type, recordName(f.Name)))
			http.Redirect(w, r, v.accountPath(fmt.Sprintf("/templates/%d", p.Template.ID)), http.StatusSeeOther)
			return nil
		}
		if err := recordRefusal(err, f.addError); err != nil {
			return err
		}
	}
	p.Record = f
	v.Data = p
	wb.render(w, r, http.StatusUnprocessableEntity, "template", v)
	return nil
}

func (f *templateRecordForm) addError(field, msg string) {
	switch field {
	case "name", "type", "content", "ttl", "priority":
	default:
		field = "content"
	}
	f.Errors[field] = strings.TrimSpace(f.Errors[field] + " " + plainFieldProblem(field, msg))
}
