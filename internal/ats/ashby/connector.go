package ashby

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
)

// Setting and credential keys of an Ashby integration.
const (
	SettingBaseURL = "base_url"
	// CredentialAPIKey is the customer's Ashby API key, with the
	// candidatesWrite permission (assessment.update) and apiKeysRead (so
	// that validation can read its permissions).
	CredentialAPIKey = "api_key"
)

// ReasonCancelledInAshby is the reason of an order Ashby cancelled
// (assessment.cancel): Ashby knows, so nothing is written back for it.
const ReasonCancelledInAshby = "cancelled in Ashby"

// ConnectorOptions configure the Ashby connector.
type ConnectorOptions struct {
	ats.Runtime
}

// Connector connects Switchboard to Ashby as an assessment partner.
type Connector struct {
	o ConnectorOptions
}

// NewConnector returns the Ashby connector.
func NewConnector(o ConnectorOptions) *Connector {
	o.Runtime = o.Runtime.WithDefaults()
	return &Connector{o: o}
}

var (
	_ ats.Connector        = (*Connector)(nil)
	_ ats.PartnerEndpoints = (*Connector)(nil)
)

// Provider implements ats.Connector.
func (c *Connector) Provider() string { return "ashby" }

// Describe implements ats.Connector.
func (c *Connector) Describe() ats.Description {
	return ats.Description{
		Name:     "Ashby",
		Patterns: []core.Pattern{core.PatternAdHoc},
		Settings: []ats.Field{
			{Key: SettingBaseURL, Label: "API base URL", Default: DefaultBaseURL, Hosts: []string{AshbyHost},
				Help: "Ashby's API. Changing the host clears the stored API key."},
		},
		Credentials: []ats.Field{
			{Key: CredentialAPIKey, Label: "Ashby API key", Required: true,
				Help: "An API key the customer's Ashby admin creates (Admin → Integrations → API keys) with the candidatesWrite and apiKeysRead permissions: Switchboard sends progress and results with it."},
		},
		// Every report link goes as a url value; the profile URL is the
		// first one switched on (profileURL).
		Reports: []string{"detail_page_url", "read_only_page_url", "pdf_url", "signed_report_url"},
		// The status, the result (score or verdict), and metadata values: the
		// label, the summary, one score per component, the report links.
		Shows:   ats.Shows{Status: true, Score: true, Label: true, Summary: true, Components: true, ResultURL: true, InProgress: true},
		Results: ats.ResultsPushed,
	}
}

func (c *Connector) client(cfg ats.Config) *Client {
	return NewClient(cfg.Setting(SettingBaseURL, DefaultBaseURL), cfg.Secrets[CredentialAPIKey],
		ClientOptions{HTTP: cfg.HTTPClient, Sleep: c.o.Sleep, Now: c.o.Now})
}

// errNoKey is the configuration problem of an integration without the
// customer's API key.
var errNoKey = errors.New("ashby: no Ashby API key is stored: enter the customer's key under Credentials")

// classify turns a client error into the core's verdict: a refused key or
// permission needs a person, input Ashby refused will be refused again, and
// the rest is retried.
func classify(err error) error {
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Code == CodeMissingEndpointPermission:
		return &ats.CallError{Failure: ats.FailConfig, Err: err}
	case errors.As(err, &ae):
		return &ats.CallError{Failure: ats.FailGiveUp, Err: err}
	}
	return ats.CallRules{Config: []error{errNoKey}}.Classify(err)
}

// WriteBack implements ats.Connector: one assessment.update per state,
// each a step, so a retried job does not send it again once Ashby took it.
// An order Ashby cancelled is not written back: Ashby cancelled it.
func (c *Connector) WriteBack(ctx context.Context, cfg ats.Config, u ats.Update, steps ats.Steps) error {
	req, ok, err := UpdateFor(u, cfg.Integration.WriteBack.Reports)
	if err != nil {
		return &ats.CallError{Failure: ats.FailGiveUp, Err: err}
	}
	if !ok {
		return nil
	}
	if cfg.Secrets[CredentialAPIKey] == "" {
		return classify(errNoKey)
	}
	cl := c.client(cfg)
	return classify(steps.Do(ctx, "ashby:"+string(u.State)+":update", func(ctx context.Context) error {
		return cl.Update(ctx, req)
	}))
}

// UpdateFor is the assessment.update of one state change, or ok false when
// Ashby is not told (received: Ashby knows from the start's answer;
// cancelled in Ashby).
func UpdateFor(u ats.Update, rc core.ReportConfig) (req UpdateRequest, ok bool, err error) {
	o := u.Order
	req = UpdateRequest{AssessmentID: o.ExternalID}
	ms := func(t ...time.Time) int64 {
		for _, x := range t {
			if !x.IsZero() {
				return x.UnixMilli()
			}
		}
		return 0
	}
	status := func(s string) *Value {
		return &Value{Identifier: "status", Label: "Status", Type: TypeString, Value: s}
	}
	cancelled := func(why string) *Value {
		return &Value{Identifier: "cancelled_reason", Label: "Reason", Type: TypeString, Value: why}
	}
	switch u.State {
	case core.StateInvited:
		// Invited in the transaction that made the order.
		req.Timestamp = ms(o.CreatedAt, o.UpdatedAt)
		req.AssessmentStatus = status(StatusInvited)
	case core.StateInProgress:
		req.Timestamp = ms(o.StartedAt, o.UpdatedAt)
		req.AssessmentStatus = status(StatusStarted)
	case core.StateExpired:
		req.Timestamp = ms(o.UpdatedAt)
		req.CancelledReason = cancelled("The invitation expired before the candidate took the assessment.")
	case core.StateRejected:
		req.Timestamp = ms(o.UpdatedAt)
		req.CancelledReason = cancelled(cmp.Or(o.Reason, "The assessment vendor refused the order."))
	case core.StateCancelled:
		if o.Reason == ReasonCancelledInAshby {
			return UpdateRequest{}, false, nil
		}
		req.Timestamp = ms(o.UpdatedAt)
		req.CancelledReason = cancelled(cmp.Or(o.Reason, "Cancelled in Switchboard."))
	case core.StateCompleted:
		if u.Result == nil {
			return UpdateRequest{}, false, errors.New("ashby: write back: completed without a result")
		}
		req.Timestamp = ms(u.Result.SubmittedAt, o.CompletedAt, o.UpdatedAt)
		req.AssessmentStatus = status(StatusCompleted)
		req.AssessmentProfileURL = &Value{Identifier: "profile_url", Label: "Report", Type: TypeURL, Value: profileURL(*u.Result, rc, u.Reports)}
		req.AssessmentResult = resultValue(*u.Result)
		req.Metadata = metadata(u, rc)
	default:
		return UpdateRequest{}, false, nil
	}
	if req.Timestamp == 0 {
		return UpdateRequest{}, false, fmt.Errorf("ashby: write back %s: the order has no time for it", u.State)
	}
	return req, true, nil
}

// profileURL is the link Ashby shows back to the assessment: the read-only
// report, the signed report, Switchboard's order page, as switched on; else
// the vendor's own result page; else Switchboard's order page, which needs a
// sign-in but always exists.
func profileURL(r core.Result, rc core.ReportConfig, rp ats.Reports) string {
	switch {
	case rc.ReadOnlyPageURL && rp.ReadOnlyPageURL != "":
		return rp.ReadOnlyPageURL
	case rc.SignedReportURL && rp.SignedReportURL != "":
		return rp.SignedReportURL
	case rc.DetailPageURL && rp.DetailPageURL != "":
		return rp.DetailPageURL
	case r.ResultURL != "":
		return r.ResultURL
	}
	return rp.DetailPageURL
}

// resultValue is the assessment_result: the score on its scale, else the
// verdict, else the label, else "Completed".
func resultValue(r core.Result) *Value {
	switch {
	case r.Score != nil:
		return &Value{Identifier: "score", Label: "Score", Type: TypeNumericScore, Value: r.Score.Value,
			Description: fmt.Sprintf("%s on a scale of %s to %s", num(r.Score.Value), num(r.Score.Min), num(r.Score.Max))}
	case r.Value == core.ResultPassed || r.Value == core.ResultFailed:
		return &Value{Identifier: "result", Label: "Passed", Type: TypeBooleanSuccess, Value: r.Value == core.ResultPassed}
	case r.Label != "":
		return &Value{Identifier: "result", Label: "Result", Type: TypeString, Value: r.Label}
	}
	return &Value{Identifier: "result", Label: "Result", Type: TypeString, Value: StatusCompleted}
}

func num(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}

// metadata are the result's other parts as Ashby value objects, each with a
// unique identifier.
func metadata(u ats.Update, rc core.ReportConfig) []Value {
	r := *u.Result
	var out []Value
	if r.Label != "" && r.Score != nil {
		out = append(out, Value{Identifier: "label", Label: "Fit", Type: TypeString, Value: r.Label})
	}
	if r.Score != nil && (r.Value == core.ResultPassed || r.Value == core.ResultFailed) {
		out = append(out, Value{Identifier: "passed", Label: "Passed", Type: TypeBooleanSuccess, Value: r.Value == core.ResultPassed})
	}
	if r.Summary != "" {
		out = append(out, Value{Identifier: "summary", Label: "Summary", Type: TypeString, Value: r.Summary})
	}
	for _, cp := range r.Components {
		if cp.Score == nil || cp.Key == "" {
			continue
		}
		out = append(out, Value{Identifier: "component:" + cp.Key, Label: cmp.Or(cp.Name, cp.Key), Type: TypeNumericScore, Value: cp.Score.Value,
			Description: fmt.Sprintf("on a scale of %s to %s", num(cp.Score.Min), num(cp.Score.Max))})
	}
	started := cmp.Or(r.StartedAt, u.Order.StartedAt)
	if !started.IsZero() && r.SubmittedAt.After(started) {
		out = append(out, Value{Identifier: "duration", Label: "Time taken", Type: TypeDurationMinutes, Value: float64(int(r.SubmittedAt.Sub(started).Minutes()*10)) / 10})
	}
	links := []struct {
		on        bool
		id, label string
		url       string
	}{
		{rc.ReadOnlyPageURL, "read_only_report", "Report (no sign-in)", u.Reports.ReadOnlyPageURL},
		{rc.SignedReportURL, "signed_report", "Signed report", u.Reports.SignedReportURL},
		{rc.PDFURL, "pdf_report", "PDF report", u.Reports.PDFURL},
		{rc.DetailPageURL, "switchboard_order", "Order in Switchboard", u.Reports.DetailPageURL},
	}
	for _, l := range links {
		if l.on && l.url != "" {
			out = append(out, Value{Identifier: l.id, Label: l.label, Type: TypeURL, Value: l.url})
		}
	}
	return out
}

// Validate implements ats.Connector: the settings, the key Ashby calls
// Switchboard with, and, with a real call to apiKey.info, that Ashby accepts
// the customer's key and that it may write assessments (candidatesWrite).
func (c *Connector) Validate(ctx context.Context, cfg ats.Config) []ats.Check {
	var checks ats.Checklist
	add := checks.Add
	base := cfg.Setting(SettingBaseURL, DefaultBaseURL)
	u, err := url.Parse(base)
	baseOK := add("API base URL is an absolute URL", err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "",
		fmt.Sprintf("%q is not an http(s) URL", base))
	keyOK := add("the customer's Ashby API key is set", cfg.Secrets[CredentialAPIKey] != "",
		"enter the customer's Ashby API key under Credentials")
	if !baseOK || !keyOK {
		return checks
	}
	info, err := c.client(cfg).APIKeyInfo(ctx)
	status, code := statusOf(err)
	var ae *APIError
	problem := ""
	switch {
	case err == nil:
	case status == 401:
		problem = "Ashby did not take the API key (401): enter the key again"
	case status == 403 && code == CodeMissingEndpointPermission:
		problem = "Ashby accepts the key, but it lacks the apiKeysRead permission Switchboard checks it with: give the key apiKeysRead and candidatesWrite in Ashby"
	case status == 403:
		problem = "Ashby refused the API key (403): it is wrong or was revoked; create a new one in Ashby and enter it"
	case errors.As(err, &ae):
		problem = "Ashby refused apiKey.info: " + ae.Code + " " + ae.Message
	case status != 0:
		problem = fmt.Sprintf("Ashby answered %d: %v", status, err)
	default:
		problem = fmt.Sprintf("cannot reach Ashby at %s: %v", base, err)
	}
	if !add("Ashby accepts the API key", err == nil, problem) {
		return checks
	}
	add("the API key may write assessments (candidatesWrite)", info.CanWriteCandidates(),
		fmt.Sprintf("the key %q has the permissions %s, not candidatesWrite: give it candidatesWrite in Ashby", info.Title, strings.Join(info.Scopes, ", ")))
	return checks
}
