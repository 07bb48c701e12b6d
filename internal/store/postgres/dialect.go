package postgres

import (
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"switchboard/internal/store/sqlstore"
)

// dialect is how PostgreSQL differs: row locks, TIMESTAMPTZ columns and a
// repeatable-read snapshot for ListOrders.
var dialect = &sqlstore.Dialect{
	ForUpdate: " FOR UPDATE",
	Fold:      "lower",
	// Postgres keeps microseconds but rounds to them; truncating here first
	// makes both dialects agree.
	Time: func(t time.Time) any { return t.UTC().Truncate(time.Microsecond) },
	IsUnique: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == uniqueViolation
	},
	Snapshot: sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
}

// uniqueViolation is SQLSTATE unique_violation.
const uniqueViolation = "23505"
