package greenhouse

// Greenhouse's Assessment Partner API on the wire, shared with the simulator
// (internal/atssim/greenhousesim).
//
// Verified (greenhouse-api-docs, source/includes/assessment/*.md): every
// type and field below unless a comment says inferred. Greenhouse reserves
// the right to add properties without notice and sends null for a property
// without a value, so what Greenhouse sends is read with unknown fields
// allowed and null taken as empty; but ids are Strings and Greenhouse holds
// partners to their types, so a value of the wrong type is refused rather
// than guessed at.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strings"
)

// Partner endpoint paths, under the prefix the core mounts them at. The
// admin hands Greenhouse the four URLs; the names are Greenhouse's (the
// docs' example response_error path is /api/request_errors; any path will
// do, since Greenhouse is given the URL).
const (
	PathListTests     = "/list_tests"
	PathSendTest      = "/send_test"
	PathTestStatus    = "/test_status"
	PathResponseError = "/response_error"
)

// MaxKeyLength is one more than the longest key Greenhouse takes: keys are
// shorter than 171 characters.
const MaxKeyLength = 171

// StatusComplete is the one partner_status Greenhouse acts on: it stops
// polling, notifies the recruiter and shows the score and profile link.
const StatusComplete = "complete"

// The other statuses Switchboard answers. Greenhouse documents only
// "complete"; these words are inferred (Greenhouse keeps polling on any
// other value), chosen so that a recruiter reading them understands them.
const (
	StatusSent       = "sent"
	StatusInProgress = "in_progress"
	StatusExpired    = "expired"
	StatusRejected   = "rejected"
	StatusCancelled  = "cancelled"
)

// Test is one entry of list_tests' answer: a JSON array of them.
type Test struct {
	PartnerTestID   string `json:"partner_test_id"`
	PartnerTestName string `json:"partner_test_name"`
}

// SendTest is the body of POST send_test, sent when a recruiter clicks
// "Send Test" at the partner stage.
type SendTest struct {
	PartnerTestID string    `json:"partner_test_id"`
	Candidate     Candidate `json:"candidate"`
	// SentBy is the sender's email address (since September 2024; optional).
	SentBy string `json:"sent_by"`
	// URL is where the partner sends the PATCH ping for this test instance.
	URL string `json:"url"`
}

// Candidate is send_test's candidate. PreferredName is required since
// January 2025; ResumeURL expires 7 days after the request.
type Candidate struct {
	FirstName            string `json:"first_name"`
	LastName             string `json:"last_name"`
	PreferredName        string `json:"preferred_name"`
	ResumeURL            string `json:"resume_url"`
	PhoneNumber          string `json:"phone_number"`
	Email                string `json:"email"`
	GreenhouseProfileURL string `json:"greenhouse_profile_url"`
}

// SendTestResponse is send_test's answer: the partner's id of the test
// instance (Switchboard's order id).
type SendTestResponse struct {
	PartnerInterviewID string `json:"partner_interview_id"`
}

// TestStatus is test_status' answer. ProfileURL is required when the status
// is complete; Score is a number; Metadata is flat, its values JavaScript
// primitives (string, number, boolean, null). Absent values are null, as
// Greenhouse writes its own.
type TestStatus struct {
	PartnerStatus     string         `json:"partner_status"`
	PartnerProfileURL *string        `json:"partner_profile_url"`
	PartnerScore      *float64       `json:"partner_score"`
	Metadata          map[string]any `json:"metadata,omitempty"`
}

// ResponseError is the body of POST response_error: Greenhouse's report of a
// malformed answer to one of its calls. Everything but APICall and Errors is
// optional.
type ResponseError struct {
	APICall            string   `json:"api_call"`
	Errors             []string `json:"errors"`
	PartnerTestID      string   `json:"partner_test_id,omitempty"`
	PartnerTestName    string   `json:"partner_test_name,omitempty"`
	PartnerInterviewID string   `json:"partner_interview_id,omitempty"`
	CandidateEmail     string   `json:"candidate_email,omitempty"`
}

// ResponseErrorAck is the answer to response_error: 200 {"status":200}.
type ResponseErrorAck struct {
	Status int `json:"status"`
}

// ErrorResponse is the body of Switchboard's refusals. Greenhouse documents
// only that a partner answers 401 (the key) and 404 (an unknown test or test
// instance), not a body; this one is chosen, shaped like the
// response_error acknowledgement, so that whatever Greenhouse shows or logs
// of it says what is wrong. Other statuses Switchboard answers, each the
// plain HTTP meaning so that Greenhouse's generic handling of a failed call
// applies: 400 for a body that is not send_test's or response_error's (a
// retry would fail alike), 403 for an integration the vendor has not enabled
// (the key is right, the answer would be 401's "fix the key" otherwise),
// 413 for a body over 1 MiB, 500 and 503 for Switchboard's own failures.
type ErrorResponse struct {
	Status  int      `json:"status"`
	Message string   `json:"message"`
	Errors  []string `json:"errors"`
}

// maxBody bounds a body from Greenhouse; send_test is a few hundred bytes.
const maxBody = 1 << 20

// DecodeSendTest reads a send_test body and checks what Greenhouse marks
// required: the test id, the candidate's email and the ping url. Names are
// required too but not refused when empty (Greenhouse sends null for what it
// lacks, and a candidate can be invited without a name).
func DecodeSendTest(b []byte) (SendTest, error) {
	var s SendTest
	if err := decodeObject(b, &s, "send_test"); err != nil {
		return SendTest{}, err
	}
	var missing []string
	if strings.TrimSpace(s.PartnerTestID) == "" {
		missing = append(missing, "partner_test_id")
	}
	if strings.TrimSpace(s.Candidate.Email) == "" {
		missing = append(missing, "candidate.email")
	}
	if strings.TrimSpace(s.URL) == "" {
		missing = append(missing, "url")
	}
	if len(missing) > 0 {
		return SendTest{}, fmt.Errorf("send_test: %s missing", strings.Join(missing, ", "))
	}
	return s, nil
}

// DecodeResponseError reads a response_error body; api_call is required.
func DecodeResponseError(b []byte) (ResponseError, error) {
	var r ResponseError
	if err := decodeObject(b, &r, "response_error"); err != nil {
		return ResponseError{}, err
	}
	if strings.TrimSpace(r.APICall) == "" {
		return ResponseError{}, errors.New("response_error: api_call missing")
	}
	return r, nil
}

// decodeObject reads one JSON object into v, naming the field of a value of
// the wrong type. Unknown fields are allowed (Greenhouse adds properties);
// null leaves a field empty.
func decodeObject(b []byte, v any, what string) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return fmt.Errorf("%s: the body must be a JSON object", what)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("%s: %s must be a %s, not a JSON %s", what, te.Field, jsonKind(te.Type.Kind().String()), te.Value)
		}
		return fmt.Errorf("%s: the body is not valid JSON", what)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: the body holds more than one JSON value", what)
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice":
		return "list"
	case "struct", "map":
		return "object"
	}
	return goKind
}

// CheckTestStatus is how Greenhouse reads a test_status answer: the problems
// that make it malformed (Greenhouse then calls response_error with them),
// or none. It is what the simulator holds Switchboard's answers to.
func CheckTestStatus(b []byte) (TestStatus, []string) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return TestStatus{}, []string{"the response is not a JSON object"}
	}
	var ts TestStatus
	var problems []string
	if err := json.Unmarshal(nullable(raw["partner_status"]), &ts.PartnerStatus); err != nil || ts.PartnerStatus == "" {
		problems = append(problems, "partner_status must be a non-empty String")
	}
	if v, ok := raw["partner_profile_url"]; ok && !isNull(v) {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			problems = append(problems, "partner_profile_url must be a String")
		} else if u, err := url.Parse(s); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, "partner_profile_url must be an http(s) URL")
		} else {
			ts.PartnerProfileURL = &s
		}
	}
	if ts.PartnerStatus == StatusComplete && ts.PartnerProfileURL == nil {
		problems = append(problems, "partner_profile_url is required when partner_status is complete")
	}
	if v, ok := raw["partner_score"]; ok && !isNull(v) {
		var f float64
		if err := json.Unmarshal(v, &f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			problems = append(problems, "partner_score must be a Number")
		} else {
			ts.PartnerScore = &f
		}
	}
	if v, ok := raw["metadata"]; ok && !isNull(v) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(v, &m); err != nil || m == nil {
			problems = append(problems, "metadata must be an Object")
		} else {
			ts.Metadata = map[string]any{}
			for k, mv := range m {
				var p any
				if err := json.Unmarshal(mv, &p); err != nil {
					problems = append(problems, fmt.Sprintf("metadata.%s is not valid JSON", k))
					continue
				}
				switch p.(type) {
				case nil, string, float64, bool:
					ts.Metadata[k] = p
				default:
					problems = append(problems, fmt.Sprintf("metadata.%s must be a JavaScript primitive, not an object or array", k))
				}
			}
		}
	}
	return ts, problems
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// nullable turns an absent value into null, which leaves its target as it is.
func nullable(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

// CheckTests is how Greenhouse reads list_tests' answer: an array of tests,
// each with a String id and name.
func CheckTests(b []byte) ([]Test, []string) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return nil, []string{"the response is not a JSON array of tests"}
	}
	var out []Test
	var problems []string
	for i, t := range raw {
		var tt Test
		if err := json.Unmarshal(nullable(t["partner_test_id"]), &tt.PartnerTestID); err != nil || tt.PartnerTestID == "" {
			problems = append(problems, fmt.Sprintf("test %d: partner_test_id must be a non-empty String", i))
			continue
		}
		if err := json.Unmarshal(nullable(t["partner_test_name"]), &tt.PartnerTestName); err != nil || tt.PartnerTestName == "" {
			problems = append(problems, fmt.Sprintf("test %d: partner_test_name must be a non-empty String", i))
			continue
		}
		out = append(out, tt)
	}
	return out, problems
}

// CheckSendTestResponse is how Greenhouse reads send_test's answer: an
// object with a String partner_interview_id.
func CheckSendTestResponse(b []byte) (string, []string) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return "", []string{"the response is not a JSON object"}
	}
	var id string
	if err := json.Unmarshal(nullable(raw["partner_interview_id"]), &id); err != nil || id == "" {
		return "", []string{"partner_interview_id must be a non-empty String"}
	}
	return id, nil
}
