package smartrecruiters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/ats/atshttp"
)

const (
	defaultMaxRetries = 4
	maxResponseBytes  = 32 << 20
	pageLimit         = 100
	maxPages          = 10000
	userAgent         = "switchboard-smartrecruiters/1"
)

// ErrAttachmentTooLarge is returned by UploadAttachment, before any
// request, for files over MaxAttachmentBytes.
var ErrAttachmentTooLarge = errors.New("smartrecruiters: attachment too large")

// Client calls SmartRecruiters with one OAuth 2.0 client credential: the
// partner's master credential (partner configuration, credential exchange) or
// a company's customer-level credential (results, properties, customer API).
//
// Its calls go through atshttp.Client: the Auth is a Refresher over the
// TokenCache (a 401 drops the token and the call is tried once more with a
// fresh one), the Limiter is the credential's Limits, and error bodies are
// decoded into *atshttp.StatusError, whose Message carries SmartRecruiters'
// message and field errors (ErrorDetails reads them back). It is safe for
// concurrent use.
type Client struct {
	baseURL string
	creds   ClientCredentials
	tokens  *TokenCache
	api     atshttp.Client
}

// Option configures a Client.
type Option func(*Client)

// api is an option of the atshttp.Client under a Client.
func api(o atshttp.Option) Option { return func(c *Client) { o(&c.api) } }

// WithHTTPClient sets the HTTP client. Each request has its own deadline
// (atshttp.RequestTimeout; atshttp.UploadTimeout for attachments, where
// SmartRecruiters asks for patience), so the client needs no timeout of its
// own.
func WithHTTPClient(hc *http.Client) Option { return api(atshttp.WithHTTPClient(hc)) }

// WithLimits sets the rate limits waited on before every request.
// SmartRecruiters limits per credential, so every client of one credential
// must share them: take them from a LimiterPool. The default is a private
// DefaultLimits.
func WithLimits(l *Limits) Option {
	return func(c *Client) {
		if l != nil {
			c.api.Limiter = l
		}
	}
}

// WithTokenCache sets the token cache, shared by every client of the process
// so that a credential's token is reused across jobs. Default: private.
func WithTokenCache(tc *TokenCache) Option {
	return func(c *Client) {
		if tc != nil {
			c.tokens = tc
		}
	}
}

// WithSleep replaces every wait, for retries and for the rate limit (tests
// inject a fake that advances their clock). It must return promptly with
// ctx.Err() when ctx is done.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return api(atshttp.WithSleep(sleep))
}

// WithClock sets the clock used for token expiry, the rate limit and
// HTTP-date Retry-After (default time.Now).
func WithClock(now func() time.Time) Option { return api(atshttp.WithClock(now)) }

// WithMaxRetries sets how many times a failed attempt is retried (default 4;
// 0 or negative means none).
func WithMaxRetries(n int) Option { return api(atshttp.WithMaxRetries(n)) }

// NewClient returns a client for baseURL (DefaultBaseURL, or a simulator's
// root) acting with creds. The Assessment API is under
// baseURL+AssessmentAPIPath and tokens come from baseURL+TokenPath.
func NewClient(baseURL string, creds ClientCredentials, opts ...Option) *Client {
	base := strings.TrimRight(baseURL, "/")
	c := &Client{
		baseURL: base,
		creds:   creds,
		tokens:  NewTokenCache(),
		api: atshttp.Client{
			BaseURL:          base,
			HTTP:             &http.Client{},
			Limiter:          DefaultLimits(),
			DecodeError:      decodeError,
			MaxRetries:       defaultMaxRetries,
			UserAgent:        userAgent,
			MaxResponseBytes: maxResponseBytes,
			Sleep:            atshttp.Sleep,
			Now:              time.Now,
		},
	}
	c.api.Auth = tokenAuth{c}
	for _, o := range opts {
		o(c)
	}
	return c
}

// decodeError reads SmartRecruiters' error body (ErrorResponse) or its token
// endpoint's (TokenErrorResponse, RFC 6749 §5.2) into the message of an
// *atshttp.StatusError: the body's message, then each field error.
func decodeError(body []byte) (code, message string, ok bool) {
	var eb ErrorResponse
	if json.Unmarshal(body, &eb) == nil && (eb.Message != "" || len(eb.Errors) > 0) {
		parts := []string{}
		if eb.Message != "" {
			parts = append(parts, eb.Message)
		}
		for _, d := range eb.Errors {
			switch {
			case d.Message == "":
				parts = append(parts, d.Code)
			case d.Message != eb.Message:
				parts = append(parts, d.Code+": "+d.Message)
			}
		}
		return "", strings.Join(parts, "; "), true
	}
	var te TokenErrorResponse
	if json.Unmarshal(body, &te) == nil && te.Error != "" {
		return te.Error, te.ErrorDescription, true
	}
	return "", "", false
}

// ErrorDetails are the field errors of the SmartRecruiters answer err
// carries (an *atshttp.StatusError), read from its body (redacted by the
// client): a token endpoint's error is one detail of its code and
// description. nil when err holds no such answer or the answer none.
func ErrorDetails(err error) []ErrorDetail {
	var se *atshttp.StatusError
	if !errors.As(err, &se) {
		return nil
	}
	var eb ErrorResponse
	if json.Unmarshal(se.Body, &eb) == nil && len(eb.Errors) > 0 {
		return eb.Errors
	}
	var te TokenErrorResponse
	if json.Unmarshal(se.Body, &te) == nil && te.Error != "" {
		return []ErrorDetail{{Code: te.Error, Message: te.ErrorDescription}}
	}
	return nil
}

// tokenAuth authenticates the client's requests with a bearer token of its
// credential, from the shared TokenCache.
type tokenAuth struct{ c *Client }

var _ atshttp.Refresher = tokenAuth{}

// Apply implements atshttp.Auth.
func (a tokenAuth) Apply(ctx context.Context, req *http.Request) error {
	tok, err := a.c.token(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// Secrets implements atshttp.Auth: the client secret, which the token
// request carries (the client redacts the bearer token it sent itself).
func (a tokenAuth) Secrets() []string { return []string{a.c.creds.ClientSecret} }

// Invalidate implements atshttp.Refresher: a 401 showed the token sent
// revoked or expired early.
func (a tokenAuth) Invalidate(sent *http.Request) {
	tok, ok := strings.CutPrefix(sent.Header.Get("Authorization"), "Bearer ")
	if ok {
		a.c.tokens.entry(a.c.baseURL+TokenPath, a.c.creds).invalidate(tok)
	}
}

// token returns a cached access token, fetching one when there is none or
// the cached one is near expiry. The entry is held while fetching, so that
// a credential has one refresh at a time and concurrent callers share it.
func (c *Client) token(ctx context.Context) (string, error) {
	if err := c.creds.Validate(); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	e := c.tokens.entry(c.baseURL+TokenPath, c.creds)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := c.api.Now()
	if e.token != "" && now.Before(e.refreshAt) {
		return e.token, nil
	}
	var at AccessToken
	// Not an API call of the credential: neither authenticated nor counted
	// against its limits.
	rq := atshttp.Request{
		Method: http.MethodPost, Path: TokenPath, Unauthenticated: true,
		Body:        []byte(NewTokenInput(c.creds).Form().Encode()),
		ContentType: "application/x-www-form-urlencoded",
	}
	if err := c.api.JSON(ctx, rq, &at); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	if at.AccessToken == "" {
		return "", errors.New("token: response has no access_token")
	}
	if at.TokenType != "" && !strings.EqualFold(at.TokenType, "bearer") {
		return "", fmt.Errorf("token: unsupported token_type %q", at.TokenType)
	}
	lifetime := time.Duration(at.ExpiresIn) * time.Second
	if at.ExpiresIn <= 0 || at.ExpiresIn > 1<<31 {
		// No usable lifetime: use the token for this call only.
		e.token, e.refreshAt = "", time.Time{}
		return at.AccessToken, nil
	}
	e.token = at.AccessToken
	e.refreshAt = now.Add(lifetime - refreshMargin(lifetime))
	return e.token, nil
}

// Authenticate fetches (or reuses) an access token, proving the credential
// works; for validation.
func (c *Client) Authenticate(ctx context.Context) error {
	if _, err := c.token(ctx); err != nil {
		return fmt.Errorf("smartrecruiters: authenticate: %w", err)
	}
	return nil
}

func (c *Client) assessment(path string) string {
	return c.baseURL + AssessmentAPIPath + path
}

func jsonRequest(method, path string, body any) (atshttp.Request, error) {
	rq := atshttp.Request{Method: method, Path: AssessmentAPIPath + path}
	if body != nil {
		b, err := atshttp.JSONBody(body)
		if err != nil {
			return atshttp.Request{}, err
		}
		rq.Body, rq.ContentType = b, "application/json"
	}
	return rq, nil
}

// GetPartnerConfiguration reads the partner's configuration (master credential).
func (c *Client) GetPartnerConfiguration(ctx context.Context) (PartnerConfiguration, error) {
	rq, _ := jsonRequest(http.MethodGet, "/partner/configuration", nil)
	var out PartnerConfiguration
	if err := c.api.JSON(ctx, rq, &out); err != nil {
		return PartnerConfiguration{}, fmt.Errorf("smartrecruiters: get partner configuration: %w", err)
	}
	return out, nil
}

// SavePartnerConfiguration registers the partner's endpoints
// (PUT /partner/configuration, master credential). The request is validated
// first, so a bad configuration fails without a call.
func (c *Client) SavePartnerConfiguration(ctx context.Context, cfg PartnerConfigurationRequest) (PartnerConfiguration, error) {
	if err := cfg.Validate(); err != nil {
		return PartnerConfiguration{}, fmt.Errorf("smartrecruiters: save partner configuration: %w", err)
	}
	rq, err := jsonRequest(http.MethodPut, "/partner/configuration", cfg)
	if err != nil {
		return PartnerConfiguration{}, fmt.Errorf("smartrecruiters: save partner configuration: %w", err)
	}
	var out PartnerConfiguration
	if err := c.api.JSON(ctx, rq, &out); err != nil {
		return PartnerConfiguration{}, fmt.Errorf("smartrecruiters: save partner configuration: %w", err)
	}
	return out, nil
}

// SetUpIntegration is the credential exchange of the consent flow
// (POST /integration/company/{companyId}, master credential): it gives
// SmartRecruiters the credentials it will use to call the partner for this
// company, and returns the customer-level credentials the partner uses to
// call SmartRecruiters. 403 means the company has not consented, 409 that it
// is already integrated.
func (c *Client) SetUpIntegration(ctx context.Context, companyID string, partner ClientCredentials) (ClientCredentials, error) {
	if companyID == "" {
		return ClientCredentials{}, errors.New("smartrecruiters: set up integration: empty company id")
	}
	if err := partner.Validate(); err != nil {
		return ClientCredentials{}, fmt.Errorf("smartrecruiters: set up integration: %w", err)
	}
	rq, err := jsonRequest(http.MethodPost, "/integration/company/"+url.PathEscape(companyID), partner)
	if err != nil {
		return ClientCredentials{}, fmt.Errorf("smartrecruiters: set up integration: %w", err)
	}
	rq.Creates = true // a second exchange is refused as "already integrated"
	var out ClientCredentials
	if err := c.api.JSON(ctx, rq, &out); err != nil {
		return ClientCredentials{}, fmt.Errorf("smartrecruiters: set up integration: %w", err)
	}
	if err := out.Validate(); err != nil {
		return ClientCredentials{}, fmt.Errorf("smartrecruiters: set up integration: response: %w", err)
	}
	return out, nil
}

// ResultsURL is where results of orderID go on this client's SmartRecruiters.
func (c *Client) ResultsURL(orderID string) string {
	return c.assessment("/orders/" + url.PathEscape(orderID) + "/results")
}

// OrderIDFromCallback extracts the order id from an order's
// resultCallbackURL, refusing URLs that do not point at this client's
// SmartRecruiters: the callback comes from the inbound request, and the
// client's bearer token must never be sent anywhere else.
func (c *Client) OrderIDFromCallback(callbackURL string) (string, error) {
	id, err := OrderIDFromResultURL(callbackURL)
	if err != nil {
		return "", fmt.Errorf("smartrecruiters: %w", err)
	}
	want, err := url.Parse(c.ResultsURL(id))
	got, perr := url.Parse(callbackURL)
	if err != nil || perr != nil || !strings.EqualFold(got.Scheme, want.Scheme) || !strings.EqualFold(got.Host, want.Host) ||
		strings.TrimSuffix(got.EscapedPath(), "/") != want.EscapedPath() {
		return "", fmt.Errorf("smartrecruiters: result callback URL %.80q is not under %s", callbackURL, c.baseURL+AssessmentAPIPath)
	}
	return id, nil
}

// PatchResults sends a status or result of an order (PATCH
// /orders/{orderId}/results, customer credential) as a JSON merge patch and
// returns the result SmartRecruiters now holds. Should SmartRecruiters answer
// 415 to application/json, it is sent once more as
// application/merge-patch+json (RFC 7396's own media type).
func (c *Client) PatchResults(ctx context.Context, orderID string, r PackageResult) (PackageResult, error) {
	if orderID == "" {
		return PackageResult{}, errors.New("smartrecruiters: patch results: empty order id")
	}
	if err := r.Validate(); err != nil {
		return PackageResult{}, fmt.Errorf("smartrecruiters: patch results: %w", err)
	}
	rq, err := jsonRequest(http.MethodPatch, "/orders/"+url.PathEscape(orderID)+"/results", r)
	if err != nil {
		return PackageResult{}, fmt.Errorf("smartrecruiters: patch results: %w", err)
	}
	var out PackageResult
	err = c.api.JSON(ctx, rq, &out)
	var se *atshttp.StatusError
	if errors.As(err, &se) && se.StatusCode == http.StatusUnsupportedMediaType {
		rq.ContentType = "application/merge-patch+json"
		err = c.api.JSON(ctx, rq, &out)
	}
	if err != nil {
		return PackageResult{}, fmt.Errorf("smartrecruiters: patch results: %w", err)
	}
	return out, nil
}

// UploadAttachment uploads a file (the PDF report) to an order's result
// (POST /orders/{orderId}/results/attachment, multipart/form-data with one
// part named AttachmentPart) and returns its URL, to reference as a PDF_URL
// attachment. SmartRecruiters does not accept attachments on inline orders.
func (c *Client) UploadAttachment(ctx context.Context, orderID, filename, contentType string, data []byte) (AttachmentResult, error) {
	switch {
	case orderID == "":
		return AttachmentResult{}, errors.New("smartrecruiters: upload attachment: empty order id")
	case filename == "":
		return AttachmentResult{}, errors.New("smartrecruiters: upload attachment: empty file name")
	case len(data) > MaxAttachmentBytes:
		return AttachmentResult{}, fmt.Errorf("smartrecruiters: upload attachment %q (%d bytes): %w", filename, len(data), ErrAttachmentTooLarge)
	}
	body, formType, err := atshttp.FileBody(AttachmentPart, filename, contentType, data)
	if err != nil {
		return AttachmentResult{}, fmt.Errorf("smartrecruiters: upload attachment: %w", err)
	}
	rq := atshttp.Request{Method: http.MethodPost, Path: AssessmentAPIPath + "/orders/" + url.PathEscape(orderID) + "/results/attachment",
		Body: body, ContentType: formType, Creates: true, Timeout: atshttp.UploadTimeout}
	var out AttachmentResult
	if err := c.api.JSON(ctx, rq, &out); err != nil {
		return AttachmentResult{}, fmt.Errorf("smartrecruiters: upload attachment: %w", err)
	}
	if out.URL == "" {
		return AttachmentResult{}, errors.New("smartrecruiters: upload attachment: response has no url")
	}
	return out, nil
}

// SetApplicationProperties writes custom application fields of a candidate's
// application to a job (PUT /candidates/{id}/jobs/{jobId}/properties, a
// batch). An empty list sends nothing. Writing the same values again is
// harmless, so this is safe to retry.
func (c *Client) SetApplicationProperties(ctx context.Context, candidateID, jobID string, props []PropertyValue) error {
	if candidateID == "" || jobID == "" {
		return errors.New("smartrecruiters: set application properties: empty candidate or job id")
	}
	if len(props) == 0 {
		return nil
	}
	b, err := json.Marshal(props)
	if err != nil {
		return fmt.Errorf("smartrecruiters: set application properties: encode body: %w", err)
	}
	p := "/candidates/" + url.PathEscape(candidateID) + "/jobs/" + url.PathEscape(jobID) + "/properties"
	rq := atshttp.Request{Method: http.MethodPut, Path: p, Body: b, ContentType: "application/json"}
	if err := c.api.JSON(ctx, rq, nil); err != nil {
		return fmt.Errorf("smartrecruiters: set application properties: %w", err)
	}
	return nil
}

// GetJob reads one job (customer API).
func (c *Client) GetJob(ctx context.Context, jobID string) (Job, error) {
	if jobID == "" {
		return Job{}, errors.New("smartrecruiters: get job: empty job id")
	}
	p := "/jobs/" + url.PathEscape(jobID)
	var out Job
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: p}, &out); err != nil {
		return Job{}, fmt.Errorf("smartrecruiters: get job: %w", err)
	}
	return out, nil
}

// GetCandidate reads one candidate with their applications (customer API).
func (c *Client) GetCandidate(ctx context.Context, candidateID string) (Candidate, error) {
	if candidateID == "" {
		return Candidate{}, errors.New("smartrecruiters: get candidate: empty candidate id")
	}
	p := "/candidates/" + url.PathEscape(candidateID)
	var out Candidate
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: p}, &out); err != nil {
		return Candidate{}, fmt.Errorf("smartrecruiters: get candidate: %w", err)
	}
	return out, nil
}

// ListCandidates lists the candidates who applied to jobID, all pages,
// following nextPageId. GET /candidates allows one request in flight per
// credential, which the client's limits enforce.
func (c *Client) ListCandidates(ctx context.Context, jobID string) ([]Candidate, error) {
	q := url.Values{"limit": {strconv.Itoa(pageLimit)}}
	if jobID != "" {
		q.Set("jobId", jobID)
	}
	var all []Candidate
	seen := map[string]bool{}
	for range maxPages {
		var page Page[Candidate]
		rq := atshttp.Request{Method: http.MethodGet, Path: "/candidates", Query: q, Tag: tagCandidatesList}
		if err := c.api.JSON(ctx, rq, &page); err != nil {
			return nil, fmt.Errorf("smartrecruiters: list candidates: %w", err)
		}
		all = append(all, page.Content...)
		if page.NextPageID == "" {
			return all, nil
		}
		// Guard against a server that would page forever.
		if seen[page.NextPageID] {
			return nil, errors.New("smartrecruiters: list candidates: repeated nextPageId")
		}
		seen[page.NextPageID] = true
		q.Set("pageId", page.NextPageID)
	}
	return nil, fmt.Errorf("smartrecruiters: list candidates: more than %d pages", maxPages)
}
