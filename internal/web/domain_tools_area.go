package web

import (
	"context"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// domainToolStore is what the domain tools need: zone import, templates,
// delegation and distribution checks.
type domainToolStore interface {
	BatchChange(ctx context.Context, a store.Actor, accountID int64, zoneName string, b store.Batch) (store.BatchResult, error)
	Templates(ctx context.Context, accountID int64, o store.ListOptions) ([]store.Template, store.Page, error)
	TemplateRecords(ctx context.Context, accountID int64, templateIDOrSID string, o store.ListOptions) ([]store.TemplateRecord, store.Page, error)
	ApplyTemplate(ctx context.Context, a store.Actor, accountID int64, domainNameOrID, templateIDOrSID string) (store.BatchResult, error)
	NameServers() []string
}

// domainToolRoutes registers the domain tools' pages.
func (wb *Web) domainToolRoutes(mux *http.ServeMux) {
	mux.Handle("GET /a/{account}/domains/{domain}/import", wb.signedIn(wb.domainsImportPage))
	mux.Handle("POST /a/{account}/domains/{domain}/import", wb.signedIn(wb.domainsImportPreview))
	mux.Handle("POST /a/{account}/domains/{domain}/import/confirm", wb.signedIn(wb.domainsImportConfirm))
	mux.Handle("GET /a/{account}/domains/{domain}/delegation", wb.signedIn(wb.domainsDelegation))
	mux.Handle("GET /a/{account}/domains/{domain}/templates", wb.signedIn(wb.domainsTemplates))
	mux.Handle("POST /a/{account}/domains/{domain}/templates/{template}/apply", wb.signedIn(wb.domainsTemplatesApply))
}
