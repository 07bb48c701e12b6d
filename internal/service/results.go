package service

import (
	"context"
	"fmt"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// recordResult stores a result and completes the order. It is the one path
// by which any vendor, the built-in engine (CompleteOrder) or an outside
// one, reports results.
func (s *Service) recordResult(ctx context.Context, tx store.Tx, o *core.Order, r core.Result, msg string) error {
	if r.SubmittedAt.IsZero() {
		r.SubmittedAt = s.now()
	}
	if err := r.Validate(); err != nil {
		return fmt.Errorf("record result: %w", err)
	}
	if err := tx.SaveResult(ctx, r); err != nil {
		return fmt.Errorf("record result: %w", err)
	}
	return s.transition(ctx, tx, o, core.StateCompleted, msg+resultLine(r))
}

// resultLine is the timeline's summary of a result: ": 82/100, Great fit".
func resultLine(r core.Result) string {
	var parts []string
	if sc := r.Score; sc != nil {
		parts = append(parts, core.FormatNumber(sc.Value)+"/"+core.FormatNumber(sc.Max))
	}
	if r.Label != "" {
		parts = append(parts, r.Label)
	} else if r.Value != "" {
		parts = append(parts, string(r.Value))
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

// RecordResult completes an invited or in-progress order with a result
// (tests and tools; the vendor API has its own path, vendor_results.go).
func (s *Service) RecordResult(ctx context.Context, orderID string, r core.Result) error {
	return s.recordResultFor(ctx, orderID, r)
}

func (s *Service) recordResultFor(ctx context.Context, orderID string, r core.Result) error {
	return s.d.Store.InTx(ctx, func(tx store.Tx) error {
		o, err := tx.GetOrder(ctx, orderID)
		if err != nil {
			return fmt.Errorf("record result: %w", err)
		}
		return s.complete(ctx, tx, &o, r, "Result received")
	})
}

// complete completes an invited or in-progress order with r, in tx; a
// result that comes before any start starts the order first.
func (s *Service) complete(ctx context.Context, tx store.Tx, o *core.Order, r core.Result, msg string) error {
	if o.State == core.StateInvited {
		if err := s.transition(ctx, tx, o, core.StateInProgress, "The assessment started"); err != nil {
			return err
		}
	}
	r.OrderID = o.ID
	if r.StartedAt.IsZero() {
		r.StartedAt = o.StartedAt
	}
	return s.recordResult(ctx, tx, o, r, msg)
}
