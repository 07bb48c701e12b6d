// Package wire holds the JSON shapes Switchboard and a vendor exchange
// besides the result update (package result): the order as a vendor sees
// it, the delivery envelope, the vendor's answer to a delivery, packages,
// the package list callout, connector meta and the error body. Switchboard's
// side (the vendor API, deliveries, the package callout) shares these types
// so that each shape is written once. Field names follow StackOne where
// StackOne has the field, so a vendor's StackOne code ports with a base-URL
// change; the rest (mode, provider, status) is Switchboard's.
package wire

import "time"

// The delivery events.
const (
	EventAssessmentCreated        = "assessment.created"
	EventBackgroundCheckCreated   = "background_check.created"
	EventAssessmentCancelled      = "assessment.cancelled"
	EventBackgroundCheckCancelled = "background_check.cancelled"
)

// Envelope is a delivery's body, Standard Webhooks' recommended shape.
type Envelope struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      Order     `json:"data"`
}

// Order is an order as a vendor sees it, in deliveries and listings.
type Order struct {
	ID               string      `json:"id"`
	AccountID        string      `json:"account_id"`
	Kind             string      `json:"kind"`   // assessment, background_check
	Status           string      `json:"status"` // the order's state (core.State)
	Mode             string      `json:"mode"`   // ad_hoc, triggered, inline
	Provider         string      `json:"provider"`
	Package          Package     `json:"package"`
	Candidate        Candidate   `json:"candidate"`
	Application      Application `json:"application"`
	Job              Job         `json:"job"`
	Requester        *Requester  `json:"requester,omitempty"`
	ResultsUpdateURL string      `json:"results_update_url"`
	TestURL          string      `json:"test_url,omitempty"`
	// ReturnURL is where the candidate goes when done, when the ATS says
	// (an inline order's way back into the application).
	ReturnURL string    `json:"return_url,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Package is a vendor's package: ID is the vendor's own id.
type Package struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"` // assessment, background_check
}

// Candidate is who the order is for.
type Candidate struct {
	ID         string  `json:"id"`        // Switchboard's
	RemoteID   string  `json:"remote_id"` // the ATS's
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

// Application is the ATS's handle for what was ordered.
type Application struct {
	ID       string `json:"id"`
	RemoteID string `json:"remote_id"`
}

// Job is the ATS's job the candidate applied to.
type Job struct {
	ID       string `json:"id"`
	RemoteID string `json:"remote_id"`
	Title    string `json:"title,omitempty"`
}

// Requester is the recruiter who ordered, when the ATS says.
type Requester struct {
	Email     string `json:"email,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// Answer is what a vendor may answer a delivery with: for an inline order
// it must carry TestURL, where the ATS sends the candidate.
type Answer struct {
	TestURL string `json:"test_url,omitempty"`
}

// Refusal is a vendor's 422 answer: it will not serve the order.
type Refusal struct {
	Message string `json:"message"`
}

// PackageListRequest is the body of the package list callout.
type PackageListRequest struct {
	JobID     string `json:"job_id"`
	AccountID string `json:"account_id"`
	Provider  string `json:"provider"`
}

// PackageList is the answer to the package list callout and to the vendor
// API's package listing.
type PackageList struct {
	Data []Package `json:"data"`
	Next *string   `json:"next"`
}

// PackageReplace is the body of PUT …/packages: the whole set.
type PackageReplace struct {
	Packages []Package `json:"packages"`
}

// OrderList is one page of orders.
type OrderList struct {
	Data []Order `json:"data"`
	Next *string `json:"next"`
}

// ConnectorMeta says what one ATS shows of a result.
type ConnectorMeta struct {
	Provider string `json:"provider"`
	Name     string `json:"name"`
	Shows    Shows  `json:"shows"`
}

// Shows lists the parts of a result an ATS shows a recruiter.
type Shows struct {
	Status      bool `json:"status"`
	Score       bool `json:"score"`
	Label       bool `json:"label"`
	Summary     bool `json:"summary"`
	Components  bool `json:"components"`
	Attachments bool `json:"attachments"`
	ResultURL   bool `json:"result_url"`
	InProgress  bool `json:"in_progress"`
}

// Status is StackOne's answer to a write, and the body of every error.
type Status struct {
	StatusCode int          `json:"statusCode"`
	Message    string       `json:"message"`
	Timestamp  time.Time    `json:"timestamp"`
	Errors     []FieldError `json:"errors,omitempty"`
}

// FieldError is one field at fault in a refused request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Webhook is the vendor's order endpoint as the vendor API shows it.
type Webhook struct {
	URL            string     `json:"url"`
	Secret         string     `json:"secret,omitempty"` // only when just created or rotated
	PreviousUntil  *time.Time `json:"previous_valid_until,omitempty"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	FailingSince   *time.Time `json:"failing_since,omitempty"`
}

// PackageSource is the vendor's package list endpoint.
type PackageSource struct {
	URL string `json:"url"`
	Key string `json:"key"`
}
