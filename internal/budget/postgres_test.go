package budget

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"switchboard/internal/store/postgres"
	"switchboard/internal/store/postgres/pgtest"
)

// openPostgres returns a pool on a fresh, migrated database, or skips
// without SWITCHBOARD_TEST_DATABASE_URL (fails in CI).
func openPostgres(t testing.TB, url string) *sql.DB {
	t.Helper()
	st, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Error(err)
		}
	})
	return st.Writer()
}

func migratedDatabase(t testing.TB) string {
	t.Helper()
	url := pgtest.FreshDatabase(t)
	st, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return url
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	db := openPostgres(t, migratedDatabase(t))
	// One database for the suite: every subtest has keys of its own.
	runSuite(t, func(*testing.T) Budget { return NewPostgres(db) })
}

// TestPostgresReplicas is the replica test: two Postgres budgets, each on
// its own pool as two serve processes would be, spend one key from many
// goroutines; the starts they were granted together never exceed N in any
// window nor K in flight.
func TestPostgresReplicas(t *testing.T) {
	t.Parallel()
	url := migratedDatabase(t)
	a := NewPostgres(openPostgres(t, url))
	b := NewPostgres(openPostgres(t, url))
	testReplicas(t, []Budget{a, b}, 8, 6)
}

// TestPostgresDeadReplica: a replica that took every slot and died (never
// released) holds them until their lease ends, and no longer: then the
// other replica takes them.
func TestPostgresDeadReplica(t *testing.T) {
	t.Parallel()
	url := migratedDatabase(t)
	dead := NewPostgres(openPostgres(t, url))
	alive := NewPostgres(openPostgres(t, url))
	lim := Limit{Slots: 2, Lease: 30 * time.Second}
	for range lim.Slots {
		if _, err := dead.Take(t.Context(), "cred", lim, t0, 0); err != nil {
			t.Fatal(err)
		}
	}
	var we *WaitError
	if _, err := alive.Take(t.Context(), "cred", lim, t0.Add(29*time.Second), 0); !errors.As(err, &we) || !we.Slot {
		t.Fatalf("before the lease ends: %v, want busy slots", err)
	}
	for range lim.Slots {
		if _, err := alive.Take(t.Context(), "cred", lim, t0.Add(30*time.Second), 0); err != nil {
			t.Fatalf("after the lease ended: %v", err)
		}
	}
}
