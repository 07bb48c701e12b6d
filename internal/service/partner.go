package service

// The order side of partner endpoints: package integrations authenticates an
// ATS that calls Switchboard (SmartRecruiters) and checks its integration;
// what it then asks about packages and orders is answered here.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

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

// Status implements integrations.PartnerOrders.
func (p partnerOrders) Status(ctx context.Context, in core.Integration, orderID string) (ats.Update, error) {
	return ats.Update{}, fmt.Errorf("status of order %s: not implemented yet", orderID)
}

// Complaint implements integrations.PartnerOrders.
func (p partnerOrders) Complaint(ctx context.Context, in core.Integration, c ats.Complaint) error {
	return fmt.Errorf("complaint about order %s: not implemented yet", c.OrderID)
}
