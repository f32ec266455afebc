package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// unbuilt lists the paths of DNSimple's API whose features this installation
// does not offer, with what the caller is told. "*" is any one segment; a
// pattern matches a path that starts with its segments.
var unbuilt = []struct {
	pattern []string
	message string
}{
	{[]string{"v2", "*", "registrar"}, "Domain registration is not supported by this Zonewarden installation"},
	{[]string{"v2", "services"}, "One-click services are not supported by this Zonewarden installation"},
	{[]string{"v2", "*", "domains", "*", "services"}, "One-click services are not supported by this Zonewarden installation"},
	{[]string{"v2", "*", "domains", "*", "certificates"}, "SSL certificates are not supported by this Zonewarden installation"},
	{[]string{"v2", "*", "domains", "*", "dnssec"}, "DNSSEC is not available in this Zonewarden installation yet"},
	{[]string{"v2", "*", "domains", "*", "ds_records"}, "DNSSEC is not available in this Zonewarden installation yet"},
	{[]string{"v2", "*", "domains", "*", "email_forwards"}, "Email forwarding is not supported by this Zonewarden installation"},
	{[]string{"v2", "*", "domains", "*", "pushes"}, "Domain pushes are not supported by this Zonewarden installation"},
	{[]string{"v2", "*", "pushes"}, "Domain pushes are not supported by this Zonewarden installation"},
	{[]string{"v2", "*", "domains", "*", "collaborators"}, "Domain collaborators are not supported by this Zonewarden installation"},
	{[]string{"v2", "*", "vanity"}, "Vanity name servers are not supported by this Zonewarden installation"},
	{[]string{"v2", "*", "billing"}, "Billing is not supported by this Zonewarden installation"},
	{[]string{"v2", "*", "dns_analytics"}, "DNS analytics are not available in this Zonewarden installation yet"},
	{[]string{"v2", "oauth"}, "OAuth is not supported by this Zonewarden installation: use an API token"},
}

// methods are those the fallback tries to find what a path allows.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// fallback answers what no route of mux took: 405 when the path is served
// with other methods, 501 for DNSimple features not built here, 404 for the
// rest, each with a JSON body.
func (a *API) fallback(mux *http.ServeMux) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var allow []string
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			if slices.Contains(allow, http.MethodGet) {
				allow = append(allow, http.MethodHead)
			}
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return &Error{Status: http.StatusMethodNotAllowed, Message: fmt.Sprintf("Method %s not allowed on %s", r.Method, r.URL.Path)}
		}
		segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		for _, u := range unbuilt {
			if matchSegments(u.pattern, segs) {
				return &Error{Status: http.StatusNotImplemented, Message: u.message}
			}
		}
		return &Error{Status: http.StatusNotFound, Message: fmt.Sprintf("No API endpoint at %s %s", r.Method, r.URL.Path)}
	}
}

func matchSegments(pattern, segs []string) bool {
	if len(segs) < len(pattern) {
		return false
	}
	for i, p := range pattern {
		if p != "*" && p != segs[i] {
			return false
		}
	}
	return true
}
