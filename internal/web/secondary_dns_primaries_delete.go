package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/zonewarden/zonewarden/internal/store"
)

// primaryDeletePage is the data of the page that deletes a primary server.
type primaryDeletePage struct {
	Primary store.PrimaryServer
	// Refused is why the deletion was refused, in words.
	Refused string
}

// secondaryDNSPrimariesDeletePage is GET
// /a/{account}/secondary-dns/primaries/{primary}/delete: are you sure? A
// server zones are linked to cannot be deleted; the page says which.
func (wb *Web) secondaryDNSPrimariesDeletePage(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Delete a primary server")
	if err != nil {
		return err
	}
	if !v.CanWrite() {
		return forbidden("You are a read-only member of this account.")
	}
	p, err := wb.primaryOfPath(r, v)
	if err != nil {
		return err
	}
	v.Data = primaryDeletePage{Primary: p}
	wb.render(w, r, http.StatusOK, "primary_server_delete", v)
	return nil
}

// secondaryDNSPrimariesDelete is POST
// /a/{account}/secondary-dns/primaries/{primary}/delete. The store refuses
// a server zones are linked to, so that no zone is left without a primary
// by accident: the page says so, and which zones to unlink.
func (wb *Web) secondaryDNSPrimariesDelete(w http.ResponseWriter, r *http.Request) error {
	v, err := wb.accountView(r, "Delete a primary server")
	if err != nil {
		return err
	}
	p, err := wb.primaryOfPath(r, v)
	if err != nil {
		return err
	}
	err = wb.store.DeletePrimaryServer(r.Context(), actor(r), v.Account.ID, strconv.FormatInt(p.ID, 10))
	var ve *store.ValidationError
	switch {
	case errors.As(err, &ve):
		// Linked since the page was read: show the links as they are.
		if p, err = wb.primaryOfPath(r, v); err != nil {
			return err
		}
		why := "It cannot be deleted now."
		if len(p.LinkedZones) > 0 {
			why = fmt.Sprintf("It still has %s linked to it. Unlink them first, so that no zone is left without a primary server by accident.", strings.Join(p.LinkedZones, ", "))
		}
		v.Data = primaryDeletePage{Primary: p, Refused: "The primary server " + p.Name + " is not deleted. " + why}
		wb.render(w, r, http.StatusConflict, "primary_server_delete", v)
		return nil
	case err != nil:
		return err
	}
	wb.linksChanged()
	wb.flash(w, r, fmt.Sprintf("The primary server %s is deleted.", p.Name))
	http.Redirect(w, r, v.accountPath("/secondary-dns"), http.StatusSeeOther)
	return nil
}

// primaryOfPath reads the {primary} of the path, an id, in the view's
// account.
func (wb *Web) primaryOfPath(r *http.Request, v view) (store.PrimaryServer, error) {
	id, err := strconv.ParseInt(r.PathValue("primary"), 10, 64)
	if err != nil || id <= 0 {
		return store.PrimaryServer{}, notFound(fmt.Errorf("primary server %q", r.PathValue("primary")))
	}
	return wb.store.PrimaryServer(r.Context(), v.Account.ID, strconv.FormatInt(id, 10))
}
