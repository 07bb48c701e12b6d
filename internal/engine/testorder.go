package engine

import (
	"context"
	"fmt"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// CompleteTestOrder completes a test order as the engine would for a
// candidate who picked the first option of every question, and returns the
// result it recorded.
func (e *Engine) CompleteTestOrder(ctx context.Context, o core.Order) (core.Result, error) {
	vac, err := e.d.Store.GetEngineVacancy(ctx, o.VacancyID)
	if err != nil {
		return core.Result{}, fmt.Errorf("could not load the vacancy: %w", err)
	}
	answers := assess.Answers{}
	for _, q := range vac.Package.Questions() {
		if len(q.Options) > 0 {
			answers[q.ID] = q.Options[0].ID
		}
	}
	outcome, err := assess.Score(vac.Package, vac.Thresholds, answers)
	if err != nil {
		return core.Result{}, fmt.Errorf("could not score the vacancy %q: %w", vac.Name, err)
	}
	err = e.d.Store.InTx(ctx, func(tx store.Tx) error {
		o, err := tx.GetOrder(ctx, o.ID)
		if err != nil {
			return fmt.Errorf("record result: %w", err)
		}
		return e.complete(ctx, tx, &o, Result(outcome), outcome, answers, "Result received")
	})
	if err != nil {
		return core.Result{}, fmt.Errorf("could not record the result: %w", err)
	}
	return Result(outcome), nil
}
