package vendors

import (
	"context"
	"errors"
	"fmt"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// AccountVendor is a vendor as an account's super admin sees it: whether it
// is linked to their account.
type AccountVendor struct {
	core.Vendor
	Linked bool
}

// mayLink refuses an actor who is not a super admin.
func mayLink(actor core.User) error {
	if actor.Role != core.RoleSuperAdmin || !actor.Active() {
		return core.Explain(fmt.Errorf("user %s (%s): %w", actor.ID, actor.Role, core.ErrForbidden),
			"only a super admin of the account may link or unlink vendors")
	}
	return nil
}

// Link links a vendor to the actor's account: its packages become orderable
// there. Linking again changes nothing.
func (s *Service) Link(ctx context.Context, actor core.User, vendorID string) error {
	if err := mayLink(actor); err != nil {
		return fmt.Errorf("link vendor: %w", err)
	}
	if _, err := s.link(ctx, vendorID, actor.AccountID, actor.Email); err != nil {
		return fmt.Errorf("link vendor: %w", err)
	}
	return nil
}

// Unlink removes the link of a vendor to the actor's account: its vacancies
// there are archived (orders already placed go on).
func (s *Service) Unlink(ctx context.Context, actor core.User, vendorID string) error {
	if err := mayLink(actor); err != nil {
		return fmt.Errorf("unlink vendor: %w", err)
	}
	if err := s.unlink(ctx, vendorID, actor.AccountID); err != nil {
		return fmt.Errorf("unlink vendor: %w", err)
	}
	return nil
}

// mayView refuses an actor whose role may not see the account's vendors.
func mayView(actor core.User) error {
	if !actor.Role.CanSeeVendors() || !actor.Active() {
		return core.Explain(fmt.Errorf("user %s (%s): %w", actor.ID, actor.Role, core.ErrForbidden),
			"your role may not see the account's vendors")
	}
	return nil
}

// AccountVendors lists every active vendor and every vendor linked to the
// actor's account (a linked vendor the operator disabled stays visible:
// its orders and deliveries are still there), and whether it is linked.
func (s *Service) AccountVendors(ctx context.Context, actor core.User) ([]AccountVendor, error) {
	if err := mayView(actor); err != nil {
		return nil, fmt.Errorf("account vendors: %w", err)
	}
	all, err := s.d.Store.ListVendors(ctx)
	if err != nil {
		return nil, fmt.Errorf("account vendors: %w", err)
	}
	linked, err := s.d.Store.ListAccountVendors(ctx, actor.AccountID)
	if err != nil {
		return nil, fmt.Errorf("account vendors: %w", err)
	}
	isLinked := make(map[string]bool, len(linked))
	for _, v := range linked {
		isLinked[v.ID] = true
	}
	out := make([]AccountVendor, 0, len(all))
	for _, v := range all {
		if v.Status == core.VendorActive || isLinked[v.ID] {
			out = append(out, AccountVendor{Vendor: v, Linked: isLinked[v.ID]})
		}
	}
	return out, nil
}

// AccountVendor returns one vendor as AccountVendors lists it; a vendor it
// does not list is not found.
func (s *Service) AccountVendor(ctx context.Context, actor core.User, vendorID string) (AccountVendor, error) {
	if err := mayView(actor); err != nil {
		return AccountVendor{}, fmt.Errorf("account vendor: %w", err)
	}
	v, err := s.getVendor(ctx, s.d.Store, vendorID)
	if err != nil {
		return AccountVendor{}, fmt.Errorf("account vendor: %w", err)
	}
	_, err = s.d.Store.GetVendorLink(ctx, v.ID, actor.AccountID)
	linked := err == nil
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return AccountVendor{}, fmt.Errorf("account vendor %s: %w", v.ID, err)
	}
	if !linked && v.Status != core.VendorActive {
		return AccountVendor{}, fmt.Errorf("account vendor: %w", core.Explain(fmt.Errorf("vendor %s is %s and not linked: %w", v.ID, v.Status, core.ErrNotFound), "there is no vendor %s", vendorID))
	}
	return AccountVendor{Vendor: v, Linked: linked}, nil
}

func (s *Service) link(ctx context.Context, vendorID, accountID, by string) (bool, error) {
	var created bool
	err := s.d.Store.InTx(ctx, func(tx store.Tx) error {
		v, err := s.getVendor(ctx, tx, vendorID)
		if err != nil {
			return err
		}
		if v.Status != core.VendorActive {
			return core.Explain(fmt.Errorf("vendor %s is %s: %w", v.ID, v.Status, core.ErrConflict), "vendor %s is disabled: it cannot be linked", v.Name)
		}
		if _, err := tx.GetAccount(ctx, accountID); errors.Is(err, core.ErrNotFound) {
			return core.Explain(err, "there is no account %s", accountID)
		} else if err != nil {
			return err
		}
		created, err = tx.LinkVendor(ctx, core.VendorLink{VendorID: v.ID, AccountID: accountID, CreatedAt: s.now(), CreatedBy: by})
		if err != nil {
			return err
		}
		all, err := tx.ListVendorPackages(ctx, v.ID)
		if err != nil {
			return err
		}
		return s.mirror(ctx, tx, v.ID, accountID, storedPackages(all), nil)
	})
	return created, err
}

func (s *Service) unlink(ctx context.Context, vendorID, accountID string) error {
	return s.d.Store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.UnlinkVendor(ctx, vendorID, accountID); errors.Is(err, core.ErrNotFound) {
			return core.Explain(err, "vendor %s is not linked to account %s", vendorID, accountID)
		} else if err != nil {
			return err
		}
		_, err := tx.ArchiveVendorVacancies(ctx, accountID, vendorID, nil)
		return err
	})
}
