package review

// A source's requisitions, their qualifications, the ranking of their
// applicants, and moving applicants on.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/review/rank"
	"switchboard/internal/store"
)

// Jobs lists the source's requisitions matching f, with applicant counts.
func (s *Service) Jobs(ctx context.Context, actor core.User, sourceID string, f store.ReviewJobFilter) ([]core.ReviewJob, error) {
	rs, err := s.Source(ctx, actor, sourceID)
	if err != nil {
		return nil, err
	}
	return s.d.Store.ListReviewJobs(ctx, rs.ID, f)
}

// Job is one requisition with its qualifications.
func (s *Service) Job(ctx context.Context, actor core.User, sourceID, jobID string) (core.ReviewJob, rank.Criteria, error) {
	rs, err := s.Source(ctx, actor, sourceID)
	if err != nil {
		return core.ReviewJob{}, rank.Criteria{}, err
	}
	j, err := s.d.Store.GetReviewJob(ctx, rs.ID, jobID)
	if err != nil {
		return core.ReviewJob{}, rank.Criteria{}, fmt.Errorf("review job %s: %w", jobID, err)
	}
	c, err := criteria(j)
	return j, c, err
}

func criteria(j core.ReviewJob) (rank.Criteria, error) {
	var c rank.Criteria
	if len(j.Criteria) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(j.Criteria, &c); err != nil {
		return c, fmt.Errorf("review job %s: criteria: %w", j.ExternalID, err)
	}
	return c, nil
}

// SetCriteria stores a job's qualifications ("Apply criteria"); invalid
// ones are refused and change nothing.
func (s *Service) SetCriteria(ctx context.Context, actor core.User, sourceID, jobID string, c rank.Criteria) error {
	rs, err := s.Source(ctx, actor, sourceID)
	if err != nil {
		return err
	}
	if _, err := s.d.Store.GetReviewJob(ctx, rs.ID, jobID); err != nil {
		return fmt.Errorf("review job %s: %w", jobID, err)
	}
	if err := c.Validate(); err != nil {
		return core.Invalid("criteria", err.Error())
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.d.Store.SetReviewJobCriteria(ctx, rs.ID, jobID, b, s.now())
}

// Ranking is a job's applicants in order, each with why, and those the
// qualifications filtered out with the reasons.
type Ranking struct {
	Job      core.ReviewJob
	Criteria rank.Criteria
	Ranked   []RankedApplicant
	Filtered []FilteredApplicant
}

// RankedApplicant is one applicant in the ranking.
type RankedApplicant struct {
	Applicant core.ReviewApplicant
	Profile   ats.Applicant
	rank.Ranked
	// Assessment is Switchboard's latest result for the candidate, and the
	// order it came from; nil when Switchboard has not assessed them.
	Assessment *rank.Assessment
	OrderID    string
}

// FilteredApplicant is one applicant a qualification filtered out.
type FilteredApplicant struct {
	Applicant core.ReviewApplicant
	Reasons   []string
}

// Rank ranks the job's applicants against its qualifications (or against
// c when it is not nil: a preview before "Apply criteria"). The order is
// fixed by the applicants' data alone, the same on every database.
func (s *Service) Rank(ctx context.Context, actor core.User, sourceID, jobID string, c *rank.Criteria) (Ranking, error) {
	rs, err := s.Source(ctx, actor, sourceID)
	if err != nil {
		return Ranking{}, err
	}
	j, err := s.d.Store.GetReviewJob(ctx, rs.ID, jobID)
	if err != nil {
		return Ranking{}, fmt.Errorf("review job %s: %w", jobID, err)
	}
	crit, err := criteria(j)
	if err != nil {
		return Ranking{}, err
	}
	if c != nil {
		if err := c.Validate(); err != nil {
			return Ranking{}, core.Invalid("criteria", err.Error())
		}
		crit = *c
	}
	apps, err := s.d.Store.ListReviewApplicants(ctx, rs.ID, jobID)
	if err != nil {
		return Ranking{}, err
	}
	ids := make([]string, 0, len(apps))
	byID := make(map[string]int, len(apps))
	in := make([]rank.Input, 0, len(apps))
	profiles := make([]ats.Applicant, len(apps))
	for i, a := range apps {
		if err := json.Unmarshal(a.Profile, &profiles[i]); err != nil {
			return Ranking{}, fmt.Errorf("applicant %s: profile: %w", a.ExternalID, err)
		}
		ids = append(ids, a.ExternalID)
		byID[a.ExternalID] = i
	}
	results, err := s.d.Store.ListCandidateResults(ctx, rs.AccountID, rs.Provider, ids)
	if err != nil {
		return Ranking{}, err
	}
	assessed := map[string]store.CandidateResult{}
	for _, r := range results { // newest first: the first of each is kept
		if _, ok := assessed[r.ExternalID]; !ok {
			assessed[r.ExternalID] = r
		}
	}
	for i := range apps {
		in = append(in, rank.Input{Applicant: profiles[i], Assessment: assessment(assessed[apps[i].ExternalID])})
	}
	res := rank.Rank(crit, in, s.d.Now())
	out := Ranking{Job: j, Criteria: crit}
	for _, r := range res.Ranked {
		i := byID[r.ApplicantID]
		ra := RankedApplicant{Applicant: apps[i], Profile: profiles[i], Ranked: r, Assessment: in[i].Assessment}
		if cr, ok := assessed[r.ApplicantID]; ok {
			ra.OrderID = cr.OrderID
		}
		ra.Applicant.Profile = nil
		out.Ranked = append(out.Ranked, ra)
	}
	for _, f := range res.Filtered {
		a := apps[byID[f.ApplicantID]]
		a.Profile = nil
		out.Filtered = append(out.Filtered, FilteredApplicant{Applicant: a, Reasons: f.Reasons})
	}
	return out, nil
}

func assessment(r store.CandidateResult) *rank.Assessment {
	if r.OrderID == "" {
		return nil
	}
	a := &rank.Assessment{Label: r.Result.Label}
	if sc := r.Result.Score; sc != nil {
		p := float64(sc.Percent())
		a.Score = &p
	}
	return a
}

// MoveTargets are what the job's applicants can be moved to in the ATS.
func (s *Service) MoveTargets(ctx context.Context, actor core.User, sourceID, jobID string) ([]ats.MoveTarget, error) {
	rs, err := s.Source(ctx, actor, sourceID)
	if err != nil {
		return nil, err
	}
	_, src, err := s.source(rs.Provider)
	if err != nil {
		return nil, err
	}
	cfg, err := s.config(ctx, rs)
	if err != nil {
		return nil, err
	}
	return src.MoveTargets(ctx, cfg, jobID)
}

// Moved is how one applicant's move went: Error is the ATS's refusal (or
// why it could not be asked), "" when it moved.
type Moved struct {
	ApplicantID string
	Error       string
}

// MaxMove is the most applicants one request moves: each is one call to
// the ATS, made while the recruiter waits.
const MaxMove = 50

// Move moves applicants of a job to target in the ATS, one call each, and
// records on each row how it went; one refusal does not stop the others.
func (s *Service) Move(ctx context.Context, actor core.User, sourceID, jobID string, applicantIDs []string, target string) ([]Moved, error) {
	rs, err := s.Source(ctx, actor, sourceID)
	if err != nil {
		return nil, err
	}
	target = strings.TrimSpace(target)
	switch {
	case target == "":
		return nil, core.Invalid("target", "choose where to move the applicants")
	case len(applicantIDs) == 0:
		return nil, core.Invalid("applicant_ids", "choose at least one applicant")
	case len(applicantIDs) > MaxMove:
		return nil, core.Invalid("applicant_ids", fmt.Sprintf("move at most %d applicants at once", MaxMove))
	}
	for _, id := range applicantIDs {
		if _, err := s.d.Store.GetReviewApplicant(ctx, rs.ID, jobID, id); err != nil {
			return nil, core.Invalid("applicant_ids", fmt.Sprintf("the job has no applicant %q", id))
		}
	}
	conn, src, err := s.source(rs.Provider)
	if err != nil {
		return nil, err
	}
	cfg, err := s.config(ctx, rs)
	if err != nil {
		return nil, err
	}
	out := make([]Moved, 0, len(applicantIDs))
	for _, id := range applicantIDs {
		m := Moved{ApplicantID: id}
		if err := src.MoveApplicant(ctx, cfg, jobID, id, target); err != nil {
			s.d.Logger.InfoContext(ctx, "review move refused", "source_id", rs.ID, "job_id", jobID, "applicant_id", id, "err", err)
			m.Error = moveError(conn.Describe().Name, err)
		}
		if err := s.d.Store.SetReviewApplicantMove(ctx, rs.ID, jobID, id, target, m.Error, s.now()); err != nil {
			return out, fmt.Errorf("record move: %w", err)
		}
		out = append(out, m)
	}
	return out, nil
}

func moveError(name string, err error) string {
	if failure, wait := ats.Classify(ats.CallRules{}.Classify(err)); failure == ats.FailRetry && wait > 0 {
		return fmt.Sprintf("%s's rate limit is spent: try again in %s", name, wait.Round(1e9))
	}
	if errors.Is(err, ats.ErrNotFound) {
		return name + " no longer has this application"
	}
	return name + " refused: " + err.Error()
}
