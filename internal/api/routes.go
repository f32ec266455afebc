package api

import "net/http"

// routes is the API's route table: every endpoint served, in DNSimple's
// paths. {account} is an account id, {domain} a domain name or id, {zone} a
// zone name, {record} a record id. Paths of DNSimple features not built here,
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

	h("GET /v2/{account}/zones/{zone}/records", a.zoneRecordsList)
	h("POST /v2/{account}/zones/{zone}/records", a.zoneRecordsCreate)
	h("GET /v2/{account}/zones/{zone}/records/{record}", a.zoneRecordsGet)
	h("PATCH /v2/{account}/zones/{zone}/records/{record}", a.zoneRecordsUpdate)
	h("DELETE /v2/{account}/zones/{zone}/records/{record}", a.zoneRecordsDelete)
	h("GET /v2/{account}/zones/{zone}/records/{record}/distribution", a.zoneRecordsDistribution)
	// DNSimple documents POST; PATCH is accepted too.
	h("POST /v2/{account}/zones/{zone}/batch", a.zoneRecordsBatch)
	h("PATCH /v2/{account}/zones/{zone}/batch", a.zoneRecordsBatch)

	mux.Handle("/", a.handle(a.fallback(mux)))
	return mux
}
