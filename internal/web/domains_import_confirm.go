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

// domainsImportConfirm is POST /a/{account}/domains/{domain}/import/confirm:
// apply the import the person previewed, in one write. The form carries the
// zone file, not the plan: the plan is made again here, from the file and
// the zone as they are now, and applied only when it is the one previewed
// (its digest); otherwise the new preview is shown.
func (wb *Web) domainsImportConfirm(w http.ResponseWriter, r *http.Request) error {
	v, p, done, err := wb.importFromForm(w, r)
	if done || err != nil {
		return err
	}
	d := p.Domain
	switch {
	case p.Digest != r.PostFormValue("digest"):
		p.Problem = "The zone changed since this preview was made, so nothing was imported. Here is what the import would do now; confirm again if it is right."
	case p.Plan.Empty():
		p.Problem = "There is nothing to import: every record of the file is skipped."
	default:
		res, err := wb.store.BatchChange(r.Context(), actor(r), v.Account.ID, d.Name, p.Plan.batch())
		var ve *store.ValidationError
		switch {
		case err == nil:
			wb.changed(d.Name)
			wb.flash(w, r, fmt.Sprintf("The zone file is imported: %s added, %s changed, %s skipped. They are served now.",
				count(len(res.Created), "record"), count(len(res.Updated), "record"), count(len(p.Plan.Skip), "record")))
			http.Redirect(w, r, v.accountPath("/domains/"+url.PathEscape(d.Name)), http.StatusSeeOther)
			return nil
		case errors.As(err, &ve):
			var msgs []string
			for _, f := range ve.Fields {
				msgs = append(msgs, p.Plan.lineOf(f.Field)+f.Msg)
			}
			p.Problem = "Nothing was imported: the zone refused the import as a whole. " + sentence(strings.Join(msgs, "; "))
		case errors.Is(err, zone.ErrNotFound):
			// A record the plan changes went while it was applied.
			wb.log.Info("import raced another write", "zone", d.Name, "err", err)
			p.Problem = "The zone changed while the import was applied, so nothing was imported. Preview it again."
		default:
			return err
		}
	}
	v.Data = p
	wb.render(w, r, http.StatusConflict, "domain_import_preview", v)
	return nil
}

// count is "1 record", "3 records".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// lineOf is "Line 12: " for the field of a batch change's error
// ("creates[3].content"), the line of the record it is about.
func (p importPlan) lineOf(field string) string {
	var i int
	if _, err := fmt.Sscanf(field, "creates[%d]", &i); err == nil && i < len(p.Add) {
		return fmt.Sprintf("Line %d: ", p.Add[i].Line)
	}
	if _, err := fmt.Sscanf(field, "updates[%d]", &i); err == nil && i < len(p.Change) {
		return fmt.Sprintf("Line %d: ", p.Change[i].Line)
	}
	return ""
}
