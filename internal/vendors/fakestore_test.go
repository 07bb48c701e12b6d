package vendors

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// fakeStore keeps, in memory, what the vendors service reads and writes: the
// vendor queries, accounts and vacancies. Transactions run one at a time
// and roll back on error. Everything else panics (the embedded nil Store).
// The tests take a store.Store, so they can run on the real stores too.
type fakeStore struct {
	store.Store
	txMu sync.Mutex // one transaction at a time
	mu   sync.Mutex
	d    fakeData
	// beforeUpdate, when set, runs before UpdateVendor checks the version:
	// a test's concurrent writer, committed outside the transaction (so
	// applied to the data and to what a rollback restores).
	beforeUpdate func(ds ...*fakeData)
	saved        *fakeData
	updates      int
}

type fakeData struct {
	accounts  map[string]core.Account
	vendors   map[string]core.Vendor
	keys      map[string]core.VendorKey
	links     map[[2]string]core.VendorLink
	packages  []core.VendorPackage
	vacancies map[string]core.Vacancy
}

func (d fakeData) clone() fakeData {
	return fakeData{accounts: maps.Clone(d.accounts), vendors: maps.Clone(d.vendors), keys: maps.Clone(d.keys),
		links: maps.Clone(d.links), packages: slices.Clone(d.packages), vacancies: maps.Clone(d.vacancies)}
}

func newFakeStore() *fakeStore {
	return &fakeStore{d: fakeData{accounts: map[string]core.Account{}, vendors: map[string]core.Vendor{},
		keys: map[string]core.VendorKey{}, links: map[[2]string]core.VendorLink{}, vacancies: map[string]core.Vacancy{}}}
}

type fakeTx struct{ *fakeStore }

func (fakeTx) SQL() *sql.Tx { return nil }

func (f *fakeStore) InTx(ctx context.Context, fn func(store.Tx) error) error {
	f.txMu.Lock()
	defer f.txMu.Unlock()
	f.mu.Lock()
	saved := f.d.clone()
	f.saved = &saved
	f.mu.Unlock()
	err := fn(fakeTx{f})
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.d = saved
	}
	f.saved = nil
	return err
}

func notFoundErr(what, id string) error { return fmt.Errorf("%s %s: %w", what, id, core.ErrNotFound) }

func (f *fakeStore) CreateAccount(_ context.Context, a core.Account) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.d.accounts[a.ID] = a
	return nil
}

func (f *fakeStore) GetAccount(_ context.Context, id string) (core.Account, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.d.accounts[id]
	if !ok {
		return core.Account{}, notFoundErr("account", id)
	}
	return a, nil
}

func (f *fakeStore) CreateVendor(_ context.Context, v core.Vendor) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.d.vendors {
		if strings.EqualFold(o.Name, v.Name) {
			return fmt.Errorf("vendor name: %w", core.ErrConflict)
		}
	}
	f.d.vendors[v.ID] = v
	return nil
}

func (f *fakeStore) GetVendor(_ context.Context, id string) (core.Vendor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.d.vendors[id]
	if !ok {
		return core.Vendor{}, notFoundErr("vendor", id)
	}
	return v, nil
}

func (f *fakeStore) ListVendors(context.Context) ([]core.Vendor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	vs := slices.Collect(maps.Values(f.d.vendors))
	slices.SortFunc(vs, func(a, b core.Vendor) int { return strings.Compare(a.Name, b.Name) })
	return vs, nil
}

func (f *fakeStore) UpdateVendor(_ context.Context, v core.Vendor) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.beforeUpdate != nil {
		ds := []*fakeData{&f.d}
		if f.saved != nil {
			ds = append(ds, f.saved)
		}
		f.beforeUpdate(ds...)
	}
	old, ok := f.d.vendors[v.ID]
	if !ok {
		return notFoundErr("vendor", v.ID)
	}
	if old.Version != v.Version {
		return fmt.Errorf("vendor %s: stale version: %w", v.ID, core.ErrConflict)
	}
	v.Version++
	f.d.vendors[v.ID] = v
	f.updates++
	return nil
}

func (f *fakeStore) CreateVendorKey(_ context.Context, k core.VendorKey) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.d.keys[k.ID] = k
	return nil
}

func (f *fakeStore) GetVendorKeyByHash(_ context.Context, hash string) (core.VendorKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range f.d.keys {
		if k.Hash == hash {
			return k, nil
		}
	}
	return core.VendorKey{}, notFoundErr("vendor key", "by hash")
}

func (f *fakeStore) ListVendorKeys(_ context.Context, vendorID string) ([]core.VendorKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []core.VendorKey
	for _, k := range f.d.keys {
		if k.VendorID == vendorID {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b core.VendorKey) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

func (f *fakeStore) TouchVendorKey(_ context.Context, id string, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, ok := f.d.keys[id]
	if !ok {
		return notFoundErr("vendor key", id)
	}
	k.LastUsedAt = at
	f.d.keys[id] = k
	return nil
}

func (f *fakeStore) DeleteVendorKey(_ context.Context, vendorID, keyID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, ok := f.d.keys[keyID]
	if !ok || k.VendorID != vendorID {
		return notFoundErr("vendor key", keyID)
	}
	delete(f.d.keys, keyID)
	return nil
}

func (f *fakeStore) LinkVendor(_ context.Context, l core.VendorLink) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := [2]string{l.VendorID, l.AccountID}
	if _, ok := f.d.links[k]; ok {
		return false, nil
	}
	f.d.links[k] = l
	return true, nil
}

func (f *fakeStore) UnlinkVendor(_ context.Context, vendorID, accountID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := [2]string{vendorID, accountID}
	if _, ok := f.d.links[k]; !ok {
		return notFoundErr("vendor link", vendorID)
	}
	delete(f.d.links, k)
	return nil
}

func (f *fakeStore) GetVendorLink(_ context.Context, vendorID, accountID string) (core.VendorLink, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.d.links[[2]string{vendorID, accountID}]
	if !ok {
		return core.VendorLink{}, notFoundErr("vendor link", vendorID)
	}
	return l, nil
}

func (f *fakeStore) ListVendorLinks(_ context.Context, vendorID string) ([]core.VendorLink, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []core.VendorLink
	for k, l := range f.d.links {
		if k[0] == vendorID {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b core.VendorLink) int { return strings.Compare(a.AccountID, b.AccountID) })
	return out, nil
}

func (f *fakeStore) ListAccountVendors(_ context.Context, accountID string) ([]core.Vendor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []core.Vendor
	for k := range f.d.links {
		if k[1] == accountID {
			out = append(out, f.d.vendors[k[0]])
		}
	}
	slices.SortFunc(out, func(a, b core.Vendor) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (f *fakeStore) ReplaceVendorPackages(_ context.Context, vendorID string, src core.PackageSource, ps []core.VendorPackage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.d.packages = slices.DeleteFunc(f.d.packages, func(p core.VendorPackage) bool { return p.VendorID == vendorID && p.Source == src })
	for _, p := range ps {
		p.VendorID, p.Source = vendorID, src
		f.d.packages = append(f.d.packages, p)
	}
	return nil
}

func (f *fakeStore) ListVendorPackages(_ context.Context, vendorID string) ([]core.VendorPackage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []core.VendorPackage
	for _, p := range f.d.packages {
		if p.VendorID == vendorID {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b core.VendorPackage) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (f *fakeStore) UpsertVendorVacancy(_ context.Context, v core.Vacancy) (core.Vacancy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, old := range f.d.vacancies {
		if old.AccountID == v.AccountID && old.VendorID == v.VendorID && old.VendorPackageID == v.VendorPackageID {
			old.Name, old.Kind, old.Description, old.Archived, old.UpdatedAt = v.Name, v.Kind, v.Description, false, v.UpdatedAt
			f.d.vacancies[id] = old
			return old, nil
		}
	}
	f.d.vacancies[v.ID] = v
	return v, nil
}

func (f *fakeStore) ArchiveVendorVacancies(_ context.Context, accountID, vendorID string, keep []string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for id, v := range f.d.vacancies {
		if v.AccountID == accountID && v.VendorID == vendorID && !v.Archived && !slices.Contains(keep, v.VendorPackageID) {
			v.Archived = true
			f.d.vacancies[id] = v
			n++
		}
	}
	return n, nil
}

func (f *fakeStore) ListVacancies(_ context.Context, accountID string) ([]core.Vacancy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []core.Vacancy
	for _, v := range f.d.vacancies {
		if v.AccountID == accountID {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b core.Vacancy) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
