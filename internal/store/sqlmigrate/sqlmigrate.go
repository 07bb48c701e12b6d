// Package sqlmigrate applies a store dialect's embedded migrations: numbered
// .sql files applied in order, each in its own transaction, recorded in a
// schema_migrations table, so running it again does nothing. The dialect
// supplies the few statements that differ.
package sqlmigrate

import (
	"context"
	"database/sql"
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
		if err := apply(ctx, db, d, version, string(body)); err != nil {
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

func apply(ctx context.Context, db *sql.DB, d Dialect, version, body string) (err error) {
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
		if _, err := tx.ExecContext(ctx, d.Record, d.RecordArgs(version)...); err != nil {
			return fmt.Errorf("record: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
