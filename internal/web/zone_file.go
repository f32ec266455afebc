package web

import (
	"bytes"
	"fmt"
	"net/http"
)

// zoneFile is GET /a/{account}/domains/{domain}/zone-file: the zone as
// served (or as it would be, when deactivated), in master-file form, as a
// download.
func (wb *Web) zoneFile(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "")
	if err != nil {
		return err
	}
	d, err := wb.store.Domain(r.Context(), v.Account.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	z, err := wb.store.ZoneContents(r.Context(), d.Name)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if _, err := z.WriteTo(&b); err != nil {
		return fmt.Errorf("write zone file of %s: %w", d.Name, err)
	}
	w.Header().Set("Content-Type", "text/dns; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.zone"`, d.Name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
	return nil
}
