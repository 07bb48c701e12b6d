package vendors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"switchboard/internal/core"
	"switchboard/internal/secret"
	"switchboard/internal/store"
)

// KeyPrefix starts every vendor API key, so a leaked one is recognisable.
const KeyPrefix = "svk_"

// MaxNameLength bounds a vendor's name.
const MaxNameLength = 200

// Create creates an active vendor with its first API key (shown once). It is
// an operator action (CLI).
func (s *Service) Create(ctx context.Context, name string, kind core.Kind) (core.Vendor, string, error) {
	name = strings.TrimSpace(name)
	bad := core.Invalid()
	switch {
	case name == "":
		bad.Add("name", "is required")
	case utf8.RuneCountInString(name) > MaxNameLength:
		bad.Add("name", fmt.Sprintf("is longer than %d characters", MaxNameLength))
	}
	if !knownKind(kind) {
		bad.Add("kind", "must be assessment or background_check")
	}
	if err := bad.OrNil(); err != nil {
		return core.Vendor{}, "", err
	}
	now := s.now()
	v := core.Vendor{ID: core.NewID("vnd"), Name: name, Kind: kind, Status: core.VendorActive, CreatedAt: now, UpdatedAt: now}
	var key string
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateVendor(ctx, v); errors.Is(err, core.ErrConflict) {
			return core.Invalid("name", "another vendor has this name: choose another")
		} else if err != nil {
			return err
		}
		var err error
		_, key, err = s.newKey(ctx, tx, v.ID)
		return err
	})
	if err != nil {
		return core.Vendor{}, "", fmt.Errorf("create vendor: %w", err)
	}
	return v, key, nil
}

func (s *Service) newKey(ctx context.Context, q store.Queries, vendorID string) (core.VendorKey, string, error) {
	key, err := secret.NewToken(KeyPrefix)
	if err != nil {
		return core.VendorKey{}, "", fmt.Errorf("new vendor key: %w", err)
	}
	k := core.VendorKey{ID: core.NewID("vkey"), VendorID: vendorID, Prefix: key[:10], Hash: secret.HashToken(key), CreatedAt: s.now()}
	if err := q.CreateVendorKey(ctx, k); err != nil {
		return core.VendorKey{}, "", err
	}
	return k, key, nil
}

// List returns every vendor, by name.
func (s *Service) List(ctx context.Context) ([]core.Vendor, error) {
	vs, err := s.d.Store.ListVendors(ctx)
	if err != nil {
		return nil, fmt.Errorf("list vendors: %w", err)
	}
	return vs, nil
}

// Get returns one vendor.
func (s *Service) Get(ctx context.Context, id string) (core.Vendor, error) {
	v, err := s.getVendor(ctx, s.d.Store, id)
	if err != nil {
		return core.Vendor{}, fmt.Errorf("get vendor: %w", err)
	}
	return v, nil
}

// SetStatus enables or disables a vendor: a disabled one's keys are refused
// and nothing is delivered to it.
func (s *Service) SetStatus(ctx context.Context, id string, st core.VendorStatus) (core.Vendor, error) {
	if st != core.VendorActive && st != core.VendorDisabled {
		return core.Vendor{}, core.Invalid("status", "must be active or disabled")
	}
	v, err := s.update(ctx, id, func(v *core.Vendor) (bool, error) {
		if v.Status == st {
			return false, nil
		}
		v.Status = st
		return true, nil
	})
	if err != nil {
		return core.Vendor{}, fmt.Errorf("set vendor status: %w", err)
	}
	return v, nil
}

// CreateKey gives a vendor a new API key (shown once); its other keys go on
// working.
func (s *Service) CreateKey(ctx context.Context, vendorID string) (core.VendorKey, string, error) {
	var k core.VendorKey
	var key string
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		if _, err := s.getVendor(ctx, tx, vendorID); err != nil {
			return err
		}
		var err error
		k, key, err = s.newKey(ctx, tx, vendorID)
		return err
	})
	if err != nil {
		return core.VendorKey{}, "", fmt.Errorf("create vendor key: %w", err)
	}
	return k, key, nil
}

// RevokeKey revokes a vendor's key at once.
func (s *Service) RevokeKey(ctx context.Context, vendorID, keyID string) error {
	err := s.d.Store.DeleteVendorKey(ctx, vendorID, keyID)
	if errors.Is(err, core.ErrNotFound) {
		err = core.Explain(err, "vendor %s has no key %s", vendorID, keyID)
	}
	if err != nil {
		return fmt.Errorf("revoke vendor key: %w", err)
	}
	return nil
}

// ListKeys returns a vendor's keys, oldest first.
func (s *Service) ListKeys(ctx context.Context, vendorID string) ([]core.VendorKey, error) {
	if _, err := s.getVendor(ctx, s.d.Store, vendorID); err != nil {
		return nil, fmt.Errorf("list vendor keys: %w", err)
	}
	ks, err := s.d.Store.ListVendorKeys(ctx, vendorID)
	if err != nil {
		return nil, fmt.Errorf("list vendor keys: %w", err)
	}
	return ks, nil
}

// SetStaticPackages replaces the vendor's static packages (entered by the
// operator or in the admin UI), every kind at once.
func (s *Service) SetStaticPackages(ctx context.Context, vendorID string, ps []core.VendorPackage) ([]core.VendorPackage, error) {
	v, err := s.getVendor(ctx, s.d.Store, vendorID)
	if err != nil {
		return nil, fmt.Errorf("set static packages: %w", err)
	}
	out, err := s.replacePackages(ctx, v, core.PackagesStatic, "", ps)
	if err != nil {
		return nil, fmt.Errorf("set static packages: %w", err)
	}
	return out, nil
}

// LinkAccount links a vendor to an account on the operator's word (CLI),
// as a super admin of the account would with Link.
func (s *Service) LinkAccount(ctx context.Context, vendorID, accountID string) (bool, error) {
	linked, err := s.link(ctx, vendorID, accountID, "operator")
	if err != nil {
		return false, fmt.Errorf("link vendor: %w", err)
	}
	return linked, nil
}

// UnlinkAccount is the operator's form of Unlink.
func (s *Service) UnlinkAccount(ctx context.Context, vendorID, accountID string) error {
	if err := s.unlink(ctx, vendorID, accountID); err != nil {
		return fmt.Errorf("unlink vendor: %w", err)
	}
	return nil
}
