package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
	"switchboard/internal/store/sqlcodec"
)

// ---- vendors ----

const vendorCols = `id, name, kind, status, webhook_url, webhook_secrets, endpoint_disabled_at, endpoint_disabled_reason,
	failing_since, packages_url, packages_key, packages_error, packages_error_at, created_at, updated_at, version`

func scanVendor(s scanner) (core.Vendor, error) {
	var v core.Vendor
	err := s.Scan(&v.ID, &v.Name, &v.Kind, &v.Status, &v.WebhookURL, sqlcodec.BlobCol(&v.WebhookSecrets),
		timeCol{&v.EndpointDisabledAt}, &v.EndpointDisabledReason, timeCol{&v.FailingSince}, &v.PackagesURL,
		sqlcodec.BlobCol(&v.PackagesKey), &v.PackagesError, timeCol{&v.PackagesErrorAt},
		timeCol{&v.CreatedAt}, timeCol{&v.UpdatedAt}, &v.Version)
	return v, err
}

// byVendorName is the order of vendor lists: the name without case (as the
// unique index compares names), then the id.
const byVendorName = ` ORDER BY lower(v.name), v.id`

func (q Queries) CreateVendor(ctx context.Context, v core.Vendor) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO vendors (`+vendorCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT DO NOTHING`,
		v.ID, v.Name, string(v.Kind), string(v.Status), v.WebhookURL, sqlcodec.Blob(v.WebhookSecrets),
		q.tm(v.EndpointDisabledAt), v.EndpointDisabledReason, q.tm(v.FailingSince), v.PackagesURL,
		sqlcodec.Blob(v.PackagesKey), v.PackagesError, q.tm(v.PackagesErrorAt), q.tm(v.CreatedAt), q.tm(v.UpdatedAt), v.Version)
	if err != nil {
		return q.fail(err, "create vendor %s", v.ID)
	}
	return q.created(res, fmt.Sprintf("name %q or id taken", v.Name), "create vendor %s", v.ID)
}

func (q Queries) GetVendor(ctx context.Context, id string) (core.Vendor, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+vendorCols+` FROM vendors WHERE id = $1`, id), scanVendor, "get vendor %s", id)
}

func (q Queries) ListVendors(ctx context.Context) ([]core.Vendor, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+prefixCols("v.", vendorCols)+` FROM vendors v`+byVendorName)
	return list(q, rows, err, scanVendor, "list vendors")
}

// UpdateVendor writes the mutable fields; ID and CreatedAt are never
// changed.
func (q Queries) UpdateVendor(ctx context.Context, v core.Vendor) error {
	res, err := q.w.ExecContext(ctx, `UPDATE vendors
		SET name = $1, kind = $2, status = $3, webhook_url = $4, webhook_secrets = $5, endpoint_disabled_at = $6,
		    endpoint_disabled_reason = $7, failing_since = $8, packages_url = $9, packages_key = $10,
		    packages_error = $11, packages_error_at = $12, updated_at = $13, version = version + 1
		WHERE id = $14 AND version = $15`,
		v.Name, string(v.Kind), string(v.Status), v.WebhookURL, sqlcodec.Blob(v.WebhookSecrets), q.tm(v.EndpointDisabledAt),
		v.EndpointDisabledReason, q.tm(v.FailingSince), v.PackagesURL, sqlcodec.Blob(v.PackagesKey),
		v.PackagesError, q.tm(v.PackagesErrorAt), q.tm(v.UpdatedAt), v.ID, v.Version)
	if err != nil {
		return q.fail(err, "update vendor %s", v.ID)
	}
	return q.checkVersioned(ctx, res, "vendors", v.ID, v.Version, "update vendor %s", v.ID)
}

// ---- vendor keys ----

const vendorKeyCols = `id, vendor_id, prefix, hash, created_at, last_used_at`

func scanVendorKey(s scanner) (core.VendorKey, error) {
	var k core.VendorKey
	err := s.Scan(&k.ID, &k.VendorID, &k.Prefix, &k.Hash, timeCol{&k.CreatedAt}, timeCol{&k.LastUsedAt})
	return k, err
}

func (q Queries) CreateVendorKey(ctx context.Context, k core.VendorKey) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO vendor_keys (`+vendorKeyCols+`) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		k.ID, k.VendorID, k.Prefix, k.Hash, q.tm(k.CreatedAt), q.tm(k.LastUsedAt))
	if err != nil {
		return q.fail(err, "create vendor key %s", k.ID)
	}
	return q.created(res, "hash or id taken", "create vendor key %s", k.ID)
}

func (q Queries) GetVendorKeyByHash(ctx context.Context, hash string) (core.VendorKey, error) {
	// The hash is a credential: keep it out of error messages.
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+vendorKeyCols+` FROM vendor_keys WHERE hash = $1`, hash), scanVendorKey, "get vendor key by hash")
}

func (q Queries) ListVendorKeys(ctx context.Context, vendorID string) ([]core.VendorKey, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+vendorKeyCols+` FROM vendor_keys WHERE vendor_id = $1 ORDER BY created_at, id`, vendorID)
	return list(q, rows, err, scanVendorKey, "list keys of vendor %s", vendorID)
}

func (q Queries) TouchVendorKey(ctx context.Context, id string, at time.Time) error {
	res, err := q.w.ExecContext(ctx, `UPDATE vendor_keys SET last_used_at = $1 WHERE id = $2`, q.tm(at), id)
	return q.matched(res, err, "touch vendor key %s", id)
}

func (q Queries) DeleteVendorKey(ctx context.Context, vendorID, keyID string) error {
	res, err := q.w.ExecContext(ctx, `DELETE FROM vendor_keys WHERE id = $1 AND vendor_id = $2`, keyID, vendorID)
	return q.matched(res, err, "delete key %s of vendor %s", keyID, vendorID)
}

// ---- vendor links ----

const vendorLinkCols = `vendor_id, account_id, created_at, created_by`

func scanVendorLink(s scanner) (core.VendorLink, error) {
	var l core.VendorLink
	err := s.Scan(&l.VendorID, &l.AccountID, timeCol{&l.CreatedAt}, &l.CreatedBy)
	return l, err
}

func (q Queries) LinkVendor(ctx context.Context, l core.VendorLink) (bool, error) {
	res, err := q.w.ExecContext(ctx, `INSERT INTO vendor_links (`+vendorLinkCols+`) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		l.VendorID, l.AccountID, q.tm(l.CreatedAt), l.CreatedBy)
	n, err := q.affected(res, err, "link vendor %s to account %s", l.VendorID, l.AccountID)
	if err != nil {
		return false, err
	}
	return n > 0, nil
}

func (q Queries) UnlinkVendor(ctx context.Context, vendorID, accountID string) error {
	res, err := q.w.ExecContext(ctx, `DELETE FROM vendor_links WHERE vendor_id = $1 AND account_id = $2`, vendorID, accountID)
	return q.matched(res, err, "unlink vendor %s from account %s", vendorID, accountID)
}

func (q Queries) GetVendorLink(ctx context.Context, vendorID, accountID string) (core.VendorLink, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+vendorLinkCols+` FROM vendor_links WHERE vendor_id = $1 AND account_id = $2`,
		vendorID, accountID), scanVendorLink, "get link of vendor %s to account %s", vendorID, accountID)
}

func (q Queries) ListVendorLinks(ctx context.Context, vendorID string) ([]core.VendorLink, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+vendorLinkCols+` FROM vendor_links WHERE vendor_id = $1 ORDER BY created_at, account_id`, vendorID)
	return list(q, rows, err, scanVendorLink, "list links of vendor %s", vendorID)
}

func (q Queries) ListAccountVendors(ctx context.Context, accountID string) ([]core.Vendor, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+prefixCols("v.", vendorCols)+` FROM vendors v
		JOIN vendor_links l ON l.vendor_id = v.id WHERE l.account_id = $1`+byVendorName, accountID)
	return list(q, rows, err, scanVendor, "list vendors of account %s", accountID)
}

// ---- vendor packages ----

const vendorPackageCols = `vendor_id, id, kind, name, description, source, updated_at`

func scanVendorPackage(s scanner) (core.VendorPackage, error) {
	var p core.VendorPackage
	err := s.Scan(&p.VendorID, &p.ID, &p.Kind, &p.Name, &p.Description, &p.Source, timeCol{&p.UpdatedAt})
	return p, err
}

// ReplaceVendorPackages deletes the vendor's packages of src and inserts
// ps. In a transaction it runs in it; on a pool in one of its own, so
// that no reader sees the set half replaced and a failure changes nothing.
// A set that cannot be stored (an id twice or empty, a package of another
// vendor or source) is refused before any statement runs, so that the
// caller's PostgreSQL transaction stays usable, like a create's conflict.
func (q Queries) ReplaceVendorPackages(ctx context.Context, vendorID string, src core.PackageSource, ps []core.VendorPackage) error {
	seen := make(map[string]bool, len(ps))
	for _, p := range ps {
		switch {
		case p.ID == "":
			return fmt.Errorf("store: replace %s packages of vendor %s: a package %q has no id", src, vendorID, p.Name)
		case seen[p.ID]:
			return fmt.Errorf("store: replace %s packages of vendor %s: %w: package id %q twice", src, vendorID, core.ErrConflict, p.ID)
		case (p.VendorID != "" && p.VendorID != vendorID) || (p.Source != "" && p.Source != src):
			return fmt.Errorf("store: replace %s packages of vendor %s: package %q is %s's of source %q", src, vendorID, p.ID, p.VendorID, p.Source)
		}
		seen[p.ID] = true
	}
	db, ok := q.w.(*sql.DB)
	if !ok {
		return q.replaceVendorPackages(ctx, vendorID, src, ps)
	}
	return q.d.InTx(ctx, db, func(tx store.Tx) error { return tx.ReplaceVendorPackages(ctx, vendorID, src, ps) })
}

func (q Queries) replaceVendorPackages(ctx context.Context, vendorID string, src core.PackageSource, ps []core.VendorPackage) error {
	if _, err := q.w.ExecContext(ctx, `DELETE FROM vendor_packages WHERE vendor_id = $1 AND source = $2`, vendorID, string(src)); err != nil {
		return q.fail(err, "replace %s packages of vendor %s", src, vendorID)
	}
	for _, p := range ps {
		_, err := q.w.ExecContext(ctx, `INSERT INTO vendor_packages (`+vendorPackageCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			vendorID, p.ID, string(p.Kind), p.Name, p.Description, string(src), q.tm(p.UpdatedAt))
		if err != nil {
			return q.fail(err, "replace %s packages of vendor %s: package %q", src, vendorID, p.ID)
		}
	}
	return nil
}

func (q Queries) ListVendorPackages(ctx context.Context, vendorID string) ([]core.VendorPackage, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+vendorPackageCols+` FROM vendor_packages WHERE vendor_id = $1
		ORDER BY lower(name), source, id`, vendorID)
	return list(q, rows, err, scanVendorPackage, "list packages of vendor %s", vendorID)
}

// ---- vendor vacancies ----

// UpsertVendorVacancy updates the existing row only when its name, kind or
// description differ or it is archived, so that listing a vendor's
// packages again and again leaves versions alone (an admin's form read
// before stays current). When nothing changed the upsert returns no row
// and the stored one is read.
func (q Queries) UpsertVendorVacancy(ctx context.Context, v core.Vacancy) (core.Vacancy, error) {
	if v.VendorID == "" || v.VendorID == core.BuiltinVendorID || v.VendorPackageID == "" {
		return core.Vacancy{}, fmt.Errorf("store: upsert vendor vacancy %s: vendor %q package %q: an outside vendor's package is needed",
			v.ID, v.VendorID, v.VendorPackageID)
	}
	// An outside vendor's package has no engine configuration.
	e, err := encodeVacancy(store.EngineVacancy{Vacancy: v})
	if err != nil {
		return core.Vacancy{}, q.fail(err, "upsert vacancy of vendor %s package %s", v.VendorID, v.VendorPackageID)
	}
	got, err := scanVacancy(q.w.QueryRowContext(ctx, insertVacancy+`
		ON CONFLICT (account_id, vendor_id, vendor_package_id) WHERE vendor_package_id <> '' DO UPDATE
		SET name = excluded.name, kind = excluded.kind, description = excluded.description, archived = FALSE,
		    updated_at = excluded.updated_at, version = vacancies.version + 1
		WHERE vacancies.name <> excluded.name OR vacancies.kind <> excluded.kind
		   OR vacancies.description <> excluded.description OR vacancies.archived
		RETURNING `+vacancyCols, q.insertVacancyArgs(v, e)...))
	if errors.Is(err, sql.ErrNoRows) {
		return one(q, q.w.QueryRowContext(ctx, `SELECT `+vacancyCols+` FROM vacancies
			WHERE account_id = $1 AND vendor_id = $2 AND vendor_package_id = $3`, v.AccountID, v.VendorID, v.VendorPackageID),
			scanVacancy, "upsert vacancy of vendor %s package %s", v.VendorID, v.VendorPackageID)
	}
	if err != nil {
		return core.Vacancy{}, q.fail(err, "upsert vacancy of vendor %s package %s", v.VendorID, v.VendorPackageID)
	}
	return got, nil
}

// ArchiveVendorVacancies moves each archived vacancy's version on, so an
// update from a copy read before cannot bring it back.
func (q Queries) ArchiveVendorVacancies(ctx context.Context, accountID, vendorID string, keep []string) (int, error) {
	var p params
	stmt := `UPDATE vacancies SET archived = TRUE, version = version + 1
		WHERE account_id = ` + p.add(accountID) + ` AND vendor_id = ` + p.add(vendorID) + `
		  AND vendor_package_id <> '' AND NOT archived`
	if len(keep) > 0 {
		stmt += ` AND vendor_package_id NOT IN (` + p.in(keep) + `)`
	}
	res, err := q.w.ExecContext(ctx, stmt, p.args...)
	n, err := q.affected(res, err, "archive vacancies of vendor %s in account %s", vendorID, accountID)
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

// ---- deliveries ----

const deliveryCols = `id, vendor_id, account_id, order_id, event, payload, status, attempts, message,
	last_attempt_at, next_attempt_at, delivered_at, created_at, updated_at`

func scanDelivery(s scanner) (core.Delivery, error) {
	var d core.Delivery
	err := s.Scan(&d.ID, &d.VendorID, &d.AccountID, sqlcodec.Str(&d.OrderID), &d.Event, sqlcodec.BlobCol(&d.Payload),
		&d.Status, &d.Attempts, &d.Message, timeCol{&d.LastAttemptAt}, timeCol{&d.NextAttemptAt}, timeCol{&d.DeliveredAt},
		timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt})
	return d, err
}

func (q Queries) CreateDelivery(ctx context.Context, d core.Delivery) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO deliveries (`+deliveryCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING`,
		d.ID, d.VendorID, d.AccountID, sqlcodec.NullIfEmpty(d.OrderID), d.Event, sqlcodec.Blob(d.Payload), string(d.Status),
		d.Attempts, d.Message, q.tm(d.LastAttemptAt), q.tm(d.NextAttemptAt), q.tm(d.DeliveredAt), q.tm(d.CreatedAt), q.tm(d.UpdatedAt))
	if err != nil {
		return q.fail(err, "create delivery %s", d.ID)
	}
	return q.created(res, "id taken", "create delivery %s", d.ID)
}

func (q Queries) GetDelivery(ctx context.Context, id string) (core.Delivery, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE id = $1`, id), scanDelivery, "get delivery %s", id)
}

func (q Queries) UpdateDelivery(ctx context.Context, d core.Delivery) error {
	res, err := q.w.ExecContext(ctx, `UPDATE deliveries
		SET status = $1, attempts = $2, message = $3, last_attempt_at = $4, next_attempt_at = $5, delivered_at = $6, updated_at = $7
		WHERE id = $8`,
		string(d.Status), d.Attempts, d.Message, q.tm(d.LastAttemptAt), q.tm(d.NextAttemptAt), q.tm(d.DeliveredAt), q.tm(d.UpdatedAt), d.ID)
	return q.matched(res, err, "update delivery %s", d.ID)
}

func (q Queries) ListDeliveries(ctx context.Context, vendorID string, f store.DeliveryFilter) ([]core.Delivery, error) {
	var p params
	where := []string{"vendor_id = " + p.add(vendorID)}
	if f.AccountID != "" {
		where = append(where, "account_id = "+p.add(f.AccountID))
	}
	if f.Status != "" {
		where = append(where, "status = "+p.add(string(f.Status)))
	}
	rows, err := q.r.QueryContext(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE `+strings.Join(where, " AND ")+`
		ORDER BY created_at DESC, id DESC LIMIT `+p.add(sqlcodec.ClampLimit(f.Limit)), p.args...)
	return list(q, rows, err, scanDelivery, "list deliveries of vendor %s", vendorID)
}

func (q Queries) ListOrderDeliveries(ctx context.Context, orderID string) ([]core.Delivery, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE order_id = $1 ORDER BY created_at, id`, orderID)
	return list(q, rows, err, scanDelivery, "list deliveries of order %s", orderID)
}

// AddDeliveryAttempt stores the response as bytes: it is the start of
// whatever the vendor answered, which need not be text (PostgreSQL's text
// refuses a NUL).
func (q Queries) AddDeliveryAttempt(ctx context.Context, a core.DeliveryAttempt) (int64, error) {
	var id int64
	err := q.w.QueryRowContext(ctx, `INSERT INTO delivery_attempts (delivery_id, at, status, duration_ns, response, error, replay)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		a.DeliveryID, q.tm(a.At), a.Status, int64(a.Duration), sqlcodec.Blob([]byte(a.Response)), a.Error, a.Replay).Scan(&id)
	if err != nil {
		return 0, q.fail(err, "add attempt to delivery %s", a.DeliveryID)
	}
	return id, nil
}

func (q Queries) ListDeliveryAttempts(ctx context.Context, deliveryID string) ([]core.DeliveryAttempt, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT id, delivery_id, at, status, duration_ns, response, error, replay
		FROM delivery_attempts WHERE delivery_id = $1 ORDER BY at, id`, deliveryID)
	return list(q, rows, err, scanDeliveryAttempt, "list attempts of delivery %s", deliveryID)
}

func scanDeliveryAttempt(s scanner) (core.DeliveryAttempt, error) {
	var a core.DeliveryAttempt
	var ns int64
	err := s.Scan(&a.ID, &a.DeliveryID, timeCol{&a.At}, &a.Status, &ns, sqlcodec.Str(&a.Response), &a.Error, &a.Replay)
	a.Duration = time.Duration(ns)
	return a, err
}

// ---- vendor orders ----

// openStates are the states of an order still waiting for a result: every
// state core's state machine lets an order leave.
var openStates = func() []string {
	var open []string
	for _, st := range core.States {
		if !st.Terminal() {
			open = append(open, string(st))
		}
	}
	return open
}()

// Vendor order pages hold defaultVendorOrders orders when no limit is
// asked, at most maxVendorOrders.
const (
	defaultVendorOrders = 25
	maxVendorOrders     = 250
)

// ListVendorOrders pages by (created_at, id) after the cursor order, which
// must be one of the vendor's orders in the account (in any state or kind:
// the order may have moved on since the last page); ErrNotFound when it is
// not, so that a bad cursor is not taken for the end of the list.
func (q Queries) ListVendorOrders(ctx context.Context, vendorID, accountID string, f store.VendorOrderFilter) ([]core.Order, error) {
	var p params
	stmt := ` FROM orders o JOIN vacancies v ON v.id = o.vacancy_id
		WHERE o.account_id = ` + p.add(accountID) + ` AND v.vendor_id = ` + p.add(vendorID)
	if f.After != "" {
		var after time.Time
		err := q.r.QueryRowContext(ctx, `SELECT o.created_at`+stmt+` AND o.id = $3`, accountID, vendorID, f.After).Scan(timeCol{&after})
		if err != nil {
			return nil, q.fail(err, "list orders of vendor %s in account %s: cursor %q", vendorID, accountID, f.After)
		}
		c, id := p.add(q.tm(after)), p.add(f.After)
		stmt += ` AND (o.created_at > ` + c + ` OR (o.created_at = ` + c + ` AND o.id > ` + id + `))`
	}
	if f.Kind != "" {
		stmt += ` AND v.kind = ` + p.add(string(f.Kind))
	}
	if f.Open {
		stmt += ` AND o.state IN (` + p.in(openStates) + `)`
	}
	stmt += ` ORDER BY o.created_at, o.id LIMIT ` + p.add(sqlcodec.Clamp(f.Limit, defaultVendorOrders, maxVendorOrders))
	rows, err := q.r.QueryContext(ctx, `SELECT `+prefixCols("o.", orderCols)+stmt, p.args...)
	return list(q, rows, err, scanOrder, "list orders of vendor %s in account %s", vendorID, accountID)
}

// ---- files ----

const fileCols = `id, account_id, order_id, name, content_type, sha256, data, created_at`

func (q Queries) SaveFile(ctx context.Context, f core.StoredFile) error {
	res, err := q.w.ExecContext(ctx, `INSERT INTO files (`+fileCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		f.ID, f.AccountID, sqlcodec.NullIfEmpty(f.OrderID), f.Name, f.ContentType, f.SHA256, sqlcodec.Blob(f.Data), q.tm(f.CreatedAt))
	if err != nil {
		return q.fail(err, "save file %s", f.ID)
	}
	return q.created(res, "id taken", "save file %s", f.ID)
}

func (q Queries) GetFile(ctx context.Context, id string) (core.StoredFile, error) {
	var f core.StoredFile
	err := q.r.QueryRowContext(ctx, `SELECT `+fileCols+` FROM files WHERE id = $1`, id).Scan(&f.ID, &f.AccountID,
		sqlcodec.Str(&f.OrderID), &f.Name, &f.ContentType, &f.SHA256, sqlcodec.BlobCol(&f.Data), timeCol{&f.CreatedAt})
	if err != nil {
		return core.StoredFile{}, q.fail(err, "get file %s", id)
	}
	return f, nil
}
