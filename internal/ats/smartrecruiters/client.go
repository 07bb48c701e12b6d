package smartrecruiters

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
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
// It fetches and caches access tokens itself. It is safe for concurrent use.
type Client struct {
	baseURL    string
	tokenURL   string
	creds      ClientCredentials
	hc         *http.Client
	limits     *Limits
	tokens     *TokenCache
	sleep      func(ctx context.Context, d time.Duration) error
	now        func() time.Time
	maxRetries int
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client. Each request has its own deadline
// (atshttp.RequestTimeout; atshttp.UploadTimeout for attachments, where
// SmartRecruiters asks for patience), so the client needs no timeout of its
// own.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// WithLimits sets the rate limits waited on before every request.
// SmartRecruiters limits per credential, so every client of one credential
// must share them: take them from a LimiterPool. The default is a private
// DefaultLimits.
func WithLimits(l *Limits) Option {
	return func(c *Client) {
		if l != nil {
			c.limits = l
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
	return func(c *Client) {
		if sleep != nil {
			c.sleep = sleep
		}
	}
}

// WithClock sets the clock used for token expiry, the rate limit and
// HTTP-date Retry-After (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.now = now
		}
	}
}

// WithMaxRetries sets how many times a failed attempt is retried (default 4;
// negative means 0).
func WithMaxRetries(n int) Option {
	return func(c *Client) { c.maxRetries = max(n, 0) }
}

// NewClient returns a client for baseURL (DefaultBaseURL, or a simulator's
// root) acting with creds. The Assessment API is under
// baseURL+AssessmentAPIPath and tokens come from baseURL+TokenPath.
func NewClient(baseURL string, creds ClientCredentials, opts ...Option) *Client {
	base := strings.TrimRight(baseURL, "/")
	c := &Client{
		baseURL:    base,
		tokenURL:   base + TokenPath,
		creds:      creds,
		hc:         &http.Client{},
		limits:     DefaultLimits(),
		tokens:     NewTokenCache(),
		sleep:      atshttp.Sleep,
		now:        time.Now,
		maxRetries: defaultMaxRetries,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// APIError is a non-2xx answer from SmartRecruiters (or its token endpoint).
// Its text never contains the client secret or an access token.
type APIError struct {
	StatusCode int
	Errors     []ErrorDetail // from the error body, when it had them
	Message    string        // the body's message, or the start of a non-JSON body
	RetryAfter time.Duration // from Retry-After, when present
	Method     string
	Path       string // without the query
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	for _, d := range e.Errors {
		if d.Message != "" && d.Message != e.Message {
			fmt.Fprintf(&b, "; %s: %s", d.Code, d.Message)
		} else if d.Message == "" {
			fmt.Fprintf(&b, "; %s", d.Code)
		}
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Temporary reports whether retrying later may succeed: 429 and 5xx.
func (e *APIError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

type request struct {
	method         string
	url            string // absolute, without query
	path           string // for errors: relative to the base URL
	query          url.Values
	body           []byte // re-read from the start on every attempt
	contentType    string
	auth           bool // send a bearer token (everything but the token endpoint)
	candidatesList bool // GET /candidates: one in flight per credential
	// unlessApplied: a POST that creates something is retried only on 429,
	// which is answered before anything is done; after a 5xx or a cut
	// connection it may have been applied, and a retry would apply it twice.
	unlessApplied bool
	// timeout bounds each attempt; 0 means atshttp.RequestTimeout.
	timeout time.Duration
}

// do sends rq with retries and decodes a 2xx body into out (if non-nil).
//
// Retries cover 429, 5xx and transport errors, waiting Retry-After when the
// server gave one, but only waits of at most atshttp.MaxInCallWait happen
// here: a longer one ends the call with its error and the job queue comes
// back later. A 401 with a cached token drops the token and tries once
// more with a fresh one. A POST that failed with a 5xx or a cut connection
// may have been applied; the attachment upload is then repeated, which is why
// callers record a landed upload and skip it on their own retries.
func (c *Client) do(ctx context.Context, rq request, out any) error {
	var lastErr error
	reauthed := false
	for attempt := 0; ; attempt++ {
		var token string
		if rq.auth {
			t, err := c.token(ctx)
			if err != nil {
				return err
			}
			token = t
		}
		err := c.attempt(ctx, rq, token, out)
		lastErr = err
		if err == nil {
			return nil
		}
		var ae *APIError
		if rq.auth && !reauthed && errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
			reauthed = true
			c.tokens.entry(c.tokenURL, c.creds).invalidate(token)
			attempt--
			continue
		}
		is429 := errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests
		if rq.unlessApplied && !is429 {
			return err
		}
		var retryAfter time.Duration
		if errors.As(err, &ae) {
			retryAfter = ae.RetryAfter
		}
		wait, ok := atshttp.RetryWait(ctx, err, attempt, c.maxRetries, retryAfter)
		if !ok {
			return err
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return fmt.Errorf("waiting to retry: %w (last error: %v)", serr, lastErr)
		}
	}
}

func (c *Client) attempt(ctx context.Context, rq request, token string, out any) error {
	u := rq.url
	if len(rq.query) > 0 {
		u += "?" + rq.query.Encode()
	}
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	ctx, cancel := atshttp.WithTimeout(ctx, rq.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, rq.method, u, body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if rq.contentType != "" {
		req.Header.Set("Content-Type", rq.contentType)
	}
	// The token endpoint is not an API call of the credential, so only API
	// calls count against its limits.
	if rq.auth {
		release, err := c.limits.acquire(ctx, rq.candidatesList, c.now, c.sleep)
		if err != nil {
			return fmt.Errorf("rate limit wait: %w", err)
		}
		defer release()
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return &atshttp.TransportError{Err: fmt.Errorf("%s %s: %w", rq.method, rq.path, redactErr(err, c.creds.ClientSecret, token))}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return &atshttp.TransportError{Err: fmt.Errorf("%s %s: read response: %w", rq.method, rq.path, err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.apiError(rq, resp, data, token)
	}
	if len(data) > maxResponseBytes {
		return fmt.Errorf("%s %s: response larger than %d bytes", rq.method, rq.path, maxResponseBytes)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", rq.method, rq.path, err)
	}
	return nil
}

func (c *Client) apiError(rq request, resp *http.Response, data []byte, token string) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Method: rq.method, Path: rq.path}
	var eb ErrorResponse
	var te TokenErrorResponse
	switch {
	case json.Unmarshal(data, &eb) == nil && (eb.Message != "" || len(eb.Errors) > 0):
		e.Message, e.Errors = eb.Message, eb.Errors
	case json.Unmarshal(data, &te) == nil && te.Error != "":
		e.Message = te.ErrorDescription
		e.Errors = []ErrorDetail{{Code: te.Error, Message: te.ErrorDescription}}
	default:
		e.Message = atshttp.Snippet(data)
	}
	// A proxy or error page might echo credentials back; never keep them.
	e.Message = redact(e.Message, c.creds.ClientSecret, token)
	for i := range e.Errors {
		e.Errors[i].Code = redact(e.Errors[i].Code, c.creds.ClientSecret, token)
		e.Errors[i].Message = redact(e.Errors[i].Message, c.creds.ClientSecret, token)
	}
	e.RetryAfter = atshttp.ParseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	return e
}

func redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redactErr(err error, secrets ...string) error {
	msg := err.Error()
	if r := redact(msg, secrets...); r != msg {
		return &redactedError{msg: r, err: err}
	}
	return err
}

// token returns a cached access token, fetching one when there is none or
// the cached one is near expiry.
func (c *Client) token(ctx context.Context) (string, error) {
	if err := c.creds.Validate(); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	e := c.tokens.entry(c.tokenURL, c.creds)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := c.now()
	if e.token != "" && now.Before(e.refreshAt) {
		return e.token, nil
	}
	var at AccessToken
	rq := request{
		method: http.MethodPost, url: c.tokenURL, path: TokenPath,
		body:        []byte(NewTokenInput(c.creds).Form().Encode()),
		contentType: "application/x-www-form-urlencoded",
	}
	if err := c.do(ctx, rq, &at); err != nil {
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

func (c *Client) assessment(path string) (string, string) {
	return c.baseURL + AssessmentAPIPath + path, AssessmentAPIPath + path
}

func (c *Client) jsonRequest(method, path string, body any) (request, error) {
	u, p := c.assessment(path)
	rq := request{method: method, url: u, path: p, auth: true}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return request{}, fmt.Errorf("encode body: %w", err)
		}
		rq.body, rq.contentType = b, "application/json"
	}
	return rq, nil
}

// GetPartnerConfiguration reads the partner's configuration (master credential).
func (c *Client) GetPartnerConfiguration(ctx context.Context) (PartnerConfiguration, error) {
	rq, _ := c.jsonRequest(http.MethodGet, "/partner/configuration", nil)
	var out PartnerConfiguration
	if err := c.do(ctx, rq, &out); err != nil {
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
	rq, err := c.jsonRequest(http.MethodPut, "/partner/configuration", cfg)
	if err != nil {
		return PartnerConfiguration{}, fmt.Errorf("smartrecruiters: save partner configuration: %w", err)
	}
	var out PartnerConfiguration
	if err := c.do(ctx, rq, &out); err != nil {
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
	rq, err := c.jsonRequest(http.MethodPost, "/integration/company/"+url.PathEscape(companyID), partner)
	if err != nil {
		return ClientCredentials{}, fmt.Errorf("smartrecruiters: set up integration: %w", err)
	}
	rq.unlessApplied = true // a second exchange is refused as "already integrated"
	var out ClientCredentials
	if err := c.do(ctx, rq, &out); err != nil {
		return ClientCredentials{}, fmt.Errorf("smartrecruiters: set up integration: %w", err)
	}
	if err := out.Validate(); err != nil {
		return ClientCredentials{}, fmt.Errorf("smartrecruiters: set up integration: response: %w", err)
	}
	return out, nil
}

// ResultsURL is where results of orderID go on this client's SmartRecruiters.
func (c *Client) ResultsURL(orderID string) string {
	u, _ := c.assessment("/orders/" + url.PathEscape(orderID) + "/results")
	return u
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
	rq, err := c.jsonRequest(http.MethodPatch, "/orders/"+url.PathEscape(orderID)+"/results", r)
	if err != nil {
		return PackageResult{}, fmt.Errorf("smartrecruiters: patch results: %w", err)
	}
	var out PackageResult
	err = c.do(ctx, rq, &out)
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusUnsupportedMediaType {
		rq.contentType = "application/merge-patch+json"
		err = c.do(ctx, rq, &out)
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
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	// Built once so that every retry resends the same bytes.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", multipart.FileContentDisposition(AttachmentPart, filename))
	h.Set("Content-Type", contentType)
	pw, err := mw.CreatePart(h)
	if err == nil {
		_, err = pw.Write(data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return AttachmentResult{}, fmt.Errorf("smartrecruiters: upload attachment: build multipart body: %w", err)
	}
	u, p := c.assessment("/orders/" + url.PathEscape(orderID) + "/results/attachment")
	rq := request{method: http.MethodPost, url: u, path: p, auth: true, body: buf.Bytes(), contentType: mw.FormDataContentType(), unlessApplied: true, timeout: atshttp.UploadTimeout}
	var out AttachmentResult
	if err := c.do(ctx, rq, &out); err != nil {
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
	rq := request{method: http.MethodPut, url: c.baseURL + p, path: p, auth: true, body: b, contentType: "application/json"}
	if err := c.do(ctx, rq, nil); err != nil {
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
	if err := c.do(ctx, request{method: http.MethodGet, url: c.baseURL + p, path: p, auth: true}, &out); err != nil {
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
	if err := c.do(ctx, request{method: http.MethodGet, url: c.baseURL + p, path: p, auth: true}, &out); err != nil {
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
		rq := request{method: http.MethodGet, url: c.baseURL + "/candidates", path: "/candidates", query: q, auth: true, candidatesList: true}
		if err := c.do(ctx, rq, &page); err != nil {
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
