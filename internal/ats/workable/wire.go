package workable

// Workable's wire types, shared with the simulator (internal/atssim/workablesim).
//
// [V] marks what Workable's own pages show, [V2] what only a vendor's design
// doc of Workable's partner contract shows, [I] what is inferred. Everything
// not [V] is decoded leniently: unknown fields are ignored and ids and scores
// may be strings or numbers (FlexString), so that a guess wrong in the
// detail still reads what Workable sends.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// FlexString is an id or a score that Workable may send as a JSON string or
// a number [I] (GET /tests shows numbers, the sibling video-interview
// contract strings). It is always emitted as a string.
type FlexString string

// UnmarshalJSON accepts a string or a number; a number keeps its literal
// text (1, 2.5, 1e3). Anything else (an object, an array, a boolean) is
// refused, and null leaves it empty.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errors.New("empty value")
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
		return nil
	case string(b) == "null":
		*f = ""
		return nil
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return fmt.Errorf("want a string or a number, not %s", jsonKind(b[0]))
	}
	*f = FlexString(n.String())
	return nil
}

func jsonKind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	}
	return "this value"
}

// --- The provider's endpoints (Workable → Switchboard) ---

// Test is one test Workable lists [V]: {"id": 1, "name": "Aptitude Test"}.
// Switchboard's ids are its vacancy ids, so it emits strings (as the video
// interview contract does); Workable echoes them as test_id.
type Test struct {
	ID   FlexString `json:"id"`
	Name string     `json:"name"`
}

// Tests is the answer to GET /tests [V].
type Tests struct {
	Tests []Test `json:"tests"`
}

// AssessmentRequest is POST /assessments [V2]: the chosen test, the job, the
// candidate and where Workable wants the results. test_id may be a number or
// a string [I]. The callback URL's host and path are unknown [I]: it is
// stored as given and never built.
type AssessmentRequest struct {
	TestID       FlexString    `json:"test_id"`
	JobShortcode string        `json:"job_shortcode"`
	JobTitle     string        `json:"job_title"`
	CallbackURL  string        `json:"callback_url"`
	Candidate    CandidateInfo `json:"candidate"`
}

// CandidateInfo is the candidate of an assessment request [V2].
type CandidateInfo struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Phone     string `json:"phone,omitempty"`
}

// Name is the candidate's full name.
func (c CandidateInfo) Name() string {
	return strings.TrimSpace(strings.TrimSpace(c.FirstName) + " " + strings.TrimSpace(c.LastName))
}

// Bounds of what an assessment request may carry.
const (
	MaxIDLen  = 255
	MaxURLLen = 2048
	MaxText   = 500
)

// ErrBadRequest and ErrIncomplete tell the two refusals of a request body
// apart: not JSON of the documented shape (400), or a required field missing
// (422) [V2].
var (
	ErrBadRequest = errors.New("bad request")
	ErrIncomplete = errors.New("missing field")
)

// DecodeAssessmentRequest reads POST /assessments leniently (its format is
// [V2]): unknown fields are ignored, a wrong type is ErrBadRequest, and
// test_id, callback_url and the candidate's email are required
// (ErrIncomplete), each refusal naming the field.
func DecodeAssessmentRequest(body []byte) (AssessmentRequest, error) {
	var r AssessmentRequest
	if err := json.Unmarshal(body, &r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return AssessmentRequest{}, fmt.Errorf("%w: field %q has the wrong type", ErrBadRequest, te.Field)
		}
		return AssessmentRequest{}, fmt.Errorf("%w: the body is not a JSON object of an assessment request: %v", ErrBadRequest, err)
	}
	r.TestID = FlexString(strings.TrimSpace(string(r.TestID)))
	r.CallbackURL = strings.TrimSpace(r.CallbackURL)
	r.Candidate.Email = strings.TrimSpace(r.Candidate.Email)
	switch {
	case r.TestID == "":
		return AssessmentRequest{}, fmt.Errorf("%w: test_id is required", ErrIncomplete)
	case r.CallbackURL == "":
		return AssessmentRequest{}, fmt.Errorf("%w: callback_url is required", ErrIncomplete)
	case r.Candidate.Email == "":
		return AssessmentRequest{}, fmt.Errorf("%w: candidate.email is required", ErrIncomplete)
	case len(r.TestID) > MaxIDLen || len(r.JobShortcode) > MaxIDLen:
		return AssessmentRequest{}, fmt.Errorf("%w: test_id and job_shortcode are at most %d bytes", ErrBadRequest, MaxIDLen)
	case len(r.CallbackURL) > MaxURLLen:
		return AssessmentRequest{}, fmt.Errorf("%w: callback_url is at most %d bytes", ErrBadRequest, MaxURLLen)
	case len(r.Candidate.Email) > MaxText || len(r.Candidate.FirstName) > MaxText || len(r.Candidate.LastName) > MaxText ||
		len(r.Candidate.Phone) > MaxText || len(r.JobTitle) > MaxText:
		return AssessmentRequest{}, fmt.Errorf("%w: the candidate's fields and job_title are at most %d bytes", ErrBadRequest, MaxText)
	}
	return r, nil
}

// AssessmentCreated is the answer to POST /assessments [V2]: the provider's
// id of the assessment, Switchboard's order id.
type AssessmentCreated struct {
	AssessmentID string `json:"assessment_id"`
}

// Error is the provider's error body [V2]: {"status": 422, "message": "…"}.
type Error struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// SharedLink is GET /assessments/:id/shared-link [V2], a short-lived link
// for the candidate; ttl is a number of ttl_units.
type SharedLink struct {
	URL      string     `json:"url"`
	TTL      FlexString `json:"ttl"`
	TTLUnits string     `json:"ttl_units"`
}

// --- The results callback (Switchboard → Workable) [V2] ---

// Status is an assessment's status as Workable takes it [V2].
type Status string

const (
	StatusPending   Status = "pending"
	StatusCompleted Status = "completed"
	StatusRejected  Status = "rejected"
	StatusExpired   Status = "expired"
)

// Valid reports whether s is one of Workable's statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusCompleted, StatusRejected, StatusExpired:
		return true
	}
	return false
}

// Grade is the verdict Workable shows as "no" / "yes" / "definitely yes" [V2].
type Grade string

const (
	GradeFailed   Grade = "failed"
	GradePassed   Grade = "passed"
	GradeExcelled Grade = "excelled"
)

// Valid reports whether g is empty or one of Workable's grades.
func (g Grade) Valid() bool {
	switch g {
	case "", GradeFailed, GradePassed, GradeExcelled:
		return true
	}
	return false
}

// ResultsUpdate is the body of PUT {callback_url} [V2], sent on each status
// change; results_url is mandatory once completed.
type ResultsUpdate struct {
	Status      Status       `json:"status"`
	ResultsURL  string       `json:"results_url,omitempty"`
	Assessment  *Assessment  `json:"assessment,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Assessment is the result part of a completed update [V2]. The score is a
// string in the example; Workable may take a number too [I], so the
// simulator reads either.
type Assessment struct {
	Score    FlexString     `json:"score,omitempty"`
	Grade    Grade          `json:"grade,omitempty"`
	Summary  string         `json:"summary,omitempty"`
	Details  map[string]any `json:"details,omitempty"`
	Duration string         `json:"duration,omitempty"` // "00:41:17"
}

// Attachment is a link Workable shows with the result [V2].
type Attachment struct {
	Description string `json:"description"`
	URL         string `json:"url"`
}

// ErrInvalidUpdate is wrapped by DecodeResultsUpdate for a body Workable
// would refuse.
var ErrInvalidUpdate = errors.New("invalid results update")

// DecodeResultsUpdate reads a results callback as Workable would take it
// (the simulator's side): a known status and grade, and a results_url once
// completed. Unknown fields are ignored ([V2]).
func DecodeResultsUpdate(body []byte) (ResultsUpdate, error) {
	var u ResultsUpdate
	if err := json.Unmarshal(body, &u); err != nil {
		return ResultsUpdate{}, fmt.Errorf("%w: %v", ErrInvalidUpdate, err)
	}
	switch {
	case !u.Status.Valid():
		return ResultsUpdate{}, fmt.Errorf("%w: status %q is not one of pending, completed, rejected, expired", ErrInvalidUpdate, u.Status)
	case u.Status == StatusCompleted && strings.TrimSpace(u.ResultsURL) == "":
		return ResultsUpdate{}, fmt.Errorf("%w: results_url is mandatory when the status is completed", ErrInvalidUpdate)
	case u.Assessment != nil && !u.Assessment.Grade.Valid():
		return ResultsUpdate{}, fmt.Errorf("%w: grade %q is not one of failed, passed, excelled", ErrInvalidUpdate, u.Assessment.Grade)
	}
	for i, a := range u.Attachments {
		if strings.TrimSpace(a.URL) == "" {
			return ResultsUpdate{}, fmt.Errorf("%w: attachments[%d] has no url", ErrInvalidUpdate, i)
		}
	}
	return u, nil
}

// --- SPI v3 (Switchboard → Workable) ---

// Paging is the paging object of SPI lists [V]: next is the full URL of the
// next page, absent on the last.
type Paging struct {
	Next string `json:"next,omitempty"`
}

// Job is a job of GET /jobs [V: shortcode, title, state].
type Job struct {
	ID        FlexString `json:"id"`
	Title     string     `json:"title"`
	Shortcode string     `json:"shortcode"`
	State     string     `json:"state,omitempty"`
}

// JobsPage is GET /jobs.
type JobsPage struct {
	Jobs   []Job   `json:"jobs"`
	Paging *Paging `json:"paging,omitempty"`
}

// Member is one member of the account (GET /members). The role names
// ("admin", "simple", …) are [I], after the comment policy roles.
type Member struct {
	ID    FlexString `json:"id"`
	Name  string     `json:"name"`
	Email string     `json:"email,omitempty"`
	Role  string     `json:"role,omitempty"`
}

// RoleAdmin is the role of an account admin [I].
const RoleAdmin = "admin"

// MembersPage is GET /members.
type MembersPage struct {
	Members []Member `json:"members"`
	Paging  *Paging  `json:"paging,omitempty"`
}

// Requisition is one requisition of GET /requisitions (the hiring plan) [I
// beyond its id and code].
type Requisition struct {
	ID   FlexString `json:"id"`
	Code string     `json:"code,omitempty"`
}

// RequisitionsPage is GET /requisitions.
type RequisitionsPage struct {
	Requisitions []Requisition `json:"requisitions"`
	Paging       *Paging       `json:"paging,omitempty"`
}

// JobRef is the job a candidate applied to [V].
type JobRef struct {
	Shortcode string `json:"shortcode"`
	Title     string `json:"title"`
}

// Candidate is a candidate of GET /candidates [V: the list fields].
type Candidate struct {
	ID         FlexString `json:"id"`
	Name       string     `json:"name"`
	Firstname  string     `json:"firstname,omitempty"`
	Lastname   string     `json:"lastname,omitempty"`
	Email      string     `json:"email,omitempty"`
	Phone      string     `json:"phone,omitempty"`
	Job        JobRef     `json:"job"`
	Stage      string     `json:"stage,omitempty"` // a stage slug
	ProfileURL string     `json:"profile_url,omitempty"`
}

// CandidatesPage is GET /candidates.
type CandidatesPage struct {
	Candidates []Candidate `json:"candidates"`
	Paging     *Paging     `json:"paging,omitempty"`
}

// CommentRequest is POST /candidates/:id/comments [V]: the member the note is
// recorded as, and its body.
type CommentRequest struct {
	MemberID string      `json:"member_id"`
	Comment  CommentBody `json:"comment"`
}

// CommentBody is a comment's text [V]; policy and attachment are not used.
type CommentBody struct {
	Body string `json:"body"`
}

// SPIError is SPI v3's error body [I]: {"error": "…"}; some answers say
// "message" instead, so both are read.
type SPIError struct {
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// DecodeSPIError reads an SPI error body, for atshttp.Client.DecodeError.
func DecodeSPIError(body []byte) (code, message string, ok bool) {
	var e SPIError
	if json.Unmarshal(body, &e) != nil {
		return "", "", false
	}
	msg := strings.TrimSpace(e.Error)
	if msg == "" {
		msg = strings.TrimSpace(e.Message)
	}
	return "", msg, msg != ""
}

// Rate limit headers, on every SPI response [V]. X-Rate-Limit-Reset is the
// time the next window starts, in Unix seconds [I].
const (
	HeaderLimit     = "X-Rate-Limit-Limit"
	HeaderRemaining = "X-Rate-Limit-Remaining"
	HeaderReset     = "X-Rate-Limit-Reset"
)

// Custom attributes: the fields of a candidate's profile an account defines
// (Settings → Workflow → Candidate custom fields), where the Assessments tab
// writes the status and scores. GET /custom_attributes lists them [V]; the
// provider must be "User" for the API to write one [V2: a unified API's
// set-up guide].
type CustomAttribute struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Enabled bool   `json:"enabled"`
	Label   string `json:"label"`
	Hint    string `json:"hint,omitempty"`
}

// CustomAttributesPage is GET /custom_attributes [V]: one list, unpaged.
type CustomAttributesPage struct {
	CustomAttributes []CustomAttribute `json:"custom_attributes"`
}

// Custom attribute types [V]. Switchboard writes only the text and numeric
// ones: a status, a label and scores are never a date, a file or a choice.
const (
	AttrShortText      = "short_text"
	AttrFreeText       = "free_text"
	AttrNumeric        = "numeric"
	AttrBoolean        = "boolean"
	AttrDate           = "date"
	AttrFile           = "file"
	AttrDropdown       = "dropdown"
	AttrMultipleChoice = "multiple_choice"
)

// MaxShortText is the most characters a short_text value holds [V].
const MaxShortText = 128

// AttributeValue is PATCH /candidates/:id/update_custom_attribute_value [V]:
// the attribute's key (its id in GET /custom_attributes [I]) and the value,
// a JSON string for the text types and a JSON number for numeric [V]. What
// Workable answers is not documented [I]: any 2xx is success.
type AttributeValue struct {
	Key   string          `json:"custom_attribute_key"`
	Value json.RawMessage `json:"value"`
}

// TextValue is a short or free text value of the attribute key.
func TextValue(key, s string) AttributeValue {
	b, _ := json.Marshal(s) // a string always marshals
	return AttributeValue{Key: key, Value: b}
}

// NumberValue is a numeric value of the attribute key; n is finite (a
// validated score).
func NumberValue(key string, n float64) AttributeValue {
	return AttributeValue{Key: key, Value: json.RawMessage(strconv.FormatFloat(n, 'f', -1, 64))}
}
