package web

import (
	"context"
	"net/http"

	"github.com/zonewarden/zonewarden/internal/store"
)

// domainToolStore is what the domain tools need: zone import, templates,
// delegation and distribution checks, the zone's name servers.
type domainToolStore interface {
	ZoneRecords(ctx context.Context, accountID int64, zoneName string) ([]store.Record, error)
	BatchChange(ctx context.Context, a store.Actor, accountID int64, zoneName string, b store.Batch) (store.BatchResult, error)
	Templates(ctx context.Context, accountID int64, o store.ListOptions) ([]store.Template, store.Page, error)
	CreateTemplate(ctx context.Context, a store.Actor, accountID int64, t store.Template) (store.Template, error)
	Template(ctx context.Context, accountID int64, idOrSID string) (store.Template, error)
	UpdateTemplate(ctx context.Context, a store.Actor, accountID int64, idOrSID string, t store.Template) (store.Template, error)
	DeleteTemplate(ctx context.Context, a store.Actor, accountID int64, idOrSID string) error
	CreateTemplateRecord(ctx context.Context, a store.Actor, accountID int64, templateIDOrSID string, in store.RecordInput) (store.TemplateRecord, error)
	TemplateRecord(ctx context.Context, accountID int64, templateIDOrSID string, id int64) (store.TemplateRecord, error)
	DeleteTemplateRecord(ctx context.Context, a store.Actor, accountID int64, templateIDOrSID string, id int64) error
	TemplateRecords(ctx context.Context, accountID int64, templateIDOrSID string, o store.ListOptions) ([]store.TemplateRecord, store.Page, error)
	ApplyTemplate(ctx context.Context, a store.Actor, accountID int64, domainNameOrID, templateIDOrSID string) (store.BatchResult, error)
	NameServers() []string
	SetZoneNameServers(ctx context.Context, a store.Actor, accountID int64, zoneName string, names []string) ([]store.Record, error)
}

// domainToolRoutes registers the domain tools' pages.
func (wb *Web) domainToolRoutes(mux *http.ServeMux) {
	mux.Handle("GET /a/{account}/domains/{domain}/import", wb.signedIn(wb.domainsImportPage))
	mux.Handle("POST /a/{account}/domains/{domain}/import", wb.signedIn(wb.domainsImportPreview))
	mux.Handle("POST /a/{account}/domains/{domain}/import/confirm", wb.signedIn(wb.domainsImportConfirm))
	mux.Handle("GET /a/{account}/domains/{domain}/delegation", wb.signedIn(wb.domainsDelegation))
	mux.Handle("GET /a/{account}/domains/{domain}/name-servers", wb.signedIn(wb.domainsNameServers))
	mux.Handle("POST /a/{account}/domains/{domain}/name-servers", wb.signedIn(wb.domainsNameServersUpdate))
	mux.Handle("GET /a/{account}/domains/{domain}/templates", wb.signedIn(wb.domainsTemplates))
	mux.Handle("POST /a/{account}/domains/{domain}/templates/{template}/apply", wb.signedIn(wb.domainsTemplatesApply))

	mux.Handle("GET /a/{account}/templates", wb.signedIn(wb.templatesList))
	mux.Handle("POST /a/{account}/templates", wb.signedIn(wb.templatesCreate))
	mux.Handle("GET /a/{account}/templates/{template}", wb.signedIn(wb.templatesShow))
	mux.Handle("POST /a/{account}/templates/{template}", wb.signedIn(wb.templatesUpdate))
	mux.Handle("GET /a/{account}/templates/{template}/delete", wb.signedIn(wb.templatesDeletePage))
	mux.Handle("POST /a/{account}/templates/{template}/delete", wb.signedIn(wb.templatesDelete))
	mux.Handle("POST /a/{account}/templates/{template}/records", wb.signedIn(wb.templateRecordsCreate))
	mux.Handle("POST /a/{account}/templates/{template}/records/{record}/delete", wb.signedIn(wb.templateRecordsDelete))
}
