package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

// activityPage is the data of an activity log, the account's or a
// domain's.
type activityPage struct {
	Entries []activityEntry
	Actions []actionChoice // the filter's choices
	Filter  activityFilter
	Domain  string // set on a domain's log, which has no domain filter
	Error   string // a filter that could not be read
	Pager   pager
}

// activityFilter is the log's filter as the form sends it.
type activityFilter struct {
	Action, Domain, From, To string
}

// Active is whether anything is filtered.
func (f activityFilter) Active() bool {
	return f.Action != "" || f.Domain != "" || f.From != "" || f.To != ""
}

// activityEntry is one audit entry as people read it.
type activityEntry struct {
	store.AuditEntry
	Who     string
	WhoKind string // "user", "token" or "system"
	Object  string // what was changed, in a few words
	Changes []fieldChange
	Lines   []lineChange // for writes to many records at once
}

// fieldChange is one field of the object before and after the write; an
// empty side did not exist.
type fieldChange struct {
	Field, Before, After string
}

// lineChange is one record a zone-wide write removed (-) or added (+).
type lineChange struct {
	Op, Text string
}

// activity reads a page of the log of the view's account, narrowed to one
// domain when domain is set, and filtered by the query.
func (wb *Web) activity(r *http.Request, v view, domain string) (activityPage, error) {
	q := r.URL.Query()
	p := activityPage{Domain: domain, Filter: activityFilter{
		Action: q.Get("action"), Domain: strings.TrimSpace(q.Get("domain")), From: q.Get("from"), To: q.Get("to")}}
	f := store.AuditFilter{Action: p.Filter.Action, Domain: strings.ToLower(strings.TrimSuffix(p.Filter.Domain, "."))}
	if domain != "" {
		f.Domain, p.Filter.Domain = domain, ""
	}
	var bad []string
	if p.Filter.From != "" {
		t, err := time.Parse(time.DateOnly, p.Filter.From)
		if err != nil {
			bad = append(bad, fmt.Sprintf("“%s” is not a date (from)", p.Filter.From))
		}
		f.Since = t
	}
	if p.Filter.To != "" {
		t, err := time.Parse(time.DateOnly, p.Filter.To)
		if err != nil {
			bad = append(bad, fmt.Sprintf("“%s” is not a date (to)", p.Filter.To))
		} else {
			f.Until = t.Add(24 * time.Hour) // the whole day
		}
	}
	if len(bad) > 0 {
		p.Error = "Dates are year-month-day, 2026-11-25: " + strings.Join(bad, "; ") + "."
		f.Since, f.Until = time.Time{}, time.Time{}
	}
	actions, err := wb.store.AuditActions(r.Context(), v.Account.ID, domain)
	if err != nil {
		return p, err
	}
	p.Actions = actionChoices(actions)
	entries, page, err := wb.store.Audit(r.Context(), v.Account.ID, f, store.ListOptions{Page: pageNumber(q), Sort: "id:desc"})
	if err != nil {
		return p, err
	}
	names, err := wb.actorNames(r, v.Account.ID)
	if err != nil {
		return p, err
	}
	for _, e := range entries {
		p.Entries = append(p.Entries, readEntry(e, names))
	}
	keep := url.Values{}
	for k, val := range map[string]string{"action": p.Filter.Action, "domain": p.Filter.Domain, "from": p.Filter.From, "to": p.Filter.To} {
		if val != "" {
			keep.Set(k, val)
		}
	}
	p.Pager = newPager(page, keep)
	return p, nil
}

// actionChoice is an option of the filter of changes.
type actionChoice struct{ Value, Label string }

// actionChoices puts each kind of object ("record.": every record change)
// before its actions.
func actionChoices(actions []string) []actionChoice {
	var out []actionChoice
	seen := map[string]bool{}
	for _, a := range actions {
		obj, _, ok := strings.Cut(a, ".")
		if ok && !seen[obj] {
			seen[obj] = true
			out = append(out, actionChoice{obj + ".", "every " + strings.ReplaceAll(obj, "_", " ") + " change"})
		}
		out = append(out, actionChoice{a, a})
	}
	return out
}

// actorNames names the users and tokens an entry may lack a label for:
// members by email, the account's tokens by name.
func (wb *Web) actorNames(r *http.Request, accountID int64) (map[string]string, error) {
	names := map[string]string{}
	ms, err := wb.store.Members(r.Context(), accountID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		names[fmt.Sprintf("user:%d", m.UserID)] = m.Email
	}
	ts, err := wb.store.Tokens(r.Context(), accountID)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		names[fmt.Sprintf("token:%d", t.ID)] = t.Name
	}
	return names, nil
}

func readEntry(e store.AuditEntry, names map[string]string) activityEntry {
	a := activityEntry{AuditEntry: e, WhoKind: "system", Who: e.ActorLabel}
	switch {
	case e.ActorTokenID != nil:
		a.WhoKind = "token"
		if n := names[fmt.Sprintf("token:%d", *e.ActorTokenID)]; n != "" {
			a.Who = fmt.Sprintf("token “%s”", n)
			if e.ActorUserID != nil && e.ActorLabel != "" {
				a.Who += " of " + e.ActorLabel
			}
		} else if a.Who == "" {
			a.Who = fmt.Sprintf("token %d", *e.ActorTokenID)
		}
	case e.ActorUserID != nil:
		a.WhoKind = "user"
		if a.Who == "" {
			a.Who = names[fmt.Sprintf("user:%d", *e.ActorUserID)]
		}
		if a.Who == "" {
			a.Who = fmt.Sprintf("user %d", *e.ActorUserID)
		}
	case a.Who == "":
		a.Who = "Zonewarden"
	}
	var before, after any
	json.Unmarshal([]byte(e.Before), &before) //nolint:errcheck // empty or not JSON: nothing to show
	json.Unmarshal([]byte(e.After), &after)   //nolint:errcheck
	bm, _ := before.(map[string]any)
	am, _ := after.(map[string]any)
	if bm != nil || am != nil {
		a.Object = describe(e.ObjectType, am, bm)
		a.Changes = diffFields(bm, am)
	}
	bl, _ := before.([]any)
	al, _ := after.([]any)
	for _, x := range bl {
		if m, ok := x.(map[string]any); ok {
			a.Lines = append(a.Lines, lineChange{"-", recordLine(m)})
		}
	}
	for _, x := range al {
		if m, ok := x.(map[string]any); ok {
			a.Lines = append(a.Lines, lineChange{"+", recordLine(m)})
		}
	}
	if a.Object == "" && e.ObjectType == "zone" {
		a.Object = fmt.Sprintf("%d records", len(bl)+len(al))
	}
	return a
}

// describe names the object of an entry: a record by name and type, a
// member or invitation by email, the rest by name or URL.
func describe(objectType string, maps ...map[string]any) string {
	for _, m := range maps {
		if m == nil {
			continue
		}
		switch objectType {
		case "record":
			return recordLine(m)
		case "member", "invitation":
			return show(m["email"])
		case "webhook":
			return show(m["url"])
		}
		if n := show(m["name"]); n != "" {
			return n
		}
	}
	return ""
}

// recordLine is a record as a zone-file-like line: "www 3600 A 192.0.2.1".
func recordLine(m map[string]any) string {
	name := show(m["name"])
	if name == "" {
		name = "@"
	}
	parts := []string{name, show(m["ttl"]), show(m["type"])}
	if p := show(m["priority"]); p != "" {
		parts = append(parts, p)
	}
	return strings.Join(append(parts, show(m["content"])), " ")
}

// fieldOrder is the order fields are shown in; others follow, sorted.
var fieldOrder = []string{"name", "type", "content", "ttl", "priority", "regions", "email", "role", "url", "state"}

// hidden fields say nothing a person needs: ids and the zone, which the
// entry shows already.
var hiddenFields = map[string]bool{"id": true, "zone_id": true, "system_record": true, "user_id": true}

// diffFields lists the fields of an object before and after a write: all
// of them for a creation or a deletion, the changed ones for an update.
func diffFields(before, after map[string]any) []fieldChange {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var list []string
	for k := range keys {
		if !hiddenFields[k] {
			list = append(list, k)
		}
	}
	rank := func(k string) int {
		if i := slices.Index(fieldOrder, k); i >= 0 {
			return i
		}
		return len(fieldOrder)
	}
	sort.Slice(list, func(i, j int) bool {
		if ri, rj := rank(list[i]), rank(list[j]); ri != rj {
			return ri < rj
		}
		return list[i] < list[j]
	})
	var out []fieldChange
	for _, k := range list {
		c := fieldChange{Field: k}
		if before != nil {
			c.Before = show(before[k])
		}
		if after != nil {
			c.After = show(after[k])
		}
		if before != nil && after != nil && c.Before == c.After {
			continue
		}
		if c.Before == "" && c.After == "" {
			continue
		}
		out = append(out, c)
	}
	return out
}

// show prints a JSON value for people: no quotes, lists joined, numbers as
// integers when they are.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprint(int64(x))
		}
		return fmt.Sprint(x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []any:
		var parts []string
		for _, y := range x {
			parts = append(parts, show(y))
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}
