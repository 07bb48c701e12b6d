package api

import (
	"cmp"
	"time"

	"switchboard/internal/assess"
	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/integrations"
	"switchboard/internal/service"
	"switchboard/internal/store"
)

// The API's JSON shapes. They are separate from the domain types so that a
// domain change never silently changes the wire, and so secrets cannot leak
// by being a field nobody remembered to hide.

func ts(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

type userOut struct {
	ID            string     `json:"id"`
	AccountID     string     `json:"account_id"`
	Email         string     `json:"email"`
	Name          string     `json:"name"`
	Role          core.Role  `json:"role"`
	Active        bool       `json:"active"`
	HasPassword   bool       `json:"has_password"`
	DeactivatedAt *time.Time `json:"deactivated_at,omitempty"`
	// Operator: the user may use the /api/v1/operator routes.
	Operator bool `json:"operator"`
}

func userJSON(u core.User) userOut {
	return userOut{ID: u.ID, AccountID: u.AccountID, Email: u.Email, Name: u.Name, Role: u.Role,
		Active: u.Active(), HasPassword: u.PasswordHash != "", DeactivatedAt: ts(u.DeactivatedAt), Operator: u.Operator}
}

type integrationOut struct {
	ID          string                         `json:"id"`
	Provider    string                         `json:"provider"`
	Name        string                         `json:"name"`
	Status      core.IntegrationStatus         `json:"status"`
	Patterns    []core.Pattern                 `json:"patterns"`
	Settings    map[string]string              `json:"settings"`
	WriteBack   core.WriteBackConfig           `json:"write_back"`
	WebhookURL  string                         `json:"webhook_url,omitempty"`
	Credentials []integrations.CredentialState `json:"credentials"`
	Supports    ats.Description                `json:"supports"`
	// CredentialsCleared, in an update's answer, names the credentials the
	// update removed because the API host changed.
	CredentialsCleared []string `json:"credentials_cleared,omitempty"`
	// InboundFailures are shown on one integration, when there are any.
	InboundFailures []inboundFailureOut `json:"inbound_failures,omitempty"`
	// Inbound is how the ATS calls Switchboard, for partner connectors (one
	// integration's answer only).
	Inbound   *inboundOut `json:"inbound,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// inboundOut is how an integration's ATS calls Switchboard: auth is
// oauth_client (connected from a consent page with a connection token),
// bearer or basic (a key Switchboard issues: POST …/inbound-key); connected
// says the ATS holds a working credential, since connected_at; key_hint is
// the start of the issued key, enough to tell which one the ATS holds;
// urls are the full URLs to enter in the ATS, labelled as the ATS names them.
type inboundOut struct {
	Auth         ats.InboundAuth    `json:"auth"`
	EndpointBase string             `json:"endpoint_base"`
	URLs         []ats.HandOverLink `json:"urls"`
	Connected    bool               `json:"connected"`
	ConnectedAt  *time.Time         `json:"connected_at,omitempty"`
	KeyHint      string             `json:"key_hint,omitempty"`
}

// inboundFailureOut is a stored webhook whose processing failed, and why.
type inboundFailureOut struct {
	EventID    string    `json:"event_id"`
	Kind       string    `json:"kind"`
	ReceivedAt time.Time `json:"received_at"`
	FailedAt   time.Time `json:"failed_at"`
	Failure    string    `json:"failure"`
	// JobID is the job that processed it last, while the queue keeps it.
	JobID int64 `json:"job_id,omitempty"`
}

func integrationJSON(v integrations.IntegrationView) integrationOut {
	settings := v.Settings
	if settings == nil {
		settings = map[string]string{}
	}
	out := integrationOut{
		ID: v.ID, Provider: v.Provider, Name: v.Name, Status: v.Status, Patterns: v.Patterns, Settings: settings,
		WriteBack: v.WriteBack, WebhookURL: v.WebhookURL, Credentials: v.Credentials, Supports: v.Description,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
	if pc := v.Inbound; pc != nil {
		out.Inbound = &inboundOut{Auth: pc.Auth, EndpointBase: pc.EndpointBase, URLs: pc.HandOver, Connected: pc.Connected, ConnectedAt: ts(pc.ConnectedAt), KeyHint: pc.KeyHint}
	}
	for _, e := range v.InboundFailures {
		out.InboundFailures = append(out.InboundFailures, inboundFailureOut{
			EventID: e.ID, Kind: e.Kind, ReceivedAt: e.ReceivedAt, FailedAt: e.ProcessedAt, Failure: e.Failure, JobID: e.JobID,
		})
	}
	return out
}

type vacancyOut struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// VendorID is the vendor fulfilling the vacancy's orders (builtin for
	// the built-in engine); Kind is assessment or background_check.
	VendorID string    `json:"vendor_id"`
	Kind     core.Kind `json:"kind"`
	Tag      string    `json:"tag,omitempty"`
	// Inline is whether the package is taken mid-application, as the ATS and
	// the pages see it (core.Vacancy.IsInline): set, or "inline" in the name.
	// InlineSet is the flag alone, what `"inline"` in a create or change sets.
	Inline     bool              `json:"inline"`
	InlineSet  bool              `json:"inline_set"`
	ExpiryDays int               `json:"expiry_days"`
	ReturnURL  string            `json:"return_url,omitempty"`
	Thresholds assess.Thresholds `json:"thresholds"`
	Package    assess.Package    `json:"package"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

func vacancyJSON(v store.EngineVacancy) vacancyOut {
	days := v.ExpiryDays
	if days == 0 {
		days = core.DefaultExpiryDays
	}
	return vacancyOut{ID: v.ID, Name: v.Name, VendorID: cmp.Or(v.VendorID, core.BuiltinVendorID), Kind: cmp.Or(v.Kind, core.KindAssessment), Tag: v.Tag, Inline: v.IsInline(), InlineSet: v.Inline, ExpiryDays: days, ReturnURL: v.ReturnURL,
		Thresholds: v.Thresholds, Package: v.Package, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
}

type orderOut struct {
	ID                  string     `json:"id"`
	IntegrationID       string     `json:"integration_id"`
	VacancyID           string     `json:"vacancy_id"`
	VacancyName         string     `json:"vacancy_name,omitempty"`
	CandidateID         string     `json:"candidate_id"`
	CandidateName       string     `json:"candidate_name,omitempty"`
	CandidateEmail      string     `json:"candidate_email,omitempty"`
	State               core.State `json:"state"`
	Mode                core.Mode  `json:"mode"`
	ExternalID          string     `json:"external_id,omitempty"`
	ExternalJobID       string     `json:"external_job_id,omitempty"`
	InvitationExpiresAt *time.Time `json:"invitation_expires_at,omitempty"`
	Reason              string     `json:"reason,omitempty"`
	Test                bool       `json:"test"`
	StartedAt           *time.Time `json:"started_at,omitempty"`
	CompletedAt         *time.Time `json:"completed_at,omitempty"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
}

func orderJSON(o core.Order) orderOut {
	return orderOut{
		ID: o.ID, IntegrationID: o.IntegrationID, VacancyID: o.VacancyID, CandidateID: o.CandidateID,
		State: o.State, Mode: o.Mode, ExternalID: o.ExternalID, ExternalJobID: o.ExternalJobID,
		InvitationExpiresAt: ts(o.InvitationExpiresAt), Reason: o.Reason, StartedAt: ts(o.StartedAt),
		CompletedAt: ts(o.CompletedAt), Test: o.Test, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
}

func orderListJSON(p store.OrderPage, f store.OrderFilter) map[string]any {
	items := make([]orderOut, 0, len(p.Items))
	for _, it := range p.Items {
		o := orderJSON(it.Order)
		o.CandidateName, o.CandidateEmail, o.VacancyName = it.CandidateName, it.CandidateEmail, it.VacancyName
		items = append(items, o)
	}
	return map[string]any{"orders": items, "total": p.Total, "limit": f.Limit, "offset": f.Offset}
}

// resultOut is an order's result; score, min and max come together or not at
// all, and indicators are the result's components.
type resultOut struct {
	Value       string            `json:"value,omitempty"`
	Score       *float64          `json:"score,omitempty"`
	Min         *float64          `json:"min,omitempty"`
	Max         *float64          `json:"max,omitempty"`
	Label       string            `json:"label"`
	Summary     string            `json:"summary"`
	Indicators  []indicatorOut    `json:"indicators"`
	Attachments []core.Attachment `json:"attachments,omitempty"`
	ResultURL   string            `json:"result_url,omitempty"`
	StartedAt   *time.Time        `json:"started_at,omitempty"`
	SubmittedAt time.Time         `json:"submitted_at"`
}

type indicatorOut struct {
	Key   string   `json:"key"`
	Name  string   `json:"name"`
	Score *float64 `json:"score,omitempty"`
	Label string   `json:"label"`
}

func resultJSON(r core.Result) resultOut {
	out := resultOut{Value: string(r.Value), Label: r.Label, Summary: r.Summary, Indicators: []indicatorOut{},
		Attachments: r.Attachments, ResultURL: r.ResultURL, StartedAt: ts(r.StartedAt), SubmittedAt: r.SubmittedAt}
	if sc := r.Score; sc != nil {
		out.Score, out.Min, out.Max = &sc.Value, &sc.Min, &sc.Max
	}
	for _, c := range r.Components {
		in := indicatorOut{Key: c.Key, Name: c.Name, Label: c.Label}
		if c.Score != nil {
			in.Score = &c.Score.Value
		}
		out.Indicators = append(out.Indicators, in)
	}
	return out
}

type reportsOut struct {
	DetailPageURL   string `json:"detail_page_url"`
	ReadOnlyPageURL string `json:"read_only_page_url"`
	PDFURL          string `json:"pdf_url"`
}

type timelineOut struct {
	At      time.Time         `json:"at"`
	Kind    string            `json:"kind"`
	Message string            `json:"message"`
	Detail  map[string]string `json:"detail,omitempty"`
}

func orderDetailJSON(d service.OrderDetail) map[string]any {
	o := orderJSON(d.Order)
	o.CandidateName, o.CandidateEmail, o.VacancyName = d.Candidate.Name, d.Candidate.Email, d.Vacancy.Name
	out := map[string]any{"order": o, "integration": map[string]string{"id": d.Integration.ID, "name": d.Integration.Name, "provider": d.Integration.Provider}}
	if d.Result != nil {
		out["result"] = resultJSON(*d.Result)
		out["reports"] = reportsOut{DetailPageURL: d.Reports.DetailPageURL, ReadOnlyPageURL: d.Reports.ReadOnlyPageURL, PDFURL: d.Reports.PDFURL}
	}
	tl := make([]timelineOut, 0, len(d.Timeline))
	for _, e := range d.Timeline {
		tl = append(tl, timelineOut{At: e.At, Kind: e.Kind, Message: e.Message, Detail: e.Detail})
	}
	out["timeline"] = tl
	return out
}
