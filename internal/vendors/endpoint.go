package vendors

import (
	"context"
	"fmt"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/stdwebhook"
)

// Endpoint is where and how deliveries to a vendor go.
type Endpoint struct {
	URL string
	// Secrets are every secret that signs now, current first: a delivery
	// carries one signature per secret.
	Secrets        []stdwebhook.Secret
	Disabled       bool
	DisabledReason string
}

// Endpoint returns the vendor's order endpoint for a delivery. A disabled
// vendor's endpoint is disabled too.
func (s *Service) Endpoint(ctx context.Context, vendorID string) (Endpoint, error) {
	v, err := s.getVendor(ctx, s.d.Store, vendorID)
	if err != nil {
		return Endpoint{}, fmt.Errorf("vendor endpoint: %w", err)
	}
	secrets, err := s.validSecrets(v, s.now())
	if err != nil {
		return Endpoint{}, fmt.Errorf("vendor endpoint: %w", err)
	}
	e := Endpoint{URL: v.WebhookURL, Secrets: secrets}
	switch {
	case v.Status != core.VendorActive:
		e.Disabled, e.DisabledReason = true, "the vendor is disabled"
	case !v.EndpointDisabledAt.IsZero():
		e.Disabled, e.DisabledReason = true, v.EndpointDisabledReason
	}
	return e, nil
}

// RecordEndpointOutcome records how the vendor's endpoint answered a
// delivery attempt at a time, by Svix's rule: a success ends the current
// run of failures; a failure starts one if none is running; an endpoint
// failing continuously for DisableAfter is switched off, with the reason.
// It reports whether this outcome switched it off. Outcomes may arrive out
// of order from concurrent deliveries: a success older than the run of
// failures says nothing about it.
func (s *Service) RecordEndpointOutcome(ctx context.Context, vendorID string, ok bool, at time.Time, why string) (bool, error) {
	at = at.UTC().Truncate(time.Microsecond)
	var disabledNow bool
	_, err := s.update(ctx, vendorID, func(v *core.Vendor) (bool, error) {
		disabledNow = false
		if ok {
			if v.FailingSince.IsZero() || at.Before(v.FailingSince) {
				return false, nil
			}
			v.FailingSince = time.Time{}
			return true, nil
		}
		if !v.EndpointDisabledAt.IsZero() {
			return false, nil
		}
		changed := false
		if v.FailingSince.IsZero() || at.Before(v.FailingSince) {
			v.FailingSince, changed = at, true
		}
		if at.Sub(v.FailingSince) >= s.d.DisableAfter {
			v.EndpointDisabledAt = at
			v.EndpointDisabledReason = "failing since " + v.FailingSince.Format(time.RFC3339)
			if why != "" {
				v.EndpointDisabledReason += ": " + why
			}
			disabledNow, changed = true, true
		}
		return changed, nil
	})
	if err != nil {
		return false, fmt.Errorf("record endpoint outcome: %w", err)
	}
	return disabledNow, nil
}
