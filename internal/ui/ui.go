// Package ui serves Switchboard's admin UI: sign-in, orders, integrations,
// vacancies, applicant review and users, as server-rendered pages. In the style of Miniflux,
// each page has its own handler file and template; templates and assets are
// embedded in the binary; forms post and redirect (POST-redirect-GET), and
// there is next to no JavaScript.
//
// Every page calls the same service, identity and integrations methods as the JSON admin
// API, with the signed-in user as the actor, so the two cannot disagree about who may do
// what. Pages a role may not see answer 403 with a page that says so.
package ui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/engine"
	"switchboard/internal/httpform"
	"switchboard/internal/identity"
	"switchboard/internal/integrations"
	"switchboard/internal/review"
	"switchboard/internal/service"
	"switchboard/internal/vendors"
	"switchboard/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// handler serves the UI's pages.
type handler struct {
	svc   *service.Service
	eng   *engine.Engine
	id    *identity.Service
	in    *integrations.Service
	vnd   *vendors.Service
	rev   *review.Service
	log   *slog.Logger
	pages map[string]*template.Template
	// secure marks cookies Secure (and gives the session cookie the
	// __Host- prefix) when Switchboard is served over https.
	secure bool
}

// Register mounts the admin UI on mux. The candidate and report pages (package
// web) and the JSON API (package api) live beside it on the same mux.
func Register(mux *http.ServeMux, svc *service.Service, eng *engine.Engine, vnd *vendors.Service, id *identity.Service, in *integrations.Service, rev *review.Service, log *slog.Logger) error {
	pages, err := web.ParsePages(templateFS, funcs)
	if err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	h := &handler{svc: svc, eng: eng, vnd: vnd, id: id, in: in, rev: rev, log: log, pages: pages, secure: strings.HasPrefix(svc.BaseURL(), "https://")}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return fmt.Errorf("ui: static: %w", err)
	}
	mux.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", http.FileServerFS(static)))
	h.routes(mux)
	return nil
}

// routes lists every page with who may see it. Handlers live one per file.
func (h *handler) routes(mux *http.ServeMux) {
	// Cross-origin form posts are refused by the browser's own signals
	// (Sec-Fetch-Site, Origin) on top of the per-session CSRF token.
	cop := http.NewCrossOriginProtection()
	get := func(pattern string, may permission, fn pageFunc) {
		mux.Handle("GET "+pattern, h.page(may, fn))
	}
	// Every form is read within a byte limit before anything else looks
	// at it, signed in or not.
	post := func(pattern string, may permission, fn pageFunc) {
		mux.Handle("POST "+pattern, cop.Handler(httpform.Limit(httpform.Max, h.page(may, h.checkCSRF(fn)))))
	}
	public := func(pattern string, fn http.HandlerFunc) {
		mux.Handle("POST "+pattern, cop.Handler(httpform.Limit(httpform.SmallMax, fn)))
	}

	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /signin", h.signInPage)
	public("/signin", h.signIn)
	mux.HandleFunc("GET "+identity.SetPasswordPath, h.setPasswordPage)
	public(identity.SetPasswordPath, h.setPassword)
	post("/signout", anyone, h.signOut)

	get("/orders", anyone, h.ordersPage)
	get("/orders/{id}", anyone, h.orderPage)
	post("/orders/{id}/resend", actOnOrders, h.resendInvitation)
	post("/orders/{id}/retry", actOnOrders, h.retryJob)

	get("/integrations", seeIntegrations, h.integrationsPage)
	get("/integrations/new", configure, h.newIntegrationPage)
	post("/integrations/new", configure, h.createIntegration)
	get("/integrations/{id}/created", configure, h.integrationCreatedPage)
	get("/integrations/{id}", seeIntegrations, h.integrationPage)
	post("/integrations/{id}/general", configure, h.saveGeneral)
	post("/integrations/{id}/enable", configure, h.enableIntegration)
	post("/integrations/{id}/disable", configure, h.disableIntegration)
	post("/integrations/{id}/settings", configure, h.saveSettings)
	post("/integrations/{id}/write-back", configure, h.saveWriteBack)
	post("/integrations/{id}/credentials", configure, h.saveCredential)
	post("/integrations/{id}/validate", configure, h.validateIntegration)
	get("/integrations/{id}/test-order", configure, h.testOrderPage)
	post("/integrations/{id}/test-order", configure, h.runTestOrder)
	post("/integrations/{id}/connection-token", configure, h.generateConnectionToken)
	post("/integrations/{id}/inbound-key", configure, h.issueInboundKey)
	post("/integrations/{id}/inbound/{event}/retry", actOnOrders, h.retryInbound)

	get("/vacancies", seeVacancies, h.vacanciesPage)
	get("/vacancies/new", manageVacancies, h.newVacancyPage)
	post("/vacancies/new", manageVacancies, h.createVacancy)
	get("/vacancies/{id}", manageVacancies, h.vacancyPage)
	post("/vacancies/{id}", manageVacancies, h.updateVacancy)

	// Applicant review: team members review and move, super admins connect.
	get("/review", actOnOrders, h.reviewPage)
	post("/review/connect", configure, h.connectReview)
	get("/review/{id}", actOnOrders, h.reviewSourcePage)
	post("/review/{id}/sync", actOnOrders, h.syncReview)
	post("/review/{id}/remove", configure, h.removeReview)
	post("/review/{id}/test-prospect", configure, h.sendTestProspect)
	get("/review/{id}/jobs/{job}", actOnOrders, h.reviewJobPage)
	post("/review/{id}/jobs/{job}/criteria", actOnOrders, h.applyCriteria)
	post("/review/{id}/jobs/{job}/move", actOnOrders, h.moveApplicants)

	get("/vendors", seeVendors, h.vendorsPage)
	get("/vendors/{id}", seeVendors, h.vendorPage)
	post("/vendors/{id}/link", linkVendors, h.linkVendor)
	post("/vendors/{id}/unlink", linkVendors, h.unlinkVendor)
	get("/deliveries/{id}", seeVendors, h.deliveryPage)
	post("/deliveries/{id}/replay", actOnOrders, h.replayDelivery)

	get("/users", manageUsers, h.usersPage)
	post("/users", manageUsers, h.createUser)
	get("/users/{id}", manageUsers, h.userPage)
	post("/users/{id}/role", manageUsers, h.setRole)
	post("/users/{id}/deactivate", manageUsers, h.deactivateUser)
	post("/users/{id}/reactivate", manageUsers, h.reactivateUser)
	post("/users/{id}/password", manageUsers, h.setUserPassword)
	post("/users/{id}/password-link", manageUsers, h.passwordLink)
	post("/users/{id}/keys", manageUsers, h.newKey)
	post("/users/{id}/keys/{key}/revoke", manageUsers, h.revokeKey)
	post("/users/{id}/keys/{key}/rotate", manageUsers, h.rotateKey)

	// The operator's pages: for users with the Operator flag, whatever
	// their role (operatorOnly answers everyone else 403).
	opGet := func(pattern string, fn pageFunc) { get(pattern, anyone, h.operatorOnly(fn)) }
	opPost := func(pattern string, fn pageFunc) { post(pattern, anyone, h.operatorOnly(fn)) }
	opGet("/operator/vendors", h.operatorVendorsPage)
	opPost("/operator/vendors", h.operatorCreateVendor)
	opGet("/operator/vendors/{id}", h.operatorVendorPage)
	opPost("/operator/vendors/{id}/keys", h.operatorNewKey)
	opPost("/operator/vendors/{id}/keys/{key}/revoke", h.operatorRevokeKey)
	opPost("/operator/vendors/{id}/disable", h.operatorSetStatus(core.VendorDisabled))
	opPost("/operator/vendors/{id}/enable", h.operatorSetStatus(core.VendorActive))
	opPost("/operator/vendors/{id}/packages", h.operatorSetPackages)
	opPost("/operator/vendors/{id}/webhook/rotate", h.operatorRotateSecret)
	opPost("/operator/vendors/{id}/links", h.operatorLink)
	opPost("/operator/vendors/{id}/links/{account}/unlink", h.operatorUnlink)

	get("/dev/outbox", actOnOrders, h.outboxPage)
}

// permission says whether a role may open a page.
type permission func(core.Role) bool

func anyone(core.Role) bool            { return true }
func actOnOrders(r core.Role) bool     { return r.CanActOnOrders() }
func configure(r core.Role) bool       { return r.CanConfigureIntegrations() }
func manageVacancies(r core.Role) bool { return r.CanManageVacancies() }
func manageUsers(r core.Role) bool     { return r.CanManageUsers() }
func seeIntegrations(r core.Role) bool { return r.CanSeeIntegrations() }
func seeVendors(r core.Role) bool      { return r.CanSeeVendors() }

// linkVendors is vendors.Service's rule, so the pages show the buttons
// only to whom the service lets link.
func linkVendors(r core.Role) bool { return r == core.RoleSuperAdmin }

// seeVacancies keeps the menu to orders for limited team members; the
// roles are listed, so an unknown role sees nothing.
func seeVacancies(r core.Role) bool { return r.CanSeeIntegrations() }

// request is one signed-in request: who asks, and what every page shows.
type request struct {
	User    core.User
	Account core.Account
	CSRF    string
	Flash   *flash
	// DevOutbox is set when emails are kept in the dev outbox (no SMTP), so
	// the menu links to it.
	DevOutbox bool
	token     string
}

// Can is what the layout and pages ask to decide which links and buttons to show.
func (q *request) Can() perms {
	r := q.User.Role
	return perms{Configure: configure(r), ManageVacancies: manageVacancies(r), ManageUsers: manageUsers(r),
		ActOnOrders: actOnOrders(r), SeeIntegrations: seeIntegrations(r), SeeVacancies: seeVacancies(r),
		SeeVendors: seeVendors(r), LinkVendors: linkVendors(r), Operate: q.User.IsOperator()}
}

type perms struct {
	Configure, ManageVacancies, ManageUsers, ActOnOrders, SeeIntegrations, SeeVacancies bool
	SeeVendors, LinkVendors                                                             bool
	// Operate: the user is an operator (the flag, not a role).
	Operate bool
}

type pageFunc func(w http.ResponseWriter, r *http.Request, q *request)

// page resolves the session, sends the signed-out to sign-in (coming back
// afterwards) and answers 403 to roles that may not see the page.
func (h *handler) page(may permission, fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := h.session(r)
		if errors.Is(err, identity.ErrUnauthenticated) {
			h.clearCookie(w, h.sessionCookieName())
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = ""
			}
			http.Redirect(w, r, signInURL(next), http.StatusSeeOther)
			return
		}
		if err != nil {
			h.serverError(w, r, nil, err)
			return
		}
		q.Flash = h.takeFlash(w, r)
		if !may(q.User.Role) {
			h.forbidden(w, r, q)
			return
		}
		fn(w, r, q)
	})
}

func (h *handler) session(r *http.Request) (*request, error) {
	c, err := r.Cookie(h.sessionCookieName())
	if err != nil || c.Value == "" {
		return nil, identity.ErrUnauthenticated
	}
	u, _, err := h.id.SessionUser(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	acc, err := h.id.Account(r.Context(), u)
	if err != nil {
		return nil, err
	}
	return &request{User: u, Account: acc, CSRF: csrfToken(c.Value), token: c.Value,
		DevOutbox: !h.svc.MailConfigured() && u.Role.CanActOnOrders()}, nil
}

// home sends the signed-in to their orders and everyone else to sign-in.
func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	if _, err := h.session(r); err == nil {
		http.Redirect(w, r, "/orders", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// view is what every template gets.
type view struct {
	Title string
	Nav   string // which menu entry is current
	Q     *request
	D     any
}

// render writes a page, buffered so that a template error becomes a clean 500.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	t, ok := h.pages[page]
	if !ok {
		h.serverError(w, r, v.Q, fmt.Errorf("ui: no page %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.serverError(w, r, v.Q, fmt.Errorf("ui: render %s: %w", page, err))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	// Pages show account data: keep them out of shared caches and the back-forward cache after sign-out.
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type problem struct{ Title, Message, Hint string }

func (h *handler) forbidden(w http.ResponseWriter, r *http.Request, q *request) {
	h.render(w, r, http.StatusForbidden, "problem", view{Title: "Not available to your role", Q: q, D: problem{
		Title:   "Not available to your role",
		Message: "Your role (" + roleName(q.User.Role) + ") may not open this page.",
		Hint:    "Ask a super admin of " + q.Account.Name + " if you need access.",
	}})
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request, q *request, what string) {
	h.render(w, r, http.StatusNotFound, "problem", view{Title: "Not found", Q: q, D: problem{
		Title: "Not found", Message: "There is no such " + what + " in " + q.Account.Name + ".",
	}})
}

func (h *handler) serverError(w http.ResponseWriter, r *http.Request, q *request, err error) {
	h.log.ErrorContext(r.Context(), "ui page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	if q == nil {
		http.Error(w, "Something went wrong on our side. Please try again in a moment.", http.StatusInternalServerError)
		return
	}
	h.render(w, r, http.StatusInternalServerError, "problem", view{Title: "Something went wrong", Q: q, D: problem{
		Title: "Something went wrong", Message: "Something went wrong on our side. Please try again in a moment.",
	}})
}

// fail answers a service error from a page: 403 and 404 get their pages,
// anything unexpected is a 500.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, q *request, what string, err error) {
	switch {
	case errors.Is(err, core.ErrForbidden):
		h.forbidden(w, r, q)
	case errors.Is(err, core.ErrNotFound):
		h.notFound(w, r, q, what)
	default:
		h.serverError(w, r, q, err)
	}
}

// back redirects after a successful post (POST-redirect-GET), with a flash
// message for the next page.
func (h *handler) back(w http.ResponseWriter, r *http.Request, to string, f flash) {
	h.setFlash(w, f)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func roleName(r core.Role) string {
	switch r {
	case core.RoleSuperAdmin:
		return "super admin"
	case core.RoleAdmin:
		return "admin"
	case core.RoleTeamMember:
		return "team member"
	case core.RoleLimitedTeamMember:
		return "limited team member"
	}
	return string(r)
}
