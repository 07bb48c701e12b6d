package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"switchboard/internal/core"
	"switchboard/internal/store"
	"switchboard/internal/store/sqlcodec"
)

// ---- integrations ----

const integrationCols = `id, account_id, provider, name, status, patterns, settings, write_back, created_at, updated_at, version`

func scanIntegration(s scanner) (core.Integration, error) {
	var in core.Integration
	err := s.Scan(&in.ID, &in.AccountID, &in.Provider, &in.Name, &in.Status,
		sqlcodec.JSON(&in.Patterns), sqlcodec.JSON(&in.Settings), sqlcodec.JSON(&in.WriteBack),
		timeCol{&in.CreatedAt}, timeCol{&in.UpdatedAt}, &in.Version)
	return in, err
}

// integrationJSON encodes the JSON columns of an integration.
func integrationJSON(in core.Integration) (patterns, settings, writeBack string, err error) {
	if patterns, err = sqlcodec.JSONText(in.Patterns); err != nil {
		return "", "", "", fmt.Errorf("encode patterns: %w", err)
	}
	if settings, err = sqlcodec.JSONText(in.Settings); err != nil {
		return "", "", "", fmt.Errorf("encode settings: %w", err)
	}
	if writeBack, err = sqlcodec.JSONText(in.WriteBack); err != nil {
		return "", "", "", fmt.Errorf("encode write-back: %w", err)
	}
	return patterns, settings, writeBack, nil
}

func (q Queries) CreateIntegration(ctx context.Context, in core.Integration) error {
	patterns, settings, writeBack, err := integrationJSON(in)
	if err != nil {
		return q.fail(err, "create integration %s", in.ID)
	}
	res, err := q.w.ExecContext(ctx, `INSERT INTO integrations (`+integrationCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT DO NOTHING`,
		in.ID, in.AccountID, in.Provider, in.Name, string(in.Status), patterns, settings, writeBack,
		q.tm(in.CreatedAt), q.tm(in.UpdatedAt), in.Version)
	if err != nil {
		return q.fail(err, "create integration %s", in.ID)
	}
	return q.created(res, "the account has a "+in.Provider+" integration named "+strconv.Quote(in.Name)+", or the id is taken", "create integration %s", in.ID)
}

func (q Queries) GetIntegration(ctx context.Context, id string) (core.Integration, error) {
	return one(q, q.r.QueryRowContext(ctx, `SELECT `+integrationCols+` FROM integrations WHERE id = $1`, id), scanIntegration, "get integration %s", id)
}

func (q Queries) ListIntegrations(ctx context.Context, accountID string) ([]core.Integration, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT `+integrationCols+` FROM integrations WHERE account_id = $1 ORDER BY created_at, id`, accountID)
	return list(q, rows, err, scanIntegration, "list integrations of account %s", accountID)
}

// UpdateIntegration writes the mutable fields; ID, AccountID, Provider and
// CreatedAt identify the integration and are never changed.
func (q Queries) UpdateIntegration(ctx context.Context, in core.Integration) error {
	patterns, settings, writeBack, err := integrationJSON(in)
	if err != nil {
		return q.fail(err, "update integration %s", in.ID)
	}
	res, err := q.w.ExecContext(ctx, `UPDATE integrations
		SET name = $1, status = $2, patterns = $3, settings = $4, write_back = $5, updated_at = $6, version = version + 1
		WHERE id = $7 AND version = $8`,
		in.Name, string(in.Status), patterns, settings, writeBack, q.tm(in.UpdatedAt), in.ID, in.Version)
	if err != nil {
		return q.fail(err, "update integration %s", in.ID)
	}
	return q.checkVersioned(ctx, res, "integrations", in.ID, in.Version, "update integration %s", in.ID)
}

// checkVersioned turns a version-checked UPDATE that matched nothing into
// ErrNotFound (no such row) or ErrConflict (someone else updated it first).
// table is always a constant of this package.
func (q Queries) checkVersioned(ctx context.Context, res sql.Result, table, id string, version int64, format string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return q.fail(err, format, args...)
	}
	if n > 0 {
		return nil
	}
	var exists int
	err = q.w.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = $1`, id).Scan(&exists)
	if err != nil {
		return q.fail(err, format, args...)
	}
	return fmt.Errorf("store: %s: version %d: %w", fmt.Sprintf(format, args...), version, core.ErrStale)
}

// ---- credentials ----

func (q Queries) SetCredential(ctx context.Context, c core.Credential) error {
	_, err := q.w.ExecContext(ctx, `INSERT INTO credentials (integration_id, name, ciphertext, set_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (integration_id, name) DO UPDATE SET ciphertext = excluded.ciphertext, set_at = excluded.set_at`,
		c.IntegrationID, c.Name, sqlcodec.Blob(c.Ciphertext), q.tm(c.SetAt))
	if err != nil {
		return q.fail(err, "set credential %s of integration %s", c.Name, c.IntegrationID)
	}
	return nil
}

func (q Queries) DeleteCredential(ctx context.Context, integrationID, name string) error {
	if _, err := q.w.ExecContext(ctx, `DELETE FROM credentials WHERE integration_id = $1 AND name = $2`, integrationID, name); err != nil {
		return q.fail(err, "delete credential %s of integration %s", name, integrationID)
	}
	return nil
}

func (q Queries) ListCredentials(ctx context.Context, integrationID string) ([]core.Credential, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT integration_id, name, ciphertext, set_at FROM credentials WHERE integration_id = $1 ORDER BY name`, integrationID)
	return list(q, rows, err, scanCredential, "list credentials of integration %s", integrationID)
}

func scanCredential(s scanner) (core.Credential, error) {
	var c core.Credential
	err := s.Scan(&c.IntegrationID, &c.Name, sqlcodec.BlobCol(&c.Ciphertext), timeCol{&c.SetAt})
	return c, err
}

// ---- vacancies ----

const vacancyCols = `id, account_id, name, vendor_id, kind, vendor_package_id, description, archived,
	package, thresholds, tag, inline, expiry_days, return_url, created_at, updated_at, version`

// scanEngineVacancy reads a vacancy with the engine's configuration;
// Parts come from the package's modules.
func scanEngineVacancy(s scanner) (store.EngineVacancy, error) {
	var v store.EngineVacancy
	err := s.Scan(&v.ID, &v.AccountID, &v.Name, &v.VendorID, &v.Kind, &v.VendorPackageID, &v.Description, &v.Archived,
		sqlcodec.JSON(&v.Package), sqlcodec.JSON(&v.Thresholds), &v.Tag,
		&v.Inline, &v.ExpiryDays, &v.ReturnURL, timeCol{&v.CreatedAt}, timeCol{&v.UpdatedAt}, &v.Version)
	return v.WithParts(), err
}

func scanVacancy(s scanner) (core.Vacancy, error) {
	v, err := scanEngineVacancy(s)
	return v.Vacancy, err
}

// vacancyEnc is what a vacancy's columns hold where they differ from its
// fields: JSON documents, and the vendor and kind. A vacancy without a
// vendor is the built-in engine's and one without a kind an assessment, as
// the columns' defaults say, so no vacancy reads back without them.
type vacancyEnc struct{ vendor, kind, pkg, thresholds string }

func encodeVacancy(v store.EngineVacancy) (vacancyEnc, error) {
	e := vacancyEnc{vendor: cmp.Or(v.VendorID, core.BuiltinVendorID), kind: string(cmp.Or(v.Kind, core.KindAssessment))}
	var err error
	if e.pkg, err = sqlcodec.JSONText(v.Package); err != nil {
		return vacancyEnc{}, fmt.Errorf("encode package: %w", err)
	}
	if e.thresholds, err = sqlcodec.JSONText(v.Thresholds); err != nil {
		return vacancyEnc{}, fmt.Errorf("encode thresholds: %w", err)
	}
	return e, nil
}

// insertVacancy inserts a vacancy: vacancyCols' values from
// insertVacancyArgs. What follows it says what a clash does.
const insertVacancy = `INSERT INTO vacancies (` + vacancyCols + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`

func (q Queries) insertVacancyArgs(v core.Vacancy, e vacancyEnc) []any {
	return []any{v.ID, v.AccountID, v.Name, e.vendor, e.kind, v.VendorPackageID, v.Description, v.Archived,
		e.pkg, e.thresholds, v.Tag, v.Inline, v.ExpiryDays, v.ReturnURL, q.tm(v.CreatedAt), q.tm(v.UpdatedAt), v.Version}
}

func (q Queries) CreateVacancy(ctx context.Context, v store.EngineVacancy) error {
	e, err := encodeVacancy(v)
	if err != nil {
		return q.fail(err, "create vacancy %s", v.ID)
	}
	res, err := q.w.ExecContext(ctx, insertVacancy+` ON CONFLICT DO NOTHING`, q.insertVacancyArgs(v.Vacancy, e)...)
	if err != nil {
		return q.fail(err, "create vacancy %s", v.ID)
	}
	return q.created(res, fmt.Sprintf("tag %q, vendor package %q or id taken", v.Tag, v.VendorPackageID), "create vacancy %s", v.ID)
}

// getVacancy and listVacancies read vacancies either way: as core.Vacancy
// or with the engine's configuration.
const getVacancy = `SELECT ` + vacancyCols + ` FROM vacancies WHERE id = $1`

func (q Queries) GetVacancy(ctx context.Context, id string) (core.Vacancy, error) {
	return one(q, q.r.QueryRowContext(ctx, getVacancy, id), scanVacancy, "get vacancy %s", id)
}

func (q Queries) GetEngineVacancy(ctx context.Context, id string) (store.EngineVacancy, error) {
	return one(q, q.r.QueryRowContext(ctx, getVacancy, id), scanEngineVacancy, "get vacancy %s", id)
}

const listVacancies = `SELECT ` + vacancyCols + ` FROM vacancies WHERE account_id = $1 ORDER BY created_at, id`

func (q Queries) ListVacancies(ctx context.Context, accountID string) ([]core.Vacancy, error) {
	rows, err := q.r.QueryContext(ctx, listVacancies, accountID)
	return list(q, rows, err, scanVacancy, "list vacancies of account %s", accountID)
}

func (q Queries) ListEngineVacancies(ctx context.Context, accountID string) ([]store.EngineVacancy, error) {
	rows, err := q.r.QueryContext(ctx, listVacancies, accountID)
	return list(q, rows, err, scanEngineVacancy, "list vacancies of account %s", accountID)
}

// UpdateVacancy writes the mutable fields; ID, AccountID, VendorID,
// VendorPackageID and CreatedAt say whose package in which account the
// vacancy is, and are never changed.
func (q Queries) UpdateVacancy(ctx context.Context, v store.EngineVacancy) error {
	e, err := encodeVacancy(v)
	if err != nil {
		return q.fail(err, "update vacancy %s", v.ID)
	}
	res, err := q.w.ExecContext(ctx, `UPDATE vacancies
		SET name = $1, kind = $2, description = $3, archived = $4, package = $5, thresholds = $6, tag = $7,
		    inline = $8, expiry_days = $9, return_url = $10, updated_at = $11, version = version + 1
		WHERE id = $12 AND version = $13`,
		v.Name, e.kind, v.Description, v.Archived, e.pkg, e.thresholds, v.Tag,
		v.Inline, v.ExpiryDays, v.ReturnURL, q.tm(v.UpdatedAt), v.ID, v.Version)
	if err != nil {
		return q.fail(err, "update vacancy %s", v.ID)
	}
	return q.checkVersioned(ctx, res, "vacancies", v.ID, v.Version, "update vacancy %s", v.ID)
}
