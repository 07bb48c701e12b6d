package workable

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

// DefaultBaseURL is SPI v3 of a subdomain [V]: "spi", not "api".
func DefaultBaseURL(subdomain string) string {
	return "https://" + subdomain + ".workable.com/spi/v3"
}

// userAgent names Switchboard's Workable client.
const userAgent = "switchboard-workable/1"

// maxPages bounds a paged listing, so that a paging.next that never ends (or
// loops through URLs that differ) cannot hold a worker.
const maxPages = 50

// ClientOptions configure a Client.
type ClientOptions struct {
	HTTP    *http.Client
	Limiter atshttp.Limiter
	Sleep   func(ctx context.Context, d time.Duration) error
	Now     func() time.Time
}

// Client calls SPI v3 for one account with its access token, through
// atshttp.Client.
type Client struct {
	base *url.URL
	c    *atshttp.Client
}

// NewClient returns a client of the SPI at base (DefaultBaseURL) with token.
func NewClient(base, token string, o ClientOptions) (*Client, error) {
	base = strings.TrimRight(base, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("workable: %q is not an http(s) API URL", base)
	}
	return &Client{base: u, c: &atshttp.Client{
		BaseURL: base, HTTP: o.HTTP, Auth: atshttp.Bearer(token), Limiter: o.Limiter,
		DecodeError: DecodeSPIError, UserAgent: userAgent, Sleep: o.Sleep, Now: o.Now,
	}}, nil
}

// FirstJobs is GET /jobs?limit=n: the account's jobs (scope r_jobs).
func (c *Client) FirstJobs(ctx context.Context, n int) (JobsPage, error) {
	var p JobsPage
	err := c.c.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: "/jobs", Query: url.Values{"limit": {strconv.Itoa(n)}}}, &p)
	return p, err
}

// FirstCandidates is GET /candidates?limit=n (scope r_candidates).
func (c *Client) FirstCandidates(ctx context.Context, n int) (CandidatesPage, error) {
	var p CandidatesPage
	err := c.c.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: "/candidates", Query: url.Values{"limit": {strconv.Itoa(n)}}}, &p)
	return p, err
}

// FirstRequisitions is GET /requisitions?limit=n (scope r_requisitions).
func (c *Client) FirstRequisitions(ctx context.Context, n int) (RequisitionsPage, error) {
	var p RequisitionsPage
	err := c.c.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: "/requisitions", Query: url.Values{"limit": {strconv.Itoa(n)}}}, &p)
	return p, err
}

// Members lists the account's members, every page.
func (c *Client) Members(ctx context.Context) ([]Member, error) {
	var all []Member
	err := c.pages(ctx, atshttp.Request{Method: http.MethodGet, Path: "/members", Query: url.Values{"limit": {"100"}}},
		func(body []byte) (*Paging, bool, error) {
			var p MembersPage
			if err := json.Unmarshal(body, &p); err != nil {
				return nil, false, err
			}
			all = append(all, p.Members...)
			return p.Paging, false, nil
		})
	return all, err
}

// FindCandidate finds the candidate with email on the job with shortcode
// (GET /candidates?job=…&email=…, every page); ok is false when there is
// none.
func (c *Client) FindCandidate(ctx context.Context, shortcode, email string) (cand Candidate, ok bool, err error) {
	q := url.Values{"email": {email}, "limit": {"100"}}
	if shortcode != "" {
		q.Set("job", shortcode)
	}
	err = c.pages(ctx, atshttp.Request{Method: http.MethodGet, Path: "/candidates", Query: q},
		func(body []byte) (*Paging, bool, error) {
			var p CandidatesPage
			if err := json.Unmarshal(body, &p); err != nil {
				return nil, false, err
			}
			for _, k := range p.Candidates {
				if strings.EqualFold(strings.TrimSpace(k.Email), email) && (shortcode == "" || k.Job.Shortcode == shortcode) {
					cand, ok = k, true
					return nil, true, nil
				}
			}
			return p.Paging, false, nil
		})
	return cand, ok, err
}

// Comment records a note on a candidate's timeline as member
// (POST /candidates/:id/comments, scope w_candidates or w_comments). It
// creates something, so it is retried only on 429.
func (c *Client) Comment(ctx context.Context, candidateID, memberID, body string) error {
	b, err := atshttp.JSONBody(CommentRequest{MemberID: memberID, Comment: CommentBody{Body: body}})
	if err != nil {
		return err
	}
	_, err = c.c.Do(ctx, atshttp.Request{Method: http.MethodPost, Path: "/candidates/" + url.PathEscape(candidateID) + "/comments",
		Body: b, ContentType: "application/json", Creates: true})
	return err
}

// CustomAttributes lists the account's candidate custom attributes
// (GET /custom_attributes, scope r_jobs [V]).
func (c *Client) CustomAttributes(ctx context.Context) ([]CustomAttribute, error) {
	var p CustomAttributesPage
	err := c.c.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: "/custom_attributes"}, &p)
	return p.CustomAttributes, err
}

// SetAttribute writes one custom attribute value of a candidate
// (PATCH /candidates/:id/update_custom_attribute_value [V]). Setting a value
// again sets the same value, so it is retried like a read.
func (c *Client) SetAttribute(ctx context.Context, candidateID string, v AttributeValue) error {
	b, err := atshttp.JSONBody(v)
	if err != nil {
		return err
	}
	_, err = c.c.Do(ctx, atshttp.Request{Method: http.MethodPatch, Path: "/candidates/" + url.PathEscape(candidateID) + "/update_custom_attribute_value",
		Body: b, ContentType: "application/json"})
	return err
}

// ErrPaging is wrapped when paging.next cannot be followed.
var ErrPaging = errors.New("workable: paging")

// pages sends first and follows paging.next, a full URL [V], until it is
// absent or visit stops. A next page must be on the API's own scheme and
// host (the token goes there), new (a loop ends the listing with an error)
// and within maxPages.
func (c *Client) pages(ctx context.Context, first atshttp.Request, visit func(body []byte) (next *Paging, stop bool, err error)) error {
	rq := first
	seen := map[string]bool{}
	for n := 0; ; n++ {
		if n == maxPages {
			return fmt.Errorf("%w: %s has more than %d pages; stopped", ErrPaging, first.Path, maxPages)
		}
		resp, err := c.c.Do(ctx, rq)
		if err != nil {
			return err
		}
		next, stop, err := visit(resp.Body)
		if err != nil {
			return fmt.Errorf("%s %s: decode response: %w", first.Method, first.Path, err)
		}
		if stop || next == nil || strings.TrimSpace(next.Next) == "" {
			return nil
		}
		u, err := c.nextURL(next.Next)
		if err != nil {
			return err
		}
		if seen[u] {
			return fmt.Errorf("%w: %s: paging.next repeats a page already read; stopped", ErrPaging, first.Path)
		}
		seen[u] = true
		rq = atshttp.Request{Method: first.Method, URL: u}
	}
}

// nextURL checks a paging.next URL: absolute, and on the API's scheme and
// host, so the token is never sent elsewhere.
func (c *Client) nextURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !u.IsAbs() || u.User != nil {
		return "", fmt.Errorf("%w: paging.next %q is not an absolute URL", ErrPaging, raw)
	}
	if !strings.EqualFold(u.Scheme, c.base.Scheme) || !strings.EqualFold(u.Host, c.base.Host) {
		return "", fmt.Errorf("%w: paging.next points at %s, not at the API's %s; not followed", ErrPaging, u.Host, c.base.Host)
	}
	return u.String(), nil
}

// Callbacks sends results to the callback URLs Workable handed out, with
// the token Workable generated for the integration.
type Callbacks struct {
	c *atshttp.Client
}

// NewCallbacks returns a callback sender with token.
func NewCallbacks(token string, o ClientOptions) *Callbacks {
	return &Callbacks{c: &atshttp.Client{
		HTTP: o.HTTP, Auth: atshttp.Bearer(token), Limiter: o.Limiter,
		DecodeError: DecodeSPIError, UserAgent: userAgent, Sleep: o.Sleep, Now: o.Now,
	}}
}

// Put sends one results update to callbackURL (PUT [V2]). A PUT replaces
// the assessment's state, so sending it again is harmless and it is
// retried like a read.
func (cb *Callbacks) Put(ctx context.Context, callbackURL string, u ResultsUpdate) error {
	b, err := atshttp.JSONBody(u)
	if err != nil {
		return err
	}
	_, err = cb.c.Do(ctx, atshttp.Request{Method: http.MethodPut, URL: callbackURL, Body: b, ContentType: "application/json"})
	return err
}
