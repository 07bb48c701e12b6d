package service

import (
	"cmp"
	"context"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// A Fulfiller is one vendor's side of the order path: the built-in engine
// (package engine) or an outside vendor reached by deliveries
// (vendorFulfiller). The order path asks the vacancy's fulfiller and never
// which vendor it is.
type Fulfiller interface {
	// Issue stores o (received) in tx and moves it on as the vendor does:
	// the engine invites the candidate, an outside vendor is sent the
	// order. received and detail are the timeline's first entry. It returns
	// the stored order and, for the engine, the invitation token.
	Issue(ctx context.Context, tx store.Tx, o core.Order, vac core.Vacancy, received string, detail map[string]string) (core.Order, string, error)
	// CandidateURL is where the ATS sends an inline order's candidate, once
	// Issue's transaction has committed; token is Issue's, "" when the ATS
	// asked again for an order that exists. It may call the vendor.
	CandidateURL(ctx context.Context, o core.Order, token string) (string, error)
	// Cancelled is told, in tx, that the ATS cancelled o.
	Cancelled(ctx context.Context, tx store.Tx, o core.Order, vac core.Vacancy) error
}

// A Resender is a fulfiller that invites the candidate itself and can do so
// again (ResendInvitation): Resend queues it, in tx, for an invited or
// in-progress order; by is who asked.
type Resender interface {
	Resend(ctx context.Context, tx store.Tx, o core.Order, by string) error
}

// Engine is the built-in engine as the order path needs it: the built-in
// vendor's fulfiller, the PDF report of the orders it scored, and answering
// a test order (RunValidation) as a candidate would.
type Engine interface {
	Fulfiller
	Resender
	HasPDF(ctx context.Context, orderID string) (bool, error)
	PDF(ctx context.Context, o core.Order, c core.Candidate, v core.Vacancy, r core.Result) ([]byte, error)
	CompleteTestOrder(ctx context.Context, o core.Order) (core.Result, error)
}

// fulfillerOf is the fulfiller of a vacancy's vendor: a registered one (the
// built-in engine under core.BuiltinVendorID), else an outside vendor's.
func (s *Service) fulfillerOf(vac core.Vacancy) Fulfiller {
	if f, ok := s.fulfillers[cmp.Or(vac.VendorID, core.BuiltinVendorID)]; ok {
		return f
	}
	return vendorFulfiller{s}
}
