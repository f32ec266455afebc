package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// templatesApply is POST /v2/{account}/domains/{domain}/templates/{template}:
// the template's records are added to the domain's zone, {{domain}} in
// their content replaced by the domain's name, in one write: all of them or,
// if one is refused (a CNAME beside another record, a duplicate), none,
// with a 400 naming the template's record ("records[1].name").
func (a *API) templatesApply(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	dom, tmpl := r.PathValue("domain"), r.PathValue("template")
	d, err := a.store.Domain(r.Context(), acc, dom)
	if err != nil {
		return notFound(fmt.Errorf("get domain %q of account %d: %w", dom, acc, err), "Domain", dom)
	}
	if _, err := a.store.ApplyTemplate(r.Context(), actor(r), acc, dom, tmpl); err != nil {
		err = fmt.Errorf("apply template %q to domain %q of account %d: %w", tmpl, dom, acc, err)
		if errors.Is(err, zone.ErrNotFound) {
			// The domain was there a moment ago; what is missing is most
			// likely the template.
			if _, terr := a.store.Template(r.Context(), acc, tmpl); terr != nil {
				return notFound(err, "Template", tmpl)
			}
			return notFound(err, "Domain", dom)
		}
		return err
	}
	a.changed(d.Name)
	return noContent(w)
}
