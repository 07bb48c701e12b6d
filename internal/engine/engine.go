// Package engine is the built-in assessment engine as Switchboard's first
// vendor: its questions and scoring (package assess), the invitation email
// and its resend, the invitation's expiry, the candidate's journey through
// the questions, the mapping of its outcome onto the order's neutral result,
// and its PDF report.
//
// It reaches the order path only through Orders, which package service
// implements, and the order path reaches it only as the built-in vendor's
// fulfiller (service.Fulfiller) and for the few things only the engine has
// (its PDF, answering a test order). Package app wires the two.
package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/core"
	"switchboard/internal/mail"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// Orders is what the engine needs of the order path (*service.Service): every
// change of an order's state goes through it, so that the ATS is told.
type Orders interface {
	// Transition moves an order, records it and queues its write-back, in tx.
	Transition(ctx context.Context, tx store.Tx, o *core.Order, next core.State, msg string) error
	// Timeline adds an entry to the order's timeline.
	Timeline(ctx context.Context, q store.Queries, o core.Order, kind, msg string, detail map[string]string) error
	// Enqueue queues a job in tx.
	Enqueue(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error
	// WriteBack queues telling the ATS that the order is in state st.
	WriteBack(ctx context.Context, tx store.Tx, orderID string, st core.State) error
	// CompleteOrder stores a result and completes an invited or
	// in-progress order, in tx.
	CompleteOrder(ctx context.Context, tx store.Tx, o *core.Order, r core.Result, msg string) error
	// JobOutcome turns a worker's error into the queue's verdict and puts
	// failures on the order's timeline.
	JobOutcome(ctx context.Context, job *rivertype.JobRow, orderID string, err error) error
}

// Deps are the engine's collaborators.
type Deps struct {
	Store   store.Store
	Keyring *secret.Keyring
	// Mail sends invitations; when nil they go to the dev outbox.
	Mail mail.Sender
	// BaseURL is where candidates reach this Switchboard.
	BaseURL string
	// MailFrom is the invitation sender address.
	MailFrom string
	Now      func() time.Time
}

// Engine is the built-in assessment engine.
type Engine struct {
	d      Deps
	orders Orders
}

// New builds the engine. Call UseOrders before serving: the order path
// needs the engine as a fulfiller, and the engine needs the order path.
func New(d Deps) (*Engine, error) {
	if d.Store == nil || d.Keyring == nil {
		return nil, errors.New("engine: Store and Keyring are required")
	}
	if d.BaseURL == "" {
		return nil, errors.New("engine: BaseURL is required")
	}
	d.BaseURL = strings.TrimRight(d.BaseURL, "/")
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.MailFrom == "" {
		d.MailFrom = "Switchboard <no-reply@switchboard.invalid>"
	}
	return &Engine{d: d}, nil
}

// UseOrders connects the order path.
func (e *Engine) UseOrders(o Orders) { e.orders = o }

func (e *Engine) now() time.Time { return e.d.Now().UTC().Truncate(time.Microsecond) }

// InvitationLink is a candidate's link for a token.
func (e *Engine) InvitationLink(token string) string { return e.d.BaseURL + "/a/" + token }

func invitationAAD(orderID string) []byte {
	return []byte("order:" + orderID + ":invitation")
}

func (e *Engine) invitationToken(o core.Order) (string, error) {
	plain, err := e.d.Keyring.Decrypt(o.InvitationSealed, invitationAAD(o.ID))
	if err != nil {
		return "", fmt.Errorf("order %s: invitation token: %w", o.ID, err)
	}
	return string(plain), nil
}

// Issue stores a received order with a new invitation and makes it
// invited: the timeline says so, and the jobs that email the candidate (or,
// inline, tell the ATS) and expire the invitation are queued, all in tx. It
// returns the order and its invitation token.
func (e *Engine) Issue(ctx context.Context, tx store.Tx, o core.Order, vac core.Vacancy, received string, detail map[string]string) (core.Order, string, error) {
	now := e.now()
	token, err := secret.NewToken("")
	if err != nil {
		return core.Order{}, "", err
	}
	o.InvitationHash, o.InvitationExpiresAt = secret.HashToken(token), now.Add(vac.Expiry())
	if o.InvitationSealed, err = e.d.Keyring.Encrypt([]byte(token), invitationAAD(o.ID)); err != nil {
		return core.Order{}, "", err
	}
	if err := o.Transition(core.StateInvited, now); err != nil {
		return core.Order{}, "", err
	}
	if err := tx.CreateOrder(ctx, o); err != nil {
		return core.Order{}, "", err
	}
	if err := e.orders.Timeline(ctx, tx, o, "state", received, detail); err != nil {
		return core.Order{}, "", err
	}
	msg := "Invitation issued; the candidate is emailed"
	if o.Mode == core.ModeInline {
		msg = "Invitation issued; the ATS redirects the candidate"
	}
	if err := e.orders.Timeline(ctx, tx, o, "state", msg, map[string]string{"state": string(core.StateInvited), "expires_at": o.InvitationExpiresAt.Format(time.RFC3339)}); err != nil {
		return core.Order{}, "", err
	}
	// The ATS is told "invited" once the candidate really is: for emailed
	// orders, when the email has gone (sendInvitation); inline, now.
	if o.Mode != core.ModeInline {
		if err := e.orders.Enqueue(ctx, tx, SendInvitationArgs{OrderID: o.ID}, nil); err != nil {
			return core.Order{}, "", err
		}
	} else if err := e.orders.WriteBack(ctx, tx, o.ID, core.StateInvited); err != nil {
		return core.Order{}, "", err
	}
	if err := e.orders.Enqueue(ctx, tx, ExpireOrderArgs{OrderID: o.ID}, &river.InsertOpts{ScheduledAt: o.InvitationExpiresAt}); err != nil {
		return core.Order{}, "", err
	}
	return o, token, nil
}

// CandidateURL is the candidate's invitation link; token is Issue's, ""
// when the ATS asked again for an order that exists.
func (e *Engine) CandidateURL(_ context.Context, o core.Order, token string) (string, error) {
	if token == "" {
		var err error
		if token, err = e.invitationToken(o); err != nil {
			return "", err
		}
	}
	return e.InvitationLink(token), nil
}

// Cancelled does nothing: a cancelled order's link stops working by its state.
func (*Engine) Cancelled(context.Context, store.Tx, core.Order, core.Vacancy) error { return nil }
