package web

import (
	"errors"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// recoveryCodesCreate is POST /security/recovery-codes: new recovery codes
// replace the old ones (used or not), shown on the page that answers,
// once.
func (wb *Web) recoveryCodesCreate(w http.ResponseWriter, r *http.Request) error {
	u := visitOf(r).user
	codes, err := wb.store.RegenerateRecoveryCodes(r.Context(), u.ID)
	if errors.Is(err, zone.ErrConflict) {
		http.Redirect(w, r, "/security", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	wb.securityNotice(r, u.Email, "new recovery codes were made, and the old ones no longer work")
	v := wb.view(r, "Recovery codes")
	v.Data = recoveryCodesPage{Codes: codes}
	wb.render(w, r, http.StatusOK, "recovery_codes", v)
	return nil
}
