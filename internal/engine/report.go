package engine

import (
	"context"
	"errors"
	"fmt"

	"switchboard/internal/core"
	"switchboard/internal/report"
)

// HasPDF reports whether the engine has a PDF report of an order: it has
// one for the orders it scored, whose answers it keeps.
func (e *Engine) HasPDF(ctx context.Context, orderID string) (bool, error) {
	_, err := e.d.Store.GetEngineResult(ctx, orderID)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, core.ErrNotFound):
		return false, nil
	}
	return false, err
}

// PDF renders the PDF report of an order the engine scored.
func (e *Engine) PDF(ctx context.Context, o core.Order, c core.Candidate, v core.Vacancy, r core.Result) ([]byte, error) {
	acc, err := e.d.Store.GetAccount(ctx, o.AccountID)
	if err != nil {
		return nil, fmt.Errorf("report pdf: %w", err)
	}
	// The report shows the engine's own record: the answers beside the
	// questions, which are the engine's configuration of the vacancy.
	er, err := e.d.Store.GetEngineResult(ctx, o.ID)
	if err != nil {
		return nil, fmt.Errorf("report pdf: %w", err)
	}
	ev, err := e.d.Store.GetEngineVacancy(ctx, v.ID)
	if err != nil {
		return nil, fmt.Errorf("report pdf: %w", err)
	}
	return report.PDF(report.Data{
		OrderID: o.ID, CandidateName: c.Name, CandidateEmail: c.Email, VacancyName: v.Name, AccountName: acc.Name,
		Package: ev.Package, Answers: er.Answers, Outcome: er.Outcome, StartedAt: r.StartedAt, SubmittedAt: r.SubmittedAt,
	})
}
