package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/zonewarden/zonewarden/internal/zone"
)

// tldsGet is GET /v2/tlds/{tld}: one TLD this installation supports.
func (a *API) tldsGet(w http.ResponseWriter, r *http.Request) error {
	tld, err := a.tld(r)
	if err != nil {
		return err
	}
	return data(w, http.StatusOK, toTLD(tld))
}

// tld is the {tld} of the path, if the installation supports it.
func (a *API) tld(r *http.Request) (string, error) {
	s := r.PathValue("tld")
	tld := strings.Trim(strings.ToLower(s), ".")
	if _, ok := slices.BinarySearch(a.tlds(), tld); !ok {
		return "", notFound(fmt.Errorf("tld %q: %w", s, zone.ErrNotFound), "TLD", s)
	}
	return tld, nil
}
