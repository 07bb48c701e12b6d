package postgres_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"switchboard/internal/store"
	"switchboard/internal/store/postgres"
	"switchboard/internal/store/storetest"
)

// envURL names the variable holding an admin URL of a throwaway server
// (.ci/pg.sh starts one). Each test creates its own database there.
const envURL = "SWITCHBOARD_TEST_DATABASE_URL"

// testServer is a connection to the test server's admin database, from
// which per-test databases are created and dropped.
type testServer struct {
	admin *sql.DB
	url   *url.URL
}

// newTestServer connects to the server named by SWITCHBOARD_TEST_DATABASE_URL.
// Without it the test is skipped, except in CI, where Postgres must never be
// skipped silently.
func newTestServer(t *testing.T) *testServer {
	t.Helper()
	raw := os.Getenv(envURL)
	if raw == "" {
		const msg = envURL + " is not set; start a server with `eval \"$(bash .ci/pg.sh)\"` to run the Postgres tests"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: refusing to skip)")
		}
		t.Skip(msg)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL (got error %v)", envURL, err)
	}
	admin, err := sql.Open("pgx", raw)
	if err != nil {
		t.Fatalf("open admin connection: %v", err)
	}
	t.Cleanup(func() {
		if err := admin.Close(); err != nil {
			t.Errorf("close admin connection: %v", err)
		}
	})
	if err := admin.PingContext(t.Context()); err != nil {
		t.Fatalf("connect to %s: %v", envURL, err)
	}
	return &testServer{admin: admin, url: u}
}

// freshDB creates an empty database for t, dropped when t ends, and returns
// its URL.
func (ts *testServer) freshDB(t *testing.T) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	name := "switchboard_test_" + hex.EncodeToString(b[:])
	// Names cannot be parameters; this one is generated above.
	if _, err := ts.admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// t.Context() is already cancelled during cleanup.
		if _, err := ts.admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u := *ts.url
	u.Path = "/" + name
	return u.String()
}

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
