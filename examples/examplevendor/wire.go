package examplevendor

import "time"

// The JSON Switchboard and a vendor exchange, written here from the
// contract (the vendor API section of Switchboard's README, its OpenAPI
// document at /api/vendor/openapi.json) rather than imported from
// Switchboard: this is what any vendor would write.

// The delivery events.
const (
	eventAssessmentCreated        = "assessment.created"
	eventBackgroundCheckCreated   = "background_check.created"
	eventAssessmentCancelled      = "assessment.cancelled"
	eventBackgroundCheckCancelled = "background_check.cancelled"
)

// The package kinds.
const (
	KindAssessment      = "assessment"
	KindBackgroundCheck = "background_check"
)

// envelope is a delivery's body.
type envelope struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      Order     `json:"data"`
}

// Package is one of the vendor's packages, as the package list endpoint and
// a delivery's data.package carry it.
type Package struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
}

// Candidate is who an order is for.
type Candidate struct {
	ID         string  `json:"id"`
	RemoteID   string  `json:"remote_id"`
	FirstName  string  `json:"first_name,omitempty"`
	LastName   string  `json:"last_name,omitempty"`
	Emails     []Email `json:"emails,omitempty"`
	ProfileURL string  `json:"profile_url,omitempty"`
}

// Email is one of a candidate's addresses.
type Email struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Ref is the ATS's handle for the application or the job.
type Ref struct {
	ID       string `json:"id"`
	RemoteID string `json:"remote_id"`
	Title    string `json:"title,omitempty"`
}

// Requester is the recruiter who ordered.
type Requester struct {
	Email     string `json:"email,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// packageListRequest is the body of Switchboard's package list callout.
type packageListRequest struct {
	JobID     string `json:"job_id"`
	AccountID string `json:"account_id"`
	Provider  string `json:"provider"`
}

// ResultBody is the StackOne result update the vendor PATCHes to an
// order's results_update_url.
type ResultBody struct {
	ID             string       `json:"id,omitempty"`
	Score          *Score       `json:"score,omitempty"`
	Result         *Value       `json:"result,omitempty"`
	Summary        string       `json:"summary,omitempty"`
	ResultURL      string       `json:"result_url,omitempty"`
	Attachments    []Attachment `json:"attachments,omitempty"`
	StartDate      string       `json:"start_date,omitempty"`
	SubmissionDate string       `json:"submission_date,omitempty"`
}

// Score is StackOne's score, numbers as strings.
type Score struct {
	Label string `json:"label,omitempty"`
	Value string `json:"value"`
	Min   string `json:"min"`
	Max   string `json:"max"`
}

// Value is StackOne's {value, source_value} enum: value from StackOne's
// list, source_value the vendor's own word.
type Value struct {
	Value       string `json:"value"`
	SourceValue string `json:"source_value,omitempty"`
}

// Attachment is a file the vendor hosts.
type Attachment struct {
	URL         string `json:"url"`
	ContentType Value  `json:"content_type"`
}
