package review

// A sync is a chain of durable page jobs: each fetches one page (of open
// jobs, then of one job's applicants), stores it, advances the sync's step
// and cursor and enqueues the next page's job, all in one transaction. A job
// run twice (a crash after its commit) finds its step taken and does
// nothing, so no page is stored twice and no second chain starts; a job
// that must wait for the ATS's budget is snoozed, never holding a worker.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/queue"
	"switchboard/internal/store"
)

// Overlap is how far before the last sync's start an incremental sync asks
// for changes from: clocks differ, and an applicant changed while the last
// sync read its job's pages may have been missed.
const Overlap = 10 * time.Minute

// SyncPageArgs fetches the page a sync's step Step takes.
type SyncPageArgs struct {
	SyncID string `json:"sync_id"`
	Step   int64  `json:"step"`
}

// Kind implements river.JobArgs.
func (SyncPageArgs) Kind() string { return "review_sync_page" }

// syncJobTimeout: a page is at most a handful of calls per applicant of one
// page (the list, and a read of each where the list is a summary), each
// bounded by the outbound client's timeout.
const syncJobTimeout = 10 * time.Minute

// RegisterWorkers adds review's job workers to w.
func RegisterWorkers(w *river.Workers, s *Service) {
	queue.AddWorker(w, syncJobTimeout, func(ctx context.Context, j *river.Job[SyncPageArgs]) error {
		return s.syncOutcome(ctx, j, s.syncPage(ctx, j.Args))
	})
	queue.AddWorker(w, time.Minute, func(ctx context.Context, _ *river.Job[SyncDueArgs]) error {
		_, err := s.SyncDue(ctx)
		return err
	})
	queue.AddWorker(w, time.Minute, func(ctx context.Context, j *river.Job[ProcessChangeArgs]) error {
		err := s.processChange(ctx, j.Args)
		if err != nil && j.Attempt >= j.MaxAttempts {
			s.d.Logger.ErrorContext(ctx, "review change given up", "source_id", j.Args.SourceID, "key", j.Args.DedupeKey, "err", err)
		}
		return err
	})
}

// cursor is where a sync goes on from, kept with the sync as JSON.
type cursor struct {
	// Phase is "jobs" while the open jobs are listed, then "applicants".
	Phase string `json:"phase"`
	// JobsNext is the next page of open jobs.
	JobsNext string `json:"jobs_next,omitempty"`
	// Jobs are the open jobs' ids in the order they are synced, Job the one
	// being synced and Next the next page of its applicants.
	Jobs []string `json:"jobs,omitempty"`
	Job  int      `json:"job"`
	Next string   `json:"next,omitempty"`
}

const (
	phaseJobs       = "jobs"
	phaseApplicants = "applicants"
)

// StartSync starts a sync of the source: full re-reads every open job's
// applicants and drops what the ATS no longer has; otherwise only the
// applicants changed since the last sync began (less Overlap) are read. A
// sync already running is returned instead of a second one.
func (s *Service) StartSync(ctx context.Context, actor core.User, sourceID string, full bool) (core.ReviewSync, error) {
	rs, err := s.Source(ctx, actor, sourceID)
	if err != nil {
		return core.ReviewSync{}, err
	}
	return s.startSync(ctx, rs, full)
}

func (s *Service) startSync(ctx context.Context, rs core.ReviewSource, full bool) (core.ReviewSync, error) {
	if s.queue == nil {
		return core.ReviewSync{}, errors.New("review: no queue")
	}
	var out core.ReviewSync
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		last, err := tx.LatestReviewSync(ctx, rs.ID)
		switch {
		case err == nil && last.State == core.ReviewSyncRunning:
			out = last
			return nil
		case err != nil && !errors.Is(err, core.ErrNotFound):
			return err
		}
		now := s.now()
		sy := core.ReviewSync{ID: core.NewID("rsync"), SourceID: rs.ID, Full: full, State: core.ReviewSyncRunning, StartedAt: now, UpdatedAt: now}
		if !full {
			// Incremental from the last sync that finished; none is a full one.
			if rs.LastSyncAt.IsZero() {
				sy.Full = true
			} else {
				sy.Since = rs.LastSyncAt.Add(-Overlap)
			}
		}
		sy.Cursor, _ = json.Marshal(cursor{Phase: phaseJobs})
		if err := tx.CreateReviewSync(ctx, sy); err != nil {
			return err
		}
		out = sy
		return s.queue.Enqueue(ctx, tx, SyncPageArgs{SyncID: sy.ID, Step: 1}, nil)
	})
	if err != nil {
		return core.ReviewSync{}, fmt.Errorf("start review sync: %w", err)
	}
	return out, nil
}

// LatestSync is the source's most recent sync; core.ErrNotFound before the
// first.
func (s *Service) LatestSync(ctx context.Context, actor core.User, sourceID string) (core.ReviewSync, error) {
	rs, err := s.Source(ctx, actor, sourceID)
	if err != nil {
		return core.ReviewSync{}, err
	}
	return s.d.Store.LatestReviewSync(ctx, rs.ID)
}

// syncPage takes the step a.Step of the sync, once.
func (s *Service) syncPage(ctx context.Context, a SyncPageArgs) error {
	sy, err := s.d.Store.GetReviewSync(ctx, a.SyncID)
	if errors.Is(err, core.ErrNotFound) {
		return nil // the source was removed
	}
	if err != nil {
		return err
	}
	if sy.State != core.ReviewSyncRunning || sy.Step != a.Step-1 {
		return nil // taken already
	}
	rs, err := s.d.Store.GetReviewSource(ctx, sy.SourceID)
	if errors.Is(err, core.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	_, src, err := s.source(rs.Provider)
	if err != nil {
		return &ats.CallError{Failure: ats.FailConfig, Err: err}
	}
	cfg, err := s.config(ctx, rs)
	if err != nil {
		return err
	}
	var cur cursor
	if err := json.Unmarshal(sy.Cursor, &cur); err != nil {
		return &ats.CallError{Failure: ats.FailGiveUp, Err: fmt.Errorf("sync %s: cursor: %w", sy.ID, err)}
	}
	now := s.now()
	next := sy
	next.Step = a.Step
	next.Calls++
	var write func(tx store.Tx) error
	switch cur.Phase {
	case phaseJobs:
		page, err := src.ListOpenJobs(ctx, cfg, cur.JobsNext)
		if err != nil {
			return err
		}
		jobs := make([]core.ReviewJob, 0, len(page.Jobs))
		for _, j := range page.Jobs {
			jobs = append(jobs, reviewJob(rs.ID, j, now))
			if j.Open {
				cur.Jobs = append(cur.Jobs, j.ExternalID)
			}
		}
		cur.JobsNext = page.Next
		if page.Next == "" {
			cur.Phase = phaseApplicants
		}
		next.JobsTotal = len(cur.Jobs)
		write = func(tx store.Tx) error {
			if err := tx.UpsertReviewJobs(ctx, jobs); err != nil {
				return err
			}
			if cur.Phase == phaseApplicants && sy.Full {
				// SmartRecruiters sends no job deletion: a job a full sync did not
				// list again is closed (or gone).
				if _, err := tx.CloseReviewJobsSyncedBefore(ctx, rs.ID, sy.StartedAt); err != nil {
					return err
				}
			}
			return nil
		}
	case phaseApplicants:
		if cur.Job >= len(cur.Jobs) {
			break
		}
		jobID := cur.Jobs[cur.Job]
		q := ats.ApplicantQuery{JobID: jobID, Cursor: cur.Next}
		if !sy.Full {
			q.UpdatedAfter = sy.Since
		}
		page, err := src.ListApplicants(ctx, cfg, q)
		if errors.Is(err, ats.ErrNotFound) {
			page, err = ats.ApplicantPage{}, nil // the job went away meanwhile
		}
		if err != nil {
			return err
		}
		apps := make([]core.ReviewApplicant, 0, len(page.Applicants))
		for _, ap := range page.Applicants {
			ra, err := reviewApplicant(rs.ID, jobID, ap, now)
			if err != nil {
				return &ats.CallError{Failure: ats.FailGiveUp, Err: err}
			}
			apps = append(apps, ra)
		}
		next.Applicants += len(apps)
		jobDone := page.Next == ""
		cur.Next = page.Next
		if jobDone {
			cur.Job++
			next.JobsDone = cur.Job
		}
		write = func(tx store.Tx) error {
			if err := tx.UpsertReviewApplicants(ctx, apps); err != nil {
				return err
			}
			if jobDone && sy.Full {
				if _, err := tx.DeleteReviewApplicantsSyncedBefore(ctx, rs.ID, jobID, sy.StartedAt); err != nil {
					return err
				}
			}
			return nil
		}
	default:
		return &ats.CallError{Failure: ats.FailGiveUp, Err: fmt.Errorf("sync %s: unknown phase %q", sy.ID, cur.Phase)}
	}
	// The progress and the end are as of the page's arrival, not its ask.
	now = s.now()
	next.UpdatedAt = now
	done := cur.Phase == phaseApplicants && cur.Job >= len(cur.Jobs)
	if done {
		next.State, next.FinishedAt = core.ReviewSyncDone, now
	}
	if next.Cursor, err = json.Marshal(cur); err != nil {
		return err
	}
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		if write != nil {
			if err := write(tx); err != nil {
				return err
			}
		}
		if err := tx.AdvanceReviewSync(ctx, next); err != nil {
			return err
		}
		if done {
			return s.finishSource(ctx, tx, rs.ID, sy.StartedAt, now)
		}
		return s.queue.Enqueue(ctx, tx, SyncPageArgs{SyncID: sy.ID, Step: next.Step + 1}, nil)
	})
	if errors.Is(err, core.ErrConflict) {
		return nil // another run took the step first
	}
	if err == nil {
		s.ranks.drop(rs.ID, "")
	}
	return err
}

// finishSource records on the source that its data is fresh as of the
// finished sync's start (where the next incremental sync begins), and
// clears a problem a failed sync left (not one the subscriptions left).
func (s *Service) finishSource(ctx context.Context, tx store.Tx, sourceID string, asOf, now time.Time) error {
	rs, err := tx.GetReviewSource(ctx, sourceID)
	if err != nil {
		return err
	}
	rs.LastSyncAt, rs.UpdatedAt = asOf, now
	if rs.Status == core.ReviewSourceFailing && strings.HasPrefix(rs.Problem, syncProblem) {
		rs.Status, rs.Problem = core.ReviewSourceActive, ""
	}
	return tx.UpdateReviewSource(ctx, rs)
}

// syncOutcome turns a page's error into River's verdict: a wait for the
// ATS's budget is snoozed; what a person must fix, or a page still failing
// after the last attempt, fails the sync with the reason shown.
func (s *Service) syncOutcome(ctx context.Context, j *river.Job[SyncPageArgs], err error) error {
	if err == nil {
		return nil
	}
	// The usual verdicts on the ATS's answers: a 429's Retry-After is
	// waited out, a 401 or 403 is for a person to fix.
	err = ats.CallRules{}.Classify(err)
	failure, wait := ats.Classify(err)
	if failure == ats.FailRetry && wait > 0 {
		return river.JobSnooze(wait)
	}
	if failure == ats.FailRetry && j.Attempt < j.MaxAttempts {
		s.d.Logger.WarnContext(ctx, "review sync page failed", "sync_id", j.Args.SyncID, "attempt", j.Attempt, "err", err)
		return err
	}
	s.d.Logger.ErrorContext(ctx, "review sync failed", "sync_id", j.Args.SyncID, "err", err)
	if ferr := s.failSync(ctx, j.Args, err.Error()); ferr != nil {
		return errors.Join(err, ferr)
	}
	return river.JobCancel(err)
}

func (s *Service) failSync(ctx context.Context, a SyncPageArgs, why string) error {
	return s.d.Store.InTx(ctx, func(tx store.Tx) error {
		sy, err := tx.GetReviewSync(ctx, a.SyncID)
		if err != nil || sy.Step != a.Step-1 || sy.State != core.ReviewSyncRunning {
			return err
		}
		now := s.now()
		sy.Step, sy.State, sy.Error, sy.FinishedAt, sy.UpdatedAt = a.Step, core.ReviewSyncFailed, why, now, now
		if err := tx.AdvanceReviewSync(ctx, sy); err != nil {
			return err
		}
		rs, err := tx.GetReviewSource(ctx, sy.SourceID)
		if err != nil {
			return err
		}
		rs.Status, rs.Problem, rs.UpdatedAt = core.ReviewSourceFailing, syncProblem+why, now
		return tx.UpdateReviewSource(ctx, rs)
	})
}

// syncProblem begins the problem a failed sync leaves on its source.
const syncProblem = "The last sync failed: "

func reviewJob(sourceID string, j ats.Job, now time.Time) core.ReviewJob {
	return core.ReviewJob{
		SourceID: sourceID, ExternalID: j.ExternalID, Title: j.Title, RefNumber: j.RefNumber, Status: j.Status, Open: j.Open,
		Location: j.Location, Department: j.Department, RecruiterID: j.RecruiterID, RecruiterName: j.RecruiterName, URL: j.URL,
		ATSUpdatedAt: j.UpdatedAt, SyncedAt: now,
	}
}

func reviewApplicant(sourceID, jobID string, a ats.Applicant, now time.Time) (core.ReviewApplicant, error) {
	a.JobID = jobID
	profile, err := json.Marshal(a)
	if err != nil {
		return core.ReviewApplicant{}, fmt.Errorf("applicant %s: %w", a.ExternalID, err)
	}
	return core.ReviewApplicant{
		SourceID: sourceID, JobID: jobID, ExternalID: a.ExternalID, ApplicationID: a.ApplicationID, Name: a.Name, Email: a.Email,
		Status: a.Status, AppliedAt: a.AppliedAt, ATSUpdatedAt: a.UpdatedAt, SyncedAt: now, Profile: profile,
	}, nil
}

// Progress is how a sync is going, for a progress bar: pages a minute so
// far and, once a job's applicants are done, an estimate of what is left.
type Progress struct {
	PagesPerMinute float64
	ETA            time.Duration
}

// ProgressOf estimates from the sync's counts and times: the rest of the
// jobs take as long each as the done ones did.
func ProgressOf(sy core.ReviewSync) Progress {
	var p Progress
	elapsed := sy.UpdatedAt.Sub(sy.StartedAt)
	if elapsed <= 0 || sy.Calls == 0 {
		return p
	}
	p.PagesPerMinute = float64(sy.Calls) / elapsed.Minutes()
	if sy.State == core.ReviewSyncRunning && sy.JobsDone > 0 && sy.JobsTotal > sy.JobsDone {
		p.ETA = time.Duration(float64(elapsed) / float64(sy.JobsDone) * float64(sy.JobsTotal-sy.JobsDone))
	}
	return p
}

// SyncEvery is how often every source is synced incrementally, to keep the
// review fresh between the changes its ATS pushes.
const SyncEvery = 15 * time.Minute

// SyncDueArgs starts an incremental sync of every source.
type SyncDueArgs struct{}

// Kind implements river.JobArgs.
func (SyncDueArgs) Kind() string { return "review_sync_due" }

// PeriodicJobs are review's scheduled jobs; River's leader runs each once
// across replicas.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(SyncEvery),
		func() (river.JobArgs, *river.InsertOpts) { return SyncDueArgs{}, nil }, nil)}
}

// SyncDue starts an incremental sync of every source that has finished a
// sync before and has none running (startSync returns a running one
// instead); it returns how many it started or found running.
func (s *Service) SyncDue(ctx context.Context) (int, error) {
	accs, err := s.d.Store.ListAccounts(ctx)
	if err != nil {
		return 0, fmt.Errorf("review sync due: %w", err)
	}
	n := 0
	var errs []error
	for _, a := range accs {
		rss, err := s.d.Store.ListReviewSources(ctx, a.ID)
		if err != nil {
			return n, fmt.Errorf("review sync due: %w", err)
		}
		for _, rs := range rss {
			if rs.LastSyncAt.IsZero() {
				continue // its first sync is running or failed: a person starts the next
			}
			if _, err := s.startSync(ctx, rs, false); err != nil {
				errs = append(errs, fmt.Errorf("source %s: %w", rs.ID, err))
				continue
			}
			n++
		}
	}
	return n, errors.Join(errs...)
}
