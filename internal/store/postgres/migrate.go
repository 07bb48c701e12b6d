package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"switchboard/internal/store/sqlmigrate"
)

// migrationFS holds the schema, one numbered file per step.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migrateLockID names the advisory lock that serialises Migrate across
// replicas of one database (an arbitrary constant: "swbd" + 1).
const migrateLockID int64 = 0x73776264_00000001

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction. Each transaction first
// takes a transaction-level advisory lock (released at commit or rollback, so
// a crashed migrator never leaves it held), so replicas starting together
// take turns and the later ones find the work done.
func (s *Store) Migrate(ctx context.Context) error { return s.migrate(ctx, migrationFS) }

func (s *Store) migrate(ctx context.Context, fsys fs.FS) error {
	err := sqlmigrate.Run(ctx, s.db, fsys, sqlmigrate.Dialect{
		Lock:     `SELECT pg_advisory_xact_lock($1)`,
		LockArgs: []any{migrateLockID},
		CreateTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    TEXT PRIMARY KEY,
			applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
		)`,
		Applied:    `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`,
		Record:     `INSERT INTO schema_migrations (version) VALUES ($1)`,
		RecordArgs: func(v string) []any { return []any{v} },
	})
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
