package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// ResendInvitation has the candidate invited again by the order's vendor
// (the built-in engine emails their link again; see Resender). For an expired
// order it re-invites instead: a new order with a new link and expiry
// replaces it (see reinvite). It returns the order the candidate is invited
// to, which is then the new one.
func (s *Service) ResendInvitation(ctx context.Context, actor core.User, orderID string) (core.Order, error) {
	if !actor.Role.CanActOnOrders() {
		return core.Order{}, fmt.Errorf("resend invitation: %w", core.ErrForbidden)
	}
	var out core.Order
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		o, err := s.orderIn(ctx, tx, actor, orderID)
		if err != nil {
			return fmt.Errorf("resend invitation: %w", err)
		}
		if o.Mode == core.ModeInline {
			return core.Explain(fmt.Errorf("resend invitation: order %s is inline: %w", o.ID, core.ErrConflict),
				"the invitation cannot be resent: inline orders are taken during the application, not emailed")
		}
		vac, err := tx.GetVacancy(ctx, o.VacancyID)
		if err != nil {
			return fmt.Errorf("resend invitation: %w", err)
		}
		switch o.State {
		case core.StateInvited, core.StateInProgress:
		case core.StateExpired:
			in, err := tx.GetIntegration(ctx, o.IntegrationID)
			if err != nil {
				return fmt.Errorf("resend invitation: %w", err)
			}
			if why := s.reinviteRefusal(in, o); why != "" {
				return core.Explain(fmt.Errorf("resend invitation: order %s cannot be re-invited: %s: %w", o.ID, why, core.ErrConflict),
					"the invitation cannot be renewed: %s", why)
			}
			out, err = s.reinvite(ctx, tx, o, vac, "requested by "+actor.Email)
			switch {
			case errors.Is(err, core.ErrConflict):
				return core.Explain(fmt.Errorf("resend invitation: %w", err), "the invitation is being renewed already; reload the order")
			case err != nil:
				return fmt.Errorf("resend invitation: %w", err)
			}
			return nil
		default:
			return core.Explain(fmt.Errorf("resend invitation: order %s is %s: %w", o.ID, o.State, core.ErrConflict),
				"the invitation cannot be resent: the order is %s", strings.ReplaceAll(string(o.State), "_", " "))
		}
		r, ok := s.fulfillerOf(vac).(Resender)
		if !ok {
			return core.Explain(fmt.Errorf("resend invitation: order %s: its vendor invites the candidate: %w", o.ID, core.ErrConflict),
				"the invitation cannot be resent: the assessment vendor invites the candidate itself")
		}
		out = o
		return r.Resend(ctx, tx, o, actor.Email)
	})
	if err != nil {
		return core.Order{}, err
	}
	return out, nil
}

// reinviteRefusal says why an expired order cannot be re-invited, or "".
func (s *Service) reinviteRefusal(in core.Integration, o core.Order) string {
	name := s.atsName(in)
	switch {
	case o.Superseded():
		return "this order was re-invited already; act on the newer order"
	case o.Mode == core.ModeInline:
		return "inline orders are taken during the application and cannot be re-invited"
	case in.Status != core.IntegrationEnabled:
		return fmt.Sprintf("the integration is %s; enable it first", in.Status)
	}
	if conn, ok := s.d.Connectors.Get(in.Provider); !ok || !conn.Describe().Reinvite {
		return fmt.Sprintf("%s ends an expired order for good; order the assessment again in %s", name, name)
	}
	return ""
}

// reinvite replaces an expired order with a new one for the same candidate,
// job and vacancy, with a new link and expiry, in tx. A new order rather than
// the old one revived: the old link stays dead, the old order's history and
// write-backs stay as they were, and the ATS is told "invited" again by the
// new order's own write-back, which comes after nothing. The new order takes
// over the old one's idempotency key, so later events for the same candidate
// and job find it. The caller has checked reinviteRefusal.
func (s *Service) reinvite(ctx context.Context, tx store.Tx, old core.Order, vac core.Vacancy, why string) (core.Order, error) {
	if err := tx.SupersedeOrder(ctx, old); err != nil {
		return core.Order{}, err // a concurrent re-invitation won: ErrConflict
	}
	now := s.now()
	o := core.Order{
		ID: core.NewID("ord"), AccountID: old.AccountID, IntegrationID: old.IntegrationID, VacancyID: vac.ID,
		CandidateID: old.CandidateID, State: core.StateReceived, Mode: old.Mode, ExternalID: old.ExternalID,
		ExternalJobID: old.ExternalJobID, IdempotencyKey: old.IdempotencyKey,
		ReturnURL: old.ReturnURL, CallbackURL: old.CallbackURL, CallbackSealed: old.CallbackSealed, CreatedAt: now, UpdatedAt: now,
	}
	o, _, err := s.issueOrder(ctx, tx, o, vac, fmt.Sprintf("Re-invitation %s, replacing expired order %s", why, old.ID),
		map[string]string{"state": string(core.StateReceived), "external_id": o.ExternalID, "replaces": old.ID})
	if err != nil {
		return core.Order{}, err
	}
	if old.Test {
		if err := tx.MarkOrderTest(ctx, o.ID); err != nil {
			return core.Order{}, err
		}
		o.Test = true
	}
	if err := s.timeline(ctx, tx, old, "reinvited", fmt.Sprintf("Re-invited (%s) as order %s with a new link; this order's link stays expired", why, o.ID),
		map[string]string{"order_id": o.ID}); err != nil {
		return core.Order{}, err
	}
	return o, nil
}

// atsName is the integration's ATS as people call it ("Lever").
func (s *Service) atsName(in core.Integration) string {
	if conn, ok := s.d.Connectors.Get(in.Provider); ok {
		return conn.Describe().Name
	}
	return in.Provider
}
