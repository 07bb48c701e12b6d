package service

import (
	"context"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// What the built-in engine needs of the order path (engine.Orders): every
// change of an order's state goes through the service, so the ATS is told.

// Transition moves an order, records it and queues its write-back, in tx.
func (s *Service) Transition(ctx context.Context, tx store.Tx, o *core.Order, next core.State, msg string) error {
	return s.transition(ctx, tx, o, next, msg)
}

// Timeline adds an entry to an order's timeline.
func (s *Service) Timeline(ctx context.Context, q store.Queries, o core.Order, kind, msg string, detail map[string]string) error {
	return s.timeline(ctx, q, o, kind, msg, detail)
}

// Enqueue queues a job in tx.
func (s *Service) Enqueue(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	return s.enqueue(ctx, tx, args, opts)
}

// WriteBack queues telling the ATS that an order is in state st; one job per
// order and state, however often it is asked.
func (s *Service) WriteBack(ctx context.Context, tx store.Tx, orderID string, st core.State) error {
	o, err := tx.GetOrder(ctx, orderID)
	if err != nil {
		return err
	}
	return s.queueWriteBack(ctx, tx, o.IntegrationID, orderID, st)
}

// CompleteOrder stores a result and completes an invited or in-progress
// order, in tx.
func (s *Service) CompleteOrder(ctx context.Context, tx store.Tx, o *core.Order, r core.Result, msg string) error {
	return s.complete(ctx, tx, o, r, msg)
}

// JobOutcome turns a worker's error into River's verdict and puts failures
// on the order's timeline.
func (s *Service) JobOutcome(ctx context.Context, job *rivertype.JobRow, orderID string, err error) error {
	return s.jobOutcome(ctx, job, orderID, err)
}
