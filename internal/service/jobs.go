package service

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/metrics"
	"switchboard/internal/queue"
)

// ProcessInboundArgs resolves one stored inbound event into orders.
type ProcessInboundArgs struct {
	EventID string `json:"event_id"`
}

func (ProcessInboundArgs) Kind() string { return "process_inbound" }

// WriteBackArgs tells the ATS about one state of one order.
type WriteBackArgs struct {
	OrderID string     `json:"order_id"`
	State   core.State `json:"state"`
}

func (WriteBackArgs) Kind() string { return "write_back" }

// uniqueByArgs keeps one live job per arguments, so that a state written back
// twice does not queue two jobs.
var uniqueByArgs = &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}

// IntegrationJobs is how many jobs of one integration run at once in one
// process: an integration whose ATS hangs holds at most these of the
// default queue's queue.DefaultWorkers.
const IntegrationJobs = 4

// atsJobTimeout: River cancels an ATS job's context after this long. An ATS
// job makes a handful of calls of at most atshttp.RequestTimeout each (an
// upload atshttp.UploadTimeout) and waits no more than a moment between
// them, so three minutes end only a job that is stuck; what landed before is
// recorded, and the retry goes on from there.
const atsJobTimeout = 3 * time.Minute

// RegisterWorkers adds the service's job workers to w.
func RegisterWorkers(w *river.Workers, s *Service) {
	queue.AddWorker(w, atsJobTimeout, func(ctx context.Context, j *river.Job[ProcessInboundArgs]) error {
		return s.jobOutcome(ctx, j.JobRow, "", s.processInbound(ctx, j.Args.EventID, j.Attempt >= j.MaxAttempts))
	})
	queue.AddWorker(w, atsJobTimeout, func(ctx context.Context, j *river.Job[WriteBackArgs]) error {
		return s.jobOutcome(ctx, j.JobRow, j.Args.OrderID, s.writeBack(ctx, j.JobRow.ID, j.Args))
	})
	queue.AddWorker(w, deliveryJobTimeout, func(ctx context.Context, j *river.Job[DeliverArgs]) error {
		return s.jobOutcome(ctx, j.JobRow, j.Args.OrderID, s.deliver(ctx, j.Args))
	})
	registerRetention(w, s)
}

// waitError asks the queue to run a job again shortly, without counting an
// attempt or putting a line on the timeline: nothing failed, the job only
// found another holding what it needs (its order's write-back, its
// integration's share of the workers).
type waitError struct {
	after time.Duration
	why   string
}

func (e *waitError) Error() string { return "waiting: " + e.why }

// integrationSlots cap how many jobs of one integration run at once in this
// process, so that an integration whose ATS hangs holds at most that many
// workers and every other integration keeps the rest. A job that finds no
// slot is snoozed, not blocked. The cap is per process (N replicas allow N
// times as many), which is what bounds each process's workers.
type integrationSlots struct {
	mu   sync.Mutex
	cap  int
	busy map[string]int
}

func newIntegrationSlots(n int) *integrationSlots {
	return &integrationSlots{cap: n, busy: map[string]int{}}
}

// take holds one slot of integration id until release is called, or returns
// a *waitError when all are held.
func (p *integrationSlots) take(id string) (release func(), err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.busy[id] >= p.cap {
		// Jittered, so that waiting jobs do not all come back at once.
		return nil, &waitError{after: time.Second + rand.N(time.Second), why: "integration " + id + " is at its share of the workers"}
	}
	p.busy[id]++
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.busy[id]--; p.busy[id] == 0 {
				delete(p.busy, id)
			}
		})
	}, nil
}

// PeriodicJobs are the service's scheduled sweeps.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{retentionJob()}
}

// jobOutcome turns a worker's error into River's verdict and puts failures on
// the order's timeline, so a person sees what went wrong and can retry it.
func (s *Service) jobOutcome(ctx context.Context, job *rivertype.JobRow, orderID string, err error) error {
	jobID, attempt, maxAttempts := job.ID, job.Attempt, job.MaxAttempts
	if err == nil {
		s.d.Observer.Job(job.Kind, metrics.JobDone)
		return nil
	}
	var we *waitError
	if errors.As(err, &we) {
		s.d.Observer.Job(job.Kind, metrics.JobWaiting)
		return river.JobSnooze(we.after)
	}
	failure, retryAfter := ats.Classify(err)
	var snooze time.Duration
	msg := err.Error()
	switch {
	case failure != ats.FailRetry:
		msg = "gave up: " + msg
	case attempt >= maxAttempts:
		failure = ats.FailGiveUp
		msg = fmt.Sprintf("gave up after %d attempts: %s", attempt, msg)
	case retryAfter > 0:
		snooze = retryAfter
		msg = fmt.Sprintf("will retry in %s: %s", retryAfter, msg)
	default:
		msg = "will retry: " + msg
	}
	detail := map[string]string{
		"job_id": strconv.FormatInt(jobID, 10), "attempt": strconv.Itoa(attempt),
		"max_attempts": strconv.Itoa(maxAttempts), "verdict": failure.String(),
	}
	if orderID != "" {
		if o, gerr := s.d.Store.GetOrder(ctx, orderID); gerr == nil {
			if terr := s.timeline(ctx, s.d.Store, o, "job_failed", msg, detail); terr != nil {
				err = errors.Join(err, terr)
			}
		}
	}
	s.d.Logger.WarnContext(ctx, "job failed", "job_id", jobID, "order_id", orderID, "attempt", attempt, "verdict", failure.String(), "err", err)
	if failure != ats.FailRetry {
		s.d.Observer.Job(job.Kind, metrics.JobGaveUp)
		return river.JobCancel(err)
	}
	s.d.Observer.Job(job.Kind, metrics.JobRetry)
	if snooze > 0 {
		return river.JobSnooze(snooze)
	}
	return err
}

// RetryJob makes a failed job run again (the timeline's "retry" button and
// `switchboard jobs retry`). Jobs about another account's orders are not found.
func (s *Service) RetryJob(ctx context.Context, actor core.User, jobID int64) error {
	if !actor.Role.CanActOnOrders() {
		return fmt.Errorf("retry job: %w", core.ErrForbidden)
	}
	row, err := s.job(ctx, jobID)
	if err != nil {
		return err
	}
	orderID := orderIDOfJob(row.EncodedArgs)
	if orderID == "" {
		return fmt.Errorf("retry job %d: %w", jobID, core.ErrNotFound)
	}
	if _, err := s.orderFor(ctx, actor, orderID); err != nil {
		return fmt.Errorf("retry job %d: %w", jobID, err)
	}
	return s.retry(ctx, row)
}

// RetryJobAsOperator retries any failed job (CLI).
func (s *Service) RetryJobAsOperator(ctx context.Context, jobID int64) error {
	row, err := s.job(ctx, jobID)
	if err != nil {
		return err
	}
	return s.retry(ctx, row)
}

// retry runs a job again, but only one that failed: a job that completed
// did its work, and running it again is not a retry.
func (s *Service) retry(ctx context.Context, row *rivertype.JobRow) error {
	switch row.State {
	case rivertype.JobStateRetryable, rivertype.JobStateDiscarded, rivertype.JobStateCancelled:
	default:
		return core.Explain(fmt.Errorf("retry job %d: it is %s: %w", row.ID, row.State, core.ErrConflict),
			"step %d cannot be retried: it is %s, not failed", row.ID, row.State)
	}
	if _, err := s.queue.Retry(ctx, row.ID); err != nil {
		return fmt.Errorf("retry job %d: %w", row.ID, err)
	}
	return nil
}

// job loads a job; a missing one is core.ErrNotFound, any other failure is
// returned as it is, not passed off as "not found".
func (s *Service) job(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	row, err := s.queue.Get(ctx, id)
	switch {
	case errors.Is(err, rivertype.ErrNotFound):
		return nil, fmt.Errorf("retry job %d: %w", id, core.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("retry job %d: %w", id, err)
	}
	return row, nil
}
