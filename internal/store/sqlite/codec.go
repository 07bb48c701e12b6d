package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

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
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("store: %s: %w (%w)", op, core.ErrConflict, err)
		}
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

// tm encodes a time as unix microseconds, and the zero time as NULL.
func tm(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// timeCol scans what tm stored back into a UTC time.Time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("time column: unexpected %T", src)
	}
	return nil
}

// nullIfEmpty stores an empty optional reference as NULL so that foreign keys
// hold.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// strCol scans a nullable text column, NULL becoming "".
type strCol struct{ s *string }

func (c strCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("text column: unexpected %T", src)
	}
	return nil
}

// blob stores an empty byte slice as NULL; it scans back as nil.
func blob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// blobCol scans a nullable blob, copying it out of the driver's buffer.
type blobCol struct{ b *[]byte }

func (c blobCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.b = nil
	case []byte:
		*c.b = append([]byte(nil), v...)
	case string:
		*c.b = []byte(v)
	default:
		return fmt.Errorf("blob column: unexpected %T", src)
	}
	return nil
}

// jsonText encodes v for a JSON TEXT column.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// jsonCol decodes a JSON TEXT column into v (a pointer).
type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("json column: unexpected %T", src)
	}
	if err := json.Unmarshal(b, c.v); err != nil {
		return fmt.Errorf("json column: %w", err)
	}
	return nil
}

// likeContains turns user input into a LIKE pattern matching it as a
// substring, escaping LIKE's wildcards with '\' (pair with ESCAPE '\').
func likeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// Paging limits for ListOrders and ListOutboxMail.
const (
	defaultLimit = 50
	maxLimit     = 200
)

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}
