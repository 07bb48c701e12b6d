package service

// The order side of partner endpoints: package integrations authenticates an
// ATS that calls Switchboard (SmartRecruiters) and checks its integration;
// what it then asks about packages and orders is answered here.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/integrations"
	"switchboard/internal/vendors"
)

// PartnerOrders answers partner endpoints about packages and orders
// (integrations.Service.RegisterPartnerEndpoints).
func (s *Service) PartnerOrders() integrations.PartnerOrders { return partnerOrders{s: s} }

type partnerOrders struct{ s *Service }

var _ integrations.PartnerOrders = partnerOrders{}

// Packages implements integrations.PartnerOrders: the account's built-in
// vacancies and the packages of the vendors linked to it. When the vendors'
// packages cannot be listed and there is nothing else to offer, the ATS is
// told so rather than shown an empty list.
func (p partnerOrders) Packages(ctx context.Context, in core.Integration) ([]core.Vacancy, error) {
	all, err := p.s.d.Store.ListVacancies(ctx, in.AccountID)
	if err != nil {
		return nil, fmt.Errorf("packages: %w", err)
	}
	var vs []core.Vacancy
	for _, v := range all {
		if v.Builtin() && !v.Archived {
			vs = append(vs, v)
		}
	}
	if p.s.d.Vendors == nil {
		return vs, nil
	}
	theirs, err := p.s.d.Vendors.AccountPackages(ctx, in.AccountID, "", in.Provider)
	switch {
	case errors.Is(err, vendors.ErrPackagesUnavailable) && len(vs) > 0:
		p.s.d.Logger.WarnContext(ctx, "vendor packages not listed", "integration_id", in.ID, "err", err)
	case err != nil:
		return nil, fmt.Errorf("packages: %w", err)
	}
	return append(vs, theirs...), nil
}

// Package implements integrations.PartnerOrders.
func (p partnerOrders) Package(ctx context.Context, in core.Integration, id string) (core.Vacancy, error) {
	v, err := p.s.d.Store.GetVacancy(ctx, id)
	if errors.Is(err, core.ErrNotFound) || (err == nil && v.AccountID != in.AccountID) {
		return core.Vacancy{}, ats.Refuse(http.StatusNotFound, "no assessment package with id %q", id)
	}
	if err != nil {
		return core.Vacancy{}, fmt.Errorf("package: %w", err)
	}
	return v, nil
}

// Order implements integrations.PartnerOrders.
func (p partnerOrders) Order(ctx context.Context, in core.Integration, e ats.Event) (ats.OrderReceipt, error) {
	out, err := p.s.RequestOrder(ctx, in, e)
	var inv *core.ValidationError
	switch {
	case errors.Is(err, ErrNotEnabled):
		// Disabled between the integration's check and the order's transaction.
		return ats.OrderReceipt{}, ats.Refuse(http.StatusForbidden, "the Switchboard integration for this company is not enabled: orders are refused until the assessment vendor enables it")
	case errors.Is(err, ErrNoVacancy):
		return ats.OrderReceipt{}, ats.Refuse(http.StatusNotFound, "there is no assessment package %q to order", e.PackageID)
	case errors.As(err, &inv):
		return ats.OrderReceipt{}, ats.Refuse(http.StatusBadRequest, "%s", strings.TrimPrefix(inv.Error(), "invalid input: "))
	case err != nil:
		return ats.OrderReceipt{}, err
	}
	r := ats.OrderReceipt{OrderID: out.Order.ID, Created: out.Created}
	if out.Order.Mode == core.ModeInline {
		vac, err := p.s.d.Store.GetVacancy(ctx, out.Order.VacancyID)
		if err != nil {
			return ats.OrderReceipt{}, fmt.Errorf("order: %w", err)
		}
		// For an order asked for again Token is "": the same link.
		if r.CandidateURL, err = p.s.fulfillerOf(vac).CandidateURL(ctx, out.Order, out.Token); err != nil {
			return ats.OrderReceipt{}, fmt.Errorf("order: %w", err)
		}
	}
	if out.Created {
		p.s.d.Logger.InfoContext(ctx, "partner order received", "provider", in.Provider, "integration_id", in.ID, "order_id", out.Order.ID, "mode", out.Order.Mode)
	}
	return r, nil
}

// Cancel implements integrations.PartnerOrders.
func (p partnerOrders) Cancel(ctx context.Context, in core.Integration, e ats.Event) error {
	return p.s.cancelOrder(ctx, in, e)
}

// Status implements integrations.PartnerOrders: the order as a write-back
// of its current state would tell it (the same ats.Update, built by
// Service.update). An order of another integration is as absent as an
// unknown one.
func (p partnerOrders) Status(ctx context.Context, in core.Integration, orderID string) (ats.Update, error) {
	o, ok, err := p.order(ctx, in, orderID)
	if err != nil {
		return ats.Update{}, fmt.Errorf("status of order %s: %w", orderID, err)
	}
	if !ok {
		return ats.Update{}, ats.Refuse(http.StatusNotFound, "there is no order %q for this integration", printable(orderID, maxComplaintField))
	}
	u, err := p.s.update(ctx, o, o.State)
	if err != nil {
		return ats.Update{}, fmt.Errorf("status of order %s: %w", o.ID, err)
	}
	return u, nil
}

// order is an order of the integration, if orderID names one.
func (p partnerOrders) order(ctx context.Context, in core.Integration, orderID string) (core.Order, bool, error) {
	if orderID == "" {
		return core.Order{}, false, nil
	}
	o, err := p.s.d.Store.GetOrder(ctx, orderID)
	if errors.Is(err, core.ErrNotFound) || (err == nil && o.IntegrationID != in.ID) {
		return core.Order{}, false, nil
	}
	if err != nil {
		return core.Order{}, false, err
	}
	return o, true, nil
}

// What an ATS says is kept short and printable: it is the ATS's text, shown
// on a page and written to the log.
const (
	maxComplaintField  = 80  // the call's name, an order id
	maxComplaintError  = 300 // one of the ATS's errors
	maxComplaintErrors = 10
)

// Complaint implements integrations.PartnerOrders: a line on the order's
// timeline naming the ATS's call and its errors, or a warning in the log
// when the complaint names no order of the integration.
func (p partnerOrders) Complaint(ctx context.Context, in core.Integration, c ats.Complaint) error {
	call := cmp.Or(printable(c.Call, maxComplaintField), "(unnamed)")
	errs := make([]string, 0, min(len(c.Errors), maxComplaintErrors))
	for _, e := range c.Errors {
		if e = printable(e, maxComplaintError); e != "" && len(errs) < maxComplaintErrors {
			errs = append(errs, e)
		}
	}
	if more := len(c.Errors) - maxComplaintErrors; more > 0 {
		errs = append(errs, fmt.Sprintf("(and %d more)", more))
	}
	what := "no error given"
	if len(errs) > 0 {
		what = strings.Join(errs, "; ")
	}
	o, ok, err := p.order(ctx, in, c.OrderID)
	if err != nil {
		return fmt.Errorf("complaint about order %s: %w", c.OrderID, err)
	}
	if !ok {
		p.s.d.Logger.WarnContext(ctx, "the ATS reported a problem with an answer of Switchboard's, naming no order of the integration",
			"provider", in.Provider, "integration_id", in.ID, "order_id", printable(c.OrderID, maxComplaintField), "call", call, "errors", what)
		return nil
	}
	msg := fmt.Sprintf("%s reported a problem with Switchboard's answer to its %s call: %s", p.s.atsName(in), call, what)
	return p.s.timeline(ctx, p.s.d.Store, o, "ats_complaint", msg, map[string]string{"provider": in.Provider, "call": call})
}

// printable is s with control and other unprintable characters as spaces,
// runs of space as one, trimmed, and cut to max runes (with "…").
func printable(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}
