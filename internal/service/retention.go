package service

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// DefaultInboundRetention is how long stored webhooks are kept when the
// operator does not say.
const DefaultInboundRetention = 30 * 24 * time.Hour

// MinInboundRetention is the shortest retention allowed. A stored delivery
// is also the record of its signed key, which turns a replay away; it must
// outlive the window in which a replay is fresh enough to be verified (one
// hour for Lever) by a wide margin.
const MinInboundRetention = 24 * time.Hour

// DeleteOldInboundArgs is the periodic sweep that deletes inbound events
// older than the retention. Orders and their timelines stay.
type DeleteOldInboundArgs struct{}

func (DeleteOldInboundArgs) Kind() string { return "delete_old_inbound" }

func registerRetention(w *river.Workers, s *Service) {
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, j *river.Job[DeleteOldInboundArgs]) error {
		_, err := s.DeleteOldInbound(ctx)
		return s.jobOutcome(ctx, j.JobRow, "", err)
	}))
}

func retentionJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return DeleteOldInboundArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// DeleteOldInbound deletes the inbound events received longer ago than the
// retention and reports how many. A process job whose event is gone ends
// without doing anything (processInbound).
func (s *Service) DeleteOldInbound(ctx context.Context) (int, error) {
	n, err := s.d.Store.DeleteInboundBefore(ctx, s.now().Add(-s.d.InboundRetention))
	if err != nil {
		return 0, fmt.Errorf("delete old inbound events: %w", err)
	}
	if n > 0 {
		s.d.Logger.InfoContext(ctx, "deleted old inbound events", "count", n, "retention", s.d.InboundRetention.String())
	}
	return n, nil
}
