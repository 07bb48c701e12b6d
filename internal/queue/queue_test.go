package queue

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/store"
	"switchboard/internal/store/postgres"
	"switchboard/internal/store/postgres/pgtest"
	"switchboard/internal/store/sqlite"
)

type pingArgs struct{}

func (pingArgs) Kind() string { return "test_ping" }

func TestAddWorkerRefusesATimeoutRiverWouldRescue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		timeout time.Duration
		panics  bool
	}{
		{0, true},
		{-time.Second, true},
		{MaxJobTimeout + time.Second, true},
		{MaxJobTimeout, false},
		{time.Minute, false},
	} {
		func() {
			defer func() {
				if got := recover() != nil; got != tc.panics {
					t.Errorf("AddWorker(timeout %s): panicked %v, want %v", tc.timeout, got, tc.panics)
				}
			}()
			AddWorker(river.NewWorkers(), tc.timeout, func(context.Context, *river.Job[pingArgs]) error { return nil })
		}()
	}
}

func openSQLite(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), t.TempDir())
	return migrated(t, st, err)
}

// migrated is st, just opened (unless err), closed with t and migrated.
func migrated(t *testing.T, st store.Store, err error) store.Store {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

// openPostgres is a migrated store on a fresh database, and its URL.
func openPostgres(t *testing.T) (store.Store, string) {
	t.Helper()
	url := pgtest.FreshDatabase(t)
	st, err := postgres.Open(t.Context(), url)
	return migrated(t, st, err), url
}

func pingWorkers(done chan<- struct{}) *river.Workers {
	w := river.NewWorkers()
	AddWorker(w, time.Minute, func(context.Context, *river.Job[pingArgs]) error {
		if done != nil {
			done <- struct{}{}
		}
		return nil
	})
	return w
}

func TestQueueConfig(t *testing.T) {
	t.Parallel()
	st := openSQLite(t)
	q, err := New(st, Config{Workers: pingWorkers(nil), DatabaseURL: "postgres://ignored"})
	if err != nil {
		t.Fatal(err)
	}
	if got := q.RescueAfter(); got != RescueAfter || got <= MaxJobTimeout || got > MaxJobTimeout+5*time.Minute {
		t.Errorf("rescue window %s: want %s, just above the longest job timeout %s", got, RescueAfter, MaxJobTimeout)
	}
	if q.Listens() {
		t.Error("a SQLite queue says it listens; SQLite has no LISTEN/NOTIFY")
	}
	for _, cfg := range []Config{{DefaultWorkers: -1}, {EmailWorkers: -2}, {VendorWorkers: -3}, {DBMaxConns: -1}} {
		if _, err := New(st, cfg); err == nil || !strings.Contains(err.Error(), "must be positive") {
			t.Errorf("New(%+v): %v, want a refusal", cfg, err)
		}
	}
}

// TestPostgresQueueListens: with the poll interval far above the bound, a job
// that runs within the bound was woken by NOTIFY, not found by a poll.
func TestPostgresQueueListens(t *testing.T) {
	t.Parallel()
	st, url := openPostgres(t)
	done := make(chan struct{}, 1)
	q, err := New(st, Config{Workers: pingWorkers(done), PollInterval: time.Minute, DatabaseURL: url, DBMaxConns: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !q.Listens() {
		t.Fatal("a working PostgreSQL queue does not listen")
	}
	if err := q.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer q.Stop(context.WithoutCancel(t.Context()))
	if got := st.Writer().Stats().MaxOpenConnections; got != 5 {
		t.Errorf("pool cap %d, want DBMaxConns 5", got)
	}
	// Let the producers make their first fetch, so that only NOTIFY can
	// wake them for the insert below.
	time.Sleep(time.Second)
	if _, err := q.client.Insert(t.Context(), pingArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("a job inserted was not picked up within 20s with a 1m poll interval: the queue is not listening")
	}
}

// TestPostgresRescuesAStuckJob: a job a dead process left running (attempted
// longer ago than the rescue window) is made retryable again.
func TestPostgresRescuesAStuckJob(t *testing.T) {
	t.Parallel()
	st, url := openPostgres(t)
	ins, err := New(st, Config{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ins.client.Insert(t.Context(), pingArgs{}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Job.ID
	if _, err := st.Writer().ExecContext(t.Context(), `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - $1 * interval '1 second', attempted_by = '{dead-replica}' WHERE id = $2`,
		(RescueAfter + time.Minute).Seconds(), id); err != nil {
		t.Fatal(err)
	}
	q, err := New(st, Config{Workers: pingWorkers(nil), DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer q.Stop(context.WithoutCancel(t.Context()))
	deadline := time.Now().Add(45 * time.Second)
	for {
		j, err := q.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != rivertype.JobStateRunning || j.Attempt > 1 {
			return // rescued: retryable, or already run again
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d still %s after 45s: not rescued", id, j.State)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
