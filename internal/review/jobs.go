package review

// A source's requisitions, their qualifications, the ranking of their
// applicants, and moving applicants on.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

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
	if err := c.Validate(); err != nil {
		return core.Invalid("criteria", err.Error())
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	// The update finds no job of that id: core.ErrNotFound.
	if err := s.d.Store.SetReviewJobCriteria(ctx, rs.ID, jobID, b, s.now()); err != nil {
		return fmt.Errorf("review job %s: %w", jobID, err)
	}
	return nil
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
	ent, err := s.rankInputs(ctx, rs, jobID)
	if err != nil {
		return Ranking{}, err
	}
	res := ent.corpus.Rank(crit)
	out := Ranking{Job: j, Criteria: crit, Ranked: make([]RankedApplicant, 0, len(res.Ranked)), Filtered: make([]FilteredApplicant, 0, len(res.Filtered))}
	for _, r := range res.Ranked {
		i := ent.byID[r.ApplicantID]
		out.Ranked = append(out.Ranked, RankedApplicant{Applicant: ent.rows[i], Profile: ent.inputs[i].Applicant, Ranked: r,
			Assessment: ent.inputs[i].Assessment, OrderID: ent.orders[r.ApplicantID]})
	}
	for _, f := range res.Filtered {
		out.Filtered = append(out.Filtered, FilteredApplicant{Applicant: ent.rows[ent.byID[f.ApplicantID]], Reasons: f.Reasons})
	}
	return out, nil
}

// rankEntry is what a job's ranking reads, decoded: the applicants' rows
// (without their profiles), the ranking's inputs, and the orders their
// assessment results came from.
type rankEntry struct {
	stamp  store.ReviewStamp
	built  time.Time
	rows   []core.ReviewApplicant
	inputs []rank.Input
	// corpus is the inputs prepared for ranking under any criteria.
	corpus *rank.Corpus
	byID   map[string]int
	orders map[string]string
}

// rankCache keeps the rankEntry of the jobs ranked last, so that applying
// criteria again (every change of the form) reads and decodes nothing while
// the job's stamp holds. It is per process: a replica whose stamp differs
// builds its own.
type rankCache struct {
	mu      sync.Mutex
	entries map[string]*rankEntry
	lru     []string // keys, least recently used first
}

// rankCacheJobs is how many jobs' entries a process keeps: a corpus of
// 10k applicants holds about 50 MB.
const rankCacheJobs = 8

func (c *rankCache) get(key string, stamp store.ReviewStamp, now time.Time) *rankEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	// A corpus counts ongoing positions to the month it was built in.
	if e == nil || !sameStamp(e.stamp, stamp) || !sameMonth(e.built, now) {
		return nil
	}
	c.touch(key)
	return e
}

func sameMonth(a, b time.Time) bool {
	a, b = a.UTC(), b.UTC()
	return a.Year() == b.Year() && a.Month() == b.Month()
}

func sameStamp(a, b store.ReviewStamp) bool {
	return a.Applicants == b.Applicants && a.SyncedAt.Equal(b.SyncedAt) && a.MovedAt.Equal(b.MovedAt) && a.ResultsAt.Equal(b.ResultsAt)
}

func (c *rankCache) put(key string, e *rankEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*rankEntry{}
	}
	c.entries[key] = e
	c.touch(key)
	for len(c.lru) > rankCacheJobs {
		delete(c.entries, c.lru[0])
		c.lru = c.lru[1:]
	}
}

// drop forgets the entries of a source's job, or of all its jobs when job
// is "": what this process changed is never served from before the change,
// whatever the clock (other replicas see the stamp change).
func (c *rankCache) drop(sourceID, job string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		src, j, _ := strings.Cut(k, "\x00")
		if src == sourceID && (job == "" || j == job) {
			delete(c.entries, k)
			c.lru = slices.DeleteFunc(c.lru, func(x string) bool { return x == k })
		}
	}
}

func (c *rankCache) touch(key string) {
	c.lru = slices.DeleteFunc(c.lru, func(k string) bool { return k == key })
	c.lru = append(c.lru, key)
}

// rankInputs is the job's rankEntry, from the cache while its stamp holds.
func (s *Service) rankInputs(ctx context.Context, rs core.ReviewSource, jobID string) (*rankEntry, error) {
	stamp, err := s.d.Store.ReviewRankStamp(ctx, rs.ID, jobID, rs.AccountID, rs.Provider)
	if err != nil {
		return nil, err
	}
	key := rs.ID + "\x00" + jobID
	now := s.d.Now()
	if e := s.ranks.get(key, stamp, now); e != nil {
		return e, nil
	}
	apps, err := s.d.Store.ListReviewApplicants(ctx, rs.ID, jobID)
	if err != nil {
		return nil, err
	}
	e := &rankEntry{stamp: stamp, built: now, rows: apps, inputs: make([]rank.Input, len(apps)), byID: make(map[string]int, len(apps)), orders: map[string]string{}}
	ids := make([]string, len(apps))
	for i := range apps {
		if err := json.Unmarshal(apps[i].Profile, &e.inputs[i].Applicant); err != nil {
			return nil, fmt.Errorf("applicant %s: profile: %w", apps[i].ExternalID, err)
		}
		apps[i].Profile = nil
		ids[i] = apps[i].ExternalID
		e.byID[ids[i]] = i
	}
	results, err := s.d.Store.ListCandidateResults(ctx, rs.AccountID, rs.Provider, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range results { // newest first: the first of each is kept
		if _, ok := e.orders[r.ExternalID]; ok {
			continue
		}
		e.orders[r.ExternalID] = r.OrderID
		e.inputs[e.byID[r.ExternalID]].Assessment = assessment(r)
	}
	e.corpus = rank.NewCorpus(e.inputs, now)
	s.ranks.put(key, e)
	return e, nil
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
	defer s.ranks.drop(rs.ID, jobID)
	for _, id := range applicantIDs {
		m := Moved{ApplicantID: id}
		err := src.MoveApplicant(ctx, cfg, jobID, id, target)
		if err != nil {
			s.d.Logger.InfoContext(ctx, "review move refused", "source_id", rs.ID, "job_id", jobID, "applicant_id", id, "err", err)
			m.Error = moveError(conn.Describe().Name, err)
		} else if a, rerr := src.GetApplicant(ctx, cfg, jobID, id); rerr == nil {
			// Read back, so the row shows the status as the ATS now has it.
			if ra, rerr := reviewApplicant(rs.ID, jobID, a, s.now()); rerr == nil {
				if rerr := s.d.Store.UpsertReviewApplicants(ctx, []core.ReviewApplicant{ra}); rerr != nil {
					return out, fmt.Errorf("record moved applicant: %w", rerr)
				}
			}
		} else {
			s.d.Logger.InfoContext(ctx, "review move: read back", "source_id", rs.ID, "applicant_id", id, "err", rerr)
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
