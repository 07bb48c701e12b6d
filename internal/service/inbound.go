package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// ReceiveWebhook authenticates one webhook delivery for an integration and
// stores it with a job to process it, in one transaction, before the caller
// answers 2xx. A redelivery is recognised and stored once. Refusals are
// *ats.InboundError carrying the status to answer; nothing is stored for them.
func (s *Service) ReceiveWebhook(ctx context.Context, provider, integrationID string, header http.Header, body []byte) (stored bool, err error) {
	outcome := "duplicate" // a verified delivery that stores nothing new
	defer func() {
		var refused *ats.InboundError
		switch {
		case errors.As(err, &refused):
			outcome = "refused"
		case err != nil:
			outcome = "error"
		case stored:
			outcome = "accepted"
		}
		label := provider
		if _, ok := s.d.Connectors.Get(provider); !ok {
			label = "unknown" // the path is the sender's: keep label values bounded
		}
		s.d.Observer.Webhook(label, outcome)
	}()
	in, err := s.d.Store.GetIntegration(ctx, integrationID)
	if errors.Is(err, core.ErrNotFound) || (err == nil && in.Provider != provider) {
		return false, ats.Refuse(http.StatusNotFound, "no such integration")
	}
	if err != nil {
		return false, fmt.Errorf("receive webhook: %w", err)
	}
	conn, cfg, err := s.connectorConfig(ctx, s.d.Store, in)
	if err != nil {
		return false, fmt.Errorf("receive webhook: %w", err)
	}
	recv, ok := conn.(ats.WebhookReceiver)
	if !ok {
		return false, ats.Refuse(http.StatusNotFound, "this integration takes no webhooks")
	}
	d, err := recv.VerifyWebhook(cfg, header, body, s.d.Now())
	if err != nil {
		return false, err
	}
	if d.Ignore {
		outcome = "ignored"
		s.d.Logger.InfoContext(ctx, "webhook ignored", "integration_id", in.ID, "kind", d.Kind, "reason", d.Reason)
		return false, nil
	}
	if in.Status != core.IntegrationEnabled {
		return false, ats.Refuse(http.StatusConflict, "integration is %s; enable it in Switchboard first", in.Status)
	}
	ev := core.InboundEvent{
		ID: core.NewID("evt"), AccountID: in.AccountID, IntegrationID: in.ID, Kind: d.Kind,
		DedupeKey: d.DedupeKey, Payload: body, ReceivedAt: s.now(),
	}
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		_, inserted, err := tx.RecordInbound(ctx, ev)
		if err != nil || !inserted {
			stored = false
			return err
		}
		stored = true
		return s.enqueue(ctx, tx, ProcessInboundArgs{EventID: ev.ID}, nil)
	})
	if err != nil {
		return false, fmt.Errorf("receive webhook: %w", err)
	}
	return stored, nil
}

func (s *Service) processInbound(ctx context.Context, eventID string) error {
	ev, err := s.d.Store.GetInbound(ctx, eventID)
	if err != nil {
		return fmt.Errorf("process inbound %s: %w", eventID, err)
	}
	in, err := s.d.Store.GetIntegration(ctx, ev.IntegrationID)
	if err != nil {
		return fmt.Errorf("process inbound %s: %w", eventID, err)
	}
	if in.Status != core.IntegrationEnabled {
		s.d.Logger.InfoContext(ctx, "inbound event dropped: integration not enabled", "event_id", eventID, "integration_id", in.ID)
		return nil
	}
	conn, cfg, err := s.connectorConfig(ctx, s.d.Store, in)
	if err != nil {
		return fmt.Errorf("process inbound %s: %w", eventID, err)
	}
	recv, ok := conn.(ats.WebhookReceiver)
	if !ok {
		return fmt.Errorf("process inbound %s: %s takes no webhooks", eventID, in.Provider)
	}
	events, err := recv.Resolve(ctx, cfg, ev.Payload)
	if err != nil {
		return fmt.Errorf("process inbound %s: %w", eventID, err)
	}
	for _, e := range events {
		switch e.Kind {
		case ats.EventOrderRequested:
			_, err := s.RequestOrder(ctx, in, e)
			var inv *core.ValidationError
			switch {
			case err == nil, errors.Is(err, ErrNoVacancy):
			case errors.As(err, &inv), errors.Is(err, ErrNotEnabled):
				// Asking again will be refused again: stop, with the reason on record.
				return &ats.CallError{Failure: ats.FailGiveUp, Err: fmt.Errorf("process inbound %s: order refused: %w", eventID, err)}
			default:
				return fmt.Errorf("process inbound %s: %w", eventID, err)
			}
		case ats.EventOrderCancelled:
			if err := s.cancelOrder(ctx, in, e); err != nil {
				return fmt.Errorf("process inbound %s: %w", eventID, err)
			}
		}
	}
	return nil
}

// ErrNotEnabled refuses orders for an integration that is draft or disabled.
var ErrNotEnabled = fmt.Errorf("integration is not enabled: %w", core.ErrConflict)

// ErrNoVacancy means an event names no vacancy of the account: for tag-routed
// ATSs that is a job Switchboard is not used for.
var ErrNoVacancy = errors.New("no vacancy matches")

// OrderOutcome is what RequestOrder did.
type OrderOutcome struct {
	Order   core.Order
	Created bool   // false when the idempotency key matched an existing order
	Token   string // the invitation token, only when Created (for inline redirects)
}

// RequestOrder turns a normalised order request into an order and, unless it
// is inline, an invitation email, its write-back and its expiry, all in one
// transaction. Asking again with the same idempotency key returns the
// existing order and does nothing else.
func (s *Service) RequestOrder(ctx context.Context, in core.Integration, e ats.Event) (OrderOutcome, error) {
	if e.IdempotencyKey == "" {
		return OrderOutcome{}, errors.New("request order: event has no idempotency key")
	}
	if e.Candidate.ExternalID == "" {
		// Candidates are keyed by it: without one, different people would
		// share a row and each other's invitations.
		return OrderOutcome{}, core.Invalid("candidate", "the ATS gave no candidate id or email")
	}
	vac, err := s.resolveVacancy(ctx, in.AccountID, e)
	if err != nil {
		return OrderOutcome{}, err
	}
	mode := e.Mode
	if vac.IsInline() && mode != core.ModeInline {
		return OrderOutcome{}, core.Invalid("package", fmt.Sprintf("vacancy %q is inline and can only be taken during the application", vac.Name))
	}
	need := core.PatternAdHoc
	if mode == core.ModeInline {
		need = core.PatternInline
	}
	if !in.HasPattern(need) {
		return OrderOutcome{}, core.Invalid("mode", fmt.Sprintf("integration %q does not have the %s pattern switched on", in.Name, need))
	}
	var out OrderOutcome
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		existing, err := tx.GetOrderByIdempotencyKey(ctx, in.ID, e.IdempotencyKey)
		if err == nil {
			out = OrderOutcome{Order: existing}
			return nil
		}
		if !errors.Is(err, core.ErrNotFound) {
			return err
		}
		// Read the status in the transaction: the caller's copy may be stale.
		cur, err := tx.GetIntegration(ctx, in.ID)
		if err != nil {
			return err
		}
		if cur.Status != core.IntegrationEnabled {
			return fmt.Errorf("integration %q is %s: %w", cur.Name, cur.Status, ErrNotEnabled)
		}
		now := s.now()
		cand, err := tx.UpsertCandidate(ctx, core.Candidate{
			ID: core.NewID("cnd"), AccountID: in.AccountID, IntegrationID: in.ID,
			ExternalID: e.Candidate.ExternalID, Name: e.Candidate.Name, Email: e.Candidate.Email,
			ProfileURL: e.Candidate.ProfileURL, CreatedAt: now, UpdatedAt: now,
		})
		if err != nil {
			return err
		}
		token, err := secret.NewToken("")
		if err != nil {
			return err
		}
		o := core.Order{
			ID: core.NewID("ord"), AccountID: in.AccountID, IntegrationID: in.ID, VacancyID: vac.ID,
			CandidateID: cand.ID, State: core.StateReceived, Mode: mode, ExternalID: e.ExternalID,
			ExternalJobID: e.ExternalJobID, IdempotencyKey: e.IdempotencyKey,
			InvitationHash: secret.HashToken(token), InvitationExpiresAt: now.Add(vac.Expiry()),
			ReturnURL: cmp.Or(e.ReturnURL, vac.ReturnURL), CallbackURL: e.CallbackURL,
			CreatedAt: now, UpdatedAt: now,
		}
		if o.InvitationSealed, err = s.d.Keyring.Encrypt([]byte(token), invitationAAD(o.ID)); err != nil {
			return err
		}
		if err := o.Transition(core.StateInvited, now); err != nil {
			return err
		}
		if err := tx.CreateOrder(ctx, o); err != nil {
			return err
		}
		if err := s.timeline(ctx, tx, o, "state", fmt.Sprintf("Order received from %s (%s) for %s", in.Provider, mode, vac.Name),
			map[string]string{"state": string(core.StateReceived), "external_id": e.ExternalID}); err != nil {
			return err
		}
		msg := "Invitation issued; the candidate is emailed"
		if mode == core.ModeInline {
			msg = "Invitation issued; the ATS redirects the candidate"
		}
		if err := s.timeline(ctx, tx, o, "state", msg, map[string]string{"state": string(core.StateInvited), "expires_at": o.InvitationExpiresAt.Format(time.RFC3339)}); err != nil {
			return err
		}
		// The ATS is told "invited" once the candidate really is: for emailed
		// orders, when the email has gone (sendInvitation); inline, now.
		if mode != core.ModeInline {
			if err := s.enqueue(ctx, tx, SendInvitationArgs{OrderID: o.ID}, nil); err != nil {
				return err
			}
		} else if err := s.enqueue(ctx, tx, WriteBackArgs{OrderID: o.ID, State: core.StateInvited}, uniqueByArgs); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, ExpireOrderArgs{OrderID: o.ID}, &river.InsertOpts{ScheduledAt: o.InvitationExpiresAt}); err != nil {
			return err
		}
		out = OrderOutcome{Order: o, Created: true, Token: token}
		return nil
	})
	if errors.Is(err, core.ErrConflict) {
		// Lost a race with a concurrent delivery of the same order: it exists now.
		o, gerr := s.d.Store.GetOrderByIdempotencyKey(ctx, in.ID, e.IdempotencyKey)
		if gerr == nil {
			return OrderOutcome{Order: o}, nil
		}
	}
	if err != nil {
		return OrderOutcome{}, fmt.Errorf("request order: %w", err)
	}
	return out, nil
}

func (s *Service) resolveVacancy(ctx context.Context, accountID string, e ats.Event) (core.Vacancy, error) {
	if e.PackageID != "" {
		v, err := s.d.Store.GetVacancy(ctx, e.PackageID)
		if errors.Is(err, core.ErrNotFound) || (err == nil && v.AccountID != accountID) {
			return core.Vacancy{}, fmt.Errorf("package %q: %w", e.PackageID, ErrNoVacancy)
		}
		return v, err
	}
	vs, err := s.d.Store.ListVacancies(ctx, accountID)
	if err != nil {
		return core.Vacancy{}, fmt.Errorf("resolve vacancy: %w", err)
	}
	for _, v := range vs {
		if v.Tag != "" && slices.Contains(e.PackageTags, v.Tag) {
			return v, nil
		}
	}
	return core.Vacancy{}, fmt.Errorf("tags %q: %w", e.PackageTags, ErrNoVacancy)
}

func (s *Service) cancelOrder(ctx context.Context, in core.Integration, e ats.Event) error {
	return s.d.Store.InTx(ctx, func(tx store.Tx) error {
		o, err := tx.GetOrderByIdempotencyKey(ctx, in.ID, e.IdempotencyKey)
		if errors.Is(err, core.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if o.State.Terminal() {
			return nil
		}
		o.Reason = e.Reason
		return s.transition(ctx, tx, &o, core.StateCancelled, "Cancelled by the ATS")
	})
}

// transition moves an order, records it and queues its write-back, all in tx.
func (s *Service) transition(ctx context.Context, tx store.Tx, o *core.Order, next core.State, msg string) error {
	if err := o.Transition(next, s.now()); err != nil {
		return err
	}
	if err := tx.UpdateOrder(ctx, *o); err != nil {
		return err
	}
	o.Version++
	if err := s.timeline(ctx, tx, *o, "state", msg, map[string]string{"state": string(next)}); err != nil {
		return err
	}
	return s.enqueue(ctx, tx, WriteBackArgs{OrderID: o.ID, State: next}, uniqueByArgs)
}

func orderIDOfJob(encodedArgs []byte) string {
	var a struct {
		OrderID string `json:"order_id"`
	}
	_ = json.Unmarshal(encodedArgs, &a) // args of jobs without an order simply have none
	return a.OrderID
}
