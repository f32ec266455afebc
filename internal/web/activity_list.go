package web

import "net/http"

// activityList is GET /a/{account}/activity: the account's audit log,
// newest first, for its owners and admins (as the API's audit_log).
func (wb *Web) activityList(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.managerView(r, "Activity")
	if err != nil {
		return err
	}
	p, err := wb.activity(r, v, "")
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
