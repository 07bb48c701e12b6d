package workable

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
	"switchboard/internal/core"
)

// Setting and credential keys of a Workable integration.
const (
	// SettingSubdomain is the customer's Workable subdomain: acme in
	// acme.workable.com. It names the SPI's host.
	SettingSubdomain = "subdomain"
	// SettingBaseURL overrides the SPI URL derived from the subdomain (a
	// simulator, a proxy the operator allows).
	SettingBaseURL = "base_url"
	// SettingMemberID is the Workable member notes are recorded as; empty:
	// the account's first admin (GET /members).
	SettingMemberID = "member_id"

	// CredentialAPIToken is the customer's account access token (SPI v3).
	CredentialAPIToken = "api_token"
	// CredentialCallbackToken is the token Workable generated when the
	// customer created the integration, sent with every results callback.
	CredentialCallbackToken = "callback_token"
)

// CallbackHosts are the hosts a callback URL may name without the
// operator's leave [I]: Workable's own.
var CallbackHosts = []string{"*.workable.com"}

// ConnectorOptions configure the Workable connector.
type ConnectorOptions struct {
	// AllowATSHosts are the hosts the operator allows besides Workable's own
	// (--allow-ats-host), for callback URLs as for the API URL. An
	// unreadable list allows none (the app refuses to start with it anyway).
	AllowATSHosts []string
	// Limiters share each token's rate limit across every job and request.
	Limiters *atshttp.Pool[*Limits]
	ats.Runtime
}

// Connector connects Switchboard to Workable as an assessment provider.
type Connector struct {
	o     ConnectorOptions
	hosts ats.AllowedHosts
	// members caches the admin member notes are recorded as, per account
	// token (by its hash), so that a write-back spends no request of the
	// 10-per-10-seconds on finding it again.
	mu      sync.Mutex
	members map[[sha256.Size]byte]string
}

// NewConnector returns the Workable connector.
func NewConnector(o ConnectorOptions) *Connector {
	if o.Limiters == nil {
		o.Limiters = NewPool()
	}
	o.Runtime = o.Runtime.WithDefaults()
	hosts, err := ats.ParseAllowedHosts(o.AllowATSHosts)
	if err != nil {
		o.Logger.Error("workable: the allowed ATS hosts are unreadable; callback URLs are accepted only on Workable's own hosts", "err", err)
	}
	return &Connector{o: o, hosts: hosts, members: map[[sha256.Size]byte]string{}}
}

var (
	_ ats.Connector        = (*Connector)(nil)
	_ ats.PartnerEndpoints = (*Connector)(nil)
)

// Provider implements ats.Connector.
func (c *Connector) Provider() string { return "workable" }

// Describe implements ats.Connector.
func (c *Connector) Describe() ats.Description {
	return ats.Description{
		Name: "Workable",
		// Workable sends a test from a pipeline stage and the candidate is
		// emailed: there is no inline assessment.
		Patterns: []core.Pattern{core.PatternAdHoc},
		Settings: []ats.Field{
			{Key: SettingSubdomain, Label: "Workable subdomain", Required: true,
				Help: "The customer's Workable account: acme for acme.workable.com. Switchboard calls https://<subdomain>.workable.com/spi/v3."},
			{Key: SettingMemberID, Label: "Member id for notes",
				Help: "The Workable member the timeline notes are recorded as; empty uses the account's first admin."},
			{Key: SettingBaseURL, Label: "API base URL (override)", Hosts: []string{"*.workable.com"},
				Help: "Leave empty: it follows from the subdomain. Only for a proxy or simulator the operator allowed. Changing the host clears the stored credentials."},
		},
		Credentials: []ats.Field{
			{Key: CredentialAPIToken, Label: "API access token", Required: true,
				Help: "Workable → Settings → Integrations → Generate new token, with the scopes r_jobs, r_candidates, w_candidates and r_requisitions (shown once)."},
			{Key: CredentialCallbackToken, Label: "Workable callback token", Required: true,
				Help: "The access token Workable generated when the assessment integration was created (on its integration card): results are sent to Workable with it."},
		},
		// Workable takes links only: the PDF goes as its URL.
		Reports: []string{"detail_page_url", "read_only_page_url", "pdf_url", "signed_report_url"},
		// Status, score, grade, summary, details per component, attachments
		// and the results URL; a started assessment is still pending. The
		// label is not shown as such: Workable shows one of three grades,
		// derived from the result (GradeFor).
		Shows: ats.Shows{Status: true, Score: true, Summary: true, Components: true, Attachments: true, ResultURL: true},
		// The Assessments tab: the status, score, label and component
		// scores also go to custom fields of the candidate's profile.
		CustomFields: true,
		StatusField:  true,
		Results:      ats.ResultsPushed,
		Multiple:     true,
	}
}

// subdomainRE is one DNS label, as Workable's subdomains are.
var subdomainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// baseURL is the SPI of the integration: the override, else the subdomain's.
func baseURL(cfg ats.Config) (string, error) {
	if b := cfg.Setting(SettingBaseURL, ""); b != "" {
		return b, nil
	}
	sub := strings.ToLower(cfg.Setting(SettingSubdomain, ""))
	if !subdomainRE.MatchString(sub) {
		return "", fmt.Errorf("workable: the subdomain %q is not a Workable subdomain (acme for acme.workable.com)", sub)
	}
	return DefaultBaseURL(sub), nil
}

func (c *Connector) clientOptions(cfg ats.Config, token string) ClientOptions {
	return ClientOptions{HTTP: cfg.HTTPClient, Limiter: c.o.Limiters.For(token), Sleep: c.o.Sleep, Now: c.o.Now}
}

func (c *Connector) client(cfg ats.Config) (*Client, error) {
	base, err := baseURL(cfg)
	if err != nil {
		return nil, err
	}
	token := cfg.Secrets[CredentialAPIToken]
	return NewClient(base, token, c.clientOptions(cfg, token))
}

// CheckCallback says what is wrong with a callback URL, or "": results carry
// the Workable-issued token there, so it must be an https URL of Workable's
// own hosts (*.workable.com [I]) or a host the operator allowed.
func (c *Connector) CheckCallback(raw string) string {
	return c.hosts.CheckURL("Workable", ats.Field{Hosts: CallbackHosts}, raw)
}

// errConfig marks what a person must fix.
var errConfig = errors.New("workable: configuration")

// classify turns a client error into the core's verdict.
var classify = ats.CallRules{Config: []error{errConfig, ErrField}, GiveUp: []error{ErrPaging}}.Classify

// WriteBack implements ats.Connector: each state change is a PUT of its
// status to the order's callback URL with the Workable-issued token; on
// completion with the results URL, score, grade, summary, details and the
// report links switched on; and once, when the candidate is sent the
// assessment, a note on their timeline. Each call is a step, so a retried
// job repeats only what did not land.
func (c *Connector) WriteBack(ctx context.Context, cfg ats.Config, u ats.Update, steps ats.Steps) error {
	step := func(name string, fn func(ctx context.Context) error) error {
		return classify(steps.Do(ctx, "workable:"+name, fn))
	}
	// Cancelled has no Workable status; the status field still shows it.
	if status, ok := StatusFor(u.State); ok {
		if err := c.writeStatus(ctx, cfg, u, status, step); err != nil {
			return err
		}
	}
	if !FieldsWanted(u.State, cfg.Integration.WriteBack) {
		return nil
	}
	return step(string(u.State)+":fields", func(ctx context.Context) error { return c.fields(ctx, cfg, u) })
}

// writeStatus is the results callback of one state change, and the note.
func (c *Connector) writeStatus(ctx context.Context, cfg ats.Config, u ats.Update, status Status, step func(string, func(context.Context) error) error) error {
	// The core unseals the callback Workable gave with the order.
	callbackURL := u.Callback.URL
	if callbackURL == "" {
		return &ats.CallError{Failure: ats.FailGiveUp, Err: fmt.Errorf("workable: order %s has no callback URL", u.Order.ID)}
	}
	if problem := c.CheckCallback(callbackURL); problem != "" {
		return &ats.CallError{Failure: ats.FailConfig, Err: fmt.Errorf("workable: order %s: nothing is sent to its callback URL: %s", u.Order.ID, problem)}
	}
	token := cmp.Or(u.Callback.Token, cfg.Secrets[CredentialCallbackToken])
	if token == "" {
		return &ats.CallError{Failure: ats.FailConfig, Err: errors.New("workable: the Workable callback token is not set: enter it under Credentials")}
	}
	cb := NewCallbacks(token, c.clientOptions(cfg, token))
	put := func(ru ResultsUpdate) func(ctx context.Context) error {
		return func(ctx context.Context) error { return cb.Put(ctx, callbackURL, ru) }
	}
	ru := ResultsUpdate{Status: status}
	if u.State == core.StateCompleted {
		if u.Result == nil {
			return &ats.CallError{Failure: ats.FailGiveUp, Err: errors.New("workable: write back: completed without a result")}
		}
		l := LinksFor(cfg.Integration.WriteBack.Reports, u.Reports, *u.Result)
		if l.ResultsURL == "" {
			return &ats.CallError{Failure: ats.FailConfig, Err: errors.New("workable: Workable needs a results URL with a completed assessment: switch on the read-only page, the signed report or the detail page under Reports")}
		}
		ru = CompletedUpdate(*u.Result, l)
	}
	if err := step(string(u.State)+":status", put(ru)); err != nil {
		return err
	}
	// The note says the assessment went out: written once, with the first
	// state change that shows it did (an outside vendor's order may be
	// written back first as started, or even completed).
	switch u.State {
	case core.StateReceived, core.StateInvited, core.StateInProgress, core.StateCompleted:
		return step("note", func(ctx context.Context) error { return c.note(ctx, cfg, u) })
	}
	return nil
}

// note records on the candidate's timeline that the assessment was sent.
func (c *Connector) note(ctx context.Context, cfg ats.Config, u ats.Update) error {
	cl, cand, err := c.candidate(ctx, cfg, u)
	if err != nil {
		return err
	}
	member, err := c.memberID(ctx, cfg, cl)
	if err != nil {
		return err
	}
	return cl.Comment(ctx, cand, member, NoteFor(u))
}

// fields writes the Assessments tab's custom fields of the candidate. The
// account's attributes are read each time: their types decide how a value
// is sent, and an admin may change them in Workable at any moment.
func (c *Connector) fields(ctx context.Context, cfg ats.Config, u ats.Update) error {
	cl, cand, err := c.candidate(ctx, cfg, u)
	if err != nil {
		return err
	}
	attrs, err := cl.CustomAttributes(ctx)
	if err != nil {
		return err
	}
	vals, err := AttributeValuesFor(u.State, u.Result, cfg.Integration.WriteBack, attrs)
	if err != nil {
		return err
	}
	for _, v := range vals {
		if err := cl.SetAttribute(ctx, cand, v); err != nil {
			return fmt.Errorf("workable: set custom field %s: %w", v.Key, err)
		}
	}
	return nil
}

// candidate is the order's candidate id in Workable, with a client of the
// integration's API. Workable's request names the candidate by email and
// job only, so the candidate is looked up.
func (c *Connector) candidate(ctx context.Context, cfg ats.Config, u ats.Update) (*Client, string, error) {
	cl, err := c.client(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", errConfig, err)
	}
	email := u.Candidate.Email
	cand, ok, err := cl.FindCandidate(ctx, u.Order.ExternalJobID, email)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		// Not visible yet, perhaps: retried later, and given up in the end.
		return nil, "", fmt.Errorf("workable: no candidate %q on job %s yet", email, u.Order.ExternalJobID)
	}
	return cl, string(cand.ID), nil
}

// memberID is the member notes are recorded as: the setting, else the
// account's first admin (cached per token).
func (c *Connector) memberID(ctx context.Context, cfg ats.Config, cl *Client) (string, error) {
	if id := cfg.Setting(SettingMemberID, ""); id != "" {
		return id, nil
	}
	key := sha256.Sum256([]byte(cfg.Setting(SettingSubdomain, "") + "\x00" + cfg.Secrets[CredentialAPIToken]))
	c.mu.Lock()
	id, ok := c.members[key]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	ms, err := cl.Members(ctx)
	if err != nil {
		return "", err
	}
	id = firstAdmin(ms)
	if id == "" {
		return "", fmt.Errorf("%w: the Workable account has no admin member to record notes as: set the member id", errConfig)
	}
	c.mu.Lock()
	c.members[key] = id
	c.mu.Unlock()
	return id, nil
}

func firstAdmin(ms []Member) string {
	for _, m := range ms {
		if strings.EqualFold(m.Role, RoleAdmin) && m.ID != "" {
			return string(m.ID)
		}
	}
	return ""
}

// Validate implements ats.Connector: the settings and credentials are
// there, and real calls prove the token and its scopes as far as reading
// does (r_jobs: jobs and members; r_candidates; r_requisitions). w_candidates
// cannot be proven without writing to a candidate: the first note does.
func (c *Connector) Validate(ctx context.Context, cfg ats.Config) []ats.Check {
	var checks ats.Checklist
	add := checks.Add
	sub := strings.ToLower(cfg.Setting(SettingSubdomain, ""))
	subOK := add("Workable subdomain is set", subdomainRE.MatchString(sub),
		fmt.Sprintf("enter the customer's Workable subdomain under Settings (acme for acme.workable.com), not %q", sub))
	tokenOK := add("API access token is set", cfg.Secrets[CredentialAPIToken] != "",
		"generate an account access token in Workable (Settings → Integrations) and enter it under Credentials")
	add("Workable callback token is set", cfg.Secrets[CredentialCallbackToken] != "",
		"enter the token Workable generated when the assessment integration was created: results are sent with it")
	if !subOK || !tokenOK {
		return checks
	}
	cl, err := c.client(cfg)
	if !add("API base URL is usable", err == nil, fmt.Sprint(err)) {
		return checks
	}
	base, _ := baseURL(cfg)
	_, err = cl.FirstJobs(ctx, 1)
	if !add("Workable accepts the API access token and it reads jobs (r_jobs)", err == nil, describe(base, err, "r_jobs")) {
		if isStatus(err, http.StatusUnauthorized) || !isStatus(err, 0) {
			return checks
		}
	}
	_, err = cl.FirstCandidates(ctx, 1)
	add("the token reads candidates (r_candidates)", err == nil, describe(base, err, "r_candidates"))
	_, err = cl.FirstRequisitions(ctx, 1)
	add("the token reads requisitions (r_requisitions)", err == nil, describe(base, err, "r_requisitions"))
	if id := cfg.Setting(SettingMemberID, ""); id != "" {
		ms, err := cl.Members(ctx)
		found := false
		for _, m := range ms {
			found = found || string(m.ID) == id
		}
		problem := describe(base, err, "r_jobs")
		if err == nil && !found {
			problem = fmt.Sprintf("Workable has no member %q: correct the member id, or leave it empty to use the first admin", id)
		}
		add("the member notes are recorded as exists", err == nil && found, problem)
	} else {
		_, err := c.memberID(ctx, cfg, cl)
		problem := describe(base, err, "r_jobs")
		if errors.Is(err, errConfig) {
			problem = "the Workable account has no admin member to record notes as: enter a member id under Settings"
		}
		add("an admin member to record notes as", err == nil, problem)
	}
	if wb := cfg.Integration.WriteBack; FieldsWanted(core.StateCompleted, wb) {
		attrs, err := cl.CustomAttributes(ctx)
		problem := describe(base, err, "r_jobs")
		if err == nil {
			problem = strings.Join(FieldProblems(wb, attrs), "; ")
		}
		add("the custom fields of the Assessments tab exist and take their values", problem == "", problem)
	}
	return checks
}

// isStatus reports whether err is an HTTP answer of Workable with status
// code (any status, for code 0).
func isStatus(err error, code int) bool {
	var se *atshttp.StatusError
	return errors.As(err, &se) && (code == 0 || se.StatusCode == code)
}

// describe says what went wrong with a call, in the admin's words.
func describe(base string, err error, scope string) string {
	var se *atshttp.StatusError
	var we *atshttp.WaitError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &se) && se.StatusCode == http.StatusUnauthorized:
		return fmt.Sprintf("Workable refused the API access token (401%s): check it, or generate a new one in Workable → Settings → Integrations", detail(se))
	case errors.As(err, &se) && se.StatusCode == http.StatusForbidden:
		return fmt.Sprintf("the API access token lacks the scope %s (403%s): generate a token with r_jobs, r_candidates, w_candidates and r_requisitions", scope, detail(se))
	case errors.As(err, &se) && se.StatusCode == http.StatusNotFound:
		return fmt.Sprintf("Workable answered 404 at %s: check the subdomain (the API is at https://<subdomain>.workable.com/spi/v3)", base)
	case errors.As(err, &se) && se.StatusCode == http.StatusTooManyRequests:
		return fmt.Sprintf("Workable's rate limit (10 requests per 10 seconds) is spent%s: validate again in a moment", retryIn(se.RetryAfter))
	case errors.As(err, &se):
		return fmt.Sprintf("Workable answered %d%s", se.StatusCode, detail(se))
	case errors.As(err, &we):
		return fmt.Sprintf("Workable's rate limit (10 requests per 10 seconds) is spent: validate again in %s", we.Wait.Round(time.Second))
	case errors.Is(err, errConfig):
		return strings.TrimPrefix(err.Error(), errConfig.Error()+": ")
	}
	return fmt.Sprintf("cannot reach Workable at %s: %v", base, err)
}

func detail(se *atshttp.StatusError) string {
	if se.Message == "" {
		return ""
	}
	return ": " + se.Message
}

func retryIn(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return " for " + d.Round(time.Second).String()
}
