package smartrecruiters

// Wire types for SmartRecruiters' Assessment API (2021) and the parts of the
// customer API that Switchboard and the simulator use. The client, the
// connector and internal/atssim/srsim all use these, so the wire format lives
// in this one file.
//
// Evidence, per /work/shared/ats/wire-formats.md part A (main source: the
// Konfig merge of SmartRecruiters' ReadMe-hosted OpenAPI specs,
// konfig-sdks/openapi-examples smartrecruiters/openapi.yaml) and
// /work/shared/ats/smartrecruiters.md:
//
// Verified (SmartRecruiters' own spec text, schemas with unique names):
//   - base https://api.smartrecruiters.com; Assessment API under
//     /assessment-api/v202010; token endpoint /identity/oauth/token; OAuth 2.0
//     client credentials; scheme oauth2_master (scope
//     partner_configuration_manage) for GET/PUT /partner/configuration and
//     POST /integration/company/{companyId}; scheme oauth2 (scopes jobs_read,
//     candidates_read, assessment_result_manage, packages_view,
//     orders_modify) for results and for the partner's endpoints;
//   - PartnerConfigurationRequest / PartnerConfiguration with every field name,
//     its required list, consentDisplayMode REDIRECT|POPUP, fields ≤ 5 of
//     Field{id,name,description}, 1..6 supportedAssessmentTypes;
//   - AssessmentType VIDEO_INTERVIEW|BEHAVIORAL_ASSESSMENT|BACKGROUND_CHECK|
//     REFERENCE_CHECK|SKILL_TEST|INLINE_ASSESSMENT;
//   - ClientCredentials{clientId,clientSecret} both ways of setUpIntegration,
//     whose errors are 400/401/403 (scope or no consent)/404 (no partner
//     configuration)/409 (already integrated);
//   - TokenInput (form: grant_type=client_credentials, client_id,
//     client_secret), AccessToken{access_token,expires_in},
//     TokenErrorResponse{error,error_description};
//   - AssessmentPackage{id,name,description,type,assessments[]} and
//     Assessment{id,name,description,type}; GET /packages answers a top-level
//     array, or 204 when there is none;
//   - AssessmentPackageOrderRequest{resultCallbackURL, assessmentPackageId,
//     companyId, jobId (deprecated), job, candidate, requester, fields},
//     answered 202; OrderRequester{userId,email};
//   - InlineAssessmentPackageOrderRequest (the same plus
//     completedAssessmentCallbackUrl, candidate InlineCandidate{email,
//     firstName,lastName,applicationLanguage}, job InlineJob{id}), answered
//     200 InlineAssessmentPackageResponse{url};
//   - PackageResult{summary, description (deprecated), assessmentPackageDate,
//     submissionDate, name, status, score, scoreLabel, attachments,
//     assessmentResults}, no field required, RFC 7396 merge-patch semantics;
//     AssessmentResult (assessmentId required); Score{raw,min,max}, integers,
//     all required; status IN_PROGRESS|PENDING|COMPLETED|REJECTED|EXPIRED;
//     PATCH errors 400/401/403/404/415;
//   - POST /orders/{orderId}/results/attachment is multipart/form-data and
//     answers 201 AttachmentResult{url}; not supported for inline orders;
//   - ErrorResponse{message, errors[{code,message}]} (merged name, and the
//     same shape in the customer API's generated clients);
//   - customer API: PUT /candidates/{id}/jobs/{jobId}/properties takes a
//     top-level array of {id, value}, where a TEXT value is the text and a
//     SINGLE_SELECT value is the value id (SmartRecruiters' generated Ruby
//     client, candidates API description); candidate list
//     {limit, nextPageId, content} with pageId cursors (pagination page);
//     Candidate{id, internal, firstName, lastName, email, createdOn,
//     updatedOn, primaryAssignment{job{id,title},status,subStatus},
//     secondaryAssignments}; Job{id,title,refNumber,status,postingStatus,
//     createdOn,updatedOn}; candidate status enum; rate limits 10 req/s,
//     8 concurrent, 1 concurrent for GET /candidates, per credential, 429
//     and the X-RateLimit-* headers.
//
// Inferred (no source could be read; keep these guesses here, in one place):
//   - the order id is carried only by resultCallbackURL, taken to end in
//     /orders/{orderId}/results (OrderIDFromResultURL);
//   - the order request's candidate fields are id, email, firstName, lastName,
//     applicationLanguage and the job's are id and title (the Konfig Candidate
//     and Job schemas are unions of several SR APIs; see OrderCandidate);
//   - an auto-triggered order (a hiring-process step) carries no requester,
//     while an ad-hoc order names the recruiter; nothing else on the wire tells
//     them apart (OrderRequest.Triggered);
//   - the inline response's required list names assessmentPackageURL while
//     its only property is url: we send both with the same value and read
//     either (NewInlineResponse, CandidateURL);
//   - the 202 order acceptance has an empty body {} (OrderAccepted);
//   - Attachment is {type: VIDEO_URL|PDF_URL|OTHER_URL, url} (the merged
//     schema's assessment-specific part); there is no result URL field, so the
//     report link goes in attachments as OTHER_URL and the PDF as PDF_URL;
//   - the attachment upload's part name is "file" (AttachmentPart; the legacy
//     API used "attachment", which the simulator also accepts), and its size
//     limit is MaxAttachmentBytes;
//   - placeholders {assessmentPackageId} and {companyId} in configured URLs
//     are substituted; without a placeholder the id is appended as a path
//     segment (ExpandURL);
//   - token_type in AccessToken ("Bearer"; harmless, not in the schema), and
//     that tokens are refreshed from expires_in;
//   - the PUT properties response is 204 with no body;
//   - Retry-After on 429 (SmartRecruiters documents only the X-RateLimit-*
//     headers; the client honours Retry-After when present and otherwise
//     backs off exponentially), and a burst of 10 for the 10 req/s limit;
//   - error codes inside ErrorResponse.errors[].code are ours (Code*), and
//     so is 400 for an attachment on an inline order (the spec only says it
//     is not supported);
//   - the token endpoint also accepting HTTP Basic client authentication
//     (RFC 6749 §2.3.1); the client sends the form, as TokenInput says;
//   - the requester header of GET /packages (its encoding is not stated):
//     neither the client nor the simulator sends it.
//
// The simulator's own URLs (the consent redirect page, the inline return
// page, attachment downloads) are opaque to partners and not part of this
// contract.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Base URL and paths of SmartRecruiters' API.
const (
	DefaultBaseURL    = "https://api.smartrecruiters.com"
	AssessmentAPIPath = "/assessment-api/v202010"
	TokenPath         = "/identity/oauth/token"
)

// OAuth scopes (verified names). ScopeCandidatesWrite is inferred: the
// customer-level credentials need it to write application properties.
const (
	ScopePartnerConfigurationManage = "partner_configuration_manage"
	ScopeAssessmentResultManage     = "assessment_result_manage"
	ScopeJobsRead                   = "jobs_read"
	ScopeCandidatesRead             = "candidates_read"
	ScopeCandidatesWrite            = "candidates_write"
	ScopePackagesView               = "packages_view"
	ScopeOrdersModify               = "orders_modify"
)

// Rate limits per credential (verified, except the burst).
const (
	RequestsPerSecond       = 10
	MaxConcurrent           = 8
	MaxConcurrentCandidates = 1  // GET /candidates
	RateBurst               = 10 // inferred: SmartRecruiters states no burst
)

// Attachment upload (inferred: the spec hides the multipart schema).
const (
	MaxAttachmentBytes   = 10 << 20
	AttachmentPart       = "file"
	LegacyAttachmentPart = "attachment" // the legacy API's part name; the simulator accepts it too
)

// GrantTypeClientCredentials is the only grant either side uses.
const GrantTypeClientCredentials = "client_credentials"

// Error codes used in ErrorResponse.Errors[].Code; ours (inferred). Clients
// branch on the HTTP status, never on these.
const (
	CodeBadRequest         = "BAD_REQUEST"
	CodeUnauthorized       = "UNAUTHORIZED"
	CodeForbidden          = "FORBIDDEN"
	CodeNotFound           = "NOT_FOUND"
	CodeConflict           = "CONFLICT"
	CodeMethodNotAllowed   = "METHOD_NOT_ALLOWED"
	CodeTooLarge           = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMedia   = "UNSUPPORTED_MEDIA_TYPE"
	CodeTooManyRequests    = "TOO_MANY_REQUESTS"
	CodeInternal           = "INTERNAL_ERROR"
	CodeServiceUnavailable = "SERVICE_UNAVAILABLE"
)

// ID is an identifier that SmartRecruiters sends as a string; a JSON number
// is accepted too (kept as its literal text), and null is "".
type ID string

// UnmarshalJSON accepts a string, a number or null.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*id = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = ID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want an id string or number, got %.24q", b)
	}
	*id = ID(n.String())
	return nil
}

// Int is an integer that may arrive as a JSON number (a fractional one is
// rounded half away from zero), a numeric string or null (0). It encodes as a
// JSON number.
type Int int64

// UnmarshalJSON accepts a number, a numeric string or null.
func (n *Int) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*n = 0
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*n = 0
			return nil
		}
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = Int(v)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	// 2^63 is exactly representable; anything at or above it overflows int64.
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= 1<<63 {
		return fmt.Errorf("want an integer, got %.24q", s)
	}
	*n = Int(math.Round(f))
	return nil
}

// Time is a date-time. It encodes as RFC 3339 and decodes RFC 3339 as well
// as SmartRecruiters' older "2013-03-07T13:34:40.137+0000" form; null and ""
// are the zero time.
type Time struct{ time.Time }

// UnmarshalJSON accepts RFC 3339, the numeric-offset form, "" or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a date-time string: %w", err)
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700"} {
		if v, err := time.Parse(layout, s); err == nil {
			*t = Time{v}
			return nil
		}
	}
	return fmt.Errorf("want an RFC 3339 date-time, got %.40q", s)
}

// At wraps t; the zero time stays zero (and is omitted when encoding).
func At(t time.Time) Time { return Time{t} }

// AssessmentType is the kind of a package or assessment.
type AssessmentType string

// The assessment types (verified).
const (
	TypeVideoInterview       AssessmentType = "VIDEO_INTERVIEW"
	TypeBehavioralAssessment AssessmentType = "BEHAVIORAL_ASSESSMENT"
	TypeBackgroundCheck      AssessmentType = "BACKGROUND_CHECK"
	TypeReferenceCheck       AssessmentType = "REFERENCE_CHECK"
	TypeSkillTest            AssessmentType = "SKILL_TEST"
	TypeInlineAssessment     AssessmentType = "INLINE_ASSESSMENT"
)

// Valid reports whether t is one of the enum's values.
func (t AssessmentType) Valid() bool {
	switch t {
	case TypeVideoInterview, TypeBehavioralAssessment, TypeBackgroundCheck,
		TypeReferenceCheck, TypeSkillTest, TypeInlineAssessment:
		return true
	}
	return false
}

// ConsentDisplayMode says how SmartRecruiters shows the partner's consent page.
type ConsentDisplayMode string

// Consent display modes (verified). Only REDIRECT adds the redirect parameter.
const (
	ConsentRedirect ConsentDisplayMode = "REDIRECT"
	ConsentPopup    ConsentDisplayMode = "POPUP"
)

// Field is a partner-defined parameter that customers bind to job fields; its
// id becomes a query parameter of GET /packages and a key of an order's fields.
type Field struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// FieldView is a Field as SmartRecruiters returns it (nothing required).
type FieldView struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// PartnerConfigurationRequest is the body of
// PUT /assessment-api/v202010/partner/configuration.
type PartnerConfigurationRequest struct {
	ConsentURL                      string             `json:"consentUrl"`
	ConsentDisplayMode              ConsentDisplayMode `json:"consentDisplayMode"`
	AssessmentPackageListURL        string             `json:"assessmentPackageListUrl"`
	SingleAssessmentPackageURL      string             `json:"singleAssessmentPackageUrl"`
	PackageOrderURL                 string             `json:"packageOrderUrl,omitempty"`
	InlineAssessmentPackageOrderURL string             `json:"inlineAssessmentPackageOrderUrl,omitempty"`
	OAuthTokenURL                   string             `json:"oauthTokenUrl"`
	IntegrationDisableURL           string             `json:"integrationDisableUrl,omitempty"`
	Fields                          []Field            `json:"fields,omitempty"`
	SupportedAssessmentTypes        []AssessmentType   `json:"supportedAssessmentTypes"`
}

// Validate checks the schema's required fields, enums and bounds, and that
// every URL is absolute http(s), so that a bad configuration fails before it
// is sent (and the simulator refuses it with 400, as SmartRecruiters does).
func (r PartnerConfigurationRequest) Validate() error {
	var problems []string
	for _, u := range []struct {
		name, v  string
		required bool
	}{
		{"consentUrl", r.ConsentURL, true},
		{"assessmentPackageListUrl", r.AssessmentPackageListURL, true},
		{"singleAssessmentPackageUrl", r.SingleAssessmentPackageURL, true},
		{"packageOrderUrl", r.PackageOrderURL, false},
		{"inlineAssessmentPackageOrderUrl", r.InlineAssessmentPackageOrderURL, false},
		{"oauthTokenUrl", r.OAuthTokenURL, true},
		{"integrationDisableUrl", r.IntegrationDisableURL, false},
	} {
		switch {
		case u.v == "" && u.required:
			problems = append(problems, u.name+" is required")
		case u.v != "" && !isHTTPURL(u.v):
			problems = append(problems, u.name+" must be an absolute http(s) URL")
		}
	}
	if r.ConsentDisplayMode != ConsentRedirect && r.ConsentDisplayMode != ConsentPopup {
		problems = append(problems, "consentDisplayMode must be REDIRECT or POPUP")
	}
	if len(r.Fields) > 5 {
		problems = append(problems, "fields has more than 5 items")
	}
	for i, f := range r.Fields {
		if f.ID == "" || f.Name == "" || f.Description == "" {
			problems = append(problems, fmt.Sprintf("fields[%d] needs id, name and description", i))
		}
	}
	if n := len(r.SupportedAssessmentTypes); n < 1 || n > 6 {
		problems = append(problems, "supportedAssessmentTypes needs 1 to 6 items")
	}
	for _, t := range r.SupportedAssessmentTypes {
		if !t.Valid() {
			problems = append(problems, fmt.Sprintf("supportedAssessmentTypes has unknown type %q", t))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid partner configuration: %s", strings.Join(problems, "; "))
	}
	return nil
}

// PartnerConfiguration is the configuration SmartRecruiters holds (200 of
// GET and PUT /partner/configuration).
type PartnerConfiguration struct {
	ConsentURL                      string             `json:"consentUrl"`
	ConsentDisplayMode              ConsentDisplayMode `json:"consentDisplayMode"`
	AssessmentPackageListURL        string             `json:"assessmentPackageListUrl"`
	SingleAssessmentPackageURL      string             `json:"singleAssessmentPackageUrl"`
	PackageOrderURL                 string             `json:"packageOrderUrl,omitempty"`
	InlineAssessmentPackageOrderURL string             `json:"inlineAssessmentPackageOrderUrl,omitempty"`
	OAuthTokenURL                   string             `json:"oauthTokenUrl"`
	IntegrationDisableURL           string             `json:"integrationDisableUrl,omitempty"`
	Fields                          []FieldView        `json:"fields,omitempty"`
	SupportedAssessmentTypes        []AssessmentType   `json:"supportedAssessmentTypes"`
}

// ConfigurationFromRequest is what SmartRecruiters stores for r.
func ConfigurationFromRequest(r PartnerConfigurationRequest) PartnerConfiguration {
	c := PartnerConfiguration{
		ConsentURL: r.ConsentURL, ConsentDisplayMode: r.ConsentDisplayMode,
		AssessmentPackageListURL: r.AssessmentPackageListURL, SingleAssessmentPackageURL: r.SingleAssessmentPackageURL,
		PackageOrderURL: r.PackageOrderURL, InlineAssessmentPackageOrderURL: r.InlineAssessmentPackageOrderURL,
		OAuthTokenURL: r.OAuthTokenURL, IntegrationDisableURL: r.IntegrationDisableURL,
		SupportedAssessmentTypes: append([]AssessmentType(nil), r.SupportedAssessmentTypes...),
	}
	for _, f := range r.Fields {
		c.Fields = append(c.Fields, FieldView(f))
	}
	return c
}

// ClientCredentials is an OAuth 2.0 client id and secret: the body and the
// answer of POST /integration/company/{companyId}. Its String never shows
// the secret, so a stray %v cannot log it.
type ClientCredentials struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

func (c ClientCredentials) String() string {
	return fmt.Sprintf("{clientId:%s clientSecret:[redacted]}", c.ClientID)
}

// GoString keeps %#v from printing the secret too.
func (c ClientCredentials) GoString() string { return c.String() }

// Validate checks that both fields are set.
func (c ClientCredentials) Validate() error {
	if c.ClientID == "" || c.ClientSecret == "" {
		return errors.New("client credentials need clientId and clientSecret")
	}
	return nil
}

// TokenInput is the form body of a client-credentials token request, to
// SmartRecruiters' /identity/oauth/token or to the partner's oauthTokenUrl.
type TokenInput struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

func (t TokenInput) String() string {
	return fmt.Sprintf("{grant_type:%s client_id:%s client_secret:[redacted]}", t.GrantType, t.ClientID)
}

// GoString keeps %#v from printing the secret too.
func (t TokenInput) GoString() string { return t.String() }

// NewTokenInput is the client-credentials grant for c.
func NewTokenInput(c ClientCredentials) TokenInput {
	return TokenInput{GrantType: GrantTypeClientCredentials, ClientID: c.ClientID, ClientSecret: c.ClientSecret}
}

// Form encodes t as application/x-www-form-urlencoded values.
func (t TokenInput) Form() url.Values {
	return url.Values{"grant_type": {t.GrantType}, "client_id": {t.ClientID}, "client_secret": {t.ClientSecret}}
}

// Credentials returns the client id and secret of t.
func (t TokenInput) Credentials() ClientCredentials {
	return ClientCredentials{ClientID: t.ClientID, ClientSecret: t.ClientSecret}
}

// ErrUnsupportedGrant is wrapped by ParseTokenInput for a grant type other
// than client_credentials (RFC 6749 error unsupported_grant_type).
var ErrUnsupportedGrant = errors.New("unsupported grant_type")

// ParseTokenInput reads a token request's form. Client id and secret may
// come in the form or, per RFC 6749 §2.3.1, as HTTP Basic credentials
// (basicID and basicSecret, "" when absent).
func ParseTokenInput(form url.Values, basicID, basicSecret string) (TokenInput, error) {
	t := TokenInput{GrantType: form.Get("grant_type"), ClientID: form.Get("client_id"), ClientSecret: form.Get("client_secret")}
	if t.ClientID == "" && t.ClientSecret == "" {
		t.ClientID, t.ClientSecret = basicID, basicSecret
	}
	switch {
	case t.GrantType == "":
		return TokenInput{}, errors.New("grant_type is required")
	case t.GrantType != GrantTypeClientCredentials:
		return TokenInput{}, fmt.Errorf("%w %q", ErrUnsupportedGrant, t.GrantType)
	case t.ClientID == "" || t.ClientSecret == "":
		return TokenInput{}, errors.New("client_id and client_secret are required")
	}
	return t, nil
}

// AccessToken is a token endpoint's 200 answer. ExpiresIn is in seconds.
type AccessToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type,omitempty"`
	ExpiresIn   Int    `json:"expires_in"`
}

func (t AccessToken) String() string {
	return fmt.Sprintf("{access_token:[redacted] token_type:%s expires_in:%d}", t.TokenType, t.ExpiresIn)
}

// GoString keeps %#v from printing the token too.
func (t AccessToken) GoString() string { return t.String() }

// TokenErrorResponse is a token endpoint's 400/401 answer (RFC 6749 §5.2).
type TokenErrorResponse struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// RFC 6749 §5.2 error codes.
const (
	TokenErrInvalidRequest       = "invalid_request"
	TokenErrInvalidClient        = "invalid_client"
	TokenErrUnsupportedGrantType = "unsupported_grant_type"
	TokenErrInvalidScope         = "invalid_scope"
)

// Requester is the recruiter asking for the package list (the requester
// header of GET /packages; its encoding in the header is not documented).
type Requester struct {
	Email string `json:"email"`
}

// Assessment is one test inside a package.
type Assessment struct {
	ID          ID             `json:"id"`
	Name        string         `json:"name,omitempty"`
	Description string         `json:"description"`
	Type        AssessmentType `json:"type"`
}

// AssessmentPackage is what a recruiter can order: the answer of the
// partner's GET /packages/{assessmentPackageId}, and an item of GET /packages.
type AssessmentPackage struct {
	ID          ID             `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Type        AssessmentType `json:"type"`
	Assessments []Assessment   `json:"assessments"`
}

// Validate checks the schema's required fields and enums.
func (p AssessmentPackage) Validate() error {
	switch {
	case p.ID == "" || p.Name == "" || p.Description == "":
		return fmt.Errorf("package %q needs id, name and description", p.ID)
	case !p.Type.Valid():
		return fmt.Errorf("package %q has unknown type %q", p.ID, p.Type)
	case p.Assessments == nil:
		return fmt.Errorf("package %q needs assessments", p.ID)
	}
	for _, a := range p.Assessments {
		if a.ID == "" || a.Description == "" || !a.Type.Valid() {
			return fmt.Errorf("package %q: assessment %q needs id, description and a known type", p.ID, a.ID)
		}
	}
	return nil
}

// AssessmentPackages is the answer of the partner's GET /packages: a
// top-level JSON array, never a wrapper object. Nil encodes as [].
type AssessmentPackages []AssessmentPackage

// MarshalJSON writes [] for an empty list.
func (ps AssessmentPackages) MarshalJSON() ([]byte, error) {
	if ps == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]AssessmentPackage(ps))
}

// OrderRequester is the recruiter who placed an ad-hoc order.
type OrderRequester struct {
	UserID ID     `json:"userId"`
	Email  string `json:"email"`
}

// OrderCandidate is the candidate of an order. Inferred field list: the
// assessment-specific part of the merged Candidate schema (the names
// InlineCandidate also uses); decoding ignores the rest.
type OrderCandidate struct {
	ID                  ID     `json:"id,omitempty"`
	Email               string `json:"email,omitempty"`
	FirstName           string `json:"firstName,omitempty"`
	LastName            string `json:"lastName,omitempty"`
	ApplicationLanguage string `json:"applicationLanguage,omitempty"`
}

// OrderJob is the job of an order (inferred: id and title).
type OrderJob struct {
	ID    ID     `json:"id"`
	Title string `json:"title,omitempty"`
}

// FieldValues are the partner fields' values bound to the job, by field id.
// Decoding accepts numbers and booleans as their text; an empty object
// decodes as nil, so that a decoded value re-encodes unchanged.
type FieldValues map[string]string

// UnmarshalJSON accepts an object of scalars, or null.
func (f *FieldValues) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("fields: %w", err)
	}
	if len(raw) == 0 {
		*f = nil
		return nil
	}
	out := make(FieldValues, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) > 0 && v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("fields[%q]: %w", k, err)
			}
			out[k] = s
		case bytes.Equal(v, []byte("null")):
			out[k] = ""
		case bytes.Equal(v, []byte("true")), bytes.Equal(v, []byte("false")):
			out[k] = string(v)
		default:
			var n json.Number
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("fields[%q]: want a string, number or boolean", k)
			}
			out[k] = n.String()
		}
	}
	*f = out
	return nil
}

// AssessmentPackageOrderRequest is the body of the partner's
// POST /packages/orders (ad-hoc or auto-triggered).
type AssessmentPackageOrderRequest struct {
	ResultCallbackURL   string          `json:"resultCallbackURL"`
	AssessmentPackageID ID              `json:"assessmentPackageId"`
	CompanyID           ID              `json:"companyId"`
	JobID               ID              `json:"jobId"` // deprecated in the spec; job.id is the same
	Job                 OrderJob        `json:"job"`
	Candidate           OrderCandidate  `json:"candidate"`
	Requester           *OrderRequester `json:"requester,omitempty"`
	Fields              FieldValues     `json:"fields,omitempty"`
}

// OrderID is the order's id, taken from resultCallbackURL.
func (o AssessmentPackageOrderRequest) OrderID() (string, error) {
	return OrderIDFromResultURL(o.ResultCallbackURL)
}

// EffectiveJobID is job.id, or the deprecated jobId when job.id is missing.
func (o AssessmentPackageOrderRequest) EffectiveJobID() string {
	if o.Job.ID != "" {
		return string(o.Job.ID)
	}
	return string(o.JobID)
}

// Triggered reports whether a hiring-process step placed the order rather
// than a recruiter. Inferred: such orders have no requester.
func (o AssessmentPackageOrderRequest) Triggered() bool { return o.Requester == nil }

// ErrInvalidOrder is wrapped by DecodeOrder and DecodeInlineOrder for a body
// that is not a usable order; answer it with 400.
var ErrInvalidOrder = errors.New("invalid order request")

// Validate checks what Switchboard needs of an order: the spec's required
// fields, a result callback URL carrying an order id, and a candidate that
// can be reached (an id or an email).
func (o AssessmentPackageOrderRequest) Validate() error {
	if err := validateOrderCommon(o.ResultCallbackURL, o.AssessmentPackageID, o.CompanyID, o.EffectiveJobID()); err != nil {
		return err
	}
	if o.Candidate.ID == "" && o.Candidate.Email == "" {
		return fmt.Errorf("%w: candidate needs an id or an email", ErrInvalidOrder)
	}
	return nil
}

func validateOrderCommon(callback string, packageID, companyID ID, jobID string) error {
	var missing []string
	if callback == "" {
		missing = append(missing, "resultCallbackURL")
	}
	if packageID == "" {
		missing = append(missing, "assessmentPackageId")
	}
	if companyID == "" {
		missing = append(missing, "companyId")
	}
	if jobID == "" {
		missing = append(missing, "job.id")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", ErrInvalidOrder, strings.Join(missing, ", "))
	}
	if _, err := OrderIDFromResultURL(callback); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidOrder, err)
	}
	return nil
}

// DecodeOrder decodes and validates the body of POST /packages/orders.
// Unknown fields are ignored; ids may be strings or numbers.
func DecodeOrder(body []byte) (AssessmentPackageOrderRequest, error) {
	var o AssessmentPackageOrderRequest
	if err := json.Unmarshal(body, &o); err != nil {
		return AssessmentPackageOrderRequest{}, fmt.Errorf("%w: %v", ErrInvalidOrder, err)
	}
	if err := o.Validate(); err != nil {
		return AssessmentPackageOrderRequest{}, err
	}
	return o, nil
}

// InlineCandidate is the applicant of an inline order; all fields required.
type InlineCandidate struct {
	Email               string `json:"email"`
	FirstName           string `json:"firstName"`
	LastName            string `json:"lastName"`
	ApplicationLanguage string `json:"applicationLanguage"`
}

// InlineJob is the job of an inline order.
type InlineJob struct {
	ID ID `json:"id"`
}

// InlineAssessmentPackageOrderRequest is the body of the partner's
// POST /packages/inline/orders, placed while a candidate applies.
type InlineAssessmentPackageOrderRequest struct {
	ResultCallbackURL              string          `json:"resultCallbackURL"`
	AssessmentPackageID            ID              `json:"assessmentPackageId"`
	CompanyID                      ID              `json:"companyId"`
	JobID                          ID              `json:"jobId"` // deprecated
	Job                            InlineJob       `json:"job"`
	Candidate                      InlineCandidate `json:"candidate"`
	CompletedAssessmentCallbackURL string          `json:"completedAssessmentCallbackUrl"`
	Fields                         FieldValues     `json:"fields,omitempty"`
}

// OrderID is the order's id, taken from resultCallbackURL.
func (o InlineAssessmentPackageOrderRequest) OrderID() (string, error) {
	return OrderIDFromResultURL(o.ResultCallbackURL)
}

// EffectiveJobID is job.id, or the deprecated jobId when job.id is missing.
func (o InlineAssessmentPackageOrderRequest) EffectiveJobID() string {
	if o.Job.ID != "" {
		return string(o.Job.ID)
	}
	return string(o.JobID)
}

// Validate checks the spec's required fields and the URLs.
func (o InlineAssessmentPackageOrderRequest) Validate() error {
	if err := validateOrderCommon(o.ResultCallbackURL, o.AssessmentPackageID, o.CompanyID, o.EffectiveJobID()); err != nil {
		return err
	}
	if o.Candidate.Email == "" {
		return fmt.Errorf("%w: candidate.email is required", ErrInvalidOrder)
	}
	if !isHTTPURL(o.CompletedAssessmentCallbackURL) {
		return fmt.Errorf("%w: completedAssessmentCallbackUrl must be an absolute http(s) URL", ErrInvalidOrder)
	}
	return nil
}

// DecodeInlineOrder decodes and validates the body of
// POST /packages/inline/orders.
func DecodeInlineOrder(body []byte) (InlineAssessmentPackageOrderRequest, error) {
	var o InlineAssessmentPackageOrderRequest
	if err := json.Unmarshal(body, &o); err != nil {
		return InlineAssessmentPackageOrderRequest{}, fmt.Errorf("%w: %v", ErrInvalidOrder, err)
	}
	if err := o.Validate(); err != nil {
		return InlineAssessmentPackageOrderRequest{}, err
	}
	return o, nil
}

// OrderAccepted is the 202 answer to POST /packages/orders: an empty object.
type OrderAccepted struct{}

// InlineAssessmentPackageResponse is the 200 answer to
// POST /packages/inline/orders: where SmartRecruiters sends the candidate.
type InlineAssessmentPackageResponse struct {
	URL                  string `json:"url"`
	AssessmentPackageURL string `json:"assessmentPackageURL,omitempty"`
}

// NewInlineResponse answers an inline order with the candidate's URL under
// both names the spec uses.
func NewInlineResponse(candidateURL string) InlineAssessmentPackageResponse {
	return InlineAssessmentPackageResponse{URL: candidateURL, AssessmentPackageURL: candidateURL}
}

// CandidateURL is url, or assessmentPackageURL when url is missing.
func (r InlineAssessmentPackageResponse) CandidateURL() string {
	if r.URL != "" {
		return r.URL
	}
	return r.AssessmentPackageURL
}

// Status is an order's assessment status in SmartRecruiters.
type Status string

// The statuses (verified).
const (
	StatusPending    Status = "PENDING"
	StatusInProgress Status = "IN_PROGRESS"
	StatusCompleted  Status = "COMPLETED"
	StatusRejected   Status = "REJECTED"
	StatusExpired    Status = "EXPIRED"
)

// Valid reports whether s is one of the enum's values.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusInProgress, StatusCompleted, StatusRejected, StatusExpired:
		return true
	}
	return false
}

// Terminal reports whether s ends the order (inferred from the lifecycle).
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusRejected || s == StatusExpired
}

// Score is a score in an inclusive range. Values decode from numbers or
// numeric strings.
type Score struct {
	Raw Int `json:"raw"`
	Min Int `json:"min"`
	Max Int `json:"max"`
}

// Validate checks min <= raw <= max.
func (s Score) Validate() error {
	if s.Min > s.Max || s.Raw < s.Min || s.Raw > s.Max {
		return fmt.Errorf("score raw %d is not within min %d and max %d", s.Raw, s.Min, s.Max)
	}
	return nil
}

// AttachmentType is the kind of a result attachment link (inferred enum).
type AttachmentType string

// Attachment link kinds.
const (
	AttachmentVideoURL AttachmentType = "VIDEO_URL"
	AttachmentPDFURL   AttachmentType = "PDF_URL"
	AttachmentOtherURL AttachmentType = "OTHER_URL"
)

// Valid reports whether t is a known kind.
func (t AttachmentType) Valid() bool {
	return t == AttachmentVideoURL || t == AttachmentPDFURL || t == AttachmentOtherURL
}

// Attachment is a link shown with a result (inferred shape).
type Attachment struct {
	Type AttachmentType `json:"type"`
	URL  string         `json:"url"`
}

// AssessmentResult is the result of one assessment inside a package.
type AssessmentResult struct {
	AssessmentID   ID           `json:"assessmentId"`
	AssessmentName string       `json:"assessmentName,omitempty"`
	Name           string       `json:"name,omitempty"`
	Status         Status       `json:"status,omitempty"`
	AssessmentDate Time         `json:"assessmentDate,omitzero"`
	SubmissionDate Time         `json:"submissionDate,omitzero"`
	Score          *Score       `json:"score,omitempty"`
	ScoreLabel     string       `json:"scoreLabel,omitempty"`
	Summary        string       `json:"summary,omitempty"`
	Attachments    []Attachment `json:"attachments,omitempty"`
}

// PackageResult is the body (a JSON merge patch) and the 200 answer of
// PATCH /orders/{orderId}/results. Empty fields are omitted, so a patch
// changes only what it sets.
type PackageResult struct {
	Status                Status             `json:"status,omitempty"`
	AssessmentPackageDate Time               `json:"assessmentPackageDate,omitzero"`
	SubmissionDate        Time               `json:"submissionDate,omitzero"`
	Score                 *Score             `json:"score,omitempty"`
	ScoreLabel            string             `json:"scoreLabel,omitempty"`
	Summary               string             `json:"summary,omitempty"`
	Attachments           []Attachment       `json:"attachments,omitempty"`
	AssessmentResults     []AssessmentResult `json:"assessmentResults,omitempty"`
	Name                  string             `json:"name,omitempty"`
	Description           string             `json:"description,omitempty"` // deprecated: use Summary
}

// Validate checks enums and score ranges, as SmartRecruiters answers 400 for
// an invalid partial update.
func (r PackageResult) Validate() error {
	if r.Status != "" && !r.Status.Valid() {
		return fmt.Errorf("unknown status %q", r.Status)
	}
	if r.Score != nil {
		if err := r.Score.Validate(); err != nil {
			return err
		}
	}
	for _, a := range r.Attachments {
		if !a.Type.Valid() || !isHTTPURL(a.URL) {
			return fmt.Errorf("attachment needs a known type and an absolute URL, got %q %q", a.Type, a.URL)
		}
	}
	for i, ar := range r.AssessmentResults {
		switch {
		case ar.AssessmentID == "":
			return fmt.Errorf("assessmentResults[%d] needs assessmentId", i)
		case ar.Status != "" && !ar.Status.Valid():
			return fmt.Errorf("assessmentResults[%d] has unknown status %q", i, ar.Status)
		case ar.Score != nil && ar.Score.Validate() != nil:
			return fmt.Errorf("assessmentResults[%d]: %v", i, ar.Score.Validate())
		}
	}
	return nil
}

// AttachmentResult is the 201 answer of POST /orders/{orderId}/results/attachment.
type AttachmentResult struct {
	URL string `json:"url"`
}

// ErrorDetail is one entry of ErrorResponse.Errors.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// ErrorResponse is the body of SmartRecruiters' 4xx and 5xx answers.
type ErrorResponse struct {
	Errors  []ErrorDetail `json:"errors,omitempty"`
	Message string        `json:"message,omitempty"`
}

// NewErrorResponse builds an error body with one error entry.
func NewErrorResponse(code, message string) ErrorResponse {
	return ErrorResponse{Errors: []ErrorDetail{{Code: code, Message: message}}, Message: message}
}

// CandidateStatus is a candidate's status on one job (verified enum).
type CandidateStatus string

// Candidate statuses.
const (
	CandidateLead        CandidateStatus = "LEAD"
	CandidateNew         CandidateStatus = "NEW"
	CandidateInReview    CandidateStatus = "IN_REVIEW"
	CandidateInterview   CandidateStatus = "INTERVIEW"
	CandidateOffered     CandidateStatus = "OFFERED"
	CandidateHired       CandidateStatus = "HIRED"
	CandidateRejected    CandidateStatus = "REJECTED"
	CandidateWithdrawn   CandidateStatus = "WITHDRAWN"
	CandidateTransferred CandidateStatus = "TRANSFERRED"
)

// AssignmentJob is the job of an application, as the candidate list shows it.
type AssignmentJob struct {
	ID    ID     `json:"id"`
	Title string `json:"title,omitempty"`
}

// Assignment is a candidate's application to one job.
type Assignment struct {
	Job       AssignmentJob   `json:"job"`
	Status    CandidateStatus `json:"status,omitempty"`
	SubStatus string          `json:"subStatus,omitempty"`
}

// Candidate is a candidate of the customer API (GET /candidates, GET
// /candidates/{id}); decoding ignores the many fields Switchboard does not use.
type Candidate struct {
	ID                   ID           `json:"id"`
	Internal             bool         `json:"internal"`
	FirstName            string       `json:"firstName"`
	LastName             string       `json:"lastName"`
	Email                string       `json:"email,omitempty"`
	CreatedOn            Time         `json:"createdOn,omitzero"`
	UpdatedOn            Time         `json:"updatedOn,omitzero"`
	PrimaryAssignment    *Assignment  `json:"primaryAssignment,omitempty"`
	SecondaryAssignments []Assignment `json:"secondaryAssignments,omitempty"`
}

// Applications returns the candidate's applications, primary first.
func (c Candidate) Applications() []Assignment {
	var out []Assignment
	if c.PrimaryAssignment != nil {
		out = append(out, *c.PrimaryAssignment)
	}
	return append(out, c.SecondaryAssignments...)
}

// Job is a job of the customer API (GET /jobs, GET /jobs/{id}).
type Job struct {
	ID            ID     `json:"id"`
	Title         string `json:"title"`
	RefNumber     string `json:"refNumber,omitempty"`
	Status        string `json:"status,omitempty"`
	PostingStatus string `json:"postingStatus,omitempty"`
	CreatedOn     Time   `json:"createdOn,omitzero"`
	UpdatedOn     Time   `json:"updatedOn,omitzero"`
	// Applicant review's fields, inferred (wire_customer.go).
	Department *Labeled  `json:"department,omitempty"`
	Location   *Location `json:"location,omitempty"`
	Creator    *UserRef  `json:"creator,omitempty"`
}

// Page is one page of a cursor-paginated list; NextPageID is empty on the
// last page and goes back as the pageId query parameter.
type Page[T any] struct {
	Limit      int    `json:"limit"`
	NextPageID string `json:"nextPageId,omitempty"`
	Content    []T    `json:"content"`
}

// PropertyValue is one entry of the body of
// PUT /candidates/{id}/jobs/{jobId}/properties. Value is the text for a
// TEXT property and the value id for a SINGLE_SELECT one; nil resets it.
type PropertyValue struct {
	ID    string `json:"id"`
	Value any    `json:"value,omitempty"`
}

// TextProperty sets a TEXT property.
func TextProperty(id, text string) PropertyValue { return PropertyValue{ID: id, Value: text} }

// SelectProperty sets a SINGLE_SELECT property to one of its value ids.
func SelectProperty(id, valueID string) PropertyValue { return PropertyValue{ID: id, Value: valueID} }

// OrderIDFromResultURL extracts {orderId} from a result callback URL of the
// form .../orders/{orderId}/results.
func OrderIDFromResultURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("result callback URL %.80q is not an absolute http(s) URL", raw)
	}
	segs := strings.Split(strings.TrimSuffix(u.EscapedPath(), "/"), "/")
	n := len(segs)
	if n < 3 || segs[n-1] != "results" || segs[n-3] != "orders" || segs[n-2] == "" {
		return "", fmt.Errorf("result callback URL %.80q does not end in /orders/{orderId}/results", raw)
	}
	id, err := url.PathUnescape(segs[n-2])
	if err != nil || id == "" || strings.ContainsAny(id, "/?#") {
		return "", fmt.Errorf("result callback URL %.80q has no usable order id", raw)
	}
	return id, nil
}

// ExpandURL puts id into a configured URL: it replaces the placeholder
// (e.g. "{companyId}") when the URL has it, and otherwise appends id as a
// path segment. Inferred: SmartRecruiters does not say which it does.
func ExpandURL(configured, placeholder, id string) string {
	esc := url.PathEscape(id)
	if strings.Contains(configured, placeholder) {
		return strings.ReplaceAll(configured, placeholder, esc)
	}
	u, err := url.Parse(configured)
	if err != nil {
		return strings.TrimRight(configured, "/") + "/" + esc
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/" + id
	u.RawPath = ""
	return u.String()
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
