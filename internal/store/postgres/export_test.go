package postgres

import (
	"context"

	"switchboard/internal/store/sqlmigrate"
)

// MigrateBefore applies the migrations numbered below version only.
func (s *Store) MigrateBefore(ctx context.Context, version string) error {
	fsys, err := sqlmigrate.Before(migrationFS, version)
	if err != nil {
		return err
	}
	return s.migrate(ctx, fsys)
}
