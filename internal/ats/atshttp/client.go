package atshttp

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Client is the one outbound HTTP client of every connector: the retry loop,
// authentication, the rate limit, error decoding and redaction are written
// here once. A connector configures one per integration (its base URL, its
// Auth, the Limiter shared by every client of one credential, how its ATS
// spells an error) and writes only its wire types and calls.
//
// A Client is safe for concurrent use once configured; its fields must not
// change after the first call.
type Client struct {
	// BaseURL is prefixed to every Request.Path ("https://api.lever.co/v1").
	BaseURL string
	// HTTP sends the requests: the SSRF-guarded, instrumented client a
	// connector gets in ats.Config. Each attempt has its own deadline
	// (Request.Timeout), so it needs none of its own. nil means
	// http.DefaultClient, which has no guard: for tests only.
	HTTP *http.Client
	// Auth sets the credentials of each attempt; nil sends none.
	Auth Auth
	// Limiter is acquired before every attempt; nil means no limit.
	Limiter Limiter
	// DecodeError reads an ATS's error body (already redacted) into a code
	// and a message; nil, or ok false, or both empty, keeps a printable
	// snippet of the body as the message.
	DecodeError func(body []byte) (code, message string, ok bool)
	// MaxRetries is how many times a failed attempt is retried inside one
	// call (waits of at most MaxInCallWait); 0 means DefaultMaxRetries,
	// negative means none.
	MaxRetries int
	// UserAgent identifies the connector ("switchboard-lever/1").
	UserAgent string
	// MaxResponseBytes bounds a response body; 0 means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Sleep and Now are the wait and the clock (tests inject fakes); nil
	// means Sleep and time.Now.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
}

// Option sets a field of a Client. Connectors wrap these in options of
// their own clients, so that each setting means the same for every ATS.
type Option func(*Client)

// WithHTTPClient sets Client.HTTP; nil keeps what is there.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.HTTP = hc
		}
	}
}

// WithSleep sets Client.Sleep, every wait (tests inject a fake that advances
// their clock); nil keeps what is there. It must return promptly with
// ctx.Err() when ctx is done.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) {
		if sleep != nil {
			c.Sleep = sleep
		}
	}
}

// WithClock sets Client.Now, the clock of the limiter and of HTTP-date
// Retry-After; nil keeps what is there.
func WithClock(now func() time.Time) Option {
	return func(c *Client) {
		if now != nil {
			c.Now = now
		}
	}
}

// WithMaxRetries sets how many times a failed attempt is retried inside one
// call; 0 or negative means none (unlike a zero Client.MaxRetries, which
// means DefaultMaxRetries).
func WithMaxRetries(n int) Option {
	return func(c *Client) { c.MaxRetries = cmp.Or(max(n, 0), -1) }
}

// Defaults of a Client.
const (
	DefaultMaxRetries       = 4
	DefaultMaxResponseBytes = 32 << 20
)

// Request is one call to an ATS.
type Request struct {
	Method string
	// Path is relative to Client.BaseURL, escaped; URL, when set, is used
	// instead: an absolute URL the ATS handed out (a callback URL, the next
	// page), which must still pass the HTTP client's guard.
	Path  string
	URL   string
	Query url.Values
	// Body is sent again from the start on every attempt.
	Body        []byte
	ContentType string
	Header      http.Header
	// Creates marks a request that creates something (a note, a file, an
	// order): it is retried only on 429, which an ATS answers before doing
	// anything; after a 5xx or a cut connection it may have been applied,
	// and a retry would apply it twice.
	Creates bool
	// Timeout bounds each attempt (its wait for the Limiter and the
	// exchange); 0 means RequestTimeout.
	Timeout time.Duration
	// Unauthenticated skips Client.Auth (a token endpoint) and the Limiter's
	// count, where the ATS does not count it.
	Unauthenticated bool
	// Tag names the request for a Limiter that treats some calls apart
	// (SmartRecruiters' single GET /candidates slot).
	Tag string
}

// Response is a 2xx answer, its body read whole.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// StatusError is a non-2xx answer of an ATS. Its text never holds a secret
// of the client's Auth.
type StatusError struct {
	Method     string
	Path       string // without the query, which may carry secrets
	StatusCode int
	Code       string // the ATS's error code, when its body had one
	Message    string // the ATS's message, or the start of a non-JSON body
	RetryAfter time.Duration
	// Body is the error body (its first 64 KiB, the Auth's secrets
	// redacted), for connectors whose ATS says more than a code and a
	// message (SmartRecruiters' field errors).
	Body []byte
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Temporary reports whether trying later may succeed: 429 and 5xx.
func (e *StatusError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// Auth sets an attempt's credentials. Secrets lists what must never appear
// in an error's text, so the client can redact it from what a server or a
// transport echoes.
type Auth interface {
	Apply(ctx context.Context, req *http.Request) error
	Secrets() []string
}

// Refresher is an Auth whose credential can go stale (an OAuth access
// token): on a 401 the client calls Invalidate with the request it sent and
// tries once more with a fresh credential.
type Refresher interface {
	Auth
	Invalidate(req *http.Request)
}

// Basic is HTTP Basic authentication (Lever: the API key as user name and
// an empty password; Ashby likewise).
func Basic(user, password string) Auth { return basicAuth{user, password} }

type basicAuth struct{ user, password string }

func (a basicAuth) Apply(_ context.Context, req *http.Request) error {
	req.SetBasicAuth(a.user, a.password)
	return nil
}

func (a basicAuth) Secrets() []string {
	return []string{a.user + ":" + a.password, base64.StdEncoding.EncodeToString([]byte(a.user + ":" + a.password)), a.user, a.password}
}

// Bearer sends a fixed bearer token (Workable's access token).
func Bearer(token string) Auth { return bearerAuth(token) }

type bearerAuth string

func (a bearerAuth) Apply(_ context.Context, req *http.Request) error {
	req.Header.Set("Authorization", "Bearer "+string(a))
	return nil
}

func (a bearerAuth) Secrets() []string { return []string{string(a)} }

// Limiter is a credential's share of its ATS's limits. Acquire waits at
// most MaxInCallWait (through sleep, at now) for the right to send rq; a
// longer wait returns a *WaitError so the job is snoozed instead. release is
// called once the response is read.
type Limiter interface {
	Acquire(ctx context.Context, rq Request, now func() time.Time, sleep func(context.Context, time.Duration) error) (release func(), err error)
}

// ResponseObserver is a Limiter that learns from the ATS's answers (its
// X-Rate-Limit-* headers, a 429's Retry-After).
type ResponseObserver interface {
	Observe(statusCode int, h http.Header, now time.Time)
}

// RateLimit is a Limiter of one token bucket.
type RateLimit struct{ L *rate.Limiter }

// NewRateLimit is a token bucket of r per second with burst b.
func NewRateLimit(r rate.Limit, b int) *RateLimit { return &RateLimit{L: rate.NewLimiter(r, b)} }

// Acquire implements Limiter.
func (l *RateLimit) Acquire(ctx context.Context, _ Request, now func() time.Time, sleep func(context.Context, time.Duration) error) (func(), error) {
	if err := Pace(ctx, l.L, now, sleep); err != nil {
		return nil, err
	}
	return func() {}, nil
}

// Pool hands out one limiter per credential: ATSs count limits per
// credential, so every client and worker acting with one must share one.
// Entries are keyed by a SHA-256 of the credential, so the pool holds none
// in clear. It is safe for concurrent use.
type Pool[L any] struct {
	mu  sync.Mutex
	new func() L
	m   map[[sha256.Size]byte]L
}

// NewPool returns a pool whose entries newL makes.
func NewPool[L any](newL func() L) *Pool[L] {
	return &Pool[L]{new: newL, m: map[[sha256.Size]byte]L{}}
}

// For returns the entry of credential, creating it on first use.
func (p *Pool[L]) For(credential string) L {
	k := sha256.Sum256([]byte(credential))
	p.mu.Lock()
	defer p.mu.Unlock()
	l, ok := p.m[k]
	if !ok {
		l = p.new()
		p.m[k] = l
	}
	return l
}

// Do sends rq, retrying what may succeed when tried again: 429, 5xx and
// transport errors, and for Creates requests only 429. A 401 to a Refresher's
// credential is tried once more with a fresh one; a failure to get the
// credential at all ends the call (the Auth retried its own request). Only waits of at most
// MaxInCallWait happen here; a longer Retry-After, backoff or rate-limit wait
// ends the call with its error, and the job queue comes back later (the
// error says when: StatusError.RetryAfter, *WaitError).
func (c *Client) Do(ctx context.Context, rq Request) (*Response, error) {
	sleep, now := c.sleep(), c.now()
	maxRetries := c.MaxRetries
	switch {
	case maxRetries == 0:
		maxRetries = DefaultMaxRetries
	case maxRetries < 0:
		maxRetries = 0
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		resp, sent, err := c.attempt(ctx, rq, now, sleep)
		if err == nil {
			return resp, nil
		}
		var ae *authError
		if errors.As(err, &ae) {
			// The credential could not be had (a token endpoint down or
			// refusing): the Auth retried as far as it should itself.
			return nil, err
		}
		var se *StatusError
		isStatus := errors.As(err, &se)
		if r, ok := c.Auth.(Refresher); ok && !rq.Unauthenticated && !refreshed && isStatus && se.StatusCode == http.StatusUnauthorized && sent != nil {
			// A stale token: once more with a fresh one.
			refreshed = true
			r.Invalidate(sent)
			attempt--
			continue
		}
		if rq.Creates && !(isStatus && se.StatusCode == http.StatusTooManyRequests) {
			return nil, err
		}
		var retryAfter time.Duration
		if isStatus {
			retryAfter = se.RetryAfter
		}
		wait, ok := RetryWait(ctx, err, attempt, maxRetries, retryAfter)
		if !ok {
			return nil, err
		}
		if serr := sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("waiting to retry: %w (last error: %v)", serr, err)
		}
	}
}

// JSON is Do, decoding a 2xx body into out (if non-nil; an empty body or a
// 204 leaves it as it is).
func (c *Client) JSON(ctx context.Context, rq Request, out any) error {
	resp, err := c.Do(ctx, rq)
	if err != nil {
		return err
	}
	if out == nil || resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(resp.Body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", rq.Method, c.pathOf(rq), err)
	}
	return nil
}

// JSONBody encodes v as a request body.
func JSONBody(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	return b, nil
}

// FileBody is a multipart/form-data body of one file part (an upload of a
// PDF report) and its Content-Type. It is built whole, so that every retry
// sends the same bytes; an empty contentType is sent as
// application/octet-stream.
func FileBody(part, filename, contentType string, data []byte) (body []byte, formContentType string, err error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", multipart.FileContentDisposition(part, filename))
	h.Set("Content-Type", cmp.Or(contentType, "application/octet-stream"))
	pw, err := mw.CreatePart(h)
	if err == nil {
		_, err = pw.Write(data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return nil, "", fmt.Errorf("build multipart body: %w", err)
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// attempt sends rq once. sent is the request as sent, for a Refresher.
//
// The credential is fetched under ctx (a token request has deadlines of its
// own); the attempt's deadline covers the wait for the limiter and the
// exchange, so that neither holds a worker longer than Request.Timeout.
func (c *Client) attempt(ctx context.Context, rq Request, now func() time.Time, sleep func(context.Context, time.Duration) error) (resp *Response, sent *http.Request, err error) {
	path := c.pathOf(rq)
	u, err := c.urlOf(rq)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", rq.Method, path, err)
	}
	var body io.Reader
	if rq.Body != nil {
		body = bytes.NewReader(rq.Body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.Method, u, body)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: build request: %w", rq.Method, path, err)
	}
	for k, vs := range rq.Header {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	if rq.ContentType != "" {
		req.Header.Set("Content-Type", rq.ContentType)
	}
	if c.Auth != nil && !rq.Unauthenticated {
		if err := c.Auth.Apply(ctx, req); err != nil {
			return nil, nil, &authError{err: c.redactErr(nil, fmt.Errorf("%s %s: %w", rq.Method, path, err))}
		}
	}
	actx, cancel := WithTimeout(ctx, rq.Timeout)
	defer cancel()
	req = req.WithContext(actx)
	if c.Limiter != nil && !rq.Unauthenticated {
		release, err := c.Limiter.Acquire(actx, rq, now, sleep)
		if err != nil {
			return nil, nil, fmt.Errorf("%s %s: rate limit wait: %w", rq.Method, path, err)
		}
		defer release()
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	r, err := hc.Do(req)
	if err != nil {
		return nil, req, &TransportError{Err: c.redactErr(req, fmt.Errorf("%s %s: %w", rq.Method, path, withoutQuery(err)))}
	}
	defer r.Body.Close()
	if o, ok := c.Limiter.(ResponseObserver); ok && !rq.Unauthenticated {
		o.Observe(r.StatusCode, r.Header, now())
	}
	limit := cmp.Or(c.MaxResponseBytes, DefaultMaxResponseBytes)
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, req, &TransportError{Err: c.redactErr(req, fmt.Errorf("%s %s: read response: %w", rq.Method, path, err))}
	}
	if r.StatusCode < 200 || r.StatusCode > 299 {
		return nil, req, c.statusError(req, rq.Method, path, r, data, now())
	}
	if int64(len(data)) > limit {
		return nil, req, fmt.Errorf("%s %s: response larger than %d bytes", rq.Method, path, limit)
	}
	return &Response{StatusCode: r.StatusCode, Header: r.Header, Body: data}, req, nil
}

// urlOf is the URL rq goes to: Request.URL or BaseURL+Path, with
// Request.Query merged in (its keys replace the same keys of the URL's own
// query, so a next-page URL and a page size do not add up to two).
func (c *Client) urlOf(rq Request) (string, error) {
	raw := rq.URL
	if raw == "" {
		raw = strings.TrimRight(c.BaseURL, "/") + rq.Path
	}
	if len(rq.Query) == 0 {
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad URL: %w", withoutQuery(err))
	}
	q := u.Query()
	for k, vs := range rq.Query {
		q[k] = append([]string(nil), vs...)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// withoutQuery drops the query of the URL a *url.Error names (it may carry
// a token), keeping the error's type for errors.As (net.Error, timeouts).
func withoutQuery(err error) error {
	ue, ok := err.(*url.Error) // what http.Client.Do and url.Parse return
	if !ok {
		return err
	}
	cp := *ue
	if i := strings.IndexAny(cp.URL, "?#"); i >= 0 {
		cp.URL = cp.URL[:i]
	}
	return &cp
}

// authError is a failure to get the attempt's credential. It ends the call:
// an Auth that fetches a token retries that request itself.
type authError struct{ err error }

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

// pathOf is what errors and logs name of rq: its path, without the query.
func (c *Client) pathOf(rq Request) string {
	if rq.URL == "" {
		p, _, _ := strings.Cut(rq.Path, "?")
		return p
	}
	if u, err := url.Parse(rq.URL); err == nil {
		return u.EscapedPath()
	}
	return "(URL unreadable)"
}

// maxErrorBody bounds StatusError.Body.
const maxErrorBody = 64 << 10

func (c *Client) statusError(sent *http.Request, method, path string, r *http.Response, data []byte, now time.Time) *StatusError {
	e := &StatusError{Method: method, Path: path, StatusCode: r.StatusCode}
	if len(data) > maxErrorBody {
		data = data[:maxErrorBody]
	}
	secrets := c.secrets(sent)
	// Redacted before anything reads it, so that neither the decoder nor a
	// connector parsing Body sees a credential a proxy echoed back.
	data = []byte(redact(string(data), secrets))
	if c.DecodeError != nil {
		if code, msg, ok := c.DecodeError(data); ok {
			e.Code, e.Message = code, msg
		}
	}
	if e.Code == "" && e.Message == "" {
		e.Message = Snippet(data)
	}
	// Again after decoding: JSON escapes or a dropped invalid byte can
	// spell a secret the raw body did not.
	e.Code, e.Message = redact(e.Code, secrets), redact(e.Message, secrets)
	e.RetryAfter = ParseRetryAfter(r.Header.Get("Retry-After"), now)
	e.Body = data
	return e
}

// secrets is what no error text may hold: the Auth's secrets and the
// credential the attempt sent in its Authorization header (a Refresher's
// token changes, so the header is the truth of what went out).
func (c *Client) secrets(sent *http.Request) []string {
	var s []string
	if c.Auth != nil {
		s = append(s, c.Auth.Secrets()...)
	}
	if sent != nil {
		if h := sent.Header.Get("Authorization"); h != "" {
			s = append(s, h)
			if _, cred, ok := strings.Cut(h, " "); ok {
				s = append(s, strings.TrimSpace(cred))
			}
			if user, pass, ok := sent.BasicAuth(); ok {
				s = append(s, user+":"+pass, user, pass)
			}
		}
	}
	return s
}

// minSecret is the shortest secret redacted: blanking out every "a" or
// "ab" of an error would make it unreadable and hide nothing worth hiding.
const minSecret = 4

// redact removes secrets from server- or transport-supplied text, in case a
// proxy or an error page echoes a credential back. Longer secrets go first,
// so that a secret containing another is removed whole.
func redact(s string, secrets []string) string {
	secrets = slices.Clone(secrets)
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, sec := range secrets {
		if len(sec) >= minSecret {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

func (c *Client) redactErr(sent *http.Request, err error) error {
	if msg := redact(err.Error(), c.secrets(sent)); msg != err.Error() {
		return &redactedError{msg: msg, err: err}
	}
	return err
}

// redactedError keeps the chain (errors.Is on a timeout still works) with a
// text from which secrets are gone.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func (c *Client) sleep() func(context.Context, time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep
	}
	return Sleep
}

func (c *Client) now() func() time.Time {
	if c.Now != nil {
		return c.Now
	}
	return time.Now
}
