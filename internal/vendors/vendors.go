// Package vendors manages outside vendors: the operator creates them and
// their keys, account super admins link them, and each vendor manages its
// own webhook endpoint, signing secrets and packages through the vendor API
// (which calls the Service here). Deliveries read a vendor's endpoint and
// report how it answered (Endpoint, RecordEndpointOutcome: an endpoint that
// fails continuously is switched off, Svix's rule); the ATS package lists
// ask AccountPackages, which calls a vendor's package list endpoint (cached
// briefly, identical concurrent calls collapsed) and falls back to its
// stored packages.
package vendors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// Deps are what the vendors service needs.
type Deps struct {
	Store   store.Store
	Keyring *secret.Keyring
	// HTTPClient is the guarded outbound client (netguard), for the package
	// list callout.
	HTTPClient *http.Client
	Now        func() time.Time
	Logger     *slog.Logger
	// AllowHTTP accepts http:// webhook and package list URLs (development,
	// tests); https only otherwise.
	AllowHTTP bool
	// PackagesCacheTTL is how long a package list answer is reused; 0 means
	// 60 s.
	PackagesCacheTTL time.Duration
	// DisableAfter is how long an endpoint may fail continuously before it
	// is switched off; 0 means 5 days (Svix's rule).
	DisableAfter time.Duration
	// RotationGrace is how long the previous signing secret keeps signing
	// after a rotation; 0 means 24 h.
	RotationGrace time.Duration
}

// Service holds the vendor operations.
type Service struct {
	d Deps
	// calloutTimeout bounds one package list callout.
	calloutTimeout time.Duration
	cache          *calloutCache
}

// Defaults of Deps.
const (
	DefaultPackagesCacheTTL = 60 * time.Second
	DefaultDisableAfter     = 5 * 24 * time.Hour
	DefaultRotationGrace    = 24 * time.Hour
	// CalloutTimeout is the package list endpoint's deadline.
	CalloutTimeout = 5 * time.Second
)

// New builds the vendors service.
func New(d Deps) (*Service, error) {
	switch {
	case d.Store == nil:
		return nil, errors.New("vendors: Store is required")
	case d.Keyring == nil:
		return nil, errors.New("vendors: Keyring is required")
	case d.HTTPClient == nil:
		return nil, errors.New("vendors: HTTPClient is required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.PackagesCacheTTL <= 0 {
		d.PackagesCacheTTL = DefaultPackagesCacheTTL
	}
	if d.DisableAfter <= 0 {
		d.DisableAfter = DefaultDisableAfter
	}
	if d.RotationGrace <= 0 {
		d.RotationGrace = DefaultRotationGrace
	}
	return &Service{d: d, calloutTimeout: CalloutTimeout, cache: newCalloutCache()}, nil
}

func (s *Service) now() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// maxUpdateTries bounds the retries of a read-modify-write that lost a race.
const maxUpdateTries = 5

// update re-reads a vendor in a transaction, lets change modify it, and
// writes it when change reports a change, retrying when a concurrent write
// got in first (the version check). It returns the vendor as stored.
func (s *Service) update(ctx context.Context, vendorID string, change func(v *core.Vendor) (bool, error)) (core.Vendor, error) {
	for try := 1; ; try++ {
		var out core.Vendor
		err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
			v, err := tx.GetVendor(ctx, vendorID)
			if err != nil {
				return err
			}
			changed, err := change(&v)
			if err != nil || !changed {
				out = v
				return err
			}
			v.UpdatedAt = s.now()
			if err := tx.UpdateVendor(ctx, v); err != nil {
				return err
			}
			v.Version++
			out = v
			return nil
		})
		if errors.Is(err, core.ErrConflict) && try < maxUpdateTries {
			continue
		}
		if err != nil {
			return core.Vendor{}, notFound(err, vendorID)
		}
		return out, nil
	}
}

// notFound gives a missing vendor a message for the person.
func notFound(err error, vendorID string) error {
	if errors.Is(err, core.ErrNotFound) && core.PublicMessage(err, "") == "" {
		return core.Explain(fmt.Errorf("vendor %s: %w", vendorID, err), "there is no vendor %s", vendorID)
	}
	return err
}

// getVendor reads a vendor, with a message for the person when there is none.
func (s *Service) getVendor(ctx context.Context, q store.Queries, id string) (core.Vendor, error) {
	v, err := q.GetVendor(ctx, id)
	if err != nil {
		return core.Vendor{}, notFound(err, id)
	}
	return v, nil
}

// knownKind reports whether k is a package kind; unlike core.ParseKind, it
// does not take "" for an assessment.
func knownKind(k core.Kind) bool {
	return k == core.KindAssessment || k == core.KindBackgroundCheck
}

// ts is t as a pointer for JSON, nil when zero.
func ts(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
