package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/zonewarden/zonewarden/internal/store"
	"github.com/zonewarden/zonewarden/internal/web"
)

// TestSecondaryZoneRecordsRefused: a record added to a secondary zone from
// the dashboard is refused on the form, in words, and nothing is written.
func TestSecondaryZoneRecordsRefused(t *testing.T) {
	e := newEnv(t, web.Config{})
	ctx := context.Background()
	ada, acct := e.user("ada@example.com")
	if _, err := e.st.CreateSecondaryZone(ctx, store.Actor{UserID: &ada.ID}, acct.ID, "sec.example"); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ada@example.com")
	d := fmt.Sprintf("/a/%d/domains/sec.example", acct.ID)
	r := b.post(d+"/records/new", d+"/records", url.Values{"type": {"A"}, "name": {"x"}, "content": {"192.0.2.2"}})
	want(t, "record added to a secondary zone", r, http.StatusUnprocessableEntity, "is a secondary zone")
	recs, err := e.st.ZoneRecords(ctx, acct.ID, "sec.example")
	if err != nil || len(recs) != 3 { // SOA and two NS, as created
		t.Errorf("records after the refusal: %d, %v", len(recs), err)
	}
}
