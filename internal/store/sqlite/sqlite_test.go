package sqlite_test

import (
	"testing"

	"switchboard/internal/store"
	"switchboard/internal/store/sqlite"
	"switchboard/internal/store/storetest"
)

// openTemp opens a fresh, migrated store in a temporary directory.
func openTemp(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(tb.Context(), tb.TempDir())
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	if err := s.Migrate(tb.Context()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}

// TestDollarPlaceholders pins what sqlstore relies on: SQLite binds $N to the
// N-th argument, whatever order and however often the statement names it.
func TestDollarPlaceholders(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	var got string
	if err := s.Writer().QueryRowContext(t.Context(), `SELECT $2 || $1 || $2`, "a", "b").Scan(&got); err != nil {
		t.Fatalf("query: %v", err)
	}
	if got != "bab" {
		t.Errorf("$2 || $1 || $2 with a, b = %q, want bab", got)
	}
}

// TestBackfill checks each data step of a migration on a store migrated to
// without it.
func TestBackfill(t *testing.T) {
	for _, tc := range storetest.Backfills {
		t.Run(tc.Version, func(t *testing.T) {
			t.Parallel()
			s, err := sqlite.Open(t.Context(), t.TempDir())
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			t.Cleanup(func() { _ = s.Close() })
			if err := s.MigrateWithout(t.Context(), tc.Version); err != nil {
				t.Fatalf("migrate all but %s: %v", tc.Version, err)
			}
			tc.Check(t, s, s.Writer(), s.Migrate)
		})
	}
}
