package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
	Vacancy   core.Vacancy
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
func (s *Service) OpenInvitation(ctx context.Context, token string) (Journey, error) {
	o, err := s.openOrder(ctx, token)
	if err != nil {
		return Journey{}, err
	}
	j, err := s.journey(ctx, s.d.Store, o)
	if err != nil {
		return Journey{}, err
	}
	return j, closedErr(o.State)
}

// openOrder finds the order behind a token, expiring it first when its
// invitation ran out, so that every caller sees the state a candidate should.
func (s *Service) openOrder(ctx context.Context, token string) (core.Order, error) {
	o, err := s.d.Store.GetOrderByInvitationHash(ctx, secret.HashToken(token))
	if err != nil {
		return core.Order{}, fmt.Errorf("open invitation: %w", err)
	}
	if o.State.CanTransition(core.StateExpired) && !s.now().Before(o.InvitationExpiresAt) {
		if err := s.expireOrder(ctx, o.ID); err != nil {
			return core.Order{}, err
		}
		if o, err = s.d.Store.GetOrder(ctx, o.ID); err != nil {
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

func (s *Service) journey(ctx context.Context, q store.Queries, o core.Order) (Journey, error) {
	j := Journey{Order: o, Answers: assess.Answers{}}
	var err error
	if j.Vacancy, err = q.GetVacancy(ctx, o.VacancyID); err != nil {
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
func (s *Service) withOpenJourney(ctx context.Context, token string, fn func(tx store.Tx, j *Journey) error) error {
	o, err := s.openOrder(ctx, token) // also expires an overdue order first
	if err != nil {
		return err
	}
	if err := closedErr(o.State); err != nil {
		return err
	}
	return s.d.Store.InTx(ctx, func(tx store.Tx) error {
		o, err := tx.GetOrder(ctx, o.ID) // as of this transaction
		if err != nil {
			return err
		}
		if err := closedErr(o.State); err != nil {
			return err
		}
		j, err := s.journey(ctx, tx, o)
		if err != nil {
			return err
		}
		return fn(tx, &j)
	})
}

// StartAssessment moves an invited order to in progress; starting again is a no-op.
func (s *Service) StartAssessment(ctx context.Context, token string) error {
	return s.withOpenJourney(ctx, token, func(tx store.Tx, j *Journey) error {
		if j.Order.State != core.StateInvited {
			return nil
		}
		return s.transition(ctx, tx, &j.Order, core.StateInProgress, "The candidate started the assessment")
	})
}

// SaveAnswers records answers of a started assessment. Every answer is checked
// against the package; one bad answer stores none.
func (s *Service) SaveAnswers(ctx context.Context, token string, answers assess.Answers) error {
	return s.withOpenJourney(ctx, token, func(tx store.Tx, j *Journey) error {
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
		now := s.now()
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
func (s *Service) FinishAssessment(ctx context.Context, token string) (string, error) {
	var returnURL string
	err := s.withOpenJourney(ctx, token, func(tx store.Tx, j *Journey) error {
		if j.Order.State != core.StateInProgress {
			return fmt.Errorf("finish: the assessment has not been started: %w", core.ErrConflict)
		}
		outcome, err := assess.Score(j.Vacancy.Package, j.Vacancy.Thresholds, j.Answers)
		if err != nil {
			return core.Invalid("answers", err.Error())
		}
		returnURL = j.Order.ReturnURL
		r := engineResult(outcome)
		r.OrderID, r.StartedAt, r.SubmittedAt = j.Order.ID, j.Order.StartedAt, s.now()
		return s.recordResult(ctx, tx, &j.Order, r, &store.EngineResult{Outcome: outcome, Answers: j.Answers},
			"The candidate completed the assessment")
	})
	return returnURL, err
}

// recordResult stores a result and completes the order. It is the one path
// by which any assessment engine, built in or a vendor's, reports results;
// the built-in engine also passes its own record (e), kept beside the result.
func (s *Service) recordResult(ctx context.Context, tx store.Tx, o *core.Order, r core.Result, e *store.EngineResult, msg string) error {
	if r.SubmittedAt.IsZero() {
		r.SubmittedAt = s.now()
	}
	if err := r.Validate(); err != nil {
		return fmt.Errorf("record result: %w", err)
	}
	if err := tx.SaveResult(ctx, r); err != nil {
		return fmt.Errorf("record result: %w", err)
	}
	if e != nil {
		e.OrderID = r.OrderID
		if err := tx.SaveEngineResult(ctx, *e); err != nil {
			return fmt.Errorf("record result: %w", err)
		}
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

// RecordResult is the results entry point for engines outside the candidate
// pages (and, later, the vendor API): it completes an in-progress order.
func (s *Service) RecordResult(ctx context.Context, orderID string, r core.Result) error {
	return s.recordResultFor(ctx, orderID, r, nil)
}

// recordEngineResult records the built-in engine's outcome for answers given
// outside the candidate pages (a test order).
func (s *Service) recordEngineResult(ctx context.Context, orderID string, o assess.Outcome, a assess.Answers) error {
	return s.recordResultFor(ctx, orderID, engineResult(o), &store.EngineResult{Outcome: o, Answers: a})
}

func (s *Service) recordResultFor(ctx context.Context, orderID string, r core.Result, e *store.EngineResult) error {
	return s.d.Store.InTx(ctx, func(tx store.Tx) error {
		o, err := tx.GetOrder(ctx, orderID)
		if err != nil {
			return fmt.Errorf("record result: %w", err)
		}
		if o.State == core.StateInvited {
			if err := s.transition(ctx, tx, &o, core.StateInProgress, "The assessment started"); err != nil {
				return err
			}
		}
		r.OrderID = o.ID
		if r.StartedAt.IsZero() {
			r.StartedAt = o.StartedAt
		}
		return s.recordResult(ctx, tx, &o, r, e, "Result received")
	})
}
