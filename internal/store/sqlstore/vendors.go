package sqlstore

import (
	"context"
	"errors"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// ---- vendors ----
//
// Not yet stored: these answer errNoVendors until the vendor tables land.

var errNoVendors = errors.New("store: vendors are not stored yet")

func (q Queries) CreateVendor(context.Context, core.Vendor) error { return errNoVendors }
func (q Queries) GetVendor(context.Context, string) (core.Vendor, error) {
	return core.Vendor{}, errNoVendors
}
func (q Queries) ListVendors(context.Context) ([]core.Vendor, error)      { return nil, errNoVendors }
func (q Queries) UpdateVendor(context.Context, core.Vendor) error         { return errNoVendors }
func (q Queries) CreateVendorKey(context.Context, core.VendorKey) error   { return errNoVendors }
func (q Queries) TouchVendorKey(context.Context, string, time.Time) error { return errNoVendors }
func (q Queries) DeleteVendorKey(context.Context, string, string) error   { return errNoVendors }
func (q Queries) UnlinkVendor(context.Context, string, string) error      { return errNoVendors }
func (q Queries) CreateDelivery(context.Context, core.Delivery) error     { return errNoVendors }
func (q Queries) UpdateDelivery(context.Context, core.Delivery) error     { return errNoVendors }
func (q Queries) SaveFile(context.Context, core.StoredFile) error         { return errNoVendors }
func (q Queries) GetFile(context.Context, string) (core.StoredFile, error) {
	return core.StoredFile{}, errNoVendors
}
func (q Queries) GetDelivery(context.Context, string) (core.Delivery, error) {
	return core.Delivery{}, errNoVendors
}
func (q Queries) GetVendorKeyByHash(context.Context, string) (core.VendorKey, error) {
	return core.VendorKey{}, errNoVendors
}
func (q Queries) ListVendorKeys(context.Context, string) ([]core.VendorKey, error) {
	return nil, errNoVendors
}
func (q Queries) LinkVendor(context.Context, core.VendorLink) (bool, error) {
	return false, errNoVendors
}
func (q Queries) GetVendorLink(context.Context, string, string) (core.VendorLink, error) {
	return core.VendorLink{}, errNoVendors
}
func (q Queries) ListVendorLinks(context.Context, string) ([]core.VendorLink, error) {
	return nil, errNoVendors
}
func (q Queries) ListAccountVendors(context.Context, string) ([]core.Vendor, error) {
	return nil, errNoVendors
}
func (q Queries) ReplaceVendorPackages(context.Context, string, core.PackageSource, []core.VendorPackage) error {
	return errNoVendors
}
func (q Queries) ListVendorPackages(context.Context, string) ([]core.VendorPackage, error) {
	return nil, errNoVendors
}
func (q Queries) UpsertVendorVacancy(context.Context, core.Vacancy) (core.Vacancy, error) {
	return core.Vacancy{}, errNoVendors
}
func (q Queries) ArchiveVendorVacancies(context.Context, string, string, []string) (int, error) {
	return 0, errNoVendors
}
func (q Queries) ListDeliveries(context.Context, string, store.DeliveryFilter) ([]core.Delivery, error) {
	return nil, errNoVendors
}
func (q Queries) ListOrderDeliveries(context.Context, string) ([]core.Delivery, error) {
	return nil, errNoVendors
}
func (q Queries) AddDeliveryAttempt(context.Context, core.DeliveryAttempt) (int64, error) {
	return 0, errNoVendors
}
func (q Queries) ListDeliveryAttempts(context.Context, string) ([]core.DeliveryAttempt, error) {
	return nil, errNoVendors
}
func (q Queries) ListVendorOrders(context.Context, string, string, store.VendorOrderFilter) ([]core.Order, error) {
	return nil, errNoVendors
}
