package lever

// Lever as an applicant source (ats.ApplicantSource): published postings are
// the open jobs, a posting's opportunities its applicants, and their parsed
// resumes the work history and schools ranking reads. The wire format and
// its evidence are at the end of wire.go.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/ats/atshttp"
)

var _ ats.ApplicantSource = (*Connector)(nil)

// SourceFields implements ats.ApplicantSource: a review connection needs a
// Lever API key and, for the sandbox or a simulator, the API's base URL.
func (c *Connector) SourceFields() (settings, credentials []ats.Field) {
	return []ats.Field{
			{Key: SettingBaseURL, Label: "API base URL", Default: DefaultBaseURL, Hosts: []string{"api.lever.co", "api.sandbox.lever.co"},
				Help: "Lever's API; the sandbox is " + SandboxBaseURL + "."},
		}, []ats.Field{
			{Key: CredentialAPIKey, Label: "API key", Required: true,
				Help: "Settings → Integrations and API → API Credentials (Super Admin); it needs read access to postings, opportunities, resumes and stages, and write access to stages to move applicants."},
		}
}

// sourceClient is the client for cfg's API key, refused before any call
// when cfg holds none.
func (c *Connector) sourceClient(cfg ats.Config) (*Client, error) {
	if cfg.Secrets[CredentialAPIKey] == "" {
		return nil, &ats.CallError{Failure: ats.FailConfig, Err: errors.New("lever: no API key: enter the Lever API key")}
	}
	return c.client(cfg), nil
}

// VerifySource implements ats.ApplicantSource with one read of the first
// published posting, which needs the postings permission the sync needs.
func (c *Connector) VerifySource(ctx context.Context, cfg ats.Config) error {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return err
	}
	if _, err := cl.PostingsPage(ctx, PostingPublished, "", 1); err != nil {
		base := cfg.Setting(SettingBaseURL, DefaultBaseURL)
		return classify(fmt.Errorf("lever: verify source: %s: %w", describeCallError(base, err), err))
	}
	return nil
}

// ListOpenJobs implements ats.ApplicantSource: one page of published
// postings; the cursor is Lever's own next token.
func (c *Connector) ListOpenJobs(ctx context.Context, cfg ats.Config, cursor string) (ats.JobPage, error) {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return ats.JobPage{}, err
	}
	page, err := cl.PostingsPage(ctx, PostingPublished, cursor, pageLimit)
	if err != nil {
		return ats.JobPage{}, classify(fmt.Errorf("lever: list open jobs: %w", err))
	}
	out := ats.JobPage{Jobs: make([]ats.Job, 0, len(page.Data))}
	for _, p := range page.Data {
		out.Jobs = append(out.Jobs, JobFromPosting(p))
	}
	if out.Next, err = nextCursor(page.HasNext, page.Next, cursor); err != nil {
		return ats.JobPage{}, fmt.Errorf("lever: list open jobs: %w", err)
	}
	return out, nil
}

// GetJob implements ats.ApplicantSource.
func (c *Connector) GetJob(ctx context.Context, cfg ats.Config, jobID string) (ats.Job, error) {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return ats.Job{}, err
	}
	p, err := cl.ReadPosting(ctx, jobID)
	if err != nil {
		return ats.Job{}, notFoundOr(fmt.Errorf("lever: get job %q: %w", jobID, err))
	}
	return JobFromPosting(p), nil
}

// ListApplicants implements ats.ApplicantSource: one page of the posting's
// opportunities (stage and applications expanded), changed at or after
// q.UpdatedAfter when set, each with its newest parsed resume, which costs
// one more call per applicant. The page is the unit of retry: an error on
// any call (a rate-limit wait past atshttp.MaxInCallWait among them) fails
// the page, and the caller asks for the same cursor again.
func (c *Connector) ListApplicants(ctx context.Context, cfg ats.Config, q ats.ApplicantQuery) (ats.ApplicantPage, error) {
	if q.JobID == "" {
		return ats.ApplicantPage{}, &ats.CallError{Failure: ats.FailGiveUp, Err: fmt.Errorf("lever: list applicants: %w", errEmptyID("posting"))}
	}
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return ats.ApplicantPage{}, err
	}
	page, err := cl.OpportunitiesPage(ctx, OpportunityPageQuery{PostingID: q.JobID, UpdatedAtStart: Millis(q.UpdatedAfter), Offset: q.Cursor})
	if err != nil {
		return ats.ApplicantPage{}, classify(fmt.Errorf("lever: list applicants of %q: %w", q.JobID, err))
	}
	out := ats.ApplicantPage{Applicants: make([]ats.Applicant, 0, len(page.Data))}
	for _, o := range page.Data {
		a, err := c.applicant(ctx, cl, q.JobID, o)
		if err != nil {
			return ats.ApplicantPage{}, err
		}
		out.Applicants = append(out.Applicants, a)
	}
	if out.Next, err = nextCursor(page.HasNext, page.Next, q.Cursor); err != nil {
		return ats.ApplicantPage{}, fmt.Errorf("lever: list applicants of %q: %w", q.JobID, err)
	}
	return out, nil
}

// GetApplicant implements ats.ApplicantSource: the opportunity, when it is
// still on the posting, with its resume.
func (c *Connector) GetApplicant(ctx context.Context, cfg ats.Config, jobID, applicantID string) (ats.Applicant, error) {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return ats.Applicant{}, err
	}
	o, err := cl.GetOpportunity(ctx, applicantID)
	if err != nil {
		return ats.Applicant{}, notFoundOr(fmt.Errorf("lever: get applicant %q: %w", applicantID, err))
	}
	if !slices.Contains(o.PostingIDs(), jobID) {
		return ats.Applicant{}, fmt.Errorf("lever: get applicant %q: the opportunity is not on posting %q: %w", applicantID, jobID, ats.ErrNotFound)
	}
	return c.applicant(ctx, cl, jobID, o)
}

// applicant maps o and reads its resumes; an opportunity without one (or
// deleted in between, 404) has no work history, which is not an error.
func (c *Connector) applicant(ctx context.Context, cl *Client, jobID string, o Opportunity) (ats.Applicant, error) {
	resumes, err := cl.ListResumes(ctx, o.ID)
	var se *atshttp.StatusError
	if err != nil && !(errors.As(err, &se) && se.StatusCode == http.StatusNotFound) {
		return ats.Applicant{}, classify(fmt.Errorf("lever: resumes of applicant %q: %w", o.ID, err))
	}
	return ApplicantFromOpportunity(jobID, o, resumes), nil
}

// MoveTargets implements ats.ApplicantSource: Lever's stages, which are the
// account's and the same for every posting.
func (c *Connector) MoveTargets(ctx context.Context, cfg ats.Config, _ string) ([]ats.MoveTarget, error) {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return nil, err
	}
	stages, err := cl.ListStages(ctx)
	if err != nil {
		return nil, classify(fmt.Errorf("lever: move targets: %w", err))
	}
	out := make([]ats.MoveTarget, len(stages))
	for i, s := range stages {
		out[i] = ats.MoveTarget{ID: s.ID, Label: cmp.Or(s.Text, s.ID)}
	}
	return out, nil
}

// MoveApplicant implements ats.ApplicantSource: PUT the opportunity's stage,
// recorded as the perform-as user when the integration names one. Lever's
// refusal is a *Refusal carrying its message.
func (c *Connector) MoveApplicant(ctx context.Context, cfg ats.Config, _ string, applicantID, target string) error {
	cl, err := c.sourceClient(cfg)
	if err != nil {
		return err
	}
	err = cl.UpdateStage(ctx, applicantID, target, cfg.Setting(SettingPerformAs, ""))
	var se *atshttp.StatusError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && se.StatusCode == http.StatusNotFound:
		return fmt.Errorf("lever: move applicant %q: %w", applicantID, ats.ErrNotFound)
	case errors.As(err, &se) && ats.ClassifyStatus(se.StatusCode) == ats.FailGiveUp:
		return classify(&Refusal{Err: se})
	}
	return classify(fmt.Errorf("lever: move applicant %q: %w", applicantID, err))
}

// Refusal is Lever's refusal of a write (a stage that does not exist): its
// message is Lever's own, for the row that asked.
type Refusal struct {
	Err *atshttp.StatusError
}

func (r *Refusal) Error() string {
	return "Lever refused: " + cmp.Or(r.Err.Message, http.StatusText(r.Err.StatusCode))
}

func (r *Refusal) Unwrap() error { return r.Err }

// nextCursor is the cursor of the page after one read at cursor: "" after
// the last. A server that says there is more but names no new page would
// be paged forever, so that gives up.
func nextCursor(hasNext bool, next, cursor string) (string, error) {
	switch {
	case !hasNext:
		return "", nil
	case next == "" || next == cursor:
		return "", &ats.CallError{Failure: ats.FailGiveUp, Err: errors.New("hasNext with an empty or repeated next token")}
	}
	return next, nil
}

// notFoundOr wraps ats.ErrNotFound into a 404 and classifies anything else.
func notFoundOr(err error) error {
	var se *atshttp.StatusError
	if errors.As(err, &se) && se.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w (%w)", ats.ErrNotFound, err)
	}
	return classify(err)
}

// JobFromPosting maps a posting: team as the department (department when
// it has no team), the owner (else the hiring manager) as the recruiter.
func JobFromPosting(p Posting) ats.Job {
	j := ats.Job{
		ExternalID: p.ID,
		Title:      p.Text,
		Status:     p.State,
		Open:       p.State == PostingPublished,
		Location:   p.Categories.Location,
		Department: cmp.Or(p.Categories.Team, p.Categories.Department),
		URL:        p.URLs.Show,
		UpdatedAt:  TimeFromMillis(p.UpdatedAt),
	}
	if len(p.RequisitionCodes) > 0 {
		j.RefNumber = p.RequisitionCodes[0]
	}
	for _, u := range []UserRef{p.Owner, p.HiringManager} {
		if u.ID == "" {
			continue
		}
		j.RecruiterID = u.ID
		if u.User != nil {
			j.RecruiterName = u.User.Name
		}
		break
	}
	return j
}

// ApplicantFromOpportunity maps an opportunity of posting jobID, with work
// history and schools from its newest resume that has any.
func ApplicantFromOpportunity(jobID string, o Opportunity, resumes []Resume) ats.Applicant {
	a := ats.Applicant{
		ExternalID: o.ID,
		JobID:      jobID,
		Name:       o.Name,
		Headline:   o.Headline,
		Location:   o.Location,
		Status:     o.Stage.ID,
		AppliedAt:  TimeFromMillis(o.CreatedAt),
		UpdatedAt:  TimeFromMillis(o.UpdatedAt),
		ProfileURL: o.URLs.Show,
		Tags:       slices.Clone(o.Tags),
	}
	if len(o.Emails) > 0 {
		a.Email = o.Emails[0]
	}
	if o.Stage.Stage != nil && o.Stage.Stage.Text != "" {
		a.Status = o.Stage.Stage.Text
	}
	if o.IsArchived() {
		a.SubStatus = "archived"
	}
	for _, ref := range o.Applications {
		if app := ref.Application; app != nil && app.Posting == jobID {
			a.ApplicationID = app.ID
			if app.CreatedAt != 0 {
				a.AppliedAt = TimeFromMillis(app.CreatedAt)
			}
			break
		}
	}
	if r, ok := newestParsed(resumes); ok {
		a.Experience = experience(r.ParsedData.Positions)
		a.Education = education(r.ParsedData.Schools)
	}
	return a
}

// newestParsed is the newest resume with any position or school.
func newestParsed(resumes []Resume) (Resume, bool) {
	var best Resume
	found := false
	for _, r := range resumes {
		if len(r.ParsedData.Positions) == 0 && len(r.ParsedData.Schools) == 0 {
			continue
		}
		if !found || r.CreatedAt > best.CreatedAt {
			best, found = r, true
		}
	}
	return best, found
}

func experience(ps []ResumePosition) []ats.Experience {
	var out []ats.Experience
	for _, p := range ps {
		e := ats.Experience{Title: p.Title, Company: p.Org, Description: p.Summary, Start: dateTime(p.Start), End: dateTime(p.End)}
		if e.Title == "" && e.Company == "" && e.Description == "" {
			continue
		}
		// A start without an end is Lever's (and the resume's) "to present".
		e.Current = e.End.IsZero() && !e.Start.IsZero()
		out = append(out, e)
	}
	return out
}

func education(ss []ResumeSchool) []ats.Education {
	var out []ats.Education
	for _, s := range ss {
		e := ats.Education{Institution: s.Org, Degree: s.Degree, Field: s.Field, Start: dateTime(s.Start), End: dateTime(s.End)}
		if e.Institution == "" && e.Degree == "" && e.Field == "" {
			continue
		}
		out = append(out, e)
	}
	return out
}

func dateTime(d *ResumeDate) (t time.Time) {
	if d == nil {
		return t
	}
	return d.Time()
}

// --- client calls of the applicant source ---

// postingExpand inlines the users a job shows as its recruiter: owner is in
// the contract (L1), hiringManager is inferred from it.
var postingExpand = []string{"owner", "hiringManager"}

// PostingsPage reads one page of postings in state ("" for every state)
// from offset ("" for the first page), with limit 1..100.
func (c *Client) PostingsPage(ctx context.Context, state, offset string, limit int) (ListResponse[Posting], error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}, "expand": postingExpand}
	if state != "" {
		q.Set("state", state)
	}
	if offset != "" {
		q.Set("offset", offset)
	}
	var page ListResponse[Posting]
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: "/postings", Query: q}, &page); err != nil {
		return ListResponse[Posting]{}, fmt.Errorf("lever: list postings: %w", err)
	}
	return page, nil
}

// ReadPosting reads one posting with its owner and hiring manager expanded.
func (c *Client) ReadPosting(ctx context.Context, id string) (Posting, error) {
	if id == "" {
		return Posting{}, fmt.Errorf("lever: read posting: %w", errEmptyID("posting"))
	}
	var env Envelope[Posting]
	q := url.Values{"expand": postingExpand}
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: "/postings/" + url.PathEscape(id), Query: q}, &env); err != nil {
		return Posting{}, fmt.Errorf("lever: read posting: %w", err)
	}
	if env.Data.ID == "" {
		return Posting{}, errors.New("lever: read posting: response has no posting")
	}
	return env.Data, nil
}

// OpportunityPageQuery selects one page of OpportunitiesPage.
type OpportunityPageQuery struct {
	PostingID string
	// UpdatedAtStart keeps opportunities updated at or after it (epoch ms);
	// 0 does not filter.
	UpdatedAtStart int64
	Offset         string
}

// OpportunitiesPage reads one page of 100 opportunities with their stage
// and applications expanded.
func (c *Client) OpportunitiesPage(ctx context.Context, pq OpportunityPageQuery) (ListResponse[Opportunity], error) {
	q := url.Values{"limit": {strconv.Itoa(pageLimit)}, "expand": {"applications", "stage"}}
	if pq.PostingID != "" {
		q.Set("posting_id", pq.PostingID)
	}
	if pq.UpdatedAtStart > 0 {
		q.Set("updated_at_start", strconv.FormatInt(pq.UpdatedAtStart, 10))
	}
	if pq.Offset != "" {
		q.Set("offset", pq.Offset)
	}
	var page ListResponse[Opportunity]
	if err := c.api.JSON(ctx, atshttp.Request{Method: http.MethodGet, Path: "/opportunities", Query: q}, &page); err != nil {
		return ListResponse[Opportunity]{}, fmt.Errorf("lever: list opportunities: %w", err)
	}
	return page, nil
}

// ListResumes lists an opportunity's resumes, all pages.
func (c *Client) ListResumes(ctx context.Context, opportunityID string) ([]Resume, error) {
	if opportunityID == "" {
		return nil, fmt.Errorf("lever: list resumes: %w", errEmptyID("opportunity"))
	}
	r, err := listAll[Resume](ctx, c, oppPath(opportunityID, "/resumes"), nil)
	if err != nil {
		return nil, fmt.Errorf("lever: list resumes: %w", err)
	}
	return r, nil
}
