package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// zonesNSRecords is PUT /v2/{account}/zones/{zone}/ns_records
// {"ns_names": ["ns1.example.net", "ns2.example.net"]}: the NS records at
// the zone's apex that Zonewarden manages become these, and the answer is
// them. DNSimple's name-server sets (ns_set_ids) do not exist here.
func (a *API) zonesNSRecords(w http.ResponseWriter, r *http.Request) error {
	acc, err := a.account(r)
	if err != nil {
		return err
	}
	var in struct {
		// Each item on its own, so that one that is not a string is
		// named, not read as "".
		NSNames []json.RawMessage `json:"ns_names"`
		// Any JSON list: whatever its items, the answer is that there
		// are no sets, not a complaint about their type.
		NSSetIDs []any `json:"ns_set_ids"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if len(in.NSSetIDs) > 0 {
		return &Error{Status: http.StatusBadRequest, Message: "Name server sets are not available in Zonewarden: give the name servers' host names in ns_names",
			Errors: map[string][]string{"ns_set_ids": {"name server sets are DNSimple's; Zonewarden has none"}}}
	}
	names := make([]string, 0, len(in.NSNames))
	var bad []string
	for i, raw := range in.NSNames {
		var n string
		if !bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) || json.Unmarshal(raw, &n) != nil {
			bad = append(bad, fmt.Sprintf("ns_names[%d] must be a string, not %s", i, jsonKind(raw)))
		}
		names = append(names, n)
	}
	if len(bad) > 0 {
		return &Error{Status: http.StatusBadRequest, Message: "Validation failed", Errors: map[string][]string{"ns_names": bad}}
	}
	name := zoneName(r)
	recs, err := a.store.SetZoneNameServers(r.Context(), actor(r), acc, name, names)
	if err != nil {
		return notFound(fmt.Errorf("set name servers of zone %q of account %d: %w", name, acc, err), "Zone", r.PathValue("zone"))
	}
	a.changed(name)
	out := make([]recordJSON, 0, len(recs))
	for _, rec := range recs {
		out = append(out, toRecord(rec))
	}
	return data(w, http.StatusOK, out)
}
