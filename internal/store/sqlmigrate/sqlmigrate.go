// Package sqlmigrate applies a store dialect's embedded migrations: numbered
// .sql files applied in order, each in its own transaction, recorded in a
// schema_migrations table, so running it again does nothing. The dialect
// supplies the few statements that differ.
package sqlmigrate

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Dialect is what differs between databases.
type Dialect struct {
	// Lock, when set, runs first in each migration's transaction, so that
	// processes migrating one database together take turns (PostgreSQL: a
	// transaction-level advisory lock; SQLite's write transactions lock
	// anyway).
	Lock     string
	LockArgs []any
	// CreateTable creates schema_migrations (version TEXT PRIMARY KEY, …) if
	// it does not exist.
	CreateTable string
	// Applied asks whether a version is recorded; one placeholder.
	Applied string
	// Record records a version; its arguments come from RecordArgs.
	Record     string
	RecordArgs func(version string) []any
	// ForeignKeysOff and ForeignKeysOn switch foreign key enforcement for
	// one connection, outside any transaction, and ForeignKeyCheck lists
	// every row whose reference is broken (SQLite: PRAGMA foreign_keys,
	// PRAGMA foreign_key_check). A dialect without them refuses files marked
	// ForeignKeysOffMarker.
	ForeignKeysOff, ForeignKeysOn, ForeignKeyCheck string
}

// ForeignKeysOffMarker, as a migration's first line, runs it with foreign
// keys off (see the package doc).
const ForeignKeysOffMarker = "-- sqlmigrate: foreign-keys-off"

// foreignKeysOff reports whether a migration's first line is the marker.
func foreignKeysOff(body string) bool {
	first, _, _ := strings.Cut(body, "\n")
	return strings.TrimSpace(first) == ForeignKeysOffMarker
}

// Run applies the migrations/*.sql files of fsys not yet recorded. A step, once
// released, is never edited: changes are new files.
func Run(ctx context.Context, db *sql.DB, fsys fs.FS, d Dialect) error {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	slices.Sort(names) // zero-padded numbers sort in order
	for _, name := range names {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		version := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
		if err := applyFile(ctx, db, d, version, string(body)); err != nil {
			return fmt.Errorf("migrate %s: %w", version, err)
		}
	}
	return nil
}

// Without is fsys without the migration numbered version, so that a test
// can fill the schema as it was before that one data step (every other
// migration applied, so the queries of today work) and check what the step
// makes of it when Run applies it afterwards. It suits a step that no later
// migration builds on. Run reports what listing or reading it fails on.
func Without(fsys fs.FS, version string) fs.FS { return withoutFS{fsys: fsys, version: version} }

// withoutFS hides one migration.
type withoutFS struct {
	fsys    fs.FS
	version string
}

func (b withoutFS) hidden(name string) bool {
	file, ok := strings.CutPrefix(name, "migrations/")
	return ok && strings.HasSuffix(file, ".sql") && strings.HasPrefix(file, b.version+"_")
}

func (b withoutFS) Open(name string) (fs.File, error) {
	if b.hidden(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return b.fsys.Open(name)
}

func (b withoutFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(b.fsys, name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return b.hidden(name + "/" + e.Name()) }), err
}

// beginner is a *sql.DB or one *sql.Conn of it.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// applyFile applies one migration, with foreign keys off when it is marked.
func applyFile(ctx context.Context, db *sql.DB, d Dialect, version, body string) (err error) {
	if !foreignKeysOff(body) {
		return apply(ctx, db, d, version, body, "")
	}
	if d.ForeignKeysOff == "" || d.ForeignKeysOn == "" || d.ForeignKeyCheck == "" {
		return errors.New("the file asks for foreign keys off, which this database's migrations do not do")
	}
	// The pragma holds for one connection and is ignored inside a
	// transaction: take one connection and switch it before beginning.
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	defer func() {
		// Never hand the connection back with foreign keys off: re-enable
		// them even if ctx ended, and discard the connection if that fails.
		if _, onErr := conn.ExecContext(context.WithoutCancel(ctx), d.ForeignKeysOn); onErr != nil {
			err = errors.Join(err, fmt.Errorf("foreign keys back on: %w", onErr))
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		if cErr := conn.Close(); cErr != nil && !errors.Is(cErr, sql.ErrConnDone) {
			err = errors.Join(err, fmt.Errorf("release connection: %w", cErr))
		}
	}()
	if _, err := conn.ExecContext(ctx, d.ForeignKeysOff); err != nil {
		return fmt.Errorf("foreign keys off: %w", err)
	}
	return apply(ctx, conn, d, version, body, d.ForeignKeyCheck)
}

// apply runs one migration in a transaction on db; a non-empty fkCheck must
// return no rows before it commits.
func apply(ctx context.Context, db beginner, d Dialect, version, body, fkCheck string) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
			}
		}
	}()
	if d.Lock != "" {
		if _, err := tx.ExecContext(ctx, d.Lock, d.LockArgs...); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, d.CreateTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied bool
	if err := tx.QueryRowContext(ctx, d.Applied, version).Scan(&applied); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if !applied {
		// Without arguments the drivers send the file as one query, which
		// may hold many statements.
		if _, err := tx.ExecContext(ctx, body); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		if fkCheck != "" {
			if err := noBrokenReferences(ctx, tx, fkCheck); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, d.Record, d.RecordArgs(version)...); err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// noBrokenReferences fails when the foreign key check lists a row.
func noBrokenReferences(ctx context.Context, tx *sql.Tx, check string) error {
	rows, err := tx.QueryContext(ctx, check)
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	var broken []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("foreign key check: %w", err)
		}
		if len(broken) < 5 {
			broken = append(broken, fmt.Sprint(vals...))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	if len(broken) > 0 {
		return fmt.Errorf("foreign key check: the migration leaves broken references (table, rowid, parent, constraint): %s", strings.Join(broken, "; "))
	}
	return nil
}
