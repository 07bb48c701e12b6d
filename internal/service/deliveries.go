package service

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/core"
	"switchboard/internal/delivery"
	"switchboard/internal/queue"
	"switchboard/internal/store"
)

// Delivery timeouts: how long one attempt waits for the vendor's answer. An
// inline order's attempt is made while the ATS waits for the candidate's
// URL, and ATSs give up after 15–30 s.
const (
	deliveryTimeout       = 15 * time.Second
	inlineDeliveryTimeout = 10 * time.Second
	deliveryJobTimeout    = time.Minute
)

// DeliverArgs makes one attempt at a delivery to a vendor. Attempt is how
// many attempts the delivery had when the job was queued: a job finding a
// different count is stale (another job made that attempt) and does
// nothing, so a delivery is never attempted by two jobs at once.
type DeliverArgs struct {
	DeliveryID string `json:"delivery_id"`
	OrderID    string `json:"order_id,omitempty"`
	Attempt    int    `json:"attempt"`
	Replay     bool   `json:"replay,omitempty"`
}

func (DeliverArgs) Kind() string { return "vendor_delivery" }

// InsertOpts puts deliveries on the vendors' queue.
func (DeliverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queue.Vendor} }

// deliver is the delivery job: one attempt, then the next is queued for
// when the schedule says, so that no worker waits between attempts.
func (s *Service) deliver(ctx context.Context, a DeliverArgs) error {
	d, err := s.d.Store.GetDelivery(ctx, a.DeliveryID)
	if err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	if d.Status != core.DeliveryPending || d.Attempts != a.Attempt {
		return nil // delivered, refused or given up on; or another job's turn
	}
	_, err = s.attemptDelivery(ctx, d, a.Replay, deliveryTimeout, true)
	return err
}

// attemptDelivery makes one attempt at d and records it: the attempt, the
// delivery's new status, the order's move, the timeline and, when retry is
// set and the attempt failed, the job of the next attempt. It returns the
// delivery as stored after the attempt.
func (s *Service) attemptDelivery(ctx context.Context, d core.Delivery, replay bool, timeout time.Duration, retry bool) (core.Delivery, error) {
	if s.d.Vendors == nil {
		return d, errors.New("deliver: no vendors are configured")
	}
	v, err := s.d.Store.GetVendor(ctx, d.VendorID)
	if err != nil {
		return d, fmt.Errorf("deliver %s: %w", d.ID, err)
	}
	if isCreatedEvent(d.Event) && d.OrderID != "" {
		o, err := s.d.Store.GetOrder(ctx, d.OrderID)
		if err != nil {
			return d, fmt.Errorf("deliver %s: %w", d.ID, err)
		}
		if o.State.Terminal() {
			return s.parkDelivery(ctx, d, core.DeliveryFailed, fmt.Sprintf("not sent: the order was %s first", o.State))
		}
	}
	ep, err := s.d.Vendors.Endpoint(ctx, d.VendorID)
	if err != nil {
		return d, fmt.Errorf("deliver %s: %w", d.ID, err)
	}
	switch {
	case ep.URL == "":
		return s.parkDelivery(ctx, d, core.DeliveryPending, v.Name+" has no webhook endpoint; the order waits for the vendor to fetch it")
	case ep.Disabled:
		return s.parkDelivery(ctx, d, core.DeliveryPending, fmt.Sprintf("%s's endpoint is disabled (%s); replay once it works", v.Name, ep.DisabledReason))
	}
	now := s.now()
	at := delivery.Sender{Client: s.d.HTTPClient, UserAgent: "Switchboard"}.Send(ctx, d, ep.URL, ep.Secrets, now, timeout)
	at.Record.Replay = replay
	// A refusal is a working endpoint's answer.
	disabled, err := s.d.Vendors.RecordEndpointOutcome(ctx, d.VendorID, at.Outcome != delivery.Failed, now, at.Message)
	if err != nil {
		s.d.Logger.WarnContext(ctx, "endpoint outcome not recorded", "vendor_id", d.VendorID, "delivery_id", d.ID, "err", err)
	}
	var out core.Delivery
	// Retried on a race with the vendor's own update of the order: a
	// delivery that reached the vendor must be recorded, or its job would
	// send it again.
	err = s.inTxRetry(ctx, func(tx store.Tx) error {
		cur, err := tx.GetDelivery(ctx, d.ID)
		if err != nil {
			return err
		}
		if _, err := tx.AddDeliveryAttempt(ctx, at.Record); err != nil {
			return err
		}
		cur.Attempts++
		cur.LastAttemptAt, cur.UpdatedAt, cur.NextAttemptAt = now, now, time.Time{}
		var o core.Order
		if cur.OrderID != "" {
			if o, err = tx.GetOrder(ctx, cur.OrderID); err != nil {
				return err
			}
			if err := s.timeline(ctx, tx, o, "vendor_call", attemptLine(ep.URL, at), map[string]string{
				"delivery_id": cur.ID, "event": cur.Event, "status": strconv.Itoa(at.Record.Status),
				"duration_ms": strconv.FormatInt(at.Record.Duration.Milliseconds(), 10),
			}); err != nil {
				return err
			}
		}
		switch at.Outcome {
		case delivery.Accepted:
			cur.Status, cur.DeliveredAt, cur.Message = core.DeliveryDelivered, now, ""
			if isCreatedEvent(cur.Event) && o.ID != "" {
				if err := s.vendorAccepted(ctx, tx, &o, v, at.TestURL); err != nil {
					return err
				}
			}
		case delivery.Refused:
			cur.Status, cur.Message = core.DeliveryRejected, at.Message
			if isCreatedEvent(cur.Event) && o.ID != "" {
				if err := s.vendorRefused(ctx, tx, &o, v, at.Message); err != nil {
					return err
				}
			}
		default:
			cur.Message = at.Message
			wait, more := delivery.NextWait(cur.Attempts, at.RetryAfter, rand.Float64())
			switch {
			case !retry:
				// The caller (an inline order) answers the ATS itself.
			case disabled:
				cur.Status = core.DeliveryFailed
				cur.Message = fmt.Sprintf("%s's endpoint was disabled after failing continuously: %s", v.Name, at.Message)
			case !more:
				cur.Status = core.DeliveryFailed
				cur.Message = fmt.Sprintf("gave up after %d attempts: %s", cur.Attempts, at.Message)
			default:
				cur.NextAttemptAt = now.Add(wait)
				if err := s.enqueue(ctx, tx, DeliverArgs{DeliveryID: cur.ID, OrderID: cur.OrderID, Attempt: cur.Attempts},
					&river.InsertOpts{ScheduledAt: cur.NextAttemptAt}); err != nil {
					return err
				}
			}
			if cur.Status == core.DeliveryFailed && o.ID != "" {
				if err := s.timeline(ctx, tx, o, "vendor", "Delivery to "+v.Name+" failed: "+cur.Message+"; the vendor can still fetch the order, or replay it",
					map[string]string{"delivery_id": cur.ID}); err != nil {
					return err
				}
			}
		}
		out = cur
		return tx.UpdateDelivery(ctx, cur)
	})
	if err != nil {
		return d, fmt.Errorf("deliver %s: %w", d.ID, err)
	}
	return out, nil
}

// parkDelivery records why a delivery is not attempted now, without an
// attempt: it waits for the vendor to fetch the order or for a replay.
func (s *Service) parkDelivery(ctx context.Context, d core.Delivery, st core.DeliveryStatus, why string) (core.Delivery, error) {
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.GetDelivery(ctx, d.ID)
		if err != nil {
			return err
		}
		cur.Status, cur.Message, cur.NextAttemptAt, cur.UpdatedAt = st, why, time.Time{}, s.now()
		d = cur
		return tx.UpdateDelivery(ctx, cur)
	})
	if err != nil {
		return d, fmt.Errorf("deliver %s: %w", d.ID, err)
	}
	return d, nil
}

// attemptLine is an attempt on the timeline: "POST vendor.example/hooks →
// 200 (35 ms)".
func attemptLine(endpoint string, at delivery.Attempt) string {
	where := endpoint
	if u, err := url.Parse(endpoint); err == nil {
		where = u.Host + u.Path
	}
	res := strconv.Itoa(at.Record.Status)
	if at.Record.Status == 0 {
		res = at.Record.Error
	}
	return fmt.Sprintf("POST %s → %s (%d ms)", where, res, at.Record.Duration.Milliseconds())
}

// vendorAccepted makes a received order invited once its vendor took it,
// keeping the vendor's test_url when it gave a usable one.
func (s *Service) vendorAccepted(ctx context.Context, tx store.Tx, o *core.Order, v core.Vendor, testURL string) error {
	if testURL != "" && s.candidateURLOK(testURL) {
		o.CandidateURL = testURL
	}
	if o.State != core.StateReceived {
		if o.CandidateURL == "" || testURL == "" {
			return nil
		}
		if err := tx.UpdateOrder(ctx, *o); err != nil {
			return err
		}
		o.Version++
		return nil
	}
	return s.transition(ctx, tx, o, core.StateInvited, v.Name+" accepted the order")
}

// vendorRefused ends an order its vendor refused, with the vendor's
// message as the reason the ATS shows.
func (s *Service) vendorRefused(ctx context.Context, tx store.Tx, o *core.Order, v core.Vendor, msg string) error {
	if o.State.Terminal() {
		return nil
	}
	o.Reason = msg
	next := core.StateRejected
	if !o.State.CanTransition(next) {
		next = core.StateCancelled // it had moved on (the vendor updated it first)
	}
	return s.transition(ctx, tx, o, next, fmt.Sprintf("%s refused the order: %s", v.Name, msg))
}

// ReplayDelivery sends a delivery again, as a new attempt with the same
// webhook-id: after it failed, after the endpoint was disabled and works
// again, or to resend one the vendor lost. A delivery with an attempt
// already scheduled is not replayed: that attempt comes anyway.
func (s *Service) ReplayDelivery(ctx context.Context, actor core.User, deliveryID string) (core.Delivery, error) {
	if !actor.Role.CanActOnOrders() {
		return core.Delivery{}, fmt.Errorf("replay delivery: %w", core.ErrForbidden)
	}
	var out core.Delivery
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		d, err := tx.GetDelivery(ctx, deliveryID)
		if err == nil && d.AccountID != actor.AccountID {
			err = fmt.Errorf("delivery %s: %w", deliveryID, core.ErrNotFound)
		}
		if errors.Is(err, core.ErrNotFound) {
			return core.Explain(err, "there is no delivery %q in your account", deliveryID)
		}
		if err != nil {
			return err
		}
		if d.Status == core.DeliveryPending && !d.NextAttemptAt.IsZero() {
			return core.Explain(fmt.Errorf("replay delivery %s: attempt scheduled: %w", d.ID, core.ErrConflict),
				"the next attempt is already scheduled for %s", d.NextAttemptAt.Format(time.RFC3339))
		}
		d.Status, d.NextAttemptAt, d.UpdatedAt = core.DeliveryPending, s.now(), s.now()
		if err := tx.UpdateDelivery(ctx, d); err != nil {
			return err
		}
		if d.OrderID != "" {
			o, err := tx.GetOrder(ctx, d.OrderID)
			if err != nil {
				return err
			}
			if err := s.timeline(ctx, tx, o, "vendor", "Delivery replay requested by "+actor.Email, map[string]string{"delivery_id": d.ID}); err != nil {
				return err
			}
		}
		out = d
		return s.enqueue(ctx, tx, DeliverArgs{DeliveryID: d.ID, OrderID: d.OrderID, Attempt: d.Attempts, Replay: true}, nil)
	})
	if err != nil {
		return core.Delivery{}, fmt.Errorf("replay delivery: %w", err)
	}
	return out, nil
}

// Deliveries lists a vendor's deliveries in the actor's account, newest
// first; DeliveryAttempts one delivery's attempts.
func (s *Service) Deliveries(ctx context.Context, actor core.User, vendorID string, f store.DeliveryFilter) ([]core.Delivery, error) {
	if !actor.Role.CanSeeVendors() {
		return nil, fmt.Errorf("deliveries: %w", core.ErrForbidden)
	}
	f.AccountID = actor.AccountID
	ds, err := s.d.Store.ListDeliveries(ctx, vendorID, f)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	return ds, nil
}

// DeliveryAttempts returns a delivery of the actor's account with its
// attempts, oldest first.
func (s *Service) DeliveryAttempts(ctx context.Context, actor core.User, deliveryID string) (core.Delivery, []core.DeliveryAttempt, error) {
	if !actor.Role.CanSeeVendors() {
		return core.Delivery{}, nil, fmt.Errorf("delivery attempts: %w", core.ErrForbidden)
	}
	d, err := s.d.Store.GetDelivery(ctx, deliveryID)
	if err == nil && d.AccountID != actor.AccountID {
		err = fmt.Errorf("delivery %s: %w", deliveryID, core.ErrNotFound)
	}
	if err != nil {
		return core.Delivery{}, nil, core.Explain(fmt.Errorf("delivery attempts: %w", err), "there is no delivery %q in your account", deliveryID)
	}
	as, err := s.d.Store.ListDeliveryAttempts(ctx, d.ID)
	if err != nil {
		return core.Delivery{}, nil, fmt.Errorf("delivery attempts: %w", err)
	}
	return d, as, nil
}
