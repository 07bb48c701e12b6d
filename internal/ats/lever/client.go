package lever

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

	"golang.org/x/time/rate"

	"switchboard/internal/ats/atshttp"
)

// Base URLs of Lever's API.
const (
	DefaultBaseURL = "https://api.lever.co/v1"
	SandboxBaseURL = "https://api.sandbox.lever.co/v1"
)

const (
	defaultMaxRetries = 4
	maxResponseBytes  = 32 << 20
	pageLimit         = 100
	userAgent         = "switchboard-lever/1"
)

// ErrFileTooLarge is returned by UploadFile, before any request, for files
// over MaxFileBytes.
var ErrFileTooLarge = errors.New("lever: file exceeds 30 MB")

// Client calls Lever's API with one API key, through atshttp.Client: HTTP
// Basic with the key as user name, Lever's error bodies decoded into
// *atshttp.StatusError (Code, Message), its rate limit, and retries on 429,
// 5xx and transport errors except for what creates something (notes, files,
// opportunities), which only a 429 repeats. It is safe for concurrent use.
type Client struct {
	api atshttp.Client
}

// Option configures a Client.
type Option func(*Client)

// api is an option of the atshttp.Client under a Client.
func api(o atshttp.Option) Option { return func(c *Client) { o(&c.api) } }

// WithHTTPClient sets the HTTP client. Each request has its own deadline
// (atshttp.RequestTimeout, atshttp.UploadTimeout for files), so the client
// needs no timeout of its own.
func WithHTTPClient(hc *http.Client) Option { return api(atshttp.WithHTTPClient(hc)) }

// WithLimiter sets the token bucket waited on before every attempt. Lever
// limits per API key, so every client for one key must share one limiter:
// take it from a LimiterPool. nil disables limiting. The default is a
// private DefaultRate, DefaultBurst bucket.
func WithLimiter(l *rate.Limiter) Option {
	return func(c *Client) {
		c.api.Limiter = nil // not a typed nil: no limit
		if l != nil {
			c.api.Limiter = &atshttp.RateLimit{L: l}
		}
	}
}

// WithSleep replaces the wait between retries (tests inject a fake). The
// function must return promptly with ctx.Err() when ctx is done.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return api(atshttp.WithSleep(sleep))
}

// WithClock sets the clock of the rate limit and of HTTP-date Retry-After
// (default time.Now); tests pair it with WithSleep.
func WithClock(now func() time.Time) Option { return api(atshttp.WithClock(now)) }

// WithMaxRetries sets how many times a failed attempt is retried (default 4;
// 0 or negative means none).
func WithMaxRetries(n int) Option { return api(atshttp.WithMaxRetries(n)) }

// NewClient returns a client for baseURL (DefaultBaseURL, SandboxBaseURL or
// a simulator's ".../v1") authenticating with apiKey.
func NewClient(baseURL, apiKey string, opts ...Option) *Client {
	c := &Client{api: atshttp.Client{
		BaseURL:          strings.TrimRight(baseURL, "/"),
		HTTP:             &http.Client{},
		Auth:             atshttp.Basic(apiKey, ""),
		Limiter:          &atshttp.RateLimit{L: rate.NewLimiter(DefaultRate, DefaultBurst)},
		DecodeError:      decodeError,
		MaxRetries:       defaultMaxRetries,
		UserAgent:        userAgent,
		MaxResponseBytes: maxResponseBytes,
	}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// decodeError reads Lever's error body, {"code": …, "message": …}.
func decodeError(body []byte) (code, message string, ok bool) {
	var eb ErrorBody
	if json.Unmarshal(body, &eb) != nil {
		return "", "", false
	}
	return eb.Code, eb.Message, true
}

// listAll follows hasNext/next until the last page.
func listAll[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = append([]string(nil), v...)
	}
	q.Set("limit", strconv.Itoa(pageLimit))
	var all []T
	seen := map[string]bool{}
	for {
		var page ListResponse[T]
		if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: path, Query: q}, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		if !page.HasNext {
			return all, nil
		}
		// Guard against a server that would page forever.
		if page.Next == "" || seen[page.Next] {
			return nil, fmt.Errorf("GET %s: hasNext with an empty or repeated next token", path)
		}
		seen[page.Next] = true
		q.Set("offset", page.Next)
	}
}

func oppPath(id string, suffix string) string {
	return "/opportunities/" + url.PathEscape(id) + suffix
}

func errEmptyID(what string) error { return fmt.Errorf("empty %s id", what) }

// GetOpportunity reads one opportunity with its applications and stage
// expanded (?expand=applications&expand=stage), so the posting and the stage
// name come in one call.
func (c *Client) GetOpportunity(ctx context.Context, id string) (Opportunity, error) {
	if id == "" {
		return Opportunity{}, fmt.Errorf("lever: get opportunity: %w", errEmptyID("opportunity"))
	}
	var env Envelope[Opportunity]
	q := url.Values{"expand": {"applications", "stage"}}
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: oppPath(id, ""), Query: q}, &env); err != nil {
		return Opportunity{}, fmt.Errorf("lever: get opportunity: %w", err)
	}
	if env.Data.ID == "" {
		return Opportunity{}, errors.New("lever: get opportunity: response has no opportunity")
	}
	return env.Data, nil
}

// OpportunityFilter narrows ListOpportunities; empty fields do not filter.
type OpportunityFilter struct {
	Tag       string
	StageID   string
	PostingID string
	Email     string
	Expand    []string // e.g. "applications", "stage"
}

// ListOpportunities lists the opportunities matching f, all pages.
func (c *Client) ListOpportunities(ctx context.Context, f OpportunityFilter) ([]Opportunity, error) {
	q := url.Values{}
	for k, v := range map[string]string{"tag": f.Tag, "stage_id": f.StageID, "posting_id": f.PostingID, "email": f.Email} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(f.Expand) > 0 {
		q["expand"] = f.Expand
	}
	opps, err := listAll[Opportunity](ctx, c, "/opportunities", q)
	if err != nil {
		return nil, fmt.Errorf("lever: list opportunities: %w", err)
	}
	return opps, nil
}

// GetPosting reads one posting (its tags carry the vacancy tag).
func (c *Client) GetPosting(ctx context.Context, id string) (Posting, error) {
	if id == "" {
		return Posting{}, fmt.Errorf("lever: get posting: %w", errEmptyID("posting"))
	}
	var env Envelope[Posting]
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: "/postings/" + url.PathEscape(id)}, &env); err != nil {
		return Posting{}, fmt.Errorf("lever: get posting: %w", err)
	}
	if env.Data.ID == "" {
		return Posting{}, errors.New("lever: get posting: response has no posting")
	}
	return env.Data, nil
}

// ListStages lists the account's stages, all pages.
func (c *Client) ListStages(ctx context.Context) ([]Stage, error) {
	s, err := listAll[Stage](ctx, c, "/stages", nil)
	if err != nil {
		return nil, fmt.Errorf("lever: list stages: %w", err)
	}
	return s, nil
}

// ListUsers lists the account's users, all pages.
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	u, err := listAll[User](ctx, c, "/users", nil)
	if err != nil {
		return nil, fmt.Errorf("lever: list users: %w", err)
	}
	return u, nil
}

// ListPostings lists the account's postings, all pages.
func (c *Client) ListPostings(ctx context.Context) ([]Posting, error) {
	p, err := listAll[Posting](ctx, c, "/postings", nil)
	if err != nil {
		return nil, fmt.Errorf("lever: list postings: %w", err)
	}
	return p, nil
}

// AddTags adds tags to an opportunity. Tags are a set: re-adding is a no-op,
// so this is safe to retry. An empty list sends nothing.
func (c *Client) AddTags(ctx context.Context, opportunityID string, tags []string) error {
	if err := c.postList(ctx, opportunityID, "/addTags", TagsRequest{Tags: tags}, len(tags)); err != nil {
		return fmt.Errorf("lever: add tags: %w", err)
	}
	return nil
}

// RemoveTags removes tags from an opportunity (e.g. "…: invited" once a
// result is in). An empty list sends nothing.
func (c *Client) RemoveTags(ctx context.Context, opportunityID string, tags []string) error {
	if err := c.postList(ctx, opportunityID, "/removeTags", TagsRequest{Tags: tags}, len(tags)); err != nil {
		return fmt.Errorf("lever: remove tags: %w", err)
	}
	return nil
}

// AddLinks adds links (e.g. the report URL) to an opportunity's contact.
// An empty list sends nothing.
func (c *Client) AddLinks(ctx context.Context, opportunityID string, links []string) error {
	if err := c.postList(ctx, opportunityID, "/addLinks", LinksRequest{Links: links}, len(links)); err != nil {
		return fmt.Errorf("lever: add links: %w", err)
	}
	return nil
}

func (c *Client) postList(ctx context.Context, opportunityID, suffix string, body any, n int) error {
	if opportunityID == "" {
		return errEmptyID("opportunity")
	}
	if n == 0 {
		return nil
	}
	b, err := atshttp.JSONBody(body)
	if err != nil {
		return err
	}
	return c.api.JSON(ctx, atshttp.Request{Method: http.MethodPost, Path: oppPath(opportunityID, suffix), Body: b, ContentType: "application/json"}, nil)
}

// UpdateStage moves an opportunity to stageID, recorded as performAs when
// given. Lever answers with a candidateStageChange webhook.
func (c *Client) UpdateStage(ctx context.Context, opportunityID, stageID, performAs string) error {
	if opportunityID == "" || stageID == "" {
		return fmt.Errorf("lever: update stage: %w", errEmptyID("opportunity or stage"))
	}
	b, err := atshttp.JSONBody(StageRequest{Stage: stageID})
	if err != nil {
		return fmt.Errorf("lever: update stage: %w", err)
	}
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodPut, Path: oppPath(opportunityID, "/stage"), Query: performAsQuery(performAs), Body: b, ContentType: "application/json"}, nil); err != nil {
		return fmt.Errorf("lever: update stage: %w", err)
	}
	return nil
}

func performAsQuery(performAs string) url.Values {
	if performAs == "" {
		return nil
	}
	return url.Values{"perform_as": {performAs}}
}

// AddNote adds a note recorded as the user performAs (empty: no user) and
// returns its id. Notes are append-only in Lever and not idempotent: see do.
func (c *Client) AddNote(ctx context.Context, opportunityID, performAs, value string) (noteID string, err error) {
	if opportunityID == "" {
		return "", fmt.Errorf("lever: add note: %w", errEmptyID("opportunity"))
	}
	if value == "" {
		return "", errors.New("lever: add note: empty value")
	}
	b, err := atshttp.JSONBody(NoteRequest{Value: value})
	if err != nil {
		return "", fmt.Errorf("lever: add note: %w", err)
	}
	var env Envelope[NoteCreated]
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodPost, Path: oppPath(opportunityID, "/notes"), Query: performAsQuery(performAs), Body: b, ContentType: "application/json", Creates: true}, &env); err != nil {
		return "", fmt.Errorf("lever: add note: %w", err)
	}
	id := env.Data.NoteID
	if id == "" {
		id = env.Data.ID
	}
	if id == "" {
		return "", errors.New("lever: add note: response has no note id")
	}
	return id, nil
}

// UploadFile attaches a file (the PDF report) to an opportunity as a
// multipart/form-data upload with one part named "file". Files over
// MaxFileBytes fail with ErrFileTooLarge before any request.
func (c *Client) UploadFile(ctx context.Context, opportunityID, performAs, filename, contentType string, data []byte) (File, error) {
	switch {
	case opportunityID == "":
		return File{}, fmt.Errorf("lever: upload file: %w", errEmptyID("opportunity"))
	case filename == "":
		return File{}, errors.New("lever: upload file: empty file name")
	case len(data) > MaxFileBytes:
		return File{}, fmt.Errorf("lever: upload file %q (%d bytes): %w", filename, len(data), ErrFileTooLarge)
	}
	body, formType, err := atshttp.FileBody("file", filename, contentType, data)
	if err != nil {
		return File{}, fmt.Errorf("lever: upload file: %w", err)
	}
	var env Envelope[File]
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodPost, Path: oppPath(opportunityID, "/files"), Query: performAsQuery(performAs), Body: body, ContentType: formType, Creates: true, Timeout: atshttp.UploadTimeout}, &env); err != nil {
		return File{}, fmt.Errorf("lever: upload file: %w", err)
	}
	if env.Data.ID == "" {
		return File{}, errors.New("lever: upload file: response has no file")
	}
	return env.Data, nil
}
