// Package sqlstore implements store.Queries once for the SQL dialects built
// on database/sql (SQLite and PostgreSQL). The sqlite and postgres packages
// keep what is theirs, opening pools, migrations and their DDL, and hand this
// package a Dialect saying what their SQL does differently.
//
// Statements are written once, with $N placeholders: PostgreSQL's own, and
// SQLite binds $N to the N-th argument as it does ?N. So no statement is
// rewritten per dialect or per call, and each is a constant string, which
// lets a driver that caches prepared statements by text (pgx does, per
// connection) prepare it once.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/internal/core"
	"switchboard/internal/store"
)

// Dialect is what the store's SQL does differently in one database.
type Dialect struct {
	// ForUpdate ends a SELECT whose rows must stay locked until the
	// transaction ends (" FOR UPDATE"), or is empty where a transaction
	// already excludes every concurrent writer (SQLite's single writer).
	ForUpdate string
	// Fold names a Unicode-aware lower-case SQL function, for searches that
	// ignore case: fold(column) LIKE fold(pattern).
	Fold string
	// Time encodes a non-zero time for a time column. Scanning takes either
	// unix microseconds or a time.Time back (see timeCol).
	Time func(time.Time) any
	// IsUnique reports whether err is a uniqueness (or primary key)
	// violation, which the store reports as core.ErrConflict.
	IsUnique func(error) bool
	// Snapshot is how ListOrders begins the read-only transaction in which
	// its page and its total see the same rows.
	Snapshot sql.TxOptions
}

// Execer is what queries need from a pool or a transaction.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// Queries implements store.Queries on pools or on a transaction (then r and
// w are both the transaction). On pools r may be a read-only pool of its own
// (SQLite's readers); reads that must see a write just made (upsert results,
// dedupe lookups, version checks) use w.
type Queries struct {
	d *Dialect
	r Execer
	w Execer
}

// New returns the queries of dialect d reading from r and writing to w.
func New(d *Dialect, r, w Execer) Queries { return Queries{d: d, r: r, w: w} }

// tm encodes a time, and the zero time as NULL.
func (q Queries) tm(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return q.d.Time(t)
}

// fail wraps err with what was being done, mapping "no rows" to
// core.ErrNotFound and uniqueness violations to core.ErrConflict (keeping the
// driver's message, which names the index).
func (q Queries) fail(err error, format string, args ...any) error {
	op := fmt.Sprintf(format, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", op, core.ErrNotFound)
	}
	if q.d.IsUnique(err) {
		return fmt.Errorf("store: %s: %w (%w)", op, core.ErrConflict, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// created turns an INSERT … ON CONFLICT DO NOTHING that inserted nothing
// into ErrConflict; taken says which unique value clashed. Creates avoid
// failing statements on purpose: Postgres aborts a transaction on any failed
// statement, and both dialects must leave it usable after a conflict.
func (q Queries) created(res sql.Result, taken string, format string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return q.fail(err, format, args...)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w: %s", fmt.Sprintf(format, args...), core.ErrConflict, taken)
	}
	return nil
}

// matched turns the result of an UPDATE or DELETE of one row by its key
// into nil, or ErrNotFound when no row matched; res and err are what the
// statement returned. Any error is wrapped by fail with format and args.
func (q Queries) matched(res sql.Result, err error, format string, args ...any) error {
	n, err := q.affected(res, err, format, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(format, args...)
	}
	return nil
}

// affected is the number of rows a statement changed; res and err are what
// it returned. Any error is wrapped by fail with format and args.
func (q Queries) affected(res sql.Result, err error, format string, args ...any) (int64, error) {
	if err != nil {
		return 0, q.fail(err, format, args...)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, q.fail(err, format, args...)
	}
	return n, nil
}

// notFound is the error for a statement that matched no row.
func notFound(format string, args ...any) error {
	return fmt.Errorf("store: %s: %w", fmt.Sprintf(format, args...), core.ErrNotFound)
}

// timeCol scans a time column into a UTC time.Time, NULL becoming the zero
// time: SQLite's columns hold unix microseconds, PostgreSQL's TIMESTAMPTZ
// arrive as time.Time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("time column: unexpected %T", src)
	}
	return nil
}

// Tx is a store.Tx on a database/sql transaction.
type Tx struct {
	Queries
	tx *sql.Tx
}

// SQL returns the transaction, for the job queue to enqueue in it.
func (t *Tx) SQL() *sql.Tx { return t.tx }

// InTx runs fn in a transaction begun on db (see store.RunSQLTx), handing
// it this dialect's queries on that transaction.
func (d *Dialect) InTx(ctx context.Context, db *sql.DB, fn func(store.Tx) error) error {
	return store.RunSQLTx(ctx, db, func(t *sql.Tx) store.Tx {
		return &Tx{Queries: New(d, t, t), tx: t}
	}, fn)
}

// list reads every row of a query with scan; rows and err are what the
// query returned. Any error is wrapped by fail with format and args.
func list[T any](q Queries, rows *sql.Rows, err error, scan func(scanner) (T, error), format string, args ...any) ([]T, error) {
	if err != nil {
		return nil, q.fail(err, format, args...)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, q.fail(err, format, args...)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, q.fail(err, format, args...)
	}
	return out, nil
}

// one reads the row a query returned with scan. Any error is wrapped by
// fail with format and args, so no row is core.ErrNotFound.
func one[T any](q Queries, row *sql.Row, scan func(scanner) (T, error), format string, args ...any) (T, error) {
	v, err := scan(row)
	if err != nil {
		var zero T
		return zero, q.fail(err, format, args...)
	}
	return v, nil
}

func scanString(s scanner) (string, error) {
	var v string
	err := s.Scan(&v)
	return v, err
}

// params collects the arguments of a statement built from parts (filters
// that may or may not apply), handing out each one's placeholder.
type params struct{ args []any }

// add appends v and returns its placeholder.
func (p *params) add(v any) string {
	p.args = append(p.args, v)
	return "$" + strconv.Itoa(len(p.args))
}

// in appends each of vs and returns their placeholders as an IN list's
// inside ("$3, $4"); vs must not be empty.
func (p *params) in(vs []string) string {
	ph := make([]string, len(vs))
	for i, v := range vs {
		ph[i] = p.add(v)
	}
	return strings.Join(ph, ", ")
}
