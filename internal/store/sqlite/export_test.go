package sqlite

import (
	"context"

	"switchboard/internal/store/sqlmigrate"
)

// MigrateWithout applies every migration but the one numbered version.
func (s *Store) MigrateWithout(ctx context.Context, version string) error {
	return s.migrate(ctx, sqlmigrate.Without(migrationFS, version))
}
