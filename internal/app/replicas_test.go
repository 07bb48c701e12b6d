package app_test

import (
	"sync"
	"testing"

	"switchboard/internal/app"
	"switchboard/internal/store/postgres"
	"switchboard/internal/store/postgres/pgtest"
)

// TestReplicaMigrationsRunConcurrently: replicas started together migrate the
// one database at once; both succeed and leave one schema, each migration
// recorded once.
func TestReplicaMigrationsRunConcurrently(t *testing.T) {
	t.Parallel()
	url := pgtest.FreshDatabase(t)
	const replicas = 2
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() {
			st, err := postgres.Open(t.Context(), url)
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			errs[i] = app.Migrate(t.Context(), st)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: migrate: %v", i, err)
		}
	}
	st, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, q := range []struct{ name, sql string }{
		{"switchboard migrations recorded twice", `SELECT count(*) - count(DISTINCT version) FROM schema_migrations`},
		{"River migrations recorded twice", `SELECT count(*) - count(DISTINCT (line, version)) FROM river_migration`},
	} {
		var dup int
		if err := st.Writer().QueryRowContext(t.Context(), q.sql).Scan(&dup); err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		if dup != 0 {
			t.Errorf("%s: %d", q.name, dup)
		}
	}
	var applied, river int
	if err := st.Writer().QueryRowContext(t.Context(), `SELECT (SELECT count(*) FROM schema_migrations), (SELECT count(*) FROM river_migration)`).Scan(&applied, &river); err != nil {
		t.Fatal(err)
	}
	if applied == 0 || river == 0 {
		t.Errorf("after concurrent migrations: %d switchboard and %d River migrations applied, want all", applied, river)
	}
	// A third start finds nothing left to do.
	if err := app.Migrate(t.Context(), st); err != nil {
		t.Errorf("migrate again: %v", err)
	}
}

// testKey is a throwaway AES-256 key (replicas on PostgreSQL must share one).
const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// TestReplicaOnPostgresListensAndSizesItsPool: a working app on PostgreSQL
// listens for jobs and caps its pool at DBMaxConns.
func TestReplicaOnPostgresListensAndSizesItsPool(t *testing.T) {
	t.Parallel()
	url := pgtest.FreshDatabase(t)
	a, err := app.Open(t.Context(), app.Config{DataDir: t.TempDir(), DatabaseURL: url, SecretKey: testKey, Work: true, DBMaxConns: 7, Workers: 3, EmailWorkers: 2, VendorWorkers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(t.Context())
	if !a.Queue.Listens() {
		t.Error("a working app on PostgreSQL polls instead of listening")
	}
	if got := a.Store.Writer().Stats().MaxOpenConnections; got != 7 {
		t.Errorf("pool cap %d, want 7", got)
	}
}
