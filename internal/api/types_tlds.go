package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/zonewarden/zonewarden/internal/zone"
)

//go:generate go run gen_tlds.go /usr/share/publicsuffix/public_suffix_list.dat

// TLDs are what this installation supports: the top-level domains under
// which domains can be hosted. Config.TLDs lists them; when it is empty any
// name can be hosted, and the TLD endpoints describe the root zone's TLDs
// (knownTLDs). Nothing is registered here, so every TLD says so:
// registration, renewal and transfer are not enabled.

// tldJSON is DNSimple's TLD object.
type tldJSON struct {
	TLD                 string `json:"tld"`
	TLDType             int    `json:"tld_type"`
	WhoisPrivacy        bool   `json:"whois_privacy"`
	AutoRenewOnly       bool   `json:"auto_renew_only"`
	IDN                 bool   `json:"idn"`
	MinimumRegistration int    `json:"minimum_registration"`
	RegistrationEnabled bool   `json:"registration_enabled"`
	RenewalEnabled      bool   `json:"renewal_enabled"`
	TransferEnabled     bool   `json:"transfer_enabled"`
	DNSSECInterfaceType string `json:"dnssec_interface_type"`
	NameServerMin       string `json:"name_server_min"`
	NameServerMax       string `json:"name_server_max"`
}

// legacyGTLDs are the generic TLDs older than ICANN's new gTLD program
// (DNSimple's tld_type 1); other two-letter TLDs are country codes (2), the
// rest new gTLDs (3).
var legacyGTLDs = []string{"aero", "arpa", "asia", "biz", "cat", "com", "coop", "edu", "gov", "info", "int",
	"jobs", "mil", "mobi", "museum", "name", "net", "org", "post", "pro", "tel", "travel", "xxx"}

func toTLD(tld string) tldJSON {
	typ := 3
	switch {
	case slices.Contains(legacyGTLDs, tld):
		typ = 1
	case len(tld) == 2:
		typ = 2
	}
	return tldJSON{TLD: tld, TLDType: typ, IDN: strings.HasPrefix(tld, "xn--"), MinimumRegistration: 1,
		DNSSECInterfaceType: "ds", NameServerMin: "2", NameServerMax: "13"}
}

// tlds returns the TLDs the installation describes, sorted: those
// configured, or the root zone's.
func (a *API) tlds() []string {
	if len(a.tldList) > 0 {
		return a.tldList
	}
	return knownTLDs
}

// normalTLDs is the configured list in lower case, without dots, sorted.
func normalTLDs(in []string) []string {
	var out []string
	for _, t := range in {
		if t = strings.Trim(strings.ToLower(strings.TrimSpace(t)), "."); t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// hostable refuses a domain name under a TLD the installation does not
// host, when Config.TLDs lists them.
func (a *API) hostable(name string) error {
	if len(a.tldList) == 0 {
		return nil
	}
	n := strings.Trim(strings.ToLower(strings.TrimSpace(name)), ".")
	tld := n[strings.LastIndex(n, ".")+1:]
	if n == "" || slices.Contains(a.tldList, tld) {
		return nil // an empty name is the store's to refuse
	}
	return &Error{Status: http.StatusBadRequest, Message: "Validation failed",
		Errors: map[string][]string{"name": {fmt.Sprintf("this installation hosts domains under %s only, not .%s", strings.Join(dotted(a.tldList), ", "), tld)}},
		Err:    fmt.Errorf("domain %q under an unlisted TLD: %w", name, zone.ErrInvalid)}
}

func dotted(tlds []string) []string {
	out := make([]string, len(tlds))
	for i, t := range tlds {
		out[i] = "." + t
	}
	return out
}
