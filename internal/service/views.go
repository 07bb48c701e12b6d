package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/store"
)

// Link purposes: a signature for one cannot be used for another.
const (
	PurposeReportPage = "report-page"
	PurposeReportPDF  = "report-pdf"
)

// ReportPagePath and ReportPDFPath are where signed report links point.
func ReportPagePath(orderID string) string { return "/r/" + orderID }
func ReportPDFPath(orderID string) string  { return "/r/" + orderID + "/report.pdf" }

// DetailPagePath is the signed-in candidate detail page of an order.
func DetailPagePath(orderID string) string { return "/orders/" + orderID }

// reportLinks are the signed (and the signed-in) links to an order's report.
func (s *Service) reportLinks(o core.Order) ats.Reports {
	ttl := s.d.ReportLinkTTL
	pdf := s.d.Signer.SignedURL(s.d.BaseURL, PurposeReportPDF, ReportPDFPath(o.ID), ttl)
	return ats.Reports{
		DetailPageURL:   s.d.BaseURL + DetailPagePath(o.ID),
		ReadOnlyPageURL: s.d.Signer.SignedURL(s.d.BaseURL, PurposeReportPage, ReportPagePath(o.ID), ttl),
		PDFURL:          pdf,
		SignedReportURL: pdf,
	}
}

// reports are the links plus the PDF, rendered only when a connector uploads it.
func (s *Service) reports(o core.Order, c core.Candidate, v core.Vacancy, r core.Result) ats.Reports {
	rep := s.reportLinks(o)
	rep.PDF = func(ctx context.Context) ([]byte, error) { return s.d.Engine.PDF(ctx, o, c, v, r) }
	return rep
}

// resultReports are the reports of a result (resultLinks), with the PDF to
// upload when there is one.
func (s *Service) resultReports(ctx context.Context, o core.Order, c core.Candidate, v core.Vacancy, r core.Result) (ats.Reports, error) {
	rep, hasPDF, err := s.resultLinks(ctx, o)
	if err == nil && hasPDF {
		rep.PDF = func(ctx context.Context) ([]byte, error) { return s.d.Engine.PDF(ctx, o, c, v, r) }
	}
	return rep, err
}

// resultLinks are the links to a completed order's report: the PDF is the
// built-in engine's report, so a result without the engine's record has no
// PDF link, and its signed report link is the signed page; hasPDF says
// which.
func (s *Service) resultLinks(ctx context.Context, o core.Order) (rep ats.Reports, hasPDF bool, err error) {
	if hasPDF, err = s.d.Engine.HasPDF(ctx, o.ID); err != nil {
		return ats.Reports{}, false, err
	}
	rep = s.reportLinks(o)
	if !hasPDF {
		rep.PDFURL, rep.SignedReportURL = "", rep.ReadOnlyPageURL
	}
	return rep, hasPDF, nil
}

// OrderDetail is everything the order page and the API show about one order.
type OrderDetail struct {
	Order       core.Order
	Candidate   core.Candidate
	Vacancy     core.Vacancy
	Integration core.Integration
	Result      *core.Result
	Timeline    []core.TimelineEntry
	Reports     ats.Reports // links only when completed
	// CanReinvite is set for an expired order that may be re-invited.
	CanReinvite bool
}

func (s *Service) orderIn(ctx context.Context, q store.Queries, actor core.User, id string) (core.Order, error) {
	o, err := q.GetOrder(ctx, id)
	if err == nil && o.AccountID != actor.AccountID {
		err = fmt.Errorf("order %s: %w", id, core.ErrNotFound)
	}
	if errors.Is(err, core.ErrNotFound) {
		return core.Order{}, core.Explain(err, "there is no order %q in your account", id)
	}
	if err != nil {
		return core.Order{}, err
	}
	return o, nil
}

func (s *Service) orderFor(ctx context.Context, actor core.User, id string) (core.Order, error) {
	return s.orderIn(ctx, s.d.Store, actor, id)
}

// Order returns one order of the actor's account with its timeline.
func (s *Service) Order(ctx context.Context, actor core.User, id string) (OrderDetail, error) {
	o, err := s.orderFor(ctx, actor, id)
	if err != nil {
		return OrderDetail{}, fmt.Errorf("order: %w", err)
	}
	return s.orderDetail(ctx, o)
}

// ReportByOrderID loads an order's detail for a signed report link, which
// carries no user: the signature is the authorisation.
func (s *Service) ReportByOrderID(ctx context.Context, id string) (OrderDetail, error) {
	o, err := s.d.Store.GetOrder(ctx, id)
	if err != nil {
		return OrderDetail{}, fmt.Errorf("report: %w", err)
	}
	d, err := s.orderDetail(ctx, o)
	if err != nil {
		return OrderDetail{}, err
	}
	if d.Result == nil {
		return OrderDetail{}, fmt.Errorf("report: order %s has no result yet: %w", id, core.ErrNotFound)
	}
	return d, nil
}

// ReportPDF renders the PDF report of a completed order: the built-in
// engine's.
func (s *Service) ReportPDF(ctx context.Context, d OrderDetail) ([]byte, error) {
	if d.Result == nil {
		return nil, fmt.Errorf("report pdf: %w", core.ErrNotFound)
	}
	return s.d.Engine.PDF(ctx, d.Order, d.Candidate, d.Vacancy, *d.Result)
}

// VerifyReportLink checks a signed report link and returns when it expires.
func (s *Service) VerifyReportLink(purpose, path string, q map[string][]string) (time.Time, error) {
	return s.d.Signer.VerifyExpiry(purpose, path, q)
}

// ReportPDFLink is the signed PDF link a report page offers: it expires with
// the page's own link (until), so that a report link cannot extend itself.
func (s *Service) ReportPDFLink(orderID string, until time.Time) string {
	if longest := s.now().Add(s.d.ReportLinkTTL); until.After(longest) {
		until = longest
	}
	return s.d.Signer.SignedURLUntil(s.d.BaseURL, PurposeReportPDF, ReportPDFPath(orderID), until)
}

func (s *Service) orderDetail(ctx context.Context, o core.Order) (OrderDetail, error) {
	d := OrderDetail{Order: o}
	var err error
	if d.Candidate, err = s.d.Store.GetCandidate(ctx, o.CandidateID); err != nil {
		return OrderDetail{}, fmt.Errorf("order detail: %w", err)
	}
	if d.Vacancy, err = s.d.Store.GetVacancy(ctx, o.VacancyID); err != nil {
		return OrderDetail{}, fmt.Errorf("order detail: %w", err)
	}
	if d.Integration, err = s.d.Store.GetIntegration(ctx, o.IntegrationID); err != nil {
		return OrderDetail{}, fmt.Errorf("order detail: %w", err)
	}
	if d.Timeline, err = s.d.Store.ListTimeline(ctx, o.ID); err != nil {
		return OrderDetail{}, fmt.Errorf("order detail: %w", err)
	}
	d.CanReinvite = o.State == core.StateExpired && s.reinviteRefusal(d.Integration, o) == ""
	r, err := s.d.Store.GetResult(ctx, o.ID)
	switch {
	case err == nil:
		d.Result = &r
		if d.Reports, _, err = s.resultLinks(ctx, o); err != nil {
			return OrderDetail{}, fmt.Errorf("order detail: %w", err)
		}
	case !errors.Is(err, core.ErrNotFound):
		return OrderDetail{}, fmt.Errorf("order detail: %w", err)
	}
	return d, nil
}

// Orders lists the actor's account's orders.
func (s *Service) Orders(ctx context.Context, actor core.User, f store.OrderFilter) (store.OrderPage, error) {
	f.Search = strings.TrimSpace(f.Search)
	page, err := s.d.Store.ListOrders(ctx, actor.AccountID, f)
	if err != nil {
		return store.OrderPage{}, fmt.Errorf("orders: %w", err)
	}
	return page, nil
}

// Outbox lists the actor's account's mail in the dev outbox, newest first.
// It holds invitation links, which are credentials, so it is shown only to
// signed-in users of the account, and only to those who may act on orders.
func (s *Service) Outbox(ctx context.Context, actor core.User, limit int) ([]core.OutboxMail, error) {
	if !actor.Role.CanActOnOrders() {
		return nil, fmt.Errorf("outbox: %w", core.ErrForbidden)
	}
	mails, err := s.d.Store.ListOutboxMail(ctx, actor.AccountID, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return mails, nil
}

// MailConfigured reports whether emails go over SMTP (else to the dev outbox).
func (s *Service) MailConfigured() bool { return s.d.Mail != nil }
