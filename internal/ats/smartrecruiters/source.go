package smartrecruiters

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
)

// CredentialAPIKey is the credential of a standalone applicant source: a
// SmartRecruiters API key (SmartToken), sent as X-SmartToken. A config
// without it acts with the integration's OAuth company credentials.
const CredentialAPIKey = "api_key"

var (
	_ ats.ApplicantSource  = (*Connector)(nil)
	_ ats.ChangeSubscriber = (*Connector)(nil)
)

// detailWorkers is how many applicants of a page are read at once: under
// the 8 in flight SmartRecruiters allows a credential, leaving a slot for
// whatever else the credential does (the assessment write-back).
const detailWorkers = MaxConcurrent - 2

// SourceFields implements ats.ApplicantSource: the API key, and the API
// base URL setting the integration has too.
func (c *Connector) SourceFields() (settings, credentials []ats.Field) {
	return []ats.Field{
			{Key: SettingBaseURL, Label: "API base URL", Default: DefaultBaseURL, Hosts: []string{"api.smartrecruiters.com"},
				Help: "SmartRecruiters' API: only a proxy or simulator the operator allowed goes here."},
		}, []ats.Field{
			{Key: CredentialAPIKey, Label: "SmartRecruiters API key", Required: true,
				Help: "A SmartToken from SmartRecruiters' Settings › Apps & Integrations › Credentials (type API key), allowed to read jobs and candidates, update candidate statuses and manage webhooks."},
		}
}

// sourceClient is the client applicant review acts with: the API key when
// cfg holds one, else the integration's company credentials.
func (c *Connector) sourceClient(cfg ats.Config) (*Client, error) {
	key := strings.TrimSpace(cfg.Secrets[CredentialAPIKey])
	if key == "" {
		return c.companyClient(cfg)
	}
	opts := []Option{
		WithHTTPClient(cfg.HTTPClient), WithLimits(c.o.Limiters.For("smarttoken:" + key)), WithClock(c.o.Now),
	}
	if c.o.Sleep != nil {
		opts = append(opts, WithSleep(c.o.Sleep))
	}
	return NewAPIKeyClient(cfg.Setting(SettingBaseURL, DefaultBaseURL), key, opts...), nil
}

func isStatus(err error, codes ...int) bool {
	var se *atshttp.StatusError
	if !errors.As(err, &se) {
		return false
	}
	for _, c := range codes {
		if se.StatusCode == c {
			return true
		}
	}
	return false
}

// notFound wraps err with ats.ErrNotFound when SmartRecruiters answered 404.
func notFound(err error) error {
	if isStatus(err, http.StatusNotFound) {
		return fmt.Errorf("%w: %w", ats.ErrNotFound, err)
	}
	return err
}

// VerifySource implements ats.ApplicantSource with one GET /candidates of
// one applicant: the candidates_read the review needs most.
func (c *Connector) VerifySource(ctx context.Context, cfg ats.Config) error {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return err
	}
	if _, err := cl.ListCandidatesPage(ctx, CandidatesQuery{Limit: 1}); err != nil {
		return fmt.Errorf("smartrecruiters: verify source: %w", err)
	}
	return nil
}

// ListOpenJobs implements ats.ApplicantSource: GET /jobs of the open
// statuses, 100 a page, sorted by job id so pageId paging is complete.
func (c *Connector) ListOpenJobs(ctx context.Context, cfg ats.Config, cursor string) (ats.JobPage, error) {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return ats.JobPage{}, err
	}
	p, err := cl.ListJobs(ctx, OpenJobStatuses, cursor)
	if err != nil {
		return ats.JobPage{}, err
	}
	if cursor != "" && p.NextPageID == cursor {
		return ats.JobPage{}, errors.New("smartrecruiters: list jobs: nextPageId repeats the page asked for")
	}
	out := ats.JobPage{Jobs: make([]ats.Job, 0, len(p.Content)), Next: p.NextPageID}
	for _, j := range p.Content {
		out.Jobs = append(out.Jobs, JobFor(j))
	}
	return out, nil
}

// GetJob implements ats.ApplicantSource.
func (c *Connector) GetJob(ctx context.Context, cfg ats.Config, jobID string) (ats.Job, error) {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return ats.Job{}, err
	}
	j, err := cl.GetJob(ctx, jobID)
	if err != nil {
		return ats.Job{}, notFound(err)
	}
	return JobFor(j), nil
}

// JobFor maps a SmartRecruiters job to review's. The recruiter is the job's
// creator (wire_customer.go: inferred).
func JobFor(j Job) ats.Job {
	out := ats.Job{
		ExternalID: string(j.ID), Title: j.Title, RefNumber: j.RefNumber, Status: j.Status,
		Open: IsOpenJobStatus(j.Status), Location: j.Location.String(), UpdatedAt: j.UpdatedOn.Time,
	}
	if j.Department != nil {
		out.Department = j.Department.Label
	}
	if j.Creator != nil {
		out.RecruiterID, out.RecruiterName = string(j.Creator.ID), j.Creator.Name()
	}
	return out
}

// ListApplicants implements ats.ApplicantSource: one page of GET
// /candidates for the job (the credential's single slot for it), then each
// applicant in full: the candidate (work history, education, tags), the
// application (status, dates) and the screening answers, a few applicants at
// a time. A wait past atshttp.MaxInCallWait ends the page with the
// *atshttp.WaitError, wrapped; the caller asks for the same cursor again.
func (c *Connector) ListApplicants(ctx context.Context, cfg ats.Config, q ats.ApplicantQuery) (ats.ApplicantPage, error) {
	if q.JobID == "" {
		return ats.ApplicantPage{}, errors.New("smartrecruiters: list applicants: empty job id")
	}
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return ats.ApplicantPage{}, err
	}
	cq := CandidatesQuery{JobID: q.JobID, PageID: q.Cursor}
	if !q.UpdatedAfter.IsZero() {
		// SmartRecruiters' updatedAfter is taken to be strictly after and is
		// sent to the millisecond: ask a millisecond early, so that the
		// seam's "at or after" holds.
		cq.UpdatedAfter = q.UpdatedAfter.Add(-time.Millisecond)
	}
	p, err := cl.ListCandidatesPage(ctx, cq)
	if err != nil {
		return ats.ApplicantPage{}, err
	}
	if q.Cursor != "" && p.NextPageID == q.Cursor {
		return ats.ApplicantPage{}, errors.New("smartrecruiters: list applicants: nextPageId repeats the page asked for")
	}
	apps, err := c.readApplicants(ctx, cl, q.JobID, p.Content)
	if err != nil {
		return ats.ApplicantPage{}, err
	}
	return ats.ApplicantPage{Applicants: apps, Next: p.NextPageID}, nil
}

// readApplicants reads each listed candidate in full, detailWorkers at a
// time, keeping the list's order. A candidate or application gone since
// the list (404) is left out; the first other error ends the page.
func (c *Connector) readApplicants(ctx context.Context, cl *Client, jobID string, cands []Candidate) ([]ats.Applicant, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]ats.Applicant, len(cands))
	found := make([]bool, len(cands))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	sem := make(chan struct{}, detailWorkers)
	for i, cand := range cands {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			a, err := readApplicant(ctx, cl, jobID, string(cand.ID))
			switch {
			case errors.Is(err, ats.ErrNotFound):
			case err != nil:
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			default:
				out[i], found[i] = a, true
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	apps := make([]ats.Applicant, 0, len(cands))
	for i, ok := range found {
		if ok {
			apps = append(apps, out[i])
		}
	}
	return apps, nil
}

// readApplicant reads one candidate's application to jobID in full;
// ats.ErrNotFound when the candidate or the application is gone. Screening
// answers the credential may not read (403) are left out.
func readApplicant(ctx context.Context, cl *Client, jobID, candidateID string) (ats.Applicant, error) {
	d, err := cl.GetCandidateDetails(ctx, candidateID)
	if err != nil {
		return ats.Applicant{}, notFound(err)
	}
	app, err := cl.GetApplication(ctx, candidateID, jobID)
	if err != nil {
		return ats.Applicant{}, notFound(err)
	}
	answers, err := cl.GetScreeningAnswers(ctx, candidateID, jobID)
	switch {
	case isStatus(err, http.StatusForbidden, http.StatusNotFound):
		answers = ScreeningAnswers{}
	case err != nil:
		return ats.Applicant{}, err
	}
	return ApplicantFor(d, app, answers, jobID), nil
}

// GetApplicant implements ats.ApplicantSource.
func (c *Connector) GetApplicant(ctx context.Context, cfg ats.Config, jobID, applicantID string) (ats.Applicant, error) {
	if jobID == "" || applicantID == "" {
		return ats.Applicant{}, errors.New("smartrecruiters: get applicant: empty job or applicant id")
	}
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return ats.Applicant{}, err
	}
	return readApplicant(ctx, cl, jobID, applicantID)
}

// ApplicantFor maps a full candidate, their application to jobID and its
// screening answers to review's applicant. SmartRecruiters has no skills
// list apart from the candidate's tags, which go to Tags; the headline is the
// current (else latest) position.
func ApplicantFor(d CandidateDetails, app Application, answers ScreeningAnswers, jobID string) ats.Applicant {
	a := ats.Applicant{
		ExternalID: string(d.ID), ApplicationID: string(app.ApplicationID), JobID: jobID,
		Name: joinNonEmpty(" ", d.FirstName, d.LastName), Email: d.Email,
		Location: d.Location.String(), Status: string(app.Status), SubStatus: app.SubStatus,
		AppliedAt: app.CreatedOn.Time, UpdatedAt: d.UpdatedOn.Time, ProfileURL: app.URL,
		Tags: append([]string(nil), d.Tags...),
	}
	if a.Status == "" {
		for _, as := range d.Applications() {
			if string(as.Job.ID) == jobID {
				a.Status, a.SubStatus = string(as.Status), as.SubStatus
			}
		}
	}
	if a.AppliedAt.IsZero() {
		a.AppliedAt = d.CreatedOn.Time
	}
	if app.UpdatedOn.After(a.UpdatedAt) {
		a.UpdatedAt = app.UpdatedOn.Time
	}
	for _, e := range d.Experience {
		a.Experience = append(a.Experience, ats.Experience{
			Title: e.Title, Company: e.Company, Start: e.StartDate.Time, End: e.EndDate.Time,
			Current: e.Current, Description: e.Description,
		})
	}
	a.Headline = headline(d.Experience)
	for _, e := range d.Education {
		a.Education = append(a.Education, ats.Education{
			Institution: e.Institution, Degree: e.Degree, Field: e.Major, Start: e.StartDate.Time, End: e.EndDate.Time,
		})
	}
	for _, an := range answers.Content {
		q := an.Label
		if q == "" {
			q = an.ID
		}
		a.Answers = append(a.Answers, ats.Answer{Question: q, Answer: an.Text()})
	}
	return a
}

// headline is "Title at Company" of the current position, else of the one
// that started last.
func headline(exp []ExperienceEntry) string {
	best := -1
	for i, e := range exp {
		switch {
		case best < 0:
			best = i
		case e.Current && !exp[best].Current:
			best = i
		case e.Current == exp[best].Current && e.StartDate.After(exp[best].StartDate.Time):
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	e := exp[best]
	if e.Title != "" && e.Company != "" {
		return e.Title + " at " + e.Company
	}
	return joinNonEmpty("", e.Title, e.Company)
}

// MoveTargets implements ats.ApplicantSource: the statuses an application
// can be moved to (no call; SmartRecruiters' statuses are the same for every
// job). A target may carry a sub-status after a colon, "INTERVIEW:Onsite",
// for hiring processes that require one.
func (c *Connector) MoveTargets(_ context.Context, _ ats.Config, _ string) ([]ats.MoveTarget, error) {
	out := make([]ats.MoveTarget, len(MoveStatuses))
	for i, s := range MoveStatuses {
		out[i] = ats.MoveTarget{ID: string(s), Label: statusLabel(s)}
	}
	return out, nil
}

func statusLabel(s CandidateStatus) string {
	l := strings.ReplaceAll(strings.ToLower(string(s)), "_", " ")
	return strings.ToUpper(l[:1]) + l[1:]
}

// ParseMoveTarget splits a MoveTarget id into the status and the optional
// sub-status, refusing statuses an application cannot be moved to.
func ParseMoveTarget(target string) (StatusUpdate, error) {
	st, sub, _ := strings.Cut(strings.TrimSpace(target), ":")
	u := StatusUpdate{Status: CandidateStatus(strings.ToUpper(strings.TrimSpace(st))), SubStatus: strings.TrimSpace(sub)}
	for _, m := range MoveStatuses {
		if u.Status == m {
			if u.SubStatus != "" && !u.Status.HasSubStatuses() {
				return StatusUpdate{}, fmt.Errorf("smartrecruiters: status %s has no sub-statuses", u.Status)
			}
			return u, nil
		}
	}
	return StatusUpdate{}, fmt.Errorf("smartrecruiters: %q is not a status an application can be moved to", target)
}

// RefusedError is SmartRecruiters' refusal of a move; its message is
// SmartRecruiters' own, for the row that shows the result.
type RefusedError struct {
	StatusCode int
	Message    string
	Err        error
}

func (e *RefusedError) Error() string { return e.Message }
func (e *RefusedError) Unwrap() error { return e.Err }

// MoveApplicant implements ats.ApplicantSource: PUT
// /candidates/{id}/jobs/{jobId}/status. A 4xx refusal is an ats.CallError
// (give up) around a *RefusedError carrying SmartRecruiters' message; a 404
// also wraps ats.ErrNotFound.
func (c *Connector) MoveApplicant(ctx context.Context, cfg ats.Config, jobID, applicantID, target string) error {
	u, err := ParseMoveTarget(target)
	if err != nil {
		return &ats.CallError{Failure: ats.FailGiveUp, Err: err}
	}
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return err
	}
	err = cl.UpdateApplicationStatus(ctx, applicantID, jobID, u)
	var se *atshttp.StatusError
	if !errors.As(err, &se) || se.StatusCode < 400 || se.StatusCode >= 500 || se.StatusCode == http.StatusTooManyRequests {
		return err
	}
	msg := se.Message
	if msg == "" {
		msg = fmt.Sprintf("SmartRecruiters refused the move (HTTP %d)", se.StatusCode)
	}
	var refused error = &RefusedError{StatusCode: se.StatusCode, Message: msg, Err: err}
	if se.StatusCode == http.StatusNotFound {
		refused = &RefusedError{StatusCode: se.StatusCode, Message: msg, Err: fmt.Errorf("%w: %w", ats.ErrNotFound, err)}
	}
	failure := ats.FailGiveUp
	if se.StatusCode == http.StatusUnauthorized || se.StatusCode == http.StatusForbidden {
		failure = ats.FailConfig
	}
	return &ats.CallError{Failure: failure, Err: refused}
}

var _ ats.ProspectSender = (*Connector)(nil)

// SendTestProspect implements ats.ProspectSender: the prospect goes to the
// company's talent pool, outside any job, and is read back.
func (c *Connector) SendTestProspect(ctx context.Context, cfg ats.Config, p ats.Prospect) (ats.Prospect, error) {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return ats.Prospect{}, err
	}
	made, err := cl.CreateCandidate(ctx, CandidateInput{FirstName: p.FirstName, LastName: p.LastName, Email: p.Email})
	if err != nil {
		return ats.Prospect{}, err
	}
	back, err := cl.GetCandidateDetails(ctx, string(made.ID))
	if err != nil {
		return ats.Prospect{}, fmt.Errorf("smartrecruiters: the test prospect %s was made but cannot be read back: %w", made.ID, err)
	}
	return ats.Prospect{ID: string(back.ID), FirstName: back.FirstName, LastName: back.LastName, Email: back.Email,
		Where: "SmartRecruiters' talent pool (Candidates, no job), as candidate " + string(back.ID)}, nil
}
