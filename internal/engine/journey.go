package engine

import (
	"context"
	"errors"
	"fmt"

	"switchboard/internal/assess"
	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// ErrInvitationExpired, ErrInvitationUsed and ErrInvitationClosed tell a
// candidate why their link no longer works.
var (
	ErrInvitationExpired = errors.New("this invitation has expired")
	ErrInvitationUsed    = errors.New("this assessment has already been completed")
	ErrInvitationClosed  = errors.New("this invitation was withdrawn")
)

// Journey is what the candidate pages show for an invitation.
type Journey struct {
	Order     core.Order
	Vacancy   store.EngineVacancy // with the questions the pages show
	Candidate core.Candidate
	Account   core.Account
	Answers   assess.Answers
}

// NextModule returns the index of the first module with an unanswered
// question, or len(modules) when all are answered.
func (j Journey) NextModule() int {
	for i, m := range j.Vacancy.Package.Modules {
		for _, q := range m.Questions {
			if _, ok := j.Answers[q.ID]; !ok {
				return i
			}
		}
	}
	return len(j.Vacancy.Package.Modules)
}

// OpenInvitation loads the journey for a candidate's token. An unknown token
// is ErrNotFound; an expired, completed or withdrawn one says so, with the
// journey still returned for the page to show names.
func (e *Engine) OpenInvitation(ctx context.Context, token string) (Journey, error) {
	o, err := e.openOrder(ctx, token)
	if err != nil {
		return Journey{}, err
	}
	j, err := e.journey(ctx, e.d.Store, o)
	if err != nil {
		return Journey{}, err
	}
	return j, closedErr(o.State)
}

// openOrder finds the order behind a token, expiring it first when its
// invitation ran out, so that every caller sees the state a candidate should.
func (e *Engine) openOrder(ctx context.Context, token string) (core.Order, error) {
	o, err := e.d.Store.GetOrderByInvitationHash(ctx, secret.HashToken(token))
	if err != nil {
		return core.Order{}, fmt.Errorf("open invitation: %w", err)
	}
	if o.State.CanTransition(core.StateExpired) && !e.now().Before(o.InvitationExpiresAt) {
		if err := e.expireOrder(ctx, o.ID); err != nil {
			return core.Order{}, err
		}
		if o, err = e.d.Store.GetOrder(ctx, o.ID); err != nil {
			return core.Order{}, fmt.Errorf("open invitation: %w", err)
		}
	}
	return o, nil
}

// closedErr says why an order's invitation can no longer be worked on, if so.
func closedErr(st core.State) error {
	switch st {
	case core.StateExpired:
		return ErrInvitationExpired
	case core.StateCompleted:
		return ErrInvitationUsed
	case core.StateCancelled, core.StateRejected:
		return ErrInvitationClosed
	}
	return nil
}

func (e *Engine) journey(ctx context.Context, q store.Queries, o core.Order) (Journey, error) {
	j := Journey{Order: o, Answers: assess.Answers{}}
	var err error
	if j.Vacancy, err = q.GetEngineVacancy(ctx, o.VacancyID); err != nil {
		return Journey{}, fmt.Errorf("journey: %w", err)
	}
	if j.Candidate, err = q.GetCandidate(ctx, o.CandidateID); err != nil {
		return Journey{}, fmt.Errorf("journey: %w", err)
	}
	if j.Account, err = q.GetAccount(ctx, o.AccountID); err != nil {
		return Journey{}, fmt.Errorf("journey: %w", err)
	}
	answers, err := q.ListAnswers(ctx, o.ID)
	if err != nil {
		return Journey{}, fmt.Errorf("journey: %w", err)
	}
	for _, a := range answers {
		j.Answers[a.QuestionID] = a.OptionID
	}
	return j, nil
}

// withOpenJourney runs fn on a journey that may still be worked on, in a transaction.
func (e *Engine) withOpenJourney(ctx context.Context, token string, fn func(tx store.Tx, j *Journey) error) error {
	o, err := e.openOrder(ctx, token) // also expires an overdue order first
	if err != nil {
		return err
	}
	if err := closedErr(o.State); err != nil {
		return err
	}
	return e.d.Store.InTx(ctx, func(tx store.Tx) error {
		o, err := tx.GetOrder(ctx, o.ID) // as of this transaction
		if err != nil {
			return err
		}
		if err := closedErr(o.State); err != nil {
			return err
		}
		j, err := e.journey(ctx, tx, o)
		if err != nil {
			return err
		}
		return fn(tx, &j)
	})
}

// StartAssessment moves an invited order to in progress; starting again is a no-op.
func (e *Engine) StartAssessment(ctx context.Context, token string) error {
	return e.withOpenJourney(ctx, token, func(tx store.Tx, j *Journey) error {
		if j.Order.State != core.StateInvited {
			return nil
		}
		return e.orders.Transition(ctx, tx, &j.Order, core.StateInProgress, "The candidate started the assessment")
	})
}

// SaveAnswers records answers of a started assessment. Every answer is checked
// against the package; one bad answer stores none.
func (e *Engine) SaveAnswers(ctx context.Context, token string, answers assess.Answers) error {
	return e.withOpenJourney(ctx, token, func(tx store.Tx, j *Journey) error {
		if j.Order.State != core.StateInProgress {
			return fmt.Errorf("save answers: the assessment has not been started: %w", core.ErrConflict)
		}
		bad := core.Invalid()
		for qid, oid := range answers {
			q, _, ok := j.Vacancy.Package.Question(qid)
			if !ok {
				bad.Add(qid, "is not a question of this assessment")
				continue
			}
			found := false
			for _, opt := range q.Options {
				found = found || opt.ID == oid
			}
			if !found {
				bad.Add(qid, "choose one of the options")
			}
		}
		if err := bad.OrNil(); err != nil {
			return err
		}
		now := e.now()
		for qid, oid := range answers {
			if err := tx.SaveAnswer(ctx, core.Answer{OrderID: j.Order.ID, QuestionID: qid, OptionID: oid, AnsweredAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
}

// FinishAssessment scores a fully answered assessment and records its result.
// It returns where to send the candidate: the return URL, if any.
func (e *Engine) FinishAssessment(ctx context.Context, token string) (string, error) {
	var returnURL string
	err := e.withOpenJourney(ctx, token, func(tx store.Tx, j *Journey) error {
		if j.Order.State != core.StateInProgress {
			return fmt.Errorf("finish: the assessment has not been started: %w", core.ErrConflict)
		}
		outcome, err := assess.Score(j.Vacancy.Package, j.Vacancy.Thresholds, j.Answers)
		if err != nil {
			return core.Invalid("answers", err.Error())
		}
		returnURL = j.Order.ReturnURL
		r := Result(outcome)
		r.OrderID, r.StartedAt, r.SubmittedAt = j.Order.ID, j.Order.StartedAt, e.now()
		return e.complete(ctx, tx, &j.Order, r, outcome, j.Answers, "The candidate completed the assessment")
	})
	return returnURL, err
}

// complete records the engine's outcome and answers beside the neutral
// result r and completes the order, in tx. The engine's record goes first:
// should the result be refused, the transaction takes both back.
func (e *Engine) complete(ctx context.Context, tx store.Tx, o *core.Order, r core.Result, outcome assess.Outcome, answers assess.Answers, msg string) error {
	if err := tx.SaveEngineResult(ctx, store.EngineResult{OrderID: o.ID, Outcome: outcome, Answers: answers}); err != nil {
		return fmt.Errorf("record result: %w", err)
	}
	return e.orders.CompleteOrder(ctx, tx, o, r, msg)
}
