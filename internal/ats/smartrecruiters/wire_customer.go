package smartrecruiters

// Wire types of SmartRecruiters' customer API (jobs, candidates, their
// applications, screening answers, status moves) and its Webhooks API, as
// applicant review uses them. The connector (source.go, subscribe.go) and the
// simulator (internal/atssim/srsim customer.go, webhooks.go) both use these,
// so a correction is one edit here.
//
// Evidence, per /work/shared/ats/smartrecruiters.md §2 and §3. Tags: [V] the
// vendor's own page, [V2] a verbatim third-party copy of the vendor's
// OpenAPI spec (§2.3.1, §3.1), [I] inferred.
//
// Verified:
//   - [V] X-SmartToken API key header; GET /jobs with limit (≤100), pageId
//     from nextPageId requiring sort=job_id, repeated statuses keys, the job
//     status enum CREATED, SOURCING, FILLED, INTERVIEW, OFFER, CANCELLED,
//     ON_HOLD; GET /jobs/{id}; GET /candidates with jobId, limit (1..100),
//     pageId and updatedAfter; GET /candidates/{id}; GET
//     /candidates/{id}/jobs/{jobId}; GET .../screening-answers; rate limits.
//   - [V2] PUT /candidates/{id}/jobs/{jobId}/status takes
//     CandidateStatus{status (required), subStatus, startsOn, reason}, answers
//     204, and refuses with 400 NO_REASON_SUPPORT_FOR_STATUS,
//     REASON_NOT_FOUND, REQUIRED_SUB_STATUS_OMITTED, 404 when the candidate is
//     not assigned to the job; Application{applicationId, candidateId, jobId,
//     status, subStatus, startsOn, url, ...}; only IN_REVIEW, INTERVIEW and
//     OFFERED carry sub-statuses.
//   - [V] Webhooks API under /webhooks-api/v201907: POST/GET /subscriptions,
//     GET/DELETE /subscriptions/{id}, PUT /subscriptions/{id}/activation
//     (SmartRecruiters POSTs X-Hook-Secret to the callback, which must answer
//     200 echoing it within 20 s; then 204), POST/GET
//     /subscriptions/{id}/secret-key (an old key stays valid 24 h after
//     rotation, at most 16 non-expired keys); notification headers
//     event-name, event-version, event-id, link, smartrecruiters-signature
//     (v1=<hex>;v1=<hex>, one per active key), smartrecruiters-timestamp (unix
//     seconds); v1 = lowercase hex HMAC-SHA256(key as raw bytes, timestamp
//     "." body "." event-id "." event-name "." event-version "." link), an
//     absent header being "".
//   - [V2] SubscriptionRequest{callbackUrl (https), events: unique strings,
//     ≥1}; Subscription{id, callbackUrl, events, status inactive|active};
//     event names candidate.deleted, job.status.updated (and the rest of
//     the enum in WebhookEvents); payloads {"id": …}; callbacks answered 202.
//
// Inferred (kept here, in one place):
//   - the open job statuses are CREATED, SOURCING, INTERVIEW, OFFER
//     (OpenJobStatuses; the contract's own [I], to confirm with the product
//     owner);
//   - the job's location {city, region, country}, department {id, label} and
//     creator {id, firstName, lastName}: the recruiter of a job is taken to be
//     its creator, the hiring team needing a call per job;
//   - the full candidate's phoneNumber, location, web, tags, experience[]
//     {title, company, current, startDate, endDate, description} and
//     education[] {institution, degree, major, current, startDate, endDate},
//     with dates as "yyyy-MM" or "yyyy-MM-dd" (ProfileDate);
//   - the application's createdOn (the applied date) and updatedOn;
//   - screening answers as {content: [{id, label, records: [{fields: [{id,
//     label, values: [{id, label}]}]}]}]} (ScreeningAnswers);
//   - updatedAfter's format yyyy-MM-ddTHH:mm:ss.SSSZZ is sent as UTC with a
//     "+00:00" offset (Joda's ZZ), and is strictly after (the connector asks a
//     millisecond early, so the seam's "at or after" holds);
//   - the 400 answers to an unknown status or to a move to the status the
//     application already has (codes INVALID_STATUS, STATUS_NOT_CHANGED),
//     and an application can be moved to any status but LEAD and
//     TRANSFERRED (MoveStatuses);
//   - the secret-key answer {secretKey}; a failed activation handshake
//     answered 400 ACTIVATION_FAILED; more than 16 keys 400
//     SECRET_KEYS_LIMIT_EXCEEDED; the event version "1" the simulator sends.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Customer and Webhooks API paths and headers.
const (
	WebhooksAPIPath  = "/webhooks-api/v201907"
	SmartTokenHeader = "X-SmartToken"

	HookSecretHeader      = "X-Hook-Secret"
	SignatureHeader       = "smartrecruiters-signature"
	TimestampHeader       = "smartrecruiters-timestamp"
	EventNameHeader       = "event-name"
	EventVersionHeader    = "event-version"
	EventIDHeader         = "event-id"
	LinkHeader            = "link"
	SignatureSchemeV1     = "v1"
	MaxSecretKeys         = 16             // non-expired keys per subscription
	RotatedKeyValidFor    = 24 * time.Hour // an old key after rotation
	HandshakeDeadline     = 20 * time.Second
	UpdatedAfterLayout    = "2006-01-02T15:04:05.000-07:00" // [I] Joda ZZ
	ScopeCandidatesManage = "candidates_manage"
	ScopeWebhooksManage   = "webhooks_manage"
	EventVersionInferred  = "1" // [I] what the simulator sends
)

// Event names applicant review subscribes to ([V2]).
const (
	EventCandidateDeleted = "candidate.deleted"
	EventJobStatusUpdated = "job.status.updated"
)

// WebhookEvents is the EventName enum of SubscriptionRequest ([V2]).
var WebhookEvents = []string{
	"job.created", "job.updated", "job.status.updated", "job.hiring-team.updated",
	"job.ad.created", "job.ad.updated", "job.ad.postings.updated",
	"position.created", "position.updated", "position.deleted",
	"application.created", "application.status.updated", "application.fields.updated",
	"application.onboarding-status.updated", "application.attachment.created", "application.source.updated",
	"candidate.created", "candidate.updated", "candidate.deleted",
	"offer.created", "offer.updated", "offer.approval.created", "offer.approval.approved",
	"offer.approval.rejected", "offer.approval.abandoned", "offer.approval.step.approved",
	"offer.approval.step.rejected", "offer.approver.skipped", "offer.approver.delegated",
	"offer.approval.comment.created",
	"job.approval.created", "job.approval.approved", "job.approval.rejected", "job.approval.abandoned",
	"job.approval.step.approved", "job.approval.step.rejected", "job.approver.skipped",
	"job.approver.delegated", "job.approval.comment.created",
	"review.created", "review.updated", "review.deleted",
	"application.screening-answers.created", "application.screening-answers.updated",
	"onboarding.process.started", "onboarding.assignments.high-priority.completed", "onboarding.assignments.completed",
}

// Job statuses ([V]).
const (
	JobCreated   = "CREATED"
	JobSourcing  = "SOURCING"
	JobFilled    = "FILLED"
	JobInterview = "INTERVIEW"
	JobOffer     = "OFFER"
	JobCancelled = "CANCELLED"
	JobOnHold    = "ON_HOLD"
)

// JobStatuses is the job status enum ([V]).
var JobStatuses = []string{JobCreated, JobSourcing, JobFilled, JobInterview, JobOffer, JobCancelled, JobOnHold}

// OpenJobStatuses are the statuses of a job applicant review lists ([I]).
var OpenJobStatuses = []string{JobSourcing, JobInterview, JobOffer, JobCreated}

// IsOpenJobStatus reports whether a job of status s is open.
func IsOpenJobStatus(s string) bool {
	for _, o := range OpenJobStatuses {
		if strings.EqualFold(o, s) {
			return true
		}
	}
	return false
}

// CandidateStatuses is CandidateStatusEnum ([V2]).
var CandidateStatuses = []CandidateStatus{
	CandidateLead, CandidateNew, CandidateInReview, CandidateInterview, CandidateOffered,
	CandidateHired, CandidateRejected, CandidateWithdrawn, CandidateTransferred,
}

// MoveStatuses are the statuses an application can be moved to ([I]: LEAD
// precedes applying and TRANSFERRED is set by a transfer, not a move).
var MoveStatuses = []CandidateStatus{
	CandidateNew, CandidateInReview, CandidateInterview, CandidateOffered,
	CandidateHired, CandidateRejected, CandidateWithdrawn,
}

// Valid reports whether s is one of CandidateStatusEnum.
func (s CandidateStatus) Valid() bool {
	for _, v := range CandidateStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// HasSubStatuses reports whether s carries hiring-process sub-statuses ([V2]).
func (s CandidateStatus) HasSubStatuses() bool {
	return s == CandidateInReview || s == CandidateInterview || s == CandidateOffered
}

// Status update and webhook error codes: [V2] where the spec names them,
// [I] otherwise (see the list at the top).
const (
	CodeNoReasonSupport      = "NO_REASON_SUPPORT_FOR_STATUS" // [V2]
	CodeReasonNotFound       = "REASON_NOT_FOUND"             // [V2]
	CodeRequiredSubStatus    = "REQUIRED_SUB_STATUS_OMITTED"  // [V2]
	CodeInvalidStatus        = "INVALID_STATUS"               // [I]
	CodeStatusNotChanged     = "STATUS_NOT_CHANGED"           // [I]
	CodeActivationFailed     = "ACTIVATION_FAILED"            // [I]
	CodeSecretKeysLimit      = "SECRET_KEYS_LIMIT_EXCEEDED"   // [I]
	CodeInvalidSubscription  = "INVALID_SUBSCRIPTION"         // [I]
	CodeInvalidUpdatedAfter  = "INVALID_UPDATED_AFTER"        // [I]
	CodeSortRequiredByPageID = "PAGE_ID_REQUIRES_SORT_JOB_ID" // [I]
)

// Labeled is an {id, label} pair (departments, reasons).
type Labeled struct {
	ID    string `json:"id,omitempty"`
	Label string `json:"label,omitempty"`
}

// Location is a job's or a candidate's location ([I] shape; remote is a
// job's only).
type Location struct {
	City    string `json:"city,omitempty"`
	Region  string `json:"region,omitempty"`
	Country string `json:"country,omitempty"`
	Remote  bool   `json:"remote,omitempty"`
}

// String is the location as one line, e.g. "Berlin, BE, DE".
func (l *Location) String() string {
	if l == nil {
		return ""
	}
	return joinNonEmpty(", ", l.City, l.Region, l.Country)
}

// UserRef is a SmartRecruiters user as a job names them ([I] shape).
type UserRef struct {
	ID        ID     `json:"id,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
}

// Name is the user's full name.
func (u *UserRef) Name() string {
	if u == nil {
		return ""
	}
	return joinNonEmpty(" ", u.FirstName, u.LastName)
}

// ProfileDate is a month or day of a work history or education entry
// ([I]: "yyyy-MM", "yyyy-MM-dd" or a date-time); it decodes to the first day
// of its month and encodes as "yyyy-MM".
type ProfileDate struct{ time.Time }

// UnmarshalJSON accepts "yyyy-MM", "yyyy-MM-dd", RFC 3339, "" or null.
func (d *ProfileDate) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*d = ProfileDate{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a date string: %w", err)
	}
	if s = strings.TrimSpace(s); s == "" {
		*d = ProfileDate{}
		return nil
	}
	for _, layout := range []string{"2006-01", "2006-01-02", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			*d = ProfileDate{time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)}
			return nil
		}
	}
	return fmt.Errorf("want a yyyy-MM date, got %.30q", s)
}

// MarshalJSON encodes "yyyy-MM", or null for the zero date.
func (d ProfileDate) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.Format("2006-01") + `"`), nil
}

// Month returns the first day of t's month as a ProfileDate.
func Month(year int, month time.Month) ProfileDate {
	return ProfileDate{time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)}
}

// ExperienceEntry is one position of a candidate's work history ([I]).
type ExperienceEntry struct {
	Title       string      `json:"title,omitempty"`
	Company     string      `json:"company,omitempty"`
	Current     bool        `json:"current,omitempty"`
	StartDate   ProfileDate `json:"startDate,omitzero"`
	EndDate     ProfileDate `json:"endDate,omitzero"`
	Location    string      `json:"location,omitempty"`
	Description string      `json:"description,omitempty"`
}

// EducationEntry is one school or degree of a candidate ([I]).
type EducationEntry struct {
	Institution string      `json:"institution,omitempty"`
	Degree      string      `json:"degree,omitempty"`
	Major       string      `json:"major,omitempty"`
	Current     bool        `json:"current,omitempty"`
	StartDate   ProfileDate `json:"startDate,omitzero"`
	EndDate     ProfileDate `json:"endDate,omitzero"`
	Description string      `json:"description,omitempty"`
}

// CandidateWeb are a candidate's links ([I] shape).
type CandidateWeb struct {
	LinkedIn string `json:"linkedin,omitempty"`
	Website  string `json:"website,omitempty"`
}

// CandidateDetails is the full candidate of GET /candidates/{id}: the list's
// summary plus what ranking reads ([I] beyond Candidate's fields).
type CandidateDetails struct {
	Candidate
	PhoneNumber string            `json:"phoneNumber,omitempty"`
	Location    *Location         `json:"location,omitempty"`
	Web         *CandidateWeb     `json:"web,omitempty"`
	Tags        []string          `json:"tags,omitempty"`
	Experience  []ExperienceEntry `json:"experience,omitempty"`
	Education   []EducationEntry  `json:"education,omitempty"`
}

// Application is a candidate's application to one job, GET
// /candidates/{id}/jobs/{jobId} ([V2], CreatedOn/UpdatedOn [I]).
type Application struct {
	ApplicationID      ID              `json:"applicationId,omitempty"`
	CandidateID        ID              `json:"candidateId,omitempty"`
	JobID              ID              `json:"jobId,omitempty"`
	Status             CandidateStatus `json:"status,omitempty"`
	SubStatus          string          `json:"subStatus,omitempty"`
	StartsOn           Time            `json:"startsOn,omitzero"`
	ReasonOfRejection  *Labeled        `json:"reasonOfRejection,omitempty"`
	ReasonOfWithdrawal *Labeled        `json:"reasonOfWithdrawal,omitempty"`
	URL                string          `json:"url,omitempty"`
	CreatedOn          Time            `json:"createdOn,omitzero"`
	UpdatedOn          Time            `json:"updatedOn,omitzero"`
}

// ScreeningAnswers is GET /candidates/{id}/jobs/{jobId}/screening-answers ([I] shape).
type ScreeningAnswers struct {
	Content []ScreeningAnswer `json:"content"`
}

// ScreeningAnswer is one question's answer: records of fields, each field
// with its values (a multi-part question answers in several fields).
type ScreeningAnswer struct {
	ID      string         `json:"id,omitempty"`
	Label   string         `json:"label,omitempty"`
	Records []AnswerRecord `json:"records,omitempty"`
}

// AnswerRecord is one record of an answer.
type AnswerRecord struct {
	Fields []AnswerField `json:"fields,omitempty"`
}

// AnswerField is one field of an answer record.
type AnswerField struct {
	ID     string    `json:"id,omitempty"`
	Label  string    `json:"label,omitempty"`
	Values []Labeled `json:"values,omitempty"`
}

// Text is the answer as one line: each field's values (their labels, else
// ids) joined, fields by "; ", records by " | ".
func (a ScreeningAnswer) Text() string {
	var recs []string
	for _, r := range a.Records {
		var fields []string
		for _, f := range r.Fields {
			var vals []string
			for _, v := range f.Values {
				if v.Label != "" {
					vals = append(vals, v.Label)
				} else if v.ID != "" {
					vals = append(vals, v.ID)
				}
			}
			if len(vals) > 0 {
				fields = append(fields, strings.Join(vals, ", "))
			}
		}
		if len(fields) > 0 {
			recs = append(recs, strings.Join(fields, "; "))
		}
	}
	return strings.Join(recs, " | ")
}

// TextAnswer is a one-field, one-value answer.
func TextAnswer(id, question, answer string) ScreeningAnswer {
	return ScreeningAnswer{ID: id, Label: question, Records: []AnswerRecord{{Fields: []AnswerField{{ID: id, Label: question, Values: []Labeled{{Label: answer}}}}}}}
}

// StatusUpdate is the body of PUT /candidates/{id}/jobs/{jobId}/status ([V2]).
type StatusUpdate struct {
	Status    CandidateStatus `json:"status"`
	SubStatus string          `json:"subStatus,omitempty"`
	StartsOn  Time            `json:"startsOn,omitzero"`
	Reason    string          `json:"reason,omitempty"`
}

// SubscriptionRequest is the body of POST /subscriptions ([V2]).
type SubscriptionRequest struct {
	CallbackURL          string   `json:"callbackUrl"`
	Events               []string `json:"events"`
	AlertingEmailAddress string   `json:"alertingEmailAddress,omitempty"`
}

// Event is an event of a Subscription: {name, version} in the response;
// a plain name string is accepted too (the demo app's form, §3).
type Event struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// UnmarshalJSON accepts {name, version} or a name string.
func (e *Event) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		*e = Event{}
		return json.Unmarshal(b, &e.Name)
	}
	type plain Event
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = Event(p)
	return nil
}

// Subscription statuses ([V2]).
const (
	SubscriptionInactive = "inactive"
	SubscriptionActive   = "active"
)

// Subscription is a webhook subscription ([V2]).
type Subscription struct {
	ID          string  `json:"id"`
	CallbackURL string  `json:"callbackUrl"`
	Events      []Event `json:"events"`
	Status      string  `json:"status"`
}

// SecretKey is the answer of POST and GET /subscriptions/{id}/secret-key ([I]).
type SecretKey struct {
	SecretKey string `json:"secretKey"`
}

// WebhookPayload is the body of candidate.deleted and job.status.updated
// notifications: the entity's id ([V2]).
type WebhookPayload struct {
	ID ID `json:"id"`
}

// SignV1 is the v1 signature of one notification: lowercase hex
// HMAC-SHA256 with key's bytes of timestamp.body.eventID.eventName.
// eventVersion.link ([V]).
func SignV1(key, timestamp string, body []byte, eventID, eventName, eventVersion, link string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	for _, s := range []string{eventID, eventName, eventVersion, link} {
		m.Write([]byte("."))
		m.Write([]byte(s))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// SignatureHeaderValue is the smartrecruiters-signature header for keys:
// "v1=<sig>" per key, ";"-separated.
func SignatureHeaderValue(keys []string, timestamp string, body []byte, eventID, eventName, eventVersion, link string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = SignatureSchemeV1 + "=" + SignV1(k, timestamp, body, eventID, eventName, eventVersion, link)
	}
	return strings.Join(parts, ";")
}

// SelfLink is the link header of a notification: "<url>; rel=self" ([V]).
func SelfLink(url string) string { return "<" + url + ">; rel=self" }

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// CandidateInput is POST /candidates' body [I]: the candidate's names and
// email, as the candidate read back names them.
type CandidateInput struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
}
