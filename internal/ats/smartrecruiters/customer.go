package smartrecruiters

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"switchboard/internal/ats/atshttp"
)

// NewAPIKeyClient returns a client for baseURL acting with a SmartToken
// (X-SmartToken), the API key a customer creates for a standalone applicant
// source. Its calls go through the same atshttp.Client and Limits as the
// OAuth client's; it has no token to refresh, so Authenticate is no call.
func NewAPIKeyClient(baseURL, apiKey string, opts ...Option) *Client {
	c := NewClient(baseURL, ClientCredentials{}, opts...)
	c.api.Auth = smartToken(apiKey)
	return c
}

// smartToken authenticates with the X-SmartToken header.
type smartToken string

// Apply implements atshttp.Auth.
func (k smartToken) Apply(_ context.Context, req *http.Request) error {
	if k == "" {
		return errors.New("smartrecruiters: empty API key")
	}
	req.Header.Set(SmartTokenHeader, string(k))
	return nil
}

// Secrets implements atshttp.Auth.
func (k smartToken) Secrets() []string { return []string{string(k)} }

// ListJobs reads one page of the company's jobs with the given statuses
// (GET /jobs, sort=job_id so that pageId paging sees every job).
func (c *Client) ListJobs(ctx context.Context, statuses []string, pageID string) (Page[Job], error) {
	q := url.Values{"limit": {strconv.Itoa(pageLimit)}, "sort": {"job_id"}}
	for _, s := range statuses {
		q.Add("statuses", s)
	}
	if pageID != "" {
		q.Set("pageId", pageID)
	}
	var out Page[Job]
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: "/jobs", Query: q}, &out); err != nil {
		return Page[Job]{}, fmt.Errorf("smartrecruiters: list jobs: %w", err)
	}
	return out, nil
}

// CandidatesQuery selects a page of GET /candidates.
type CandidatesQuery struct {
	JobID        string
	UpdatedAfter time.Time // zero: all
	Limit        int       // 0: 100
	PageID       string
}

// FormatUpdatedAfter is t as GET /candidates' updatedAfter, in UTC.
func FormatUpdatedAfter(t time.Time) string { return t.UTC().Format(UpdatedAfterLayout) }

// ListCandidatesPage reads one page of GET /candidates; it takes the
// credential's single GET /candidates slot.
func (c *Client) ListCandidatesPage(ctx context.Context, cq CandidatesQuery) (Page[Candidate], error) {
	limit := cq.Limit
	if limit <= 0 || limit > pageLimit {
		limit = pageLimit
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if cq.JobID != "" {
		q.Set("jobId", cq.JobID)
	}
	if !cq.UpdatedAfter.IsZero() {
		q.Set("updatedAfter", FormatUpdatedAfter(cq.UpdatedAfter))
	}
	if cq.PageID != "" {
		q.Set("pageId", cq.PageID)
	}
	var out Page[Candidate]
	rq := atshttp.Request{Method: http.MethodGet, Path: "/candidates", Query: q, Tag: tagCandidatesList}
	if err := c.api.JSON(ctx, rq, &out); err != nil {
		return Page[Candidate]{}, fmt.Errorf("smartrecruiters: list candidates: %w", err)
	}
	return out, nil
}

// GetCandidateDetails reads one candidate in full (GET /candidates/{id}).
func (c *Client) GetCandidateDetails(ctx context.Context, candidateID string) (CandidateDetails, error) {
	if candidateID == "" {
		return CandidateDetails{}, errors.New("smartrecruiters: get candidate: empty candidate id")
	}
	var out CandidateDetails
	rq := atshttp.Request{Method: http.MethodGet, Path: "/candidates/" + url.PathEscape(candidateID)}
	if err := c.api.JSON(ctx, rq, &out); err != nil {
		return CandidateDetails{}, fmt.Errorf("smartrecruiters: get candidate: %w", err)
	}
	return out, nil
}

func applicationPath(candidateID, jobID string) string {
	return "/candidates/" + url.PathEscape(candidateID) + "/jobs/" + url.PathEscape(jobID)
}

// GetApplication reads a candidate's application to a job
// (GET /candidates/{id}/jobs/{jobId}).
func (c *Client) GetApplication(ctx context.Context, candidateID, jobID string) (Application, error) {
	if candidateID == "" || jobID == "" {
		return Application{}, errors.New("smartrecruiters: get application: empty candidate or job id")
	}
	var out Application
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: applicationPath(candidateID, jobID)}, &out); err != nil {
		return Application{}, fmt.Errorf("smartrecruiters: get application: %w", err)
	}
	return out, nil
}

// GetScreeningAnswers reads an application's screening answers
// (GET /candidates/{id}/jobs/{jobId}/screening-answers).
func (c *Client) GetScreeningAnswers(ctx context.Context, candidateID, jobID string) (ScreeningAnswers, error) {
	if candidateID == "" || jobID == "" {
		return ScreeningAnswers{}, errors.New("smartrecruiters: get screening answers: empty candidate or job id")
	}
	var out ScreeningAnswers
	rq := atshttp.Request{Method: http.MethodGet, Path: applicationPath(candidateID, jobID) + "/screening-answers"}
	if err := c.api.JSON(ctx, rq, &out); err != nil {
		return ScreeningAnswers{}, fmt.Errorf("smartrecruiters: get screening answers: %w", err)
	}
	return out, nil
}

// UpdateApplicationStatus moves an application
// (PUT /candidates/{id}/jobs/{jobId}/status, 204).
func (c *Client) UpdateApplicationStatus(ctx context.Context, candidateID, jobID string, u StatusUpdate) error {
	if candidateID == "" || jobID == "" {
		return errors.New("smartrecruiters: update status: empty candidate or job id")
	}
	b, err := atshttp.JSONBody(u)
	if err != nil {
		return fmt.Errorf("smartrecruiters: update status: %w", err)
	}
	rq := atshttp.Request{Method: http.MethodPut, Path: applicationPath(candidateID, jobID) + "/status", Body: b, ContentType: "application/json"}
	if err := c.api.JSON(ctx, rq, nil); err != nil {
		return fmt.Errorf("smartrecruiters: update status: %w", err)
	}
	return nil
}

// CreateCandidate adds a candidate to the company's talent pool, outside
// any job (POST /candidates [V2: "create a new candidate and assign to a
// talent pool", a unified API's guide]; the body's fields are [I], the
// same names as the candidate it returns). It creates, so it is retried
// only on 429.
func (c *Client) CreateCandidate(ctx context.Context, in CandidateInput) (Candidate, error) {
	b, err := atshttp.JSONBody(in)
	if err != nil {
		return Candidate{}, fmt.Errorf("smartrecruiters: create candidate: %w", err)
	}
	var out Candidate
	rq := atshttp.Request{Method: http.MethodPost, Path: "/candidates", Body: b, ContentType: "application/json", Creates: true}
	if err := c.api.JSON(ctx, rq, &out); err != nil {
		return Candidate{}, fmt.Errorf("smartrecruiters: create candidate: %w", err)
	}
	return out, nil
}
