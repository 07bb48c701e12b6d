package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/integrations"
	"switchboard/internal/metrics"

	"switchboard/internal/store"
)

// ReceiveWebhook authenticates one webhook delivery for an integration and
// stores it with a job to process it, in one transaction, before the caller
// answers 2xx. A redelivery is recognised and stored once. Refusals are
// *ats.InboundError carrying the status to answer; nothing is stored for them.
func (s *Service) ReceiveWebhook(ctx context.Context, provider, integrationID string, header http.Header, body []byte) (stored bool, err error) {
	outcome := metrics.WebhookDuplicate // a verified delivery that stores nothing new
	defer func() {
		var refused *ats.InboundError
		switch {
		case errors.As(err, &refused):
			outcome = metrics.WebhookRefused
		case err != nil:
			outcome = metrics.WebhookError
		case stored:
			outcome = metrics.WebhookAccepted
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
	// Verifying calls nothing: a delivery is stored even while the API URL is
	// refused, and processing it says so (and can be retried once fixed).
	conn, cfg, err := s.d.Integrations.LocalConnectorConfig(ctx, s.d.Store, in)
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
	ev := core.InboundEvent{
		ID: core.NewID("evt"), AccountID: in.AccountID, IntegrationID: in.ID, Kind: d.Kind,
		DedupeKey: d.DedupeKey, Payload: d.Payload, ReceivedAt: s.now(),
	}
	if d.Ignore {
		outcome = metrics.WebhookIgnored
		s.d.Logger.InfoContext(ctx, "webhook ignored", "integration_id", in.ID, "kind", d.Kind, "reason", d.Reason)
		if d.Unverified {
			return false, nil
		}
		// Recorded, so that the same signed delivery cannot come back
		// changed where the signature does not reach and be processed.
		ev.ProcessedAt, ev.Outcome = ev.ReceivedAt, "ignored: "+d.Reason
		if _, _, err := s.d.Store.RecordInbound(ctx, ev); err != nil {
			return false, fmt.Errorf("receive webhook: %w", err)
		}
		return false, nil
	}
	if in.Status != core.IntegrationEnabled {
		return false, ats.Refuse(http.StatusConflict, "integration is %s; enable it in Switchboard first", in.Status)
	}
	if len(ev.Payload) == 0 || len(ev.Payload) > MaxStoredPayload {
		// The connector keeps only ids; anything else is not worth keeping.
		return false, ats.Refuse(http.StatusBadRequest, "webhook data is empty or larger than %d bytes", MaxStoredPayload)
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

// MaxStoredPayload bounds what is kept of one delivery: what processing
// needs (ids), never the whole body.
const MaxStoredPayload = 4 << 10

// processInbound resolves one stored event and records on it what that did,
// or why it failed, so that an admin can see why an event made no order.
// last says whether this is the job's last attempt. It runs within its
// integration's share of the workers (integrationSlots).
func (s *Service) processInbound(ctx context.Context, eventID string, last bool) error {
	ev, err := s.d.Store.GetInbound(ctx, eventID)
	if errors.Is(err, core.ErrNotFound) {
		// Deleted by retention before its job ran.
		s.d.Logger.InfoContext(ctx, "inbound event gone before it was processed", "event_id", eventID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("process inbound %s: %w", eventID, err)
	}
	release, err := s.slots.take(ev.IntegrationID)
	if err != nil {
		return err
	}
	defer release()
	outcome, err := s.resolveInbound(ctx, ev)
	if serr := s.d.Store.SetInboundOutcome(ctx, eventID, s.now(), outcome, inboundFailure(eventID, err, last)); serr != nil && !errors.Is(serr, core.ErrNotFound) {
		err = errors.Join(err, fmt.Errorf("process inbound %s: %w", eventID, serr))
	}
	return err
}

// inboundFailure says why processing an event failed and what happens next,
// for an admin; "" for no error.
func inboundFailure(eventID string, err error, last bool) string {
	if err == nil {
		return ""
	}
	var next string
	switch verdict, _ := ats.Classify(err); {
	case verdict == ats.FailConfig:
		next = "gave up, fix the integration's configuration"
	case verdict != ats.FailRetry, last:
		next = "gave up"
	default:
		next = "will retry"
	}
	msg := next + ": " + strings.TrimPrefix(err.Error(), "process inbound "+eventID+": ")
	if len(msg) > maxFailureBytes {
		msg = strings.ToValidUTF8(msg[:maxFailureBytes], "") + "…"
	}
	return msg
}

// maxFailureBytes bounds the reason kept on a failed event.
const maxFailureBytes = 1000

// inboundFailuresShown is how many failed webhooks an integration shows.
const inboundFailuresShown = 20

// InboundFailures lists an integration's latest failed events with the job
// that processed each last, for the integration's view
// (integrations.InboundFailures).
func (s *Service) InboundFailures(ctx context.Context, integrationID string) ([]integrations.InboundFailure, error) {
	evs, err := s.d.Store.ListInboundFailures(ctx, integrationID, inboundFailuresShown)
	if err != nil || len(evs) == 0 {
		return nil, err
	}
	ids := make([]string, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	jobs, err := s.inboundJobs(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]integrations.InboundFailure, len(evs))
	for i, ev := range evs {
		out[i] = integrations.InboundFailure{InboundEvent: ev}
		if j := jobs[ev.ID]; j != nil {
			out[i].JobID = j.ID
		}
	}
	return out, nil
}

// inboundJobs finds the newest process_inbound job of each event.
func (s *Service) inboundJobs(ctx context.Context, eventIDs ...string) (map[string]*rivertype.JobRow, error) {
	if s.queue == nil {
		return nil, errors.New("service: no job queue connected")
	}
	return s.queue.LatestByArg(ctx, ProcessInboundArgs{}.Kind(), "event_id", eventIDs)
}

// RetryInbound processes a failed inbound event of an integration again (the
// integration page's Retry, `POST …/inbound/{event}/retry`), once the reason
// it failed is fixed, and returns the job that will do it. The job that
// failed runs again while the queue keeps it, so its attempts stay in one
// place; once the queue has dropped it, a new job is queued, unique per
// event so that two retries queue one. An event still being processed, or
// one that did not fail, is a conflict.
func (s *Service) RetryInbound(ctx context.Context, actor core.User, integrationID, eventID string) (int64, error) {
	if !actor.Role.CanActOnOrders() {
		return 0, fmt.Errorf("retry inbound event: %w", core.ErrForbidden)
	}
	in, err := s.d.Integrations.IntegrationFor(ctx, s.d.Store, actor, integrationID)
	if err != nil {
		return 0, fmt.Errorf("retry inbound event: %w", err)
	}
	ev, err := s.d.Store.GetInbound(ctx, eventID)
	if err == nil && ev.IntegrationID != in.ID {
		err = fmt.Errorf("inbound event %s: %w", eventID, core.ErrNotFound)
	}
	if errors.Is(err, core.ErrNotFound) {
		return 0, core.Explain(fmt.Errorf("retry inbound event: %w", err), "there is no inbound event %q on this integration", eventID)
	}
	if err != nil {
		return 0, fmt.Errorf("retry inbound event: %w", err)
	}
	if ev.Failure == "" {
		why := "its processing did not fail"
		if ev.ProcessedAt.IsZero() {
			why = "it has not been processed yet"
		}
		return 0, core.Explain(fmt.Errorf("retry inbound event %s: %s: %w", eventID, why, core.ErrConflict),
			"event %s cannot be retried: %s", eventID, why)
	}
	jobs, err := s.inboundJobs(ctx, ev.ID)
	if err != nil {
		return 0, fmt.Errorf("retry inbound event %s: %w", eventID, err)
	}
	switch j := jobs[ev.ID]; {
	case j == nil, j.State == rivertype.JobStateCompleted:
		// Gone, or done without clearing the failure: a new job.
	case j.State == rivertype.JobStateRetryable || j.State == rivertype.JobStateDiscarded || j.State == rivertype.JobStateCancelled:
		if err := s.retry(ctx, j); err != nil {
			return 0, err
		}
		return j.ID, nil
	default:
		return 0, core.Explain(fmt.Errorf("retry inbound event %s: job %d is %s: %w", eventID, j.ID, j.State, core.ErrConflict),
			"event %s is being processed now (job %d is %s)", eventID, j.ID, j.State)
	}
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		return s.enqueue(ctx, tx, ProcessInboundArgs{EventID: ev.ID}, uniqueByArgs)
	})
	if err != nil {
		return 0, fmt.Errorf("retry inbound event %s: %w", eventID, err)
	}
	jobs, err = s.inboundJobs(ctx, ev.ID)
	if err != nil {
		return 0, fmt.Errorf("retry inbound event %s: %w", eventID, err)
	}
	var id int64
	if j := jobs[ev.ID]; j != nil {
		id = j.ID
	}
	return id, nil
}

// resolveInbound turns a stored event into orders and says what it did.
func (s *Service) resolveInbound(ctx context.Context, ev core.InboundEvent) (string, error) {
	eventID := ev.ID
	in, err := s.d.Store.GetIntegration(ctx, ev.IntegrationID)
	if err != nil {
		return "", fmt.Errorf("process inbound %s: %w", eventID, err)
	}
	if in.Status != core.IntegrationEnabled {
		s.d.Logger.InfoContext(ctx, "inbound event dropped: integration not enabled", "event_id", eventID, "integration_id", in.ID)
		return fmt.Sprintf("dropped: the integration is %s", in.Status), nil
	}
	conn, cfg, err := s.d.Integrations.ConnectorConfig(ctx, s.d.Store, in)
	if err != nil {
		return "", fmt.Errorf("process inbound %s: %w", eventID, err)
	}
	recv, ok := conn.(ats.WebhookReceiver)
	if !ok {
		return "", fmt.Errorf("process inbound %s: %s takes no webhooks", eventID, in.Provider)
	}
	events, err := recv.Resolve(ctx, cfg, ev.Payload)
	if err != nil {
		return "", fmt.Errorf("process inbound %s: %w", eventID, err)
	}
	var did []string
	for _, e := range events {
		switch e.Kind {
		case ats.EventIgnored:
			did = append(did, "ignored: "+e.Reason)
		case ats.EventOrderRequested:
			out, err := s.RequestOrder(ctx, in, e)
			var inv *core.ValidationError
			switch {
			case err == nil:
				did = append(did, out.Summary())
			case errors.Is(err, ErrNoVacancy):
				did = append(did, "no order: "+err.Error())
			case errors.As(err, &inv), errors.Is(err, ErrNotEnabled):
				// Asking again will be refused again: stop, with the reason on record.
				return strings.Join(did, "; "), &ats.CallError{Failure: ats.FailGiveUp, Err: fmt.Errorf("process inbound %s: order refused: %w", eventID, err)}
			default:
				return strings.Join(did, "; "), fmt.Errorf("process inbound %s: %w", eventID, err)
			}
		case ats.EventOrderCancelled:
			if err := s.cancelOrder(ctx, in, e); err != nil {
				return strings.Join(did, "; "), fmt.Errorf("process inbound %s: %w", eventID, err)
			}
			did = append(did, "cancellation processed")
		}
	}
	if len(did) == 0 {
		return "nothing asked for", nil
	}
	return strings.Join(did, "; "), nil
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
	// Renewed is the expired order that a re-invitation (Order, Created)
	// replaced.
	Renewed string
	// Ignored says why a new request (ats.Event.Renew) for an existing order
	// did nothing; it is on that order's timeline too.
	Ignored string
}

// Summary says what happened in a few words, for the inbound event's record.
func (o OrderOutcome) Summary() string {
	switch {
	case o.Renewed != "":
		return fmt.Sprintf("order %s created, re-inviting for expired order %s", o.Order.ID, o.Renewed)
	case o.Created:
		return "order " + o.Order.ID + " created"
	case o.Ignored != "":
		return "ignored for order " + o.Order.ID + ": " + o.Ignored
	}
	return "order " + o.Order.ID + " exists already"
}

// RequestOrder turns a normalised order request into an order and, unless it
// is inline, an invitation email, its write-back and its expiry, all in one
// transaction. Asking again with the same idempotency key returns the
// existing order and does nothing else; a new request (e.Renew) re-invites
// when that order expired, and otherwise notes on it why it changed nothing.
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
	atsName := s.atsName(in)
	// The callback is a credential: only its sealed form is stored.
	sealedCallback, err := s.d.Integrations.SealCallback(in.ID, ats.Callback{URL: e.CallbackURL, Token: e.CallbackToken})
	if err != nil {
		return OrderOutcome{}, fmt.Errorf("request order: %w", err)
	}
	var out OrderOutcome
	err = s.d.Store.InTx(ctx, func(tx store.Tx) error {
		existing, err := tx.GetOrderByIdempotencyKey(ctx, in.ID, e.IdempotencyKey)
		renew := false
		switch {
		case err == nil && !e.Renew:
			out = OrderOutcome{Order: existing}
			return nil
		case err == nil:
			if why := s.whyNotRenewed(in, existing); why != "" {
				out = OrderOutcome{Order: existing, Ignored: why}
				return s.timeline(ctx, tx, existing, "ignored",
					fmt.Sprintf("%s asked again for this candidate and job; nothing was done: %s", atsName, why), nil)
			}
			renew = true
		case !errors.Is(err, core.ErrNotFound):
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
		if renew {
			o, err := s.reinvite(ctx, tx, existing, vac, "asked for again by "+atsName)
			out = OrderOutcome{Order: o, Created: true, Renewed: existing.ID}
			return err
		}
		o := core.Order{
			ID: core.NewID("ord"), AccountID: in.AccountID, IntegrationID: in.ID, VacancyID: vac.ID,
			CandidateID: cand.ID, State: core.StateReceived, Mode: mode, ExternalID: e.ExternalID,
			ExternalJobID: e.ExternalJobID, IdempotencyKey: e.IdempotencyKey,
			ReturnURL: cmp.Or(e.ReturnURL, vac.ReturnURL), CallbackSealed: sealedCallback,
			CreatedAt: now, UpdatedAt: now,
		}
		o, token, err := s.issueOrder(ctx, tx, o, vac, fmt.Sprintf("Order received from %s (%s) for %s", in.Provider, mode, vac.Name),
			map[string]string{"state": string(core.StateReceived), "external_id": e.ExternalID})
		out = OrderOutcome{Order: o, Created: true, Token: token}
		return err
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

// whyNotRenewed says why a new request for an existing order does not
// re-invite, or "" when it does (the order expired and the ATS takes a new
// invitation).
func (s *Service) whyNotRenewed(in core.Integration, o core.Order) string {
	switch o.State {
	case core.StateReceived, core.StateInvited:
		return "the candidate's invitation is still valid (until " + o.InvitationExpiresAt.Format("2 Jan 2006 15:04 MST") + ")"
	case core.StateInProgress:
		return "the candidate is taking the assessment"
	case core.StateCompleted:
		return "the candidate has completed this assessment"
	case core.StateExpired:
		return s.reinviteRefusal(in, o)
	}
	return "the order is " + string(o.State)
}

// issueOrder stores a received order and hands it to its vacancy's vendor,
// all in tx (see Fulfiller.Issue).
func (s *Service) issueOrder(ctx context.Context, tx store.Tx, o core.Order, vac core.Vacancy, received string, detail map[string]string) (core.Order, string, error) {
	return s.fulfillerOf(vac).Issue(ctx, tx, o, vac, received, detail)
}

func (s *Service) resolveVacancy(ctx context.Context, accountID string, e ats.Event) (core.Vacancy, error) {
	if e.PackageID != "" {
		v, err := s.d.Store.GetVacancy(ctx, e.PackageID)
		if errors.Is(err, core.ErrNotFound) || (err == nil && (v.AccountID != accountID || v.Archived)) {
			return core.Vacancy{}, fmt.Errorf("package %q: %w", e.PackageID, ErrNoVacancy)
		}
		return v, err
	}
	vs, err := s.d.Store.ListVacancies(ctx, accountID)
	if err != nil {
		return core.Vacancy{}, fmt.Errorf("resolve vacancy: %w", err)
	}
	for _, v := range vs {
		if v.Tag != "" && !v.Archived && slices.Contains(e.PackageTags, v.Tag) {
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
		vac, err := tx.GetVacancy(ctx, o.VacancyID)
		if err != nil {
			return err
		}
		o.Reason = e.Reason
		if err := s.transition(ctx, tx, &o, core.StateCancelled, "Cancelled by the ATS"); err != nil {
			return err
		}
		return s.fulfillerOf(vac).Cancelled(ctx, tx, o, vac)
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
	return s.queueWriteBack(ctx, tx, o.IntegrationID, o.ID, next)
}

func orderIDOfJob(encodedArgs []byte) string {
	var a struct {
		OrderID string `json:"order_id"`
	}
	_ = json.Unmarshal(encodedArgs, &a) // args of jobs without an order simply have none
	return a.OrderID
}
