package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"switchboard/internal/core"
)

// execer is what queries need from a pool or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// fail wraps err with what was being done, mapping "no rows" to
// core.ErrNotFound and uniqueness violations to core.ErrConflict (keeping the
// driver's message, which names the index).
func fail(err error, format string, args ...any) error {
	op := fmt.Sprintf(format, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", op, core.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == uniqueViolation {
		return fmt.Errorf("store: %s: %w (%w)", op, core.ErrConflict, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// created turns an INSERT … ON CONFLICT DO NOTHING that inserted nothing
// into ErrConflict; taken says which unique value clashed. Creates avoid
// failing statements on purpose: Postgres aborts a transaction on any failed
// statement, and both dialects must leave it usable after a conflict.
func created(res sql.Result, taken string, format string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fail(err, format, args...)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w: %s", fmt.Sprintf(format, args...), core.ErrConflict, taken)
	}
	return nil
}

// notFound is the error for a statement that matched no row.
func notFound(format string, args ...any) error {
	return fmt.Errorf("store: %s: %w", fmt.Sprintf(format, args...), core.ErrNotFound)
}

// tm encodes a time for a TIMESTAMPTZ column, and the zero time as NULL.
// Postgres keeps microseconds but rounds to them; truncating here first makes
// both dialects agree.
func tm(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(time.Microsecond)
}

// timeCol scans a TIMESTAMPTZ column into a UTC time.Time, NULL becoming
// the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("time column: unexpected %T", src)
	}
	return nil
}
