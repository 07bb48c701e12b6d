package ashby

// Wire types of both directions, shared with the simulator
// (internal/atssim/ashbysim). What is verified comes from Ashby's guide
// "Creating an Assessments Integration" and its OpenAPI copy; what is
// inferred says so where it is defined.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"switchboard/internal/strictjson"
)

// Paths of the partner endpoints Ashby calls, under the prefix Switchboard
// mounts them at (verified).
const (
	PathList   = "/assessment.list"
	PathStart  = "/assessment.start"
	PathCancel = "/assessment.cancel"
)

// Paths of Ashby's API that Switchboard calls (verified).
const (
	PathUpdate     = "/assessment.update"
	PathAPIKeyInfo = "/apiKey.info"
)

// DefaultBaseURL is Ashby's API (verified).
const DefaultBaseURL = "https://api.ashbyhq.com"

// AshbyHost is the host of DefaultBaseURL, the only one a customer's key is
// sent to unless the operator allows another.
const AshbyHost = "api.ashbyhq.com"

// Inbound authentication [inferred]: Ashby's public guide does not say how
// Ashby authenticates its calls to the partner. One public vendor
// implementation takes HTTP Basic with the partner's key as the user name and
// an empty password; Switchboard issues that key per integration
// (ats.InboundBasic) and Ashby is configured with it.

// AssessmentType is one entry of assessment.list: a package a recruiter can
// put in an interview plan (verified).
type AssessmentType struct {
	AssessmentTypeID string `json:"assessment_type_id"`
	Name             string `json:"name"`
	Description      string `json:"description,omitempty"`
}

// ListResponse answers assessment.list (verified: Ashby's success envelope
// with results).
type ListResponse struct {
	Success bool             `json:"success"`
	Results []AssessmentType `json:"results"`
}

// Application statuses Ashby sends in assessment.start (verified enum).
const (
	ApplicationActive   = "Active"
	ApplicationHired    = "Hired"
	ApplicationArchived = "Archived"
	ApplicationLead     = "Lead"
)

var applicationStatuses = []string{ApplicationActive, ApplicationHired, ApplicationArchived, ApplicationLead}

// StartRequest is assessment.start (verified; additional_fields only when
// the opt-in assessment.customField.list is enabled for the partner).
type StartRequest struct {
	AssessmentTypeID string           `json:"assessment_type_id"`
	Candidate        StartCandidate   `json:"candidate"`
	Application      StartApplication `json:"application"`
	Job              StartJob         `json:"job"`
	AdditionalFields json.RawMessage  `json:"additional_fields,omitempty"`
}

// StartCandidate is the candidate being assessed.
type StartCandidate struct {
	AshbyID         string `json:"ashby_id"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	Email           string `json:"email"`
	AshbyProfileURL string `json:"ashby_profile_url"`
}

// StartApplication is the application the candidate is assessed for.
type StartApplication struct {
	AshbyID string `json:"ashby_id"`
	Status  string `json:"status"`
}

// StartJob is the application's job. The members of hiringTeam are Ashby's
// hiring-team objects, which Switchboard does not read: they are kept raw.
type StartJob struct {
	AshbyID     string            `json:"ashby_id"`
	Name        string            `json:"name"`
	ReqID       string            `json:"req_id,omitempty"`
	AshbyJobURL string            `json:"ashby_job_url"`
	HiringTeam  []json.RawMessage `json:"hiringTeam,omitempty"`
}

// StartResponse answers assessment.start, and assessment.cancel in the same
// shape (verified).
type StartResponse struct {
	Success bool         `json:"success"`
	Results StartResults `json:"results"`
}

// StartResults names the started assessment; UpdateRequest may carry its
// first update at once (verified, optional).
type StartResults struct {
	AssessmentID  string         `json:"assessment_id"`
	UpdateRequest *UpdateRequest `json:"update_request,omitempty"`
}

// CancelRequest is assessment.cancel (verified).
type CancelRequest struct {
	AssessmentID string `json:"assessment_id"`
}

// ErrorMessage is the body of a 422 from the partner: Ashby shows Message
// to the recruiter (verified).
type ErrorMessage struct {
	Message string `json:"message"`
}

// Value types of an assessment value object (verified enum).
const (
	TypeNumericScore    = "numeric_score"
	TypeDurationMinutes = "numeric_duration_minutes"
	TypeURL             = "url"
	TypeString          = "string"
	TypeBooleanSuccess  = "boolean_success"
)

// ValueTypes lists every type Ashby accepts.
var ValueTypes = []string{TypeNumericScore, TypeDurationMinutes, TypeURL, TypeString, TypeBooleanSuccess}

// Value is one assessment value object: the status, the profile URL, the
// result, the cancel reason and each metadata entry are one (verified).
// Identifier, Label, Type and Value are required; Value is a string, a
// number or a boolean.
type Value struct {
	Identifier  string `json:"identifier"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Value       any    `json:"value"`
}

// Status texts Switchboard sends as assessment_status [inferred: Ashby's
// guide names only "Started", which records the start time; the others are
// free text Ashby shows as they are].
const (
	StatusInvited   = "Invited"
	StatusStarted   = "Started"
	StatusCompleted = "Completed"
)

// UpdateRequest is assessment.update (verified). AssessmentStatus is
// required unless CancelledReason is set; AssessmentProfileURL is required
// with AssessmentResult, whose presence marks the assessment complete;
// CancelledReason marks it cancelled.
type UpdateRequest struct {
	AssessmentID         string  `json:"assessment_id"`
	Timestamp            int64   `json:"timestamp"` // ms since the Unix epoch
	AssessmentStatus     *Value  `json:"assessment_status,omitempty"`
	AssessmentProfileURL *Value  `json:"assessment_profile_url,omitempty"`
	AssessmentResult     *Value  `json:"assessment_result,omitempty"`
	CancelledReason      *Value  `json:"cancelled_reason,omitempty"`
	Metadata             []Value `json:"metadata,omitempty"`
}

// Envelope is every answer of Ashby's API (verified): success, and results
// or errorInfo (errors is the deprecated list of codes).
type Envelope struct {
	Success   bool            `json:"success"`
	Results   json.RawMessage `json:"results,omitempty"`
	Errors    []string        `json:"errors,omitempty"`
	ErrorInfo *ErrorInfo      `json:"errorInfo,omitempty"`
}

// ErrorInfo is Ashby's error: a code (invalid_input,
// missing_endpoint_permission…), a message and a request id for support.
type ErrorInfo struct {
	Code      string `json:"code"`
	Message   string `json:"message,omitempty"`
	RequestID string `json:"requestId,omitempty"`
}

// Error codes Ashby answers with (verified).
const (
	CodeInvalidInput              = "invalid_input"
	CodeMissingEndpointPermission = "missing_endpoint_permission"
)

// APIKeyInfo is the results of apiKey.info (verified; it needs the
// apiKeysRead permission).
type APIKeyInfo struct {
	Title     string   `json:"title"`
	CreatedAt string   `json:"createdAt,omitempty"`
	Scopes    []string `json:"scopes"`
}

// CanWriteCandidates reports whether the key may call assessment.update
// (candidatesWrite). [Inferred] spelling: the OpenAPI names the permission
// candidatesWrite and shows scopes as "candidates:read"; either spelling of
// the write scope is taken.
func (k APIKeyInfo) CanWriteCandidates() bool {
	return slices.ContainsFunc(k.Scopes, func(s string) bool {
		return s == "candidatesWrite" || s == "candidates:write"
	})
}

// DecodeStart reads an assessment.start body strictly (the format is
// verified) and checks what Ashby always sends. Its errors are sentences for
// the recruiter.
func DecodeStart(body []byte) (StartRequest, error) {
	var s StartRequest
	if err := strictjson.Decode(bytes.NewReader(body), &s, "the assessment.start body"); err != nil {
		return StartRequest{}, errors.New(err.(*strictjson.Error).Message)
	}
	var missing []string
	need := func(name, v string) {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	need("assessment_type_id", s.AssessmentTypeID)
	need("candidate.ashby_id", s.Candidate.AshbyID)
	need("candidate.email", s.Candidate.Email)
	need("application.ashby_id", s.Application.AshbyID)
	need("application.status", s.Application.Status)
	need("job.ashby_id", s.Job.AshbyID)
	need("job.name", s.Job.Name)
	if len(missing) > 0 {
		return StartRequest{}, fmt.Errorf("the assessment.start body has no %s", strings.Join(missing, ", "))
	}
	if !slices.Contains(applicationStatuses, s.Application.Status) {
		return StartRequest{}, fmt.Errorf("application.status %q is none of %s", s.Application.Status, strings.Join(applicationStatuses, ", "))
	}
	return s, nil
}

// DecodeCancel reads an assessment.cancel body strictly.
func DecodeCancel(body []byte) (CancelRequest, error) {
	var c CancelRequest
	if err := strictjson.Decode(bytes.NewReader(body), &c, "the assessment.cancel body"); err != nil {
		return CancelRequest{}, errors.New(err.(*strictjson.Error).Message)
	}
	if strings.TrimSpace(c.AssessmentID) == "" {
		return CancelRequest{}, errors.New("the assessment.cancel body has no assessment_id")
	}
	return c, nil
}

// DecodeEnvelope reads an answer of Ashby's API leniently: fields Ashby adds
// are ignored, as an answer is only read, never trusted for more than its
// success, results and error.
func DecodeEnvelope(body []byte) (Envelope, error) {
	var e Envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return Envelope{}, fmt.Errorf("not an Ashby API answer: %w", err)
	}
	return e, nil
}

// DecodeUpdate reads an assessment.update body strictly and checks it as
// Ashby does (verified rules); the simulator uses it, so what it refuses is
// what Ashby refuses.
func DecodeUpdate(body []byte) (UpdateRequest, error) {
	var u UpdateRequest
	if err := strictjson.Decode(bytes.NewReader(body), &u, "the assessment.update body"); err != nil {
		return UpdateRequest{}, errors.New(err.(*strictjson.Error).Message)
	}
	return u, u.Check()
}

// Check applies Ashby's rules to an update: what Switchboard sends is
// checked before it goes, and the simulator refuses the same.
func (u UpdateRequest) Check() error {
	switch {
	case strings.TrimSpace(u.AssessmentID) == "":
		return errors.New("assessment_id is required")
	case u.Timestamp <= 0:
		return errors.New("timestamp (ms since the Unix epoch) is required")
	case u.AssessmentStatus == nil && u.CancelledReason == nil:
		return errors.New("assessment_status is required unless cancelled_reason is given")
	case u.AssessmentResult != nil && u.AssessmentProfileURL == nil:
		return errors.New("assessment_profile_url is required with assessment_result")
	}
	named := []struct {
		name string
		v    *Value
	}{{"assessment_status", u.AssessmentStatus}, {"assessment_profile_url", u.AssessmentProfileURL},
		{"assessment_result", u.AssessmentResult}, {"cancelled_reason", u.CancelledReason}}
	for _, n := range named {
		if n.v == nil {
			continue
		}
		if err := n.v.Check(); err != nil {
			return fmt.Errorf("%s: %w", n.name, err)
		}
	}
	if p := u.AssessmentProfileURL; p != nil && p.Type != TypeURL {
		return fmt.Errorf("assessment_profile_url: type must be %s, not %q", TypeURL, p.Type)
	}
	seen := map[string]bool{}
	for i, m := range u.Metadata {
		if err := m.Check(); err != nil {
			return fmt.Errorf("metadata[%d]: %w", i, err)
		}
		if seen[m.Identifier] {
			return fmt.Errorf("metadata[%d]: identifier %q is used twice", i, m.Identifier)
		}
		seen[m.Identifier] = true
	}
	return nil
}

// Check applies the rules of one value object.
func (v Value) Check() error {
	switch {
	case v.Identifier == "":
		return errors.New("identifier is required")
	case v.Label == "":
		return errors.New("label is required")
	case !slices.Contains(ValueTypes, v.Type):
		return fmt.Errorf("type %q is none of %s", v.Type, strings.Join(ValueTypes, ", "))
	}
	switch v.Value.(type) {
	case string, float64, bool, int, int64:
		return nil
	case nil:
		return errors.New("value is required")
	}
	return fmt.Errorf("value must be a string, a number or a boolean, not %T", v.Value)
}
