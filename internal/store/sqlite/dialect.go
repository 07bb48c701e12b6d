package sqlite

import (
	"database/sql"
	"errors"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"switchboard/internal/store/sqlstore"
)

// dialect is how SQLite differs: one writer (so no row locks), times as unix
// microseconds, and casefold (casefold.go) because its lower() folds ASCII
// only.
var dialect = &sqlstore.Dialect{
	ForUpdate: "",
	Fold:      "casefold",
	Time:      func(t time.Time) any { return t.UnixMicro() },
	IsUnique: func(err error) bool {
		var se *sqlite.Error
		if !errors.As(err, &se) {
			return false
		}
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true
		}
		return false
	},
	Snapshot: sql.TxOptions{ReadOnly: true},
}
