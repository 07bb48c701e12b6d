package service

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// A fulfiller is one vendor's side of the order path: the built-in engine
// (engineFulfiller) or an outside vendor reached by deliveries
// (vendorFulfiller). The order path asks the vacancy's fulfiller and never
// which vendor it is.
type fulfiller interface {
	// issue stores o (received) in tx and moves it on as the vendor does:
	// the engine invites the candidate, an outside vendor is sent the
	// order. received and detail are the timeline's first entry. It returns
	// the stored order and, for the engine, the invitation token.
	issue(ctx context.Context, tx store.Tx, o core.Order, vac core.Vacancy, received string, detail map[string]string) (core.Order, string, error)
	// candidateURL is where the ATS sends an inline order's candidate, once
	// issue's transaction has committed; token is issue's, "" when the ATS
	// asked again for an order that exists. It may call the vendor.
	candidateURL(ctx context.Context, o core.Order, token string) (string, error)
	// cancelled is told, in tx, that the ATS cancelled o.
	cancelled(ctx context.Context, tx store.Tx, o core.Order, vac core.Vacancy) error
}

// fulfillerOf is the fulfiller of a vacancy's vendor.
func (s *Service) fulfillerOf(vac core.Vacancy) fulfiller {
	if vac.Builtin() {
		return engineFulfiller{s}
	}
	return vendorFulfiller{s}
}

// engineFulfiller is the built-in engine: it invites the candidate by email
// (or, inline, by the ATS's redirect) to Switchboard's own assessment pages,
// and expires the invitation when it runs out.
type engineFulfiller struct{ s *Service }

func (f engineFulfiller) candidateURL(_ context.Context, o core.Order, token string) (string, error) {
	if token == "" {
		var err error
		if token, err = f.s.invitationToken(o); err != nil {
			return "", err
		}
	}
	return f.s.InvitationLink(token), nil
}

func (engineFulfiller) cancelled(context.Context, store.Tx, core.Order, core.Vacancy) error {
	return nil
}

// issue stores a received order with a new invitation and makes it
// invited: the timeline says so, and the jobs that email the candidate (or,
// inline, tell the ATS) and expire the invitation are queued, all in tx. It
// returns the order and its invitation token.
func (f engineFulfiller) issue(ctx context.Context, tx store.Tx, o core.Order, vac core.Vacancy, received string, detail map[string]string) (core.Order, string, error) {
	now := f.s.now()
	token, err := secret.NewToken("")
	if err != nil {
		return core.Order{}, "", err
	}
	o.InvitationHash, o.InvitationExpiresAt = secret.HashToken(token), now.Add(vac.Expiry())
	if o.InvitationSealed, err = f.s.d.Keyring.Encrypt([]byte(token), invitationAAD(o.ID)); err != nil {
		return core.Order{}, "", err
	}
	if err := o.Transition(core.StateInvited, now); err != nil {
		return core.Order{}, "", err
	}
	if err := tx.CreateOrder(ctx, o); err != nil {
		return core.Order{}, "", err
	}
	if err := f.s.timeline(ctx, tx, o, "state", received, detail); err != nil {
		return core.Order{}, "", err
	}
	msg := "Invitation issued; the candidate is emailed"
	if o.Mode == core.ModeInline {
		msg = "Invitation issued; the ATS redirects the candidate"
	}
	if err := f.s.timeline(ctx, tx, o, "state", msg, map[string]string{"state": string(core.StateInvited), "expires_at": o.InvitationExpiresAt.Format(time.RFC3339)}); err != nil {
		return core.Order{}, "", err
	}
	// The ATS is told "invited" once the candidate really is: for emailed
	// orders, when the email has gone (sendInvitation); inline, now.
	if o.Mode != core.ModeInline {
		if err := f.s.enqueue(ctx, tx, SendInvitationArgs{OrderID: o.ID}, nil); err != nil {
			return core.Order{}, "", err
		}
	} else if err := f.s.enqueue(ctx, tx, WriteBackArgs{OrderID: o.ID, State: core.StateInvited}, uniqueByArgs); err != nil {
		return core.Order{}, "", err
	}
	if err := f.s.enqueue(ctx, tx, ExpireOrderArgs{OrderID: o.ID}, &river.InsertOpts{ScheduledAt: o.InvitationExpiresAt}); err != nil {
		return core.Order{}, "", err
	}
	return o, token, nil
}
