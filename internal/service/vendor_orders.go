package service

// The outside vendor's side of the order path: an order of a vendor's
// package is stored received and sent to the vendor as a signed delivery
// (deliveries.go); the vendor's acceptance makes it invited, its refusal
// rejected, and its result updates (VendorResult) move it on from there.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"switchboard/internal/ats"
	"switchboard/internal/core"
	"switchboard/internal/store"
	"switchboard/internal/vendorapi/wire"
	"switchboard/internal/vendors"
)

// Vendors is what the order path needs of package vendors (its
// *vendors.Service).
type Vendors interface {
	// Endpoint is where a vendor's deliveries go, and what signs them.
	Endpoint(ctx context.Context, vendorID string) (vendors.Endpoint, error)
	// RecordEndpointOutcome notes whether an attempt reached a working
	// endpoint and reports whether that failure disabled it.
	RecordEndpointOutcome(ctx context.Context, vendorID string, ok bool, at time.Time, why string) (bool, error)
	// AccountPackages lists the packages of the vendors linked to an
	// account, made orderable there as vacancies.
	AccountPackages(ctx context.Context, accountID, jobID, provider string) ([]core.Vacancy, error)
}

// VendorAPIPath is where the vendor API is served; results_update_url
// points under it.
const VendorAPIPath = "/api/vendor"

// kindPath is a kind's segment of the vendor API's paths.
func kindPath(k core.Kind) string {
	if k == core.KindBackgroundCheck {
		return "background_checks"
	}
	return "assessments"
}

// createdEvent and cancelledEvent are the delivery events of a kind.
func createdEvent(k core.Kind) string {
	if k == core.KindBackgroundCheck {
		return wire.EventBackgroundCheckCreated
	}
	return wire.EventAssessmentCreated
}

func cancelledEvent(k core.Kind) string {
	if k == core.KindBackgroundCheck {
		return wire.EventBackgroundCheckCancelled
	}
	return wire.EventAssessmentCancelled
}

func isCreatedEvent(e string) bool {
	return e == wire.EventAssessmentCreated || e == wire.EventBackgroundCheckCreated
}

// vendorFulfiller sends orders to an outside vendor.
type vendorFulfiller struct{ s *Service }

// Issue stores the order received and queues its delivery; an inline
// order's delivery is made by CandidateURL, while the ATS waits.
func (f vendorFulfiller) Issue(ctx context.Context, tx store.Tx, o core.Order, vac core.Vacancy, received string, detail map[string]string) (core.Order, string, error) {
	s := f.s
	v, err := tx.GetVendor(ctx, vac.VendorID)
	if err != nil {
		return core.Order{}, "", fmt.Errorf("vendor of package %s: %w", vac.ID, err)
	}
	if v.Status != core.VendorActive {
		return core.Order{}, "", fmt.Errorf("package %q: vendor %s is %s: %w", vac.ID, v.Name, v.Status, ErrNoVacancy)
	}
	if _, err := tx.GetVendorLink(ctx, v.ID, o.AccountID); errors.Is(err, core.ErrNotFound) {
		return core.Order{}, "", fmt.Errorf("package %q: vendor %s is not linked to the account: %w", vac.ID, v.Name, ErrNoVacancy)
	} else if err != nil {
		return core.Order{}, "", err
	}
	if err := tx.CreateOrder(ctx, o); err != nil {
		return core.Order{}, "", err
	}
	if err := s.timeline(ctx, tx, o, "state", received, detail); err != nil {
		return core.Order{}, "", err
	}
	d, err := s.newDelivery(ctx, tx, o, vac, createdEvent(vac.Kind))
	if err != nil {
		return core.Order{}, "", err
	}
	if o.Mode == core.ModeInline {
		return o, "", nil
	}
	msg := fmt.Sprintf("Sending the order to %s", v.Name)
	if err := s.timeline(ctx, tx, o, "vendor", msg, map[string]string{"delivery_id": d.ID, "event": d.Event}); err != nil {
		return core.Order{}, "", err
	}
	return o, "", s.enqueue(ctx, tx, DeliverArgs{DeliveryID: d.ID, OrderID: o.ID}, nil)
}

// CandidateURL delivers an inline order now and returns the vendor's
// test_url; an order asked for again gets the URL it has. A vendor that
// refuses, is down or too slow gets the ATS a refusal saying so, and the
// order stays received: the ATS asking again tries the vendor again.
func (f vendorFulfiller) CandidateURL(ctx context.Context, o core.Order, _ string) (string, error) {
	s := f.s
	if o.CandidateURL != "" {
		return o.CandidateURL, nil
	}
	ds, err := s.d.Store.ListOrderDeliveries(ctx, o.ID)
	if err != nil {
		return "", err
	}
	var d core.Delivery
	for _, x := range ds {
		if isCreatedEvent(x.Event) {
			d = x
		}
	}
	if d.ID == "" {
		return "", fmt.Errorf("inline order %s has no delivery", o.ID)
	}
	if d.Status == core.DeliveryRejected {
		return "", ats.Refuse(http.StatusUnprocessableEntity, "the assessment vendor refused this order: %s", d.Message)
	}
	if _, err := s.attemptDelivery(ctx, d, false, inlineDeliveryTimeout, false); err != nil {
		return "", err
	}
	cur, err := s.d.Store.GetOrder(ctx, o.ID)
	if err != nil {
		return "", err
	}
	if cur.CandidateURL != "" {
		return cur.CandidateURL, nil
	}
	d, err = s.d.Store.GetDelivery(ctx, d.ID)
	if err != nil {
		return "", err
	}
	if d.Status == core.DeliveryRejected {
		return "", ats.Refuse(http.StatusUnprocessableEntity, "the assessment vendor refused this order: %s", d.Message)
	}
	return "", ats.Refuse(http.StatusBadGateway, "the assessment vendor could not start the assessment (%s); try again shortly", d.Message)
}

// Cancelled tells the vendor the ATS cancelled an order it was sent.
func (f vendorFulfiller) Cancelled(ctx context.Context, tx store.Tx, o core.Order, vac core.Vacancy) error {
	ds, err := tx.ListOrderDeliveries(ctx, o.ID)
	if err != nil {
		return err
	}
	sent := false
	for _, d := range ds {
		if isCreatedEvent(d.Event) && d.Status != core.DeliveryRejected {
			sent = true
		}
	}
	if !sent {
		return nil
	}
	d, err := f.s.newDelivery(ctx, tx, o, vac, cancelledEvent(vac.Kind))
	if err != nil {
		return err
	}
	return f.s.enqueue(ctx, tx, DeliverArgs{DeliveryID: d.ID, OrderID: o.ID}, nil)
}

// newDelivery stores a delivery of event about o, its body the order as the
// vendor sees it now.
func (s *Service) newDelivery(ctx context.Context, tx store.Tx, o core.Order, vac core.Vacancy, event string) (core.Delivery, error) {
	view, err := s.orderViews(tx, vac).view(ctx, o)
	if err != nil {
		return core.Delivery{}, err
	}
	now := s.now()
	body, err := json.Marshal(wire.Envelope{Type: event, Timestamp: now, Data: view})
	if err != nil {
		return core.Delivery{}, fmt.Errorf("delivery body: %w", err)
	}
	d := core.Delivery{
		ID: core.NewID("msg"), VendorID: vac.VendorID, AccountID: o.AccountID, OrderID: o.ID, Event: event,
		Payload: body, Status: core.DeliveryPending, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateDelivery(ctx, d); err != nil {
		return core.Delivery{}, err
	}
	return d, nil
}

// orderViews builds orders as their vendor sees them, reading each
// vacancy and integration once however many orders share them (a page of
// a vendor's orders); the candidate is each order's own.
type orderViews struct {
	s         *Service
	q         store.Queries
	vacancies map[string]core.Vacancy
	providers map[string]string
}

// orderViews reads through q; known vacancies need not be read again.
func (s *Service) orderViews(q store.Queries, known ...core.Vacancy) *orderViews {
	w := &orderViews{s: s, q: q, vacancies: map[string]core.Vacancy{}, providers: map[string]string{}}
	for _, v := range known {
		w.vacancies[v.ID] = v
	}
	return w
}

// view is o as its vendor sees it.
func (w *orderViews) view(ctx context.Context, o core.Order) (wire.Order, error) {
	vac, ok := w.vacancies[o.VacancyID]
	if !ok {
		var err error
		if vac, err = w.q.GetVacancy(ctx, o.VacancyID); err != nil {
			return wire.Order{}, fmt.Errorf("order %s: %w", o.ID, err)
		}
		w.vacancies[vac.ID] = vac
	}
	provider, ok := w.providers[o.IntegrationID]
	if !ok {
		in, err := w.q.GetIntegration(ctx, o.IntegrationID)
		if err != nil {
			return wire.Order{}, fmt.Errorf("order %s: %w", o.ID, err)
		}
		provider = in.Provider
		w.providers[in.ID] = provider
	}
	c, err := w.q.GetCandidate(ctx, o.CandidateID)
	if err != nil {
		return wire.Order{}, fmt.Errorf("order %s: %w", o.ID, err)
	}
	first, last := splitName(c.Name)
	view := wire.Order{
		ID: o.ID, AccountID: o.AccountID, Kind: string(vac.Kind), Status: string(o.State), Mode: string(o.Mode),
		Provider: provider,
		Package:  wire.Package{ID: vac.VendorPackageID, Name: vac.Name, Description: vac.Description, Type: string(vac.Kind)},
		Candidate: wire.Candidate{
			ID: c.ID, RemoteID: c.ExternalID, FirstName: first, LastName: last, ProfileURL: c.ProfileURL,
		},
		Application:      wire.Application{ID: o.ExternalID, RemoteID: o.ExternalID},
		Job:              wire.Job{ID: o.ExternalJobID, RemoteID: o.ExternalJobID},
		ResultsUpdateURL: w.s.d.BaseURL + VendorAPIPath + "/unified/ats/" + kindPath(vac.Kind) + "/orders/" + o.ID + "/result",
		TestURL:          o.CandidateURL,
		ReturnURL:        o.ReturnURL,
		CreatedAt:        o.CreatedAt,
	}
	if c.Email != "" {
		view.Candidate.Emails = []wire.Email{{Type: "personal", Value: c.Email}}
	}
	return view, nil
}

// splitName splits a full name at its last space, as ATSs that keep one
// field do when they must give two.
func splitName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexByte(name, ' '); i > 0 {
		return strings.TrimSpace(name[:i]), name[i+1:]
	}
	return name, ""
}

// candidateURLOK reports whether a vendor's test_url may be handed to an
// ATS: an absolute https URL (http when the operator allows it).
func (s *Service) candidateURLOK(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || len(raw) > 2048 {
		return false
	}
	return u.Scheme == "https" || (u.Scheme == "http" && s.d.VendorHTTP)
}
