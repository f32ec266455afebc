package web

import (
	"context"
	"net/http"
	"time"

	"github.com/zonewarden/zonewarden/internal/store"
)

// teamStore is what the team, activity and webhook pages need.
type teamStore interface {
	CreateTeam(ctx context.Context, a store.Actor, ownerUserID int64, name, email string) (store.Account, error)
	DeleteTeam(ctx context.Context, a store.Actor, accountID int64) (store.DeletedTeam, error)
	Members(ctx context.Context, accountID int64) ([]store.Member, error)
	SetRole(ctx context.Context, a store.Actor, accountID, userID int64, role store.Role) error
	RemoveMember(ctx context.Context, a store.Actor, accountID, userID int64) error
	CreateInvitation(ctx context.Context, a store.Actor, accountID int64, email string, role store.Role, ttl time.Duration) (string, store.Invitation, error)
	Invitations(ctx context.Context, accountID int64) ([]store.Invitation, error)
	Invitation(ctx context.Context, token string) (store.Invitation, store.Account, error)
	AcceptInvitation(ctx context.Context, a store.Actor, token string, userID int64) (store.Account, error)
	SignUpInvited(ctx context.Context, a store.Actor, token, password string) (store.User, store.Account, error)
	RevokeInvitation(ctx context.Context, a store.Actor, accountID, id int64) error

	Audit(ctx context.Context, accountID int64, f store.AuditFilter, o store.ListOptions) ([]store.AuditEntry, store.Page, error)
	AuditActions(ctx context.Context, accountID int64, domain string) ([]string, error)

	CreateWebhook(ctx context.Context, a store.Actor, accountID int64, url string) (store.Webhook, error)
	Webhooks(ctx context.Context, accountID int64) ([]store.Webhook, error)
	Webhook(ctx context.Context, accountID, id int64) (store.Webhook, error)
	DeleteWebhook(ctx context.Context, a store.Actor, accountID, id int64) error
	WebhookDeliveries(ctx context.Context, accountID, webhookID int64, limit int) ([]store.WebhookDelivery, error)
	DeliveryRetries(ctx context.Context, deliveryIDs []int64) (map[int64]time.Time, error)
}

// invitationTTL is how long an invitation link works.
const invitationTTL = 7 * 24 * time.Hour

// teamRoutes registers the team, invitation, activity-log and webhook pages.
// The invitation pages are reached by people who may not be signed in: the
// token in the link is their permission. It travels in the query, not the
// path, so that the logs of failed requests (which name the path) never
// hold it.
func (wb *Web) teamRoutes(mux *http.ServeMux) {
	mux.Handle("GET /teams/new", wb.signedIn(wb.teamsNew))
	mux.Handle("POST /teams", wb.signedIn(wb.teamsCreate))
	mux.Handle("POST /a/{account}/delete", wb.signedIn(wb.teamsDelete))

	mux.Handle("GET /a/{account}/members", wb.signedIn(wb.membersList))
	mux.Handle("POST /a/{account}/members/{user}", wb.signedIn(wb.membersUpdate))
	mux.Handle("POST /a/{account}/members/{user}/remove", wb.signedIn(wb.membersRemove))
	mux.Handle("POST /a/{account}/leave", wb.signedIn(wb.membersLeave))
	mux.Handle("POST /a/{account}/invitations", wb.signedIn(wb.invitationsCreate))
	mux.Handle("POST /a/{account}/invitations/{invitation}/revoke", wb.signedIn(wb.invitationsRevoke))

	mux.Handle("GET /invitation", wb.handle(wb.invitationShow))
	mux.Handle("POST /invitation/accept", wb.signedIn(wb.invitationAccept))
	mux.Handle("POST /invitation/sign-up", wb.handle(wb.invitationSignUp))

	mux.Handle("GET /a/{account}/activity", wb.signedIn(wb.activityList))
	mux.Handle("GET /a/{account}/domains/{domain}/activity", wb.signedIn(wb.domainActivity))

	mux.Handle("GET /a/{account}/webhooks", wb.signedIn(wb.webhooksList))
	mux.Handle("POST /a/{account}/webhooks", wb.signedIn(wb.webhooksCreate))
	mux.Handle("GET /a/{account}/webhooks/{webhook}", wb.signedIn(wb.webhooksShow))
	mux.Handle("POST /a/{account}/webhooks/{webhook}/delete", wb.signedIn(wb.webhooksDelete))
}

// CanManage is whether the visitor is an owner or admin of the page's
// account: who may invite, set roles, remove members and read the
// account's activity log.
func (v view) CanManage() bool { return canManage(v.Role) }

// managerView is accountView for the pages and actions of owners and
// admins: anyone else who is a member gets a 403.
func (wb *Web) managerView(r *http.Request, title string) (view, error) {
	v, err := wb.accountView(r, title)
	if err != nil {
		return v, err
	}
	if !v.CanManage() {
		return v, forbidden("Only the owners and admins of this account may do this.")
	}
	return v, nil
}

// anyMemberView is accountView for an action every member may take, the
// read-only ones included (leaving the account): accountView refuses their
// POSTs, so it is asked as for a page.
func (wb *Web) anyMemberView(r *http.Request, title string) (view, error) {
	get := r.Clone(r.Context())
	get.Method = http.MethodGet
	return wb.accountView(get, title)
}

// linkBase is the dashboard's address for links in mails: the configured
// public URL, else the address this request came to.
func (wb *Web) linkBase(r *http.Request) string {
	if wb.cfg.PublicURL != "" {
		return wb.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil || wb.cfg.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
