package smartrecruiters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/core"
)

// Setting and credential keys of a SmartRecruiters integration.
const (
	// SettingCompanyID is the customer's SmartRecruiters companyId: the
	// company the integration is connected to.
	SettingCompanyID = "company_id"
	SettingBaseURL   = "base_url"

	// The partner's master credentials, issued by SmartRecruiters' partner
	// operations: the same for every account of one vendor.
	CredentialPartnerClientID     = "partner_client_id"
	CredentialPartnerClientSecret = "partner_client_secret"

	// CredentialCompanyClient holds the customer-level credentials that
	// SmartRecruiters returned from the credential exchange, as JSON
	// (companyCredentials). It is set by connecting, never by hand.
	CredentialCompanyClient = "company_client"
)

// companyCredentials are the credentials SmartRecruiters made for one
// company, with that company's id: after the companyId setting changes they
// are known to belong to another company.
type companyCredentials struct {
	CompanyID    string `json:"companyId"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// ConnectorOptions configure the SmartRecruiters connector.
type ConnectorOptions struct {
	// Limiters share SmartRecruiters' per-credential limits across every job
	// and request; Tokens share access tokens the same way.
	Limiters *LimiterPool
	Tokens   *TokenCache
	// WebhookTolerance is how far a change notification's timestamp may be
	// from now (VerifyChange); 0 means DefaultWebhookTolerance.
	WebhookTolerance time.Duration
	ats.Runtime
}

// Connector connects Switchboard to SmartRecruiters as an Assessment API
// (2021) partner: SmartRecruiters calls Switchboard's partner endpoints
// (partner.go) to connect, list packages and order; Switchboard writes
// statuses, results, the PDF report and custom application fields back. It
// is also applicant review's source of SmartRecruiters jobs and applicants
// (source.go, subscribe.go).
type Connector struct {
	o ConnectorOptions
}

// NewConnector returns the SmartRecruiters connector.
func NewConnector(o ConnectorOptions) *Connector {
	if o.Limiters == nil {
		o.Limiters = NewLimiterPool()
	}
	if o.Tokens == nil {
		o.Tokens = NewTokenCache()
	}
	o.Runtime = o.Runtime.WithDefaults()
	return &Connector{o: o}
}

var (
	_ ats.Connector        = (*Connector)(nil)
	_ ats.PartnerEndpoints = (*Connector)(nil)
	_ ats.Consenter        = (*Connector)(nil)
)

// Provider implements ats.Connector.
func (c *Connector) Provider() string { return "smartrecruiters" }

// Describe implements ats.Connector.
func (c *Connector) Describe() ats.Description {
	return ats.Description{
		Name:     "SmartRecruiters",
		Patterns: []core.Pattern{core.PatternAdHoc, core.PatternInline},
		Settings: []ats.Field{
			{Key: SettingCompanyID, Label: "SmartRecruiters companyId", Required: true,
				Help: "The customer's company id in SmartRecruiters. Changing it disconnects the integration until the customer connects again."},
			{Key: SettingBaseURL, Label: "API base URL", Default: DefaultBaseURL, Hosts: []string{"api.smartrecruiters.com"},
				Help: "SmartRecruiters' API. Changing the host clears the stored credentials and disconnects the integration."},
		},
		Credentials: []ats.Field{
			{Key: CredentialPartnerClientID, Label: "Partner client id", Required: true,
				Help: "Your marketplace app's master client id, from SmartRecruiters' partner operations (the same for every customer)."},
			{Key: CredentialPartnerClientSecret, Label: "Partner client secret", Required: true,
				Help: "The master client secret that goes with the partner client id."},
		},
		// The read-only page (or, failing that, another report link) is the
		// result URL; the PDF goes as an attachment and as its link.
		Reports:      []string{"detail_page_url", "read_only_page_url", "pdf_file", "pdf_url", "signed_report_url"},
		CustomFields: true,
		// Status, the score triple and label, the summary, one result per
		// assessment, attachments by URL and the result URL (wire.go).
		Shows: ats.Shows{Status: true, Score: true, Label: true, Summary: true, Components: true, Attachments: true, ResultURL: true, InProgress: true},
	}
}

func (c *Connector) clientFor(cfg ats.Config, creds ClientCredentials) *Client {
	opts := []Option{
		WithHTTPClient(cfg.HTTPClient), WithLimits(c.o.Limiters.For(creds.ClientID)),
		WithTokenCache(c.o.Tokens), WithClock(c.o.Now),
	}
	if c.o.Sleep != nil {
		opts = append(opts, WithSleep(c.o.Sleep))
	}
	return NewClient(cfg.Setting(SettingBaseURL, DefaultBaseURL), creds, opts...)
}

func masterCredentials(cfg ats.Config) ClientCredentials {
	return ClientCredentials{ClientID: cfg.Secrets[CredentialPartnerClientID], ClientSecret: cfg.Secrets[CredentialPartnerClientSecret]}
}

// errNotConnected is the configuration problem of an integration that has
// no working credentials for its company.
var errNotConnected = errors.New("smartrecruiters: not connected")

// companyClient returns a client with the company's credentials, or an
// error wrapping errNotConnected saying why there is none.
func (c *Connector) companyClient(cfg ats.Config) (*Client, error) {
	raw := cfg.Secrets[CredentialCompanyClient]
	company := cfg.Setting(SettingCompanyID, "")
	if raw == "" {
		return nil, fmt.Errorf("%w: the customer has not connected SmartRecruiters company %q yet", errNotConnected, company)
	}
	var cc companyCredentials
	if err := json.Unmarshal([]byte(raw), &cc); err != nil {
		return nil, fmt.Errorf("%w: stored company credentials are unreadable: %v", errNotConnected, err)
	}
	if cc.CompanyID != company {
		return nil, fmt.Errorf("%w: the stored credentials are for company %q, but the integration is set to company %q", errNotConnected, cc.CompanyID, company)
	}
	return c.clientFor(cfg, ClientCredentials{ClientID: cc.ClientID, ClientSecret: cc.ClientSecret}), nil
}

// classify turns a client error into the core's verdict. state is the order
// state being written back.
func classify(err error, state core.State) error {
	return ats.CallRules{
		Config: []error{errNotConnected, ErrNoLabelValue},
		GiveUp: []error{ErrAttachmentTooLarge},
		Status: func(se *atshttp.StatusError, f ats.Failure) ats.Failure {
			switch {
			case strings.HasSuffix(se.Path, TokenPath) && (se.StatusCode == 400 || se.StatusCode == 401):
				return ats.FailConfig // the token endpoint refused the credentials (invalid_client)
			case se.StatusCode == 404 && state == core.StateInvited:
				// SmartRecruiters may not show an order until our acceptance
				// of it has reached it; the first status can race that.
				return ats.FailRetry
			}
			return f
		},
	}.Classify(err)
}

// WriteBack implements ats.Connector: PATCH the status for each state, and
// on completion upload the PDF report, PATCH the result (score, label,
// summary, result and report links, one result per matching indicator) and
// write the custom application fields. Each call is a step, so a retried job
// repeats only what did not land. That no status is written after a later
// one is the caller's rule: it stops a write-back whose order moved on.
func (c *Connector) WriteBack(ctx context.Context, cfg ats.Config, u ats.Update, steps ats.Steps) error {
	status, ok := StatusFor(u.State)
	if !ok {
		return nil // cancelled: SmartRecruiters has no status for it
	}
	cl, err := c.companyClient(cfg)
	if err != nil {
		return classify(err, u.State)
	}
	orderID := u.Order.ExternalID
	// The order's result URL came from the inbound request; the bearer token
	// goes only to the configured SmartRecruiters.
	if got, err := cl.OrderIDFromCallback(u.Callback.URL); err != nil || got != orderID {
		return &ats.CallError{Failure: ats.FailConfig, Err: fmt.Errorf("smartrecruiters: order %s: result callback does not match the configured API: %v", orderID, err)}
	}
	step := func(name string, fn func(ctx context.Context) error) error {
		if err := steps.Do(ctx, "smartrecruiters:"+string(u.State)+":"+name, fn); err != nil {
			return classify(err, u.State)
		}
		return nil
	}
	patch := func(r PackageResult) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := cl.PatchResults(ctx, orderID, r)
			return err
		}
	}
	switch u.State {
	case core.StateCompleted:
		return c.writeResult(ctx, cfg, cl, u, step, patch)
	case core.StateRejected:
		return step("status", patch(PackageResult{Status: status, Summary: u.Order.Reason}))
	case core.StateReceived, core.StateInvited:
		return step("status", patch(PackageResult{Status: status, AssessmentPackageDate: At(u.Order.CreatedAt)}))
	}
	return step("status", patch(PackageResult{Status: status}))
}

type stepFunc func(name string, fn func(ctx context.Context) error) error

func (c *Connector) writeResult(ctx context.Context, cfg ats.Config, cl *Client, u ats.Update, step stepFunc, patch func(PackageResult) func(context.Context) error) error {
	if u.Result == nil {
		return &ats.CallError{Failure: ats.FailGiveUp, Err: errors.New("smartrecruiters: write back: completed without a result")}
	}
	rc := cfg.Integration.WriteBack.Reports
	var uploaded string
	// SmartRecruiters takes no attachment on inline orders.
	attach := rc.PDFFile && u.Reports.PDF != nil && u.Order.Mode != core.ModeInline
	if attach {
		err := step("attachment", func(ctx context.Context) error {
			pdf, err := u.Reports.PDF(ctx)
			if err != nil {
				return fmt.Errorf("smartrecruiters: render report: %w", err)
			}
			ar, err := cl.UploadAttachment(ctx, u.Order.ExternalID, reportFileName(u), "application/pdf", pdf)
			if err != nil {
				return err
			}
			// Kept for the result below. Should the result fail after this
			// step landed, its retry skips the upload and has no URL to give:
			// it links Switchboard's signed PDF instead (below).
			uploaded = ar.URL
			return nil
		})
		if err != nil {
			return err
		}
	}
	pdfURL := uploaded
	if pdfURL == "" && (rc.PDFURL || attach) {
		pdfURL = u.Reports.PDFURL
	}
	details := ResultDetails{ResultURL: resultURL(rc, u.Reports), PDFURL: pdfURL, SentAt: u.Order.CreatedAt, SubmittedAt: u.Result.SubmittedAt}
	if err := step("result", patch(ResultFor(*u.Result, details))); err != nil {
		return err
	}
	props, err := PropertiesFor(*u.Result, cfg.Integration.WriteBack)
	if err != nil {
		return classify(fmt.Errorf("smartrecruiters: custom fields: %w", err), u.State)
	}
	if len(props) == 0 {
		return nil
	}
	return step("properties", func(ctx context.Context) error {
		candidateID, err := c.candidateID(ctx, cl, u)
		if err != nil {
			return err
		}
		return cl.SetApplicationProperties(ctx, candidateID, u.Order.ExternalJobID, props)
	})
}

// candidateID is the SmartRecruiters id of the order's candidate. Inline
// orders name the applicant by email only (they have no id yet when the
// order is placed), so it is looked up among the job's applicants.
func (c *Connector) candidateID(ctx context.Context, cl *Client, u ats.Update) (string, error) {
	if u.Order.Mode != core.ModeInline {
		return u.Candidate.ExternalID, nil
	}
	cands, err := cl.ListCandidates(ctx, u.Order.ExternalJobID)
	if err != nil {
		return "", err
	}
	for _, cand := range cands {
		if cand.Email != "" && strings.EqualFold(cand.Email, u.Candidate.Email) {
			return string(cand.ID), nil
		}
	}
	// Not visible yet, perhaps: retried later, and given up in the end.
	return "", fmt.Errorf("smartrecruiters: no applicant %q to job %s yet", u.Candidate.Email, u.Order.ExternalJobID)
}

// resultURL is the report link SmartRecruiters shows as the result: the
// read-only page (no sign-in needed), else the signed report, else the
// detail page, as switched on.
func resultURL(rc core.ReportConfig, r ats.Reports) string {
	switch {
	case rc.ReadOnlyPageURL && r.ReadOnlyPageURL != "":
		return r.ReadOnlyPageURL
	case rc.SignedReportURL && r.SignedReportURL != "":
		return r.SignedReportURL
	case rc.DetailPageURL && r.DetailPageURL != "":
		return r.DetailPageURL
	}
	return ""
}

func reportFileName(u ats.Update) string {
	name := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return -1
	}, u.Candidate.Name+" - "+u.Vacancy.Name)
	if name = strings.TrimSpace(name); name == "" || name == "-" {
		name = "report"
	}
	return name + ".pdf"
}

// Validate implements ats.Connector: settings, the partner credentials and
// registration, the connection to the company, and the custom-field map.
func (c *Connector) Validate(ctx context.Context, cfg ats.Config) []ats.Check {
	var checks ats.Checklist
	add := checks.Add
	company := cfg.Setting(SettingCompanyID, "")
	companyOK := add("SmartRecruiters companyId is set", company != "", "enter the customer's SmartRecruiters companyId under Settings")
	base := cfg.Setting(SettingBaseURL, DefaultBaseURL)
	u, err := url.Parse(base)
	baseOK := add("API base URL is an absolute URL", err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "",
		fmt.Sprintf("%q is not an http(s) URL", base))
	master := masterCredentials(cfg)
	masterOK := add("partner client id and secret are set", master.Validate() == nil,
		"enter your marketplace app's master client id and secret under Credentials")
	if wb := cfg.Integration.WriteBack; wb.LabelField.Enabled {
		var missing []string
		for _, l := range []string{"Great fit", "Good fit", "Poor fit"} {
			if wb.LabelValues[l] == "" {
				missing = append(missing, l)
			}
		}
		add("every label maps to a value of the label field", len(missing) == 0,
			"give the SmartRecruiters value id for "+strings.Join(missing, ", ")+", or stop sending the label")
	}
	if !baseOK || !masterOK {
		return checks
	}
	mc := c.clientFor(cfg, master)
	err = mc.Authenticate(ctx)
	if !add("SmartRecruiters accepts the partner credentials", err == nil, describeCallError(base, err, "the partner credentials")) {
		return checks
	}
	_, err = mc.GetPartnerConfiguration(ctx)
	var ae *atshttp.StatusError
	problem := describeCallError(base, err, "the partner credentials")
	if errors.As(err, &ae) && ae.StatusCode == 404 {
		problem = "SmartRecruiters has no partner configuration for Switchboard yet: generate a connection token, which registers it"
	}
	add("Switchboard's endpoints are registered with SmartRecruiters", err == nil, problem)
	if !companyOK {
		return checks
	}
	cc, err := c.companyClient(cfg)
	problem = ""
	if err != nil {
		problem = strings.TrimPrefix(err.Error(), errNotConnected.Error()+": ") +
			"; generate a connection token and have the customer connect from SmartRecruiters' Apps & Integrations"
	}
	if !add(fmt.Sprintf("connected to SmartRecruiters company %s", company), err == nil, problem) {
		return checks
	}
	err = cc.Authenticate(ctx)
	problem = describeCallError(base, err, "the company's credentials")
	if errors.As(err, &ae) && (ae.StatusCode == 400 || ae.StatusCode == 401) {
		problem = "SmartRecruiters no longer accepts the company's credentials (was the app disconnected?): generate a connection token and connect again"
	}
	add("SmartRecruiters accepts the company's credentials", err == nil, problem)
	return checks
}

func describeCallError(base string, err error, what string) string {
	var ae *atshttp.StatusError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ae) && (ae.StatusCode == 400 || ae.StatusCode == 401 || ae.StatusCode == 403):
		return fmt.Sprintf("SmartRecruiters refused %s (%d): check them", what, ae.StatusCode)
	case errors.As(err, &ae):
		return fmt.Sprintf("SmartRecruiters answered %d: %s", ae.StatusCode, ae.Message)
	}
	return fmt.Sprintf("cannot reach SmartRecruiters at %s: %v", base, err)
}
