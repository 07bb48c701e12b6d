package postgres_test

import (
	"sync"
	"testing"

	"switchboard/internal/store"
	"switchboard/internal/store/postgres"
	"switchboard/internal/store/postgres/pgtest"
	"switchboard/internal/store/storetest"
)

// testServer opens stores on fresh databases of the test server.
type testServer struct{}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	return &testServer{}
}

func (ts *testServer) freshDB(t *testing.T) string { return pgtest.FreshDatabase(t) }

func (ts *testServer) open(t *testing.T, dbURL string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	ts := newTestServer(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s := ts.open(t, ts.freshDB(t))
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		return s
	})
}

// TestMigrateConcurrently starts several replicas on one empty database at
// once; the advisory lock must make them take turns.
func TestMigrateConcurrently(t *testing.T) {
	ts := newTestServer(t)
	dbURL := ts.freshDB(t)
	const replicas = 4
	stores := make([]*postgres.Store, replicas)
	for i := range stores {
		stores[i] = ts.open(t, dbURL)
	}
	var wg sync.WaitGroup
	errs := make(chan error, replicas)
	for _, s := range stores {
		wg.Go(func() { errs <- s.Migrate(t.Context()) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("migrate: %v", err)
		}
	}
	var applied int
	if err := stores[0].Writer().QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatalf("count migrations: %v", err)
	}
	if applied == 0 {
		t.Error("no migration recorded")
	}
}

// TestBackfill checks each data step of a migration on a store migrated to
// without it.
func TestBackfill(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range storetest.Backfills {
		t.Run(tc.Version, func(t *testing.T) {
			s := ts.open(t, ts.freshDB(t))
			if err := s.MigrateWithout(t.Context(), tc.Version); err != nil {
				t.Fatalf("migrate all but %s: %v", tc.Version, err)
			}
			tc.Check(t, s, s.Writer(), s.Migrate)
		})
	}
}
