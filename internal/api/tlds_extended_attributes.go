package api

import "net/http"

// tldsExtendedAttributes is GET /v2/tlds/{tld}/extended_attributes. They are
// what a registry asks of a registrant, and nothing is registered here:
// the list is empty for every TLD supported.
func (a *API) tldsExtendedAttributes(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.tld(r); err != nil {
		return err
	}
	return data(w, http.StatusOK, []struct{}{})
}
