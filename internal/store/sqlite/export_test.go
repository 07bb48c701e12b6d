package sqlite

import (
	"context"

	"switchboard/internal/store/sqlmigrate"
)

// MigrateBefore applies the migrations numbered below version only.
func (s *Store) MigrateBefore(ctx context.Context, version string) error {
	return s.migrate(ctx, sqlmigrate.Before(migrationFS, version))
}
