package vendors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/vendorapi/result"
	"switchboard/internal/vendorapi/wire"
)

// Authenticate resolves a vendor API key to its vendor. ok is false for an
// unknown or revoked key and for a disabled vendor; err is for a failure to
// tell.
func (s *Service) Authenticate(ctx context.Context, key string) (core.Vendor, bool, error) {
	if !strings.HasPrefix(key, KeyPrefix) {
		return core.Vendor{}, false, nil
	}
	k, err := s.d.Store.GetVendorKeyByHash(ctx, secret.HashToken(key))
	if errors.Is(err, core.ErrNotFound) {
		return core.Vendor{}, false, nil
	}
	if err != nil {
		return core.Vendor{}, false, fmt.Errorf("authenticate vendor: %w", err)
	}
	v, err := s.d.Store.GetVendor(ctx, k.VendorID)
	if errors.Is(err, core.ErrNotFound) {
		return core.Vendor{}, false, nil
	}
	if err != nil {
		return core.Vendor{}, false, fmt.Errorf("authenticate vendor: %w", err)
	}
	if v.Status != core.VendorActive {
		return core.Vendor{}, false, nil
	}
	// Last use is kept to the minute, as for admin keys: enough to spot
	// unused keys, without a write on every request.
	if now := s.now(); now.Sub(k.LastUsedAt) > time.Minute {
		if err := s.d.Store.TouchVendorKey(ctx, k.ID, now); err != nil {
			return core.Vendor{}, false, fmt.Errorf("authenticate vendor: %w", err)
		}
	}
	return v, true, nil
}

// CheckLinked refuses (core.ErrForbidden) an account the vendor is not
// linked to.
func (s *Service) CheckLinked(ctx context.Context, v core.Vendor, accountID string) error {
	if accountID == "" {
		return core.Explain(fmt.Errorf("vendor %s: no account: %w", v.ID, core.ErrForbidden),
			"send the x-account-id header naming an account your vendor is linked to")
	}
	_, err := s.d.Store.GetVendorLink(ctx, v.ID, accountID)
	if errors.Is(err, core.ErrNotFound) {
		return core.Explain(fmt.Errorf("vendor %s, account %s: not linked: %w", v.ID, accountID, core.ErrForbidden),
			"your vendor is not linked to account %s: its super admin links vendors in Switchboard", accountID)
	}
	if err != nil {
		return fmt.Errorf("check vendor link: %w", err)
	}
	return nil
}

// Packages returns the vendor's stored packages (static and pushed) of one
// kind.
func (s *Service) Packages(ctx context.Context, v core.Vendor, kind core.Kind) ([]core.VendorPackage, error) {
	all, err := s.d.Store.ListVendorPackages(ctx, v.ID)
	if err != nil {
		return nil, fmt.Errorf("vendor packages: %w", err)
	}
	out := []core.VendorPackage{}
	for _, p := range storedPackages(all) {
		if p.Kind == kind {
			out = append(out, p)
		}
	}
	return out, nil
}

// ReplacePackages makes ps the vendor's pushed packages of one kind
// (Kombo's replace-all); its pushed packages of the other kind stay.
func (s *Service) ReplacePackages(ctx context.Context, v core.Vendor, kind core.Kind, ps []core.VendorPackage) ([]core.VendorPackage, error) {
	if !knownKind(kind) {
		return nil, core.Invalid("kind", "must be assessment or background_check")
	}
	out, err := s.replacePackages(ctx, v, core.PackagesPushed, kind, ps)
	if err != nil {
		return nil, fmt.Errorf("replace packages: %w", err)
	}
	return out, nil
}

// Webhook returns the vendor's order endpoint, without its secret.
func (s *Service) Webhook(ctx context.Context, v core.Vendor) (wire.Webhook, error) {
	v, err := s.getVendor(ctx, s.d.Store, v.ID)
	if err != nil {
		return wire.Webhook{}, fmt.Errorf("webhook: %w", err)
	}
	w, err := s.webhookOf(v)
	if err != nil {
		return wire.Webhook{}, fmt.Errorf("webhook: %w", err)
	}
	return w, nil
}

func (s *Service) webhookOf(v core.Vendor) (wire.Webhook, error) {
	until, err := s.previousUntil(v)
	if err != nil {
		return wire.Webhook{}, err
	}
	return wire.Webhook{URL: v.WebhookURL, PreviousUntil: ts(until), DisabledAt: ts(v.EndpointDisabledAt),
		DisabledReason: v.EndpointDisabledReason, FailingSince: ts(v.FailingSince)}, nil
}

// checkURL refuses a webhook or package list URL that is not absolute
// https (http when allowed).
func (s *Service) checkURL(field, u string) error {
	if u == "" {
		return core.Invalid(field, "is required")
	}
	bad := core.Invalid()
	for _, fe := range result.CheckURL(field, u, result.Options{AllowHTTP: s.d.AllowHTTP}) {
		bad.Add(fe.Field, fe.Message)
	}
	return bad.OrNil()
}

// SetWebhook sets the vendor's order endpoint. The first time it also makes
// the signing secret, returned once in Secret. A new URL starts a new
// failure history.
func (s *Service) SetWebhook(ctx context.Context, v core.Vendor, url string) (wire.Webhook, error) {
	if err := s.checkURL("url", url); err != nil {
		return wire.Webhook{}, err
	}
	var fresh string
	w, err := s.changeWebhook(ctx, v.ID, func(v *core.Vendor) (bool, error) {
		if len(v.WebhookSecrets) == 0 {
			sec, _, err := s.addSecret(v)
			if err != nil {
				return false, err
			}
			fresh = sec.Reveal()
		} else if v.WebhookURL == url {
			return false, nil
		}
		if v.WebhookURL != url {
			v.FailingSince = time.Time{}
		}
		v.WebhookURL = url
		return true, nil
	})
	if err != nil {
		return wire.Webhook{}, fmt.Errorf("set webhook: %w", err)
	}
	w.Secret = fresh
	return w, nil
}

// RotateWebhookSecret makes a new current signing secret, returned once;
// the previous one keeps signing until RotationGrace has passed, so a
// receiver holding either accepts deliveries meanwhile.
func (s *Service) RotateWebhookSecret(ctx context.Context, v core.Vendor) (wire.Webhook, error) {
	var fresh string
	var until time.Time
	w, err := s.changeWebhook(ctx, v.ID, func(v *core.Vendor) (bool, error) {
		sec, u, err := s.addSecret(v)
		if err != nil {
			return false, err
		}
		fresh, until = sec.Reveal(), u
		return true, nil
	})
	if err != nil {
		return wire.Webhook{}, fmt.Errorf("rotate webhook secret: %w", err)
	}
	w.Secret, w.PreviousUntil = fresh, ts(until)
	return w, nil
}

// EnableWebhook switches a disabled endpoint back on, with a clean failure
// history.
func (s *Service) EnableWebhook(ctx context.Context, v core.Vendor) (wire.Webhook, error) {
	w, err := s.changeWebhook(ctx, v.ID, func(v *core.Vendor) (bool, error) {
		if v.EndpointDisabledAt.IsZero() && v.FailingSince.IsZero() && v.EndpointDisabledReason == "" {
			return false, nil
		}
		v.EndpointDisabledAt, v.EndpointDisabledReason, v.FailingSince = time.Time{}, "", time.Time{}
		return true, nil
	})
	if err != nil {
		return wire.Webhook{}, fmt.Errorf("enable webhook: %w", err)
	}
	return w, nil
}

// changeWebhook updates a vendor (see update) and returns its endpoint as
// it then is.
func (s *Service) changeWebhook(ctx context.Context, vendorID string, change func(v *core.Vendor) (bool, error)) (wire.Webhook, error) {
	v, err := s.update(ctx, vendorID, change)
	if err != nil {
		return wire.Webhook{}, err
	}
	return s.webhookOf(v)
}

// maxKeyLength bounds the key a vendor gives for its package list endpoint.
const maxKeyLength = 1024

// SetPackageSource sets the vendor's package list endpoint and the key
// Switchboard authenticates there with. The callout is signed with the
// webhook signing secrets, so one is made if the vendor has none yet (it
// reads it with RotateWebhookSecret or when setting its webhook).
func (s *Service) SetPackageSource(ctx context.Context, v core.Vendor, src wire.PackageSource) error {
	bad := core.Invalid()
	if err := s.checkURL("url", src.URL); err != nil {
		var inv *core.ValidationError
		if !errors.As(err, &inv) {
			return err
		}
		bad.Add("url", inv.Fields["url"])
	}
	switch {
	case src.Key == "":
		bad.Add("key", "is required: Switchboard sends it as the Basic auth user name")
	case utf8.RuneCountInString(src.Key) > maxKeyLength:
		bad.Add("key", fmt.Sprintf("is longer than %d characters", maxKeyLength))
	case strings.ContainsRune(src.Key, ':') || strings.IndexFunc(src.Key, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0:
		bad.Add("key", "must not contain ':' or control characters (it is a Basic auth user name)")
	}
	if err := bad.OrNil(); err != nil {
		return err
	}
	sealed, err := s.d.Keyring.Encrypt([]byte(src.Key), packagesKeyAAD(v.ID))
	if err != nil {
		return fmt.Errorf("set package source: seal key: %w", err)
	}
	_, err = s.update(ctx, v.ID, func(v *core.Vendor) (bool, error) {
		if len(v.WebhookSecrets) == 0 {
			if _, _, err := s.addSecret(v); err != nil {
				return false, err
			}
		}
		v.PackagesURL, v.PackagesKey = src.URL, sealed
		v.PackagesError, v.PackagesErrorAt = "", time.Time{}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("set package source: %w", err)
	}
	s.cache.forget(v.ID)
	return nil
}

// DeletePackageSource removes the vendor's package list endpoint; its stored
// packages are listed instead.
func (s *Service) DeletePackageSource(ctx context.Context, v core.Vendor) error {
	_, err := s.update(ctx, v.ID, func(v *core.Vendor) (bool, error) {
		if v.PackagesURL == "" && len(v.PackagesKey) == 0 && v.PackagesError == "" {
			return false, nil
		}
		v.PackagesURL, v.PackagesKey = "", nil
		v.PackagesError, v.PackagesErrorAt = "", time.Time{}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("delete package source: %w", err)
	}
	s.cache.forget(v.ID)
	return nil
}
