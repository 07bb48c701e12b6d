package apptest

import (
	"context"
	"time"

	"switchboard/internal/core"
)

// SeedDelivery stores a delivery to a vendor as the delivery job leaves it,
// with the given attempts (their DeliveryID is set here), without sending
// anything: for pages and API tests that show deliveries. Zero times are
// filled from the clock.
func (e *Env) SeedDelivery(d core.Delivery, attempts ...core.DeliveryAttempt) core.Delivery {
	e.T.Helper()
	ctx := context.Background()
	now := e.Clock.Now().UTC().Truncate(time.Microsecond)
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = d.CreatedAt
	}
	if d.Event == "" {
		d.Event = "assessment.created"
	}
	if d.Payload == nil {
		d.Payload = []byte(`{}`)
	}
	if err := e.App.Store.CreateDelivery(ctx, d); err != nil {
		e.T.Fatalf("seed delivery: %v", err)
	}
	for _, a := range attempts {
		a.DeliveryID = d.ID
		if a.At.IsZero() {
			a.At = now
		}
		if _, err := e.App.Store.AddDeliveryAttempt(ctx, a); err != nil {
			e.T.Fatalf("seed delivery attempt: %v", err)
		}
	}
	return d
}
