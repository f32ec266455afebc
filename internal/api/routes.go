package api

import (
	"net/http"
	"strings"
)

// routes is the API's route table: every endpoint served, in DNSimple's
// paths. {account} is an account id, {domain} a domain name or id, {zone} a
// zone name, {record} a record id, {template} a template id or sid,
// {contact} a contact id. Paths of DNSimple features not built here,
// unknown paths and wrong methods go to fallback.
func (a *API) routes() http.Handler {
	mux := http.NewServeMux()
	h := func(pattern string, f handlerFunc) { mux.Handle(pattern, a.handle(f)) }

	h("GET /v2/whoami", a.whoami)
	h("GET /v2/accounts", a.accountsList)

	h("GET /v2/{account}/domains", a.domainsList)
	h("POST /v2/{account}/domains", a.domainsCreate)
	h("GET /v2/{account}/domains/{domain}", a.domainsGet)
	h("DELETE /v2/{account}/domains/{domain}", a.domainsDelete)

	h("GET /v2/{account}/zones", a.zonesList)
	h("GET /v2/{account}/zones/{zone}", a.zonesGet)
	h("GET /v2/{account}/zones/{zone}/file", a.zonesFile)
	h("GET /v2/{account}/zones/{zone}/distribution", a.zonesDistribution)
	h("PUT /v2/{account}/zones/{zone}/activation", a.zonesActivate)
	h("DELETE /v2/{account}/zones/{zone}/activation", a.zonesDeactivate)
	h("PUT /v2/{account}/zones/{zone}/ns_records", a.zonesNSRecords)

	h("GET /v2/{account}/zones/{zone}/records", a.zoneRecordsList)
	h("POST /v2/{account}/zones/{zone}/records", a.zoneRecordsCreate)
	h("GET /v2/{account}/zones/{zone}/records/{record}", a.zoneRecordsGet)
	h("PATCH /v2/{account}/zones/{zone}/records/{record}", a.zoneRecordsUpdate)
	h("DELETE /v2/{account}/zones/{zone}/records/{record}", a.zoneRecordsDelete)
	h("GET /v2/{account}/zones/{zone}/records/{record}/distribution", a.zoneRecordsDistribution)
	// DNSimple documents POST; PATCH is accepted too.
	h("POST /v2/{account}/zones/{zone}/batch", a.zoneRecordsBatch)
	h("PATCH /v2/{account}/zones/{zone}/batch", a.zoneRecordsBatch)

	h("GET /v2/{account}/webhooks", a.webhooksList)
	h("POST /v2/{account}/webhooks", a.webhooksCreate)
	h("GET /v2/{account}/webhooks/{webhook}", a.webhooksGet)
	h("DELETE /v2/{account}/webhooks/{webhook}", a.webhooksDelete)

	h("GET /v2/{account}/templates", a.templatesList)
	h("POST /v2/{account}/templates", a.templatesCreate)
	h("GET /v2/{account}/templates/{template}", a.templatesGet)
	h("PATCH /v2/{account}/templates/{template}", a.templatesUpdate)
	h("DELETE /v2/{account}/templates/{template}", a.templatesDelete)
	h("GET /v2/{account}/templates/{template}/records", a.templateRecordsList)
	h("POST /v2/{account}/templates/{template}/records", a.templateRecordsCreate)
	h("GET /v2/{account}/templates/{template}/records/{record}", a.templateRecordsGet)
	h("DELETE /v2/{account}/templates/{template}/records/{record}", a.templateRecordsDelete)
	h("POST /v2/{account}/domains/{domain}/templates/{template}", a.templatesApply)

	h("GET /v2/{account}/contacts", a.contactsList)
	h("POST /v2/{account}/contacts", a.contactsCreate)
	h("GET /v2/{account}/contacts/{contact}", a.contactsGet)
	h("PATCH /v2/{account}/contacts/{contact}", a.contactsUpdate)
	h("DELETE /v2/{account}/contacts/{contact}", a.contactsDelete)

	h("GET /v2/{account}/secondary_dns/primaries", a.secondaryDNSPrimariesList)
	h("POST /v2/{account}/secondary_dns/primaries", a.secondaryDNSPrimariesCreate)
	h("GET /v2/{account}/secondary_dns/primaries/{primaryserver}", a.secondaryDNSPrimariesGet)
	h("DELETE /v2/{account}/secondary_dns/primaries/{primaryserver}", a.secondaryDNSPrimariesDelete)
	h("PUT /v2/{account}/secondary_dns/primaries/{primaryserver}/link", a.secondaryDNSPrimariesLink)
	h("PUT /v2/{account}/secondary_dns/primaries/{primaryserver}/unlink", a.secondaryDNSPrimariesUnlink)
	h("POST /v2/{account}/secondary_dns/zones", a.secondaryDNSZonesCreate)

	h("GET /v2/tlds", a.tldsList)

	// Zonewarden's own: DNSimple has no audit log endpoint.
	h("GET /v2/{account}/audit_log", a.auditLogList)

	mux.Handle("/", a.handle(a.fallback(mux)))

	// /v2/tlds/{tld} and /v2/{account}/domains would both match
	// /v2/tlds/domains, which ServeMux refuses; account ids are numbers, so
	// the TLD paths have a mux of their own.
	tlds := http.NewServeMux()
	tlds.Handle("GET /v2/tlds/{tld}", a.handle(a.tldsGet))
	tlds.Handle("GET /v2/tlds/{tld}/extended_attributes", a.handle(a.tldsExtendedAttributes))
	tlds.Handle("/", a.handle(a.fallback(tlds)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v2/tlds/") {
			tlds.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}
