package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// Write-back order. Each state change of an order queues one write_back job
// for that state, and those jobs may run in any order: a retry, a snooze
// for Retry-After, several workers and several processes. Two rules keep
// what the ATS shows from ever going back to an earlier state:
//
//  1. One at a time per order. A job first takes the order's write-back
//     claim, a row in the shared database (so it holds across processes)
//     with a lease of writeBackLease (so a crashed worker's claim runs
//     out). A job that finds the claim taken is snoozed for a moment.
//  2. Only the state the order is in is written. Under the claim, before
//     each step (each ATS call that changes something), the job re-reads the
//     order; once the order has moved on, the job writes nothing more for
//     its state and says so on the timeline. The later state's own job tells
//     the ATS what it must show. Since no other write-back of the order is in
//     flight meanwhile, nothing lands between the check and the write.
const (
	writeBackLease = atsJobTimeout + time.Minute
	claimWait      = 500 * time.Millisecond
)

// supersededError ends a write-back whose order has moved on to a later
// state.
type supersededError struct{ now core.State }

func (e *supersededError) Error() string {
	return fmt.Sprintf("the order is %s now", e.now)
}

func (s *Service) writeBack(ctx context.Context, jobID int64, a WriteBackArgs) error {
	job := strconv.FormatInt(jobID, 10)
	holder := "write_back:" + job
	claimed, err := s.d.Store.ClaimWriteBack(ctx, a.OrderID, holder, s.now(), s.now().Add(writeBackLease))
	if err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	if !claimed {
		return &waitError{after: claimWait, why: "another write-back of order " + a.OrderID + " is running"}
	}
	defer func() {
		// Released even when the job's context ended; a failed release only
		// delays the next write-back until the lease runs out.
		if err := s.d.Store.ReleaseWriteBack(context.WithoutCancel(ctx), a.OrderID, holder); err != nil {
			s.d.Logger.WarnContext(ctx, "write-back claim not released", "order_id", a.OrderID, "job_id", jobID, "err", err)
		}
	}()
	o, err := s.d.Store.GetOrder(ctx, a.OrderID)
	if err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	in, err := s.d.Store.GetIntegration(ctx, o.IntegrationID)
	if err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	if o.State != a.State {
		return s.superseded(ctx, o, in, a, job)
	}
	release, err := s.slots.take(in.ID)
	if err != nil {
		return err
	}
	defer release()
	u, err := s.update(ctx, o, a.State)
	if err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	conn, cfg, err := s.d.Integrations.ConnectorConfig(ctx, s.d.Store, in)
	if err != nil {
		return fmt.Errorf("write back: %w", err)
	}

	var mu sync.Mutex
	var calls []ats.Call
	callCtx := ats.WithCallRecorder(ctx, func(c ats.Call) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, c)
	})
	werr := conn.WriteBack(callCtx, cfg, u, orderSteps{s: s, orderID: o.ID, state: a.State})

	// Each call, retries included, goes on the timeline whatever the outcome.
	var terr error
	for _, c := range calls {
		msg := fmt.Sprintf("%s %s → %d", c.Method, c.Path, c.Status)
		if c.Err != "" {
			msg = fmt.Sprintf("%s %s → %s", c.Method, c.Path, c.Err)
		}
		detail := map[string]string{"status": strconv.Itoa(c.Status), "job_id": job, "provider": in.Provider, "duration_ms": strconv.FormatInt(c.Duration.Milliseconds(), 10)}
		terr = errors.Join(terr, s.timeline(ctx, s.d.Store, o, "ats_call", msg, detail))
	}
	var sup *supersededError
	if errors.As(werr, &sup) {
		o.State = sup.now
		return errors.Join(terr, s.superseded(ctx, o, in, a, job))
	}
	if werr != nil {
		return errors.Join(fmt.Errorf("write back %s to %s: %w", a.State, in.Provider, werr), terr)
	}
	if terr != nil {
		return terr
	}
	msg := fmt.Sprintf("%s told: %s", in.Name, a.State)
	if len(calls) == 0 {
		msg = fmt.Sprintf("%s is not told about %s", in.Name, a.State)
	}
	return s.timeline(ctx, s.d.Store, o, "write_back", msg, map[string]string{"state": string(a.State), "job_id": job})
}

// update is what the ATS is told of order o in state st: by a write-back,
// and by PartnerCore.Status to an ATS that asks. With the result, its linked
// attachments and the reports once completed, and the order's callback
// unsealed (or, for an order stored before callbacks were sealed, its plain
// URL).
func (s *Service) update(ctx context.Context, o core.Order, st core.State) (ats.Update, error) {
	u := ats.Update{Order: o, State: st}
	var err error
	if u.Candidate, err = s.d.Store.GetCandidate(ctx, o.CandidateID); err != nil {
		return ats.Update{}, err
	}
	if u.Vacancy, err = s.d.Store.GetVacancy(ctx, o.VacancyID); err != nil {
		return ats.Update{}, err
	}
	if st == core.StateCompleted {
		r, err := s.d.Store.GetResult(ctx, o.ID)
		if err != nil {
			return ats.Update{}, err
		}
		lr := s.linkedAttachments(r)
		u.Result = &lr
		if u.Reports, err = s.resultReports(ctx, o, u.Candidate, u.Vacancy, r); err != nil {
			return ats.Update{}, err
		}
	}
	if u.Callback, err = s.callback(o); err != nil {
		return ats.Update{}, err
	}
	return u, nil
}

// callback is an order's callback: sealed since migration 0013, a plain URL
// on orders stored before.
func (s *Service) callback(o core.Order) (ats.Callback, error) {
	if len(o.CallbackSealed) == 0 {
		return ats.Callback{URL: o.CallbackURL}, nil
	}
	return s.d.Integrations.OpenCallback(o.IntegrationID, o.CallbackSealed)
}

// queueWriteBack queues telling the ATS that an order is in state st, in
// tx, one job per order and state; unless the integration's ATS takes no
// pushed results (Description.Results pulled: it asks PartnerCore.Status).
func (s *Service) queueWriteBack(ctx context.Context, tx store.Tx, integrationID, orderID string, st core.State) error {
	in, err := tx.GetIntegration(ctx, integrationID)
	if err != nil {
		return err
	}
	if conn, ok := s.d.Connectors.Get(in.Provider); ok && !conn.Describe().Results.Pushed() {
		return nil
	}
	return s.enqueue(ctx, tx, WriteBackArgs{OrderID: orderID, State: st}, uniqueByArgs)
}

// superseded puts on the timeline that a state was not (or not fully)
// written back because the order had moved on.
func (s *Service) superseded(ctx context.Context, o core.Order, in core.Integration, a WriteBackArgs, job string) error {
	msg := fmt.Sprintf("%s is not told %s: the order reached %s first", in.Name, a.State, o.State)
	return s.timeline(ctx, s.d.Store, o, "write_back", msg, map[string]string{"state": string(a.State), "job_id": job, "superseded_by": string(o.State)})
}

// orderSteps records write-back steps per order so retries skip what landed,
// and stops a write-back once its order has moved past its state (see the
// write-back order above).
type orderSteps struct {
	s       *Service
	orderID string
	state   core.State
}

func (st orderSteps) Do(ctx context.Context, key string, fn func(ctx context.Context) error) error {
	done, err := st.s.d.Store.StepDone(ctx, st.orderID, key)
	if err != nil {
		return fmt.Errorf("step %s: %w", key, err)
	}
	if done {
		return nil
	}
	o, err := st.s.d.Store.GetOrder(ctx, st.orderID)
	if err != nil {
		return fmt.Errorf("step %s: %w", key, err)
	}
	if o.State != st.state {
		return &supersededError{now: o.State}
	}
	if err := fn(ctx); err != nil {
		return err
	}
	// A crash between fn and this mark runs fn again on retry: the ATS sees
	// at-least-once. Each step is harmless to repeat where the ATS allows:
	// tags and links are sets, and Lever's notes and files are read back
	// for Switchboard's marker before they are written (README).
	if _, err := st.s.d.Store.MarkStep(ctx, st.orderID, key, st.s.now()); err != nil {
		return fmt.Errorf("step %s: %w", key, err)
	}
	return nil
}
