package smartrecruiters

// The partner endpoints SmartRecruiters calls (Assessment API 2021, spec
// assessment-partner-app.json): the consent page, the token endpoint, the
// package list, ad-hoc/auto-triggered and inline orders, and disable. Each
// authenticates the SmartRecruiters way (a form client credential at the
// token endpoint; a bearer token everywhere else but the consent page, where
// the customer's admin proves themselves with a connection token) and hands
// a normalised call to the core.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/ats/partnerhttp"
	"switchboard/internal/core"
	"switchboard/internal/httpform"
)

// Partner endpoint paths, under the prefix the core mounts them at.
const (
	PathConsent       = "/integration"
	PathToken         = "/oauth/token"
	PathPackages      = "/packages"
	PathOrders        = "/packages/orders"
	PathInlineOrders  = "/packages/inline/orders"
	PathDisablePrefix = "/integrations/companies/"
)

// maxPartnerBody bounds a request body from SmartRecruiters; orders are a
// few kilobytes.
const maxPartnerBody = 1 << 20

// PartnerConfigurationFor is the configuration that registers Switchboard's
// endpoints at endpointBase with SmartRecruiters. The placeholders are
// SmartRecruiters' own (ExpandURL).
func PartnerConfigurationFor(endpointBase string) PartnerConfigurationRequest {
	b := strings.TrimRight(endpointBase, "/")
	return PartnerConfigurationRequest{
		ConsentURL:                      b + PathConsent,
		ConsentDisplayMode:              ConsentRedirect,
		AssessmentPackageListURL:        b + PathPackages,
		SingleAssessmentPackageURL:      b + PathPackages + "/{assessmentPackageId}",
		PackageOrderURL:                 b + PathOrders,
		InlineAssessmentPackageOrderURL: b + PathInlineOrders,
		OAuthTokenURL:                   b + PathToken,
		IntegrationDisableURL:           b + PathDisablePrefix + "{companyId}",
		SupportedAssessmentTypes:        []AssessmentType{TypeSkillTest, TypeInlineAssessment},
	}
}

// InboundAuth implements ats.PartnerEndpoints: SmartRecruiters connects on
// the consent page and calls with OAuth client-credential access tokens.
func (c *Connector) InboundAuth() ats.InboundAuth { return ats.InboundOAuthClient }

// ConnectionSettings implements ats.Consenter: the companyId names
// the connected company.
func (c *Connector) ConnectionSettings() []string { return []string{SettingCompanyID} }

// PrepareConnect implements ats.Consenter: before a customer can
// connect, SmartRecruiters must know where Switchboard's endpoints are, so
// the partner configuration is registered (PUT /partner/configuration, an
// idempotent replace) with the master credentials.
func (c *Connector) PrepareConnect(ctx context.Context, cfg ats.Config, endpointBase string) error {
	v := core.Invalid()
	if cfg.Setting(SettingCompanyID, "") == "" {
		v.Add("settings."+SettingCompanyID, "is needed first: enter the customer's SmartRecruiters companyId")
	}
	master := masterCredentials(cfg)
	if master.Validate() != nil {
		v.Add("credentials", "the partner client id and secret are needed first")
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	base := cfg.Setting(SettingBaseURL, DefaultBaseURL)
	if _, err := c.clientFor(cfg, master).SavePartnerConfiguration(ctx, PartnerConfigurationFor(endpointBase)); err != nil {
		return core.Invalid("smartrecruiters", "could not register Switchboard's endpoints with SmartRecruiters: "+describeCallError(base, err, "the partner credentials"))
	}
	return nil
}

// RegisterPartner implements ats.PartnerEndpoints.
func (c *Connector) RegisterPartner(mux *http.ServeMux, prefix string, pc ats.PartnerCore) {
	h := &partnerHandler{c: c, prefix: prefix, Server: &partnerhttp.Server{
		PC: pc, Name: "smartrecruiters partner", Auth: c.InboundAuth(), MaxBody: maxPartnerBody, Log: c.o.Logger,
		Body: func(status int, msg string) any { return NewErrorResponse(errorCode(status), msg) },
	}}
	// The consent form posts to its own origin; refuse cross-site posts on
	// top of the one-time token.
	cop := http.NewCrossOriginProtection()
	mux.HandleFunc("GET "+prefix+PathConsent, h.consentPage)
	mux.Handle("POST "+prefix+PathConsent, cop.Handler(http.HandlerFunc(h.consent)))
	mux.HandleFunc("POST "+prefix+PathToken, h.token)
	mux.HandleFunc("GET "+prefix+PathPackages, h.Authed(h.packages))
	mux.HandleFunc("GET "+prefix+PathPackages+"/{id}", h.Authed(h.onePackage))
	mux.HandleFunc("POST "+prefix+PathOrders, h.Authed(h.order))
	mux.HandleFunc("POST "+prefix+PathInlineOrders, h.Authed(h.inlineOrder))
	mux.HandleFunc("DELETE "+prefix+PathDisablePrefix+"{companyId}", h.Authed(h.disable))
}

// partnerHandler answers errors in SmartRecruiters' error body (code and
// message); a 401 challenges for the bearer token.
type partnerHandler struct {
	c      *Connector
	prefix string
	*partnerhttp.Server
}

func errorCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return CodeBadRequest
	case http.StatusUnauthorized:
		return CodeUnauthorized
	case http.StatusForbidden:
		return CodeForbidden
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusConflict:
		return CodeConflict
	case http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	case http.StatusUnsupportedMediaType:
		return CodeUnsupportedMedia
	}
	return CodeInternal
}

// token is the OAuth 2.0 client-credentials token endpoint (RFC 6749 §4.4),
// answering errors as §5.2 says.
func (h *partnerHandler) token(w http.ResponseWriter, r *http.Request) {
	if err := httpform.Parse(w, r, httpform.SmallMax); err != nil {
		partnerhttp.WriteJSON(w, httpform.Status(err), TokenErrorResponse{Error: TokenErrInvalidRequest, ErrorDescription: fmt.Sprintf("an application/x-www-form-urlencoded body of at most %d KiB is expected", httpform.SmallMax>>10)})
		return
	}
	basicID, basicSecret, _ := r.BasicAuth()
	in, err := ParseTokenInput(r.PostForm, basicID, basicSecret)
	if err != nil {
		code := TokenErrInvalidRequest
		if errors.Is(err, ErrUnsupportedGrant) {
			code = TokenErrUnsupportedGrantType
		}
		partnerhttp.WriteJSON(w, http.StatusBadRequest, TokenErrorResponse{Error: code, ErrorDescription: err.Error()})
		return
	}
	at, err := h.PC.IssueToken(r.Context(), in.ClientID, in.ClientSecret)
	var ie *ats.InboundError
	switch {
	case errors.As(err, &ie):
		h.Log.InfoContext(r.Context(), "smartrecruiters token refused", "status", ie.Status, "reason", ie.Message)
		w.Header().Set("WWW-Authenticate", `Basic realm="switchboard"`)
		partnerhttp.WriteJSON(w, http.StatusUnauthorized, TokenErrorResponse{Error: TokenErrInvalidClient, ErrorDescription: ie.Message})
		return
	case err != nil:
		h.Fail(w, r, err)
		return
	}
	partnerhttp.WriteJSON(w, http.StatusOK, AccessToken{AccessToken: at.Token, TokenType: "Bearer", ExpiresIn: Int(at.ExpiresIn.Seconds())})
}

// packages lists the account's vacancies; 204 when there are none.
func (h *partnerHandler) packages(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	vs, err := h.PC.Packages(r.Context(), cfg)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if len(vs) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := make(AssessmentPackages, 0, len(vs))
	for _, v := range vs {
		out = append(out, PackageFor(v))
	}
	partnerhttp.WriteJSON(w, http.StatusOK, out)
}

func (h *partnerHandler) onePackage(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	v, err := h.PC.Package(r.Context(), cfg, r.PathValue("id"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	partnerhttp.WriteJSON(w, http.StatusOK, PackageFor(v))
}

// checkOrder refuses an order that is not this integration's to take: for
// another company, with a result URL off the configured SmartRecruiters
// (results carry the company's bearer token there), or for a package that
// does not fit how it was ordered.
func (h *partnerHandler) checkOrder(ctx context.Context, cfg ats.Config, companyID, callbackURL, packageID string, inline bool) error {
	if want := cfg.Setting(SettingCompanyID, ""); companyID != want {
		return ats.Refuse(http.StatusForbidden, "the order is for SmartRecruiters company %q, but this integration is connected to company %q", companyID, want)
	}
	// Only the URL check of a client is used: no credential, no limits.
	if _, err := NewClient(cfg.Setting(SettingBaseURL, DefaultBaseURL), ClientCredentials{}).OrderIDFromCallback(callbackURL); err != nil {
		return ats.Refuse(http.StatusBadRequest, "%v", err)
	}
	v, err := h.PC.Package(ctx, cfg, packageID)
	if err != nil {
		return err
	}
	switch {
	case v.IsInline() && !inline:
		return ats.Refuse(http.StatusBadRequest, "package %q (%s) is an inline assessment: it is taken while applying, through a hiring process's inline step, and cannot be ordered from a profile or step", packageID, v.Name)
	case !v.IsInline() && inline:
		return ats.Refuse(http.StatusBadRequest, "package %q (%s) is not an inline assessment: order it from the candidate's profile or a hiring-process step", packageID, v.Name)
	}
	return nil
}

// order is POST /packages/orders, ad-hoc or auto-triggered: one order, the
// candidate emailed; 202 once it is stored.
func (h *partnerHandler) order(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	body, err := h.ReadBody(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	o, err := DecodeOrder(body)
	if err != nil {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "%v", err))
		return
	}
	if err := h.checkOrder(r.Context(), cfg, string(o.CompanyID), o.ResultCallbackURL, string(o.AssessmentPackageID), false); err != nil {
		h.Fail(w, r, err)
		return
	}
	ev, err := OrderEvent(o)
	if err != nil {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "%v", err))
		return
	}
	if _, err := h.PC.Order(r.Context(), cfg, ev); err != nil {
		h.Fail(w, r, err)
		return
	}
	partnerhttp.WriteJSON(w, http.StatusAccepted, OrderAccepted{})
}

// inlineOrder is POST /packages/inline/orders: the answer is the URL
// SmartRecruiters sends the applicant to, at once; no email goes.
func (h *partnerHandler) inlineOrder(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	body, err := h.ReadBody(w, r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	o, err := DecodeInlineOrder(body)
	if err != nil {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "%v", err))
		return
	}
	if err := h.checkOrder(r.Context(), cfg, string(o.CompanyID), o.ResultCallbackURL, string(o.AssessmentPackageID), true); err != nil {
		h.Fail(w, r, err)
		return
	}
	ev, err := InlineOrderEvent(o)
	if err != nil {
		h.Fail(w, r, ats.Refuse(http.StatusBadRequest, "%v", err))
		return
	}
	rc, err := h.PC.Order(r.Context(), cfg, ev)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if rc.CandidateURL == "" {
		h.Fail(w, r, fmt.Errorf("inline order %s has no candidate URL", rc.OrderID))
		return
	}
	partnerhttp.WriteJSON(w, http.StatusOK, NewInlineResponse(rc.CandidateURL))
}

// disable is DELETE /integrations/companies/{companyId}: the customer
// disconnected the app in SmartRecruiters.
func (h *partnerHandler) disable(w http.ResponseWriter, r *http.Request, cfg ats.Config) {
	if got, want := r.PathValue("companyId"), cfg.Setting(SettingCompanyID, ""); got != want {
		h.Fail(w, r, ats.Refuse(http.StatusNotFound, "this integration is not connected to company %q", got))
		return
	}
	if err := h.PC.Disconnect(r.Context(), cfg, "SmartRecruiters disconnected the app"); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// exchange is the credential exchange of the consent flow: the company the
// token was generated for must be the one connecting; SmartRecruiters gets
// Switchboard's client credential and returns the company's.
func (h *partnerHandler) exchange(companyID string) ats.Exchange {
	return func(ctx context.Context, cfg ats.Config, client ats.ClientCredential) (map[string]string, error) {
		want := cfg.Setting(SettingCompanyID, "")
		if companyID != want {
			return nil, ats.Refuse(http.StatusForbidden,
				"this connection token was generated for SmartRecruiters company %q, not for company %q: use the token generated for this company, or correct the companyId in Switchboard and generate a new one", want, companyID)
		}
		master := masterCredentials(cfg)
		if master.Validate() != nil {
			return nil, ats.Refuse(http.StatusConflict, "the assessment vendor has not entered its SmartRecruiters partner credentials in Switchboard yet")
		}
		creds, err := h.c.clientFor(cfg, master).SetUpIntegration(ctx, companyID, ClientCredentials{ClientID: client.ID, ClientSecret: client.Secret})
		var ae *atshttp.StatusError
		switch {
		case errors.As(err, &ae) && ae.StatusCode == http.StatusForbidden:
			return nil, ats.Refuse(http.StatusForbidden, "SmartRecruiters says company %q has not given its consent: start again from Apps & Integrations → Connect → Allow and continue", companyID)
		case errors.As(err, &ae) && ae.StatusCode == http.StatusConflict:
			return nil, ats.Refuse(http.StatusConflict, "SmartRecruiters says company %q is already connected to this app: disconnect it in SmartRecruiters first", companyID)
		case errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound:
			return nil, ats.Refuse(http.StatusBadGateway, "SmartRecruiters has no partner configuration for Switchboard: ask the vendor to generate a new connection token, which registers it")
		case err != nil:
			base := cfg.Setting(SettingBaseURL, DefaultBaseURL)
			return nil, ats.Refuse(http.StatusBadGateway, "the credential exchange with SmartRecruiters failed: %s", describeCallError(base, err, "the partner credentials"))
		}
		b, err := json.Marshal(companyCredentials{CompanyID: companyID, ClientID: creds.ClientID, ClientSecret: creds.ClientSecret})
		if err != nil {
			return nil, fmt.Errorf("smartrecruiters: encode company credentials: %w", err)
		}
		return map[string]string{CredentialCompanyClient: string(b)}, nil
	}
}

var consentTmpl = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Switchboard</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d2330}
.card{border:1px solid #d8dce3;border-radius:8px;padding:1.5rem}.err{color:#a3211b}.ok{color:#1c6b35}
input[type=text]{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}button,.btn{margin-top:1rem;padding:.5rem 1rem;font:inherit;background:#2456c8;color:#fff;border:0;border-radius:6px;text-decoration:none;display:inline-block}
code{background:#f2f4f7;padding:0 .25rem}</style></head>
<body><main class="card">
<h1>{{.Title}}</h1>
{{with .Error}}<p class="err" role="alert">{{.}}</p>{{end}}
{{with .Message}}<p class="ok">{{.}}</p>{{end}}
{{range .Problems}}<p class="err">✗ {{.}}</p>{{end}}
{{if .Form}}<p>Connect SmartRecruiters company <code>{{.CompanyID}}</code> to Switchboard. Enter the connection token your assessment vendor generated for this company: it is valid for 30 minutes and works once.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="companyId" value="{{.CompanyID}}"><input type="hidden" name="redirect" value="{{.Redirect}}">
<label for="token">Connection token</label>
<input type="text" id="token" name="token" autocomplete="off" spellcheck="false" required>
<button type="submit">Connect</button>
</form>{{end}}
{{with .Continue}}<a class="btn" href="{{.}}">Back to SmartRecruiters</a>{{end}}
</main></body></html>`))

type consentView struct {
	Title, Error, Message string
	Problems              []string
	Form                  bool
	Action, CompanyID     string
	Redirect, Continue    string
}

func renderConsent(w http.ResponseWriter, status int, v consentView) {
	var buf bytes.Buffer
	if err := consentTmpl.Execute(&buf, v); err != nil {
		http.Error(w, "could not render the page", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	// No form-action: Chrome applies it to the redirect that follows the
	// form's POST, which must go back to SmartRecruiters (checked by
	// allowedRedirect before it is sent).
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// consentPage is consentUrl: SmartRecruiters sends the customer's admin
// here with companyId and, in REDIRECT mode, redirect.
func (h *partnerHandler) consentPage(w http.ResponseWriter, r *http.Request) {
	company := strings.TrimSpace(r.URL.Query().Get("companyId"))
	if company == "" {
		renderConsent(w, http.StatusBadRequest, consentView{Title: "Cannot connect",
			Error: "This page is opened from SmartRecruiters (Apps & Integrations → Connect), which names the company; no companyId was given."})
		return
	}
	renderConsent(w, http.StatusOK, consentView{Title: "Connect SmartRecruiters", Form: true, Action: h.prefix + PathConsent,
		CompanyID: company, Redirect: r.URL.Query().Get("redirect")})
}

// consent checks the connection token, exchanges credentials and sends the
// admin back to SmartRecruiters; every refusal is a page that says why.
func (h *partnerHandler) consent(w http.ResponseWriter, r *http.Request) {
	if err := httpform.Parse(w, r, httpform.SmallMax); err != nil {
		renderConsent(w, httpform.Status(err), consentView{Title: "Cannot connect", Error: "The form could not be read; open the page from SmartRecruiters again."})
		return
	}
	company := strings.TrimSpace(r.PostFormValue("companyId"))
	redirect := r.PostFormValue("redirect")
	retry := consentView{Title: "Not connected", Form: true, Action: h.prefix + PathConsent, CompanyID: company, Redirect: redirect}
	if company == "" {
		renderConsent(w, http.StatusBadRequest, consentView{Title: "Cannot connect", Error: "No companyId was given; open the page from SmartRecruiters again."})
		return
	}
	res, err := h.PC.Connect(r.Context(), r.PostFormValue("token"), h.exchange(company))
	var ie *ats.InboundError
	switch {
	case errors.As(err, &ie):
		h.Log.InfoContext(r.Context(), "smartrecruiters connection refused", "company_id", company, "status", ie.Status, "reason", ie.Message)
		retry.Error = ie.Message
		renderConsent(w, ie.Status, retry)
		return
	case err != nil:
		h.Log.ErrorContext(r.Context(), "smartrecruiters connection failed", "company_id", company, "err", err)
		retry.Error = "Switchboard could not complete the connection; try again in a moment."
		renderConsent(w, http.StatusInternalServerError, retry)
		return
	}
	back := ""
	if allowedRedirect(ats.Config{Integration: res.Integration}.Setting(SettingBaseURL, DefaultBaseURL), redirect) {
		back = redirect
	} else if redirect != "" {
		h.Log.WarnContext(r.Context(), "smartrecruiters consent: redirect not under SmartRecruiters' domain, not followed", "company_id", company)
	}
	if !ats.Passed(res.Checks) {
		v := consentView{Title: "Connected, not yet active", Continue: back,
			Message: "SmartRecruiters and Switchboard exchanged credentials, but the integration is not active yet: the assessment vendor must fix the following and enable it."}
		for _, c := range res.Checks {
			if !c.OK {
				v.Problems = append(v.Problems, c.Name+": "+c.Problem)
			}
		}
		renderConsent(w, http.StatusOK, v)
		return
	}
	if back != "" {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	renderConsent(w, http.StatusOK, consentView{Title: "Connected", Message: "SmartRecruiters is connected to Switchboard. You can close this page."})
}

// allowedRedirect reports whether redirect may be followed after consent:
// an http(s) URL on SmartRecruiters' own site, judged from the API base URL
// (api.smartrecruiters.com → smartrecruiters.com and its subdomains; an IP
// or single-label host, as a simulator has, must match exactly), so the
// consent page cannot be used to bounce a browser anywhere else.
func allowedRedirect(base, redirect string) bool {
	b, err := url.Parse(base)
	if err != nil || redirect == "" {
		return false
	}
	r, err := url.Parse(redirect)
	if err != nil || r.Host == "" || (r.Scheme != "https" && !(r.Scheme == "http" && b.Scheme == "http")) {
		return false
	}
	bh, rh := strings.ToLower(b.Hostname()), strings.ToLower(r.Hostname())
	if bh == rh {
		return b.Port() == r.Port() || net.ParseIP(bh) == nil
	}
	if net.ParseIP(bh) != nil {
		return false
	}
	labels := strings.Split(bh, ".")
	if len(labels) < 3 {
		return false
	}
	domain := strings.Join(labels[1:], ".")
	return rh == domain || strings.HasSuffix(rh, "."+domain)
}
