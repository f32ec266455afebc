package api

import (
	"fmt"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// zoneRecordsList is GET /v2/{account}/zones/{zone}/records: filters name
// (exact; "" or "@" is the apex), name_like and type; sort by id, name,
// content or type; paginated.
func (a *API) zoneRecordsList(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	o, err := listOptions(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.RecordFilter{NameLike: q.Get("name_like"), Type: q.Get("type")}
	if q.Has("name") {
		n := q.Get("name")
		n = apexName(&n)
		f.Name = &n
	}
	name := zoneName(r)
	records, page, err := a.store.Records(r.Context(), acc, name, f, o)
	if err != nil {
		return notFound(fmt.Errorf("list records of zone %q of account %d: %w", name, acc, err), "Zone", r.PathValue("zone"))
	}
	return list(w, records, page, toRecord)
}
