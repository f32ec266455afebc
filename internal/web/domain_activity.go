package web

import "net/http"

// domainActivity is GET /a/{account}/domains/{domain}/activity: the
// history of one domain and its records, for every member of the account,
// who all see its records.
func (wb *Web) domainActivity(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Activity")
	if err != nil {
		return err
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	v.Title = "Activity of " + d.UnicodeName
	p, err := wb.activity(r, v, d.Name)
	if err != nil {
		return err
	}
	v.Data = p
	status := http.StatusOK
	if p.Error != "" {
		status = http.StatusBadRequest
	}
	wb.render(w, r, status, "activity", v)
	return nil
}
