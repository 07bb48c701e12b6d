package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"switchboard/internal/store/sqlmigrate"
)

// migrationFS holds the schema, one numbered file per step.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction. Write transactions take
// the lock up front, so two processes migrating the same file take turns and
// the second finds nothing left to do.
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx, migrationFS) }

func (s *Store) migrate(ctx context.Context, fsys fs.FS) error {
	err := sqlmigrate.Run(ctx, s.writer, fsys, sqlmigrate.Dialect{
		CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    TEXT PRIMARY KEY,
			applied_at INTEGER NOT NULL
		) STRICT`,
		Applied:    `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`,
		Record:     `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		RecordArgs: func(v string) []any { return []any{v, time.Now().UnixMicro()} },
		// Table rebuilds (SQLite's 12-step ALTER TABLE procedure).
		ForeignKeysOff:  `PRAGMA foreign_keys = OFF`,
		ForeignKeysOn:   `PRAGMA foreign_keys = ON`,
		ForeignKeyCheck: `PRAGMA foreign_key_check`,
	})
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
