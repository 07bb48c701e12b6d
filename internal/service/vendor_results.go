package service

// What the vendor API asks of orders: a vendor's result updates, and its
// orders to list or fetch (pull instead of being pushed).

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"switchboard/internal/core"
	"switchboard/internal/store"
	"switchboard/internal/vendorapi/result"
	"switchboard/internal/vendorapi/wire"
)

// vendorOrderIn is an order of one of v's packages, of kind, in the
// account; any other order is not found, so a vendor learns nothing of
// orders that are not its own.
func (s *Service) vendorOrderIn(ctx context.Context, q store.Queries, v core.Vendor, accountID string, kind core.Kind, orderID string) (core.Order, core.Vacancy, error) {
	notFound := func(err error) error {
		return core.Explain(fmt.Errorf("order %s: %w", orderID, err), "there is no %s order %q for this account", strings.ReplaceAll(string(kind), "_", " "), orderID)
	}
	o, err := q.GetOrder(ctx, orderID)
	if errors.Is(err, core.ErrNotFound) || (err == nil && o.AccountID != accountID) {
		return core.Order{}, core.Vacancy{}, notFound(core.ErrNotFound)
	}
	if err != nil {
		return core.Order{}, core.Vacancy{}, err
	}
	vac, err := q.GetVacancy(ctx, o.VacancyID)
	if err != nil {
		return core.Order{}, core.Vacancy{}, err
	}
	if vac.VendorID != v.ID || vac.Kind != kind {
		return core.Order{}, core.Vacancy{}, notFound(core.ErrNotFound)
	}
	return o, vac, nil
}

// VendorResult applies a vendor's result update to an order: result.value
// moves the order (in_progress, cancelled, expired), and a result —
// completed, passed, failed or a score, summary or link without a value —
// completes it and is written back to the ATS. An update for an order that
// has ended is a conflict and changes nothing.
func (s *Service) VendorResult(ctx context.Context, v core.Vendor, accountID string, kind core.Kind, orderID string, u result.Update) error {
	r, err := u.Result()
	if err != nil {
		return fmt.Errorf("vendor result: %w", err)
	}
	r.OrderID = orderID
	switch r.Value {
	case core.ResultPassed, core.ResultFailed:
	default:
		r.Value = "" // a lifecycle word or unmapped_value: the state says it
	}
	var files []core.StoredFile
	if len(r.Attachments) > 0 && completes(u.Outcome) {
		// Fetched before the transaction (they take seconds), for an order
		// that exists and is open; the transaction checks again and stores
		// them with the result.
		o, _, err := s.vendorOrderIn(ctx, s.d.Store, v, accountID, kind, orderID)
		if err != nil {
			return fmt.Errorf("vendor result: %w", err)
		}
		if !o.State.Terminal() {
			if files, err = s.fetchAttachments(ctx, o, &r); err != nil {
				return fmt.Errorf("vendor result: %w", err)
			}
		}
	}
	err = s.inTxRetry(ctx, func(tx store.Tx) error {
		o, vac, err := s.vendorOrderIn(ctx, tx, v, accountID, kind, orderID)
		if err != nil {
			return err
		}
		if o.State.Terminal() {
			return core.Explain(fmt.Errorf("order %s is %s: %w", o.ID, o.State, core.ErrConflict),
				"order %s is %s and takes no more updates", o.ID, strings.ReplaceAll(string(o.State), "_", " "))
		}
		by := "Reported by " + v.Name
		switch u.Outcome {
		case result.Initiated:
			return s.advance(ctx, tx, &o, core.StateInvited, by)
		case result.InProgress:
			if o.State == core.StateInProgress {
				return s.timeline(ctx, tx, o, "vendor", v.Name+" reports the candidate is still in progress", nil)
			}
			return s.advance(ctx, tx, &o, core.StateInProgress, v.Name+" reports the candidate has started")
		case result.Cancelled:
			o.Reason = cmp.Or(r.Summary, "cancelled by "+v.Name)
			return s.transition(ctx, tx, &o, core.StateCancelled, "Cancelled by "+v.Name)
		case result.Expired:
			if err := s.advance(ctx, tx, &o, core.StateInvited, by); err != nil {
				return err
			}
			return s.transition(ctx, tx, &o, core.StateExpired, v.Name+" reports the invitation expired")
		}
		if err := s.advance(ctx, tx, &o, core.StateInProgress, by); err != nil {
			return err
		}
		if vac.Kind == core.KindBackgroundCheck && r.Label == "" {
			r.Label = adjudication(r.Value, u.OutcomeSource)
		}
		for _, f := range files {
			if err := tx.SaveFile(ctx, f); err != nil {
				return fmt.Errorf("store attachment: %w", err)
			}
		}
		return s.recordResult(ctx, tx, &o, r, "Result received from "+v.Name)
	})
	if err != nil {
		return fmt.Errorf("vendor result: %w", err)
	}
	return nil
}

// completes reports whether an update with this result.value is the
// result, rather than a move of the order's life.
func completes(v result.Outcome) bool {
	switch v {
	case result.Initiated, result.InProgress, result.Cancelled, result.Expired:
		return false
	}
	return true
}

// advance moves an order forward through received, invited and in
// progress until it reaches to (or is past it), one recorded transition at
// a time: a vendor may report progress before its acceptance of the
// delivery is recorded.
func (s *Service) advance(ctx context.Context, tx store.Tx, o *core.Order, to core.State, msg string) error {
	path := []core.State{core.StateReceived, core.StateInvited, core.StateInProgress}
	at, want := -1, -1
	for i, st := range path {
		if st == o.State {
			at = i
		}
		if st == to {
			want = i
		}
	}
	for i := at + 1; at >= 0 && i <= want; i++ {
		if err := s.transition(ctx, tx, o, path[i], msg); err != nil {
			return err
		}
	}
	return nil
}

// VendorOrders lists a vendor's orders in an account, oldest first, a page
// at a time: next is the cursor of the following page, "" after the last.
func (s *Service) VendorOrders(ctx context.Context, v core.Vendor, accountID string, kind core.Kind, open bool, after string, limit int) ([]wire.Order, string, error) {
	limit = min(max(limit, 1), 250)
	os, err := s.d.Store.ListVendorOrders(ctx, v.ID, accountID, store.VendorOrderFilter{Kind: kind, Open: open, After: after, Limit: limit + 1})
	if err != nil {
		return nil, "", fmt.Errorf("vendor orders: %w", err)
	}
	next := ""
	if len(os) > limit {
		os = os[:limit]
		next = os[limit-1].ID
	}
	out := make([]wire.Order, 0, len(os))
	views := s.orderViews(s.d.Store)
	for _, o := range os {
		view, err := views.view(ctx, o)
		if err != nil {
			return nil, "", fmt.Errorf("vendor orders: %w", err)
		}
		out = append(out, view)
	}
	return out, next, nil
}

// VendorOrder is one of a vendor's orders.
func (s *Service) VendorOrder(ctx context.Context, v core.Vendor, accountID string, kind core.Kind, orderID string) (wire.Order, error) {
	o, vac, err := s.vendorOrderIn(ctx, s.d.Store, v, accountID, kind, orderID)
	if err != nil {
		return wire.Order{}, fmt.Errorf("vendor order: %w", err)
	}
	return s.orderViews(s.d.Store, vac).view(ctx, o)
}

// adjudication is a background check's label when its vendor gave none:
// the vendor's own word for its verdict (result.source_value, "Clear"),
// else the words background-check vendors use for passed and failed.
func adjudication(v core.ResultValue, source string) string {
	if source = strings.TrimSpace(source); source != "" && len(source) <= 40 {
		r, n := utf8.DecodeRuneInString(source)
		return string(unicode.ToUpper(r)) + source[n:]
	}
	switch v {
	case core.ResultPassed:
		return "Clear"
	case core.ResultFailed:
		return "Consider"
	}
	return ""
}
