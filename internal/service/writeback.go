package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"switchboard/internal/ats"
	"switchboard/internal/core"
)

func (s *Service) writeBack(ctx context.Context, jobID int64, a WriteBackArgs) error {
	o, err := s.d.Store.GetOrder(ctx, a.OrderID)
	if err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	in, err := s.d.Store.GetIntegration(ctx, o.IntegrationID)
	if err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	u := ats.Update{Order: o, State: a.State}
	if u.Candidate, err = s.d.Store.GetCandidate(ctx, o.CandidateID); err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	if u.Vacancy, err = s.d.Store.GetVacancy(ctx, o.VacancyID); err != nil {
		return fmt.Errorf("write back: %w", err)
	}
	if a.State == core.StateCompleted {
		r, err := s.d.Store.GetResult(ctx, o.ID)
		if err != nil {
			return fmt.Errorf("write back: %w", err)
		}
		u.Result = &r
		u.Reports = s.reports(o, u.Candidate, u.Vacancy, r)
	}
	conn, cfg, err := s.connectorConfig(ctx, s.d.Store, in)
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
	werr := conn.WriteBack(callCtx, cfg, u, orderSteps{s: s, orderID: o.ID})

	// Each call, retries included, goes on the timeline whatever the outcome.
	job := strconv.FormatInt(jobID, 10)
	for _, c := range calls {
		msg := fmt.Sprintf("%s %s → %d", c.Method, c.Path, c.Status)
		if c.Err != "" {
			msg = fmt.Sprintf("%s %s → %s", c.Method, c.Path, c.Err)
		}
		detail := map[string]string{"status": strconv.Itoa(c.Status), "job_id": job, "provider": in.Provider, "duration_ms": strconv.FormatInt(c.Duration.Milliseconds(), 10)}
		if err := s.timeline(ctx, s.d.Store, o, "ats_call", msg, detail); err != nil {
			werr = errors.Join(werr, err)
		}
	}
	if werr != nil {
		return fmt.Errorf("write back %s to %s: %w", a.State, in.Provider, werr)
	}
	msg := fmt.Sprintf("%s told: %s", in.Name, a.State)
	if len(calls) == 0 {
		msg = fmt.Sprintf("%s is not told about %s", in.Name, a.State)
	}
	return s.timeline(ctx, s.d.Store, o, "write_back", msg, map[string]string{"state": string(a.State), "job_id": job})
}

// orderSteps records write-back steps per order so retries skip what landed.
type orderSteps struct {
	s       *Service
	orderID string
}

func (st orderSteps) Do(ctx context.Context, key string, fn func(ctx context.Context) error) error {
	done, err := st.s.d.Store.StepDone(ctx, st.orderID, key)
	if err != nil {
		return fmt.Errorf("step %s: %w", key, err)
	}
	if done {
		return nil
	}
	if err := fn(ctx); err != nil {
		return err
	}
	// A crash between fn and this mark repeats fn once on retry: the ATS sees
	// at-least-once, and each step is chosen to be harmless to repeat where the
	// ATS allows (tags and links are sets).
	if _, err := st.s.d.Store.MarkStep(ctx, st.orderID, key, st.s.now()); err != nil {
		return fmt.Errorf("step %s: %w", key, err)
	}
	return nil
}
