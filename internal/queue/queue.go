// Package queue runs Switchboard's durable work queue: River, on the same
// database as everything else, so that a job is enqueued in the very
// transaction that writes the row causing it. Every side effect (an email, an
// ATS call) is a job here: retried with backoff, visible, replayable.
//
// Both store dialects sit on database/sql, so one Queue type serves both:
// River's SQLite driver for SQLite and its database/sql driver for PostgreSQL.
// On PostgreSQL a working queue also listens (LISTEN/NOTIFY) so that a job is
// picked up as soon as it commits, on whichever replica is free; SQLite polls.
package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"switchboard/internal/store"
)

// Queues and their default workers per process (serve's --workers,
// --email-workers, --vendor-workers). Jobs that call an ATS share the default
// queue (the service caps each integration's share of it); emails have their
// own, so that no ATS, however slow, stands between a candidate and their
// invitation; so do deliveries to vendors, so that a vendor whose endpoint
// hangs holds no worker an ATS write-back needs.
const (
	Email          = "email"
	Vendor         = "vendor"
	DefaultWorkers = 10
	EmailWorkers   = 4
	VendorWorkers  = 4
)

// MaxJobTimeout is the longest timeout a worker may have (AddWorker refuses a
// longer one): River rescues a job still "running" after RescueAfter, which
// must not happen to a job that is merely slow.
const MaxJobTimeout = 10 * time.Minute

// RescueAfter is how long a job may stay "running" before River takes it for
// the work of a dead process and runs it again: just above MaxJobTimeout, so
// a killed replica's jobs run again within minutes, not River's default hour.
const RescueAfter = MaxJobTimeout + time.Minute

// Config tunes the queue.
type Config struct {
	// Workers are the job kinds this process works. Nil makes an insert-only
	// queue (for CLI commands).
	Workers *river.Workers
	// PollInterval is how often idle workers look for new jobs; 0 means 200ms.
	// SQLite has no LISTEN/NOTIFY, so this bounds pick-up latency there.
	PollInterval time.Duration
	// RetryPolicy overrides River's default backoff (attempt⁴ seconds), for tests.
	RetryPolicy  river.ClientRetryPolicy
	PeriodicJobs []*river.PeriodicJob
	Logger       *slog.Logger
	// DefaultWorkers, EmailWorkers and VendorWorkers size the queues; 0
	// means the constant of the same name.
	DefaultWorkers, EmailWorkers, VendorWorkers int
	// DatabaseURL is the PostgreSQL URL the store was opened with: a working
	// queue opens its listener's connection with it. Empty on PostgreSQL
	// leaves the queue polling.
	DatabaseURL string
	// DBMaxConns caps the PostgreSQL store's pool, which River shares; 0
	// leaves the store's own cap. Ignored on SQLite, whose pools the store
	// sizes for its single writer.
	DBMaxConns int
}

// Queue is the River client for one store.
type Queue struct {
	client *river.Client[*sql.Tx]
	// listenPool holds the listener's connection (PostgreSQL, working queue).
	listenPool *pgxpool.Pool
	listens    bool
	rescue     time.Duration
	closeOnce  sync.Once
}

func driverFor(st store.Store) (riverdriver.Driver[*sql.Tx], error) {
	return driverWith(st, nil)
}

// driverWith is River's driver for st; on PostgreSQL with listenPool, one
// that listens. River's database/sql driver alone is poll-only (database/sql
// has no way to hold a connection in LISTEN and read its notifications), so
// it borrows pgx's: NewWithPgxListener keeps database/sql, and with it
// InsertTx in the store's own *sql.Tx, for everything but LISTEN. riverpgxv5
// itself would listen too, but its transactions are pgx.Tx, not the store's.
func driverWith(st store.Store, listenPool *pgxpool.Pool) (riverdriver.Driver[*sql.Tx], error) {
	switch st.Dialect() {
	case "sqlite":
		return riversqlite.New(st.Writer()), nil
	case "postgres":
		if listenPool != nil {
			return riverdatabasesql.NewWithPgxListener(st.Writer(), listenPool), nil
		}
		return riverdatabasesql.New(st.Writer()), nil
	}
	return nil, fmt.Errorf("queue: unsupported dialect %q", st.Dialect())
}

// migrateLockID names the advisory lock that serialises River's migrations
// across replicas of one PostgreSQL database ("swbd" + 2; the store's own
// migrations hold "swbd" + 1).
const migrateLockID int64 = 0x73776264_00000002

// Migrate creates or upgrades River's tables. River's migrator takes no lock:
// two replicas starting together on PostgreSQL both create its first tables
// and one fails (pg_type's unique index). Nor can its migrations share one
// transaction (version 006 adds an enum value and uses it). So there a
// session-level advisory lock, held on a connection of its own while River
// migrates on the pool, makes replicas take turns; the session ends with a
// crashed process, and the lock with it.
func Migrate(ctx context.Context, st store.Store) (err error) {
	drv, err := driverFor(st)
	if err != nil {
		return err
	}
	m, err := rivermigrate.New(drv, nil)
	if err != nil {
		return fmt.Errorf("queue: migrator: %w", err)
	}
	if st.Dialect() == "postgres" {
		conn, err := st.Writer().Conn(ctx)
		if err != nil {
			return fmt.Errorf("queue: migrate: lock connection: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockID); err != nil {
			return fmt.Errorf("queue: migrate: lock: %w", err)
		}
		defer func() {
			// Without ctx's cancellation: a lock left held would stall every
			// later start until this connection closed.
			if _, uerr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockID); uerr != nil {
				err = errors.Join(err, fmt.Errorf("queue: migrate: unlock: %w", uerr))
			}
		}()
	}
	// SQLite has one writer at a time already.
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("queue: migrate: %w", err)
	}
	return nil
}

// New builds a queue; call Start to work jobs.
func New(st store.Store, cfg Config) (*Queue, error) {
	for _, n := range []struct {
		name string
		v    int
	}{{"default workers", cfg.DefaultWorkers}, {"email workers", cfg.EmailWorkers}, {"vendor workers", cfg.VendorWorkers}, {"database connections", cfg.DBMaxConns}} {
		if n.v < 0 {
			return nil, fmt.Errorf("queue: %s %d: must be positive", n.name, n.v)
		}
	}
	q := &Queue{}
	if st.Dialect() == "postgres" {
		if cfg.DBMaxConns > 0 {
			st.Writer().SetMaxOpenConns(cfg.DBMaxConns)
			st.Writer().SetMaxIdleConns(min(cfg.DBMaxConns, 10))
		}
		if cfg.Workers != nil && cfg.DatabaseURL != "" {
			pc, err := pgxpool.ParseConfig(cfg.DatabaseURL)
			if err != nil {
				return nil, fmt.Errorf("queue: listener: database URL: %w", err)
			}
			// River hijacks one connection per client for LISTEN; the pool
			// needs no more, and none kept idle.
			pc.MaxConns, pc.MinConns = 1, 0
			// Lazy: New connects nothing until Start.
			pool, err := pgxpool.NewWithConfig(context.Background(), pc)
			if err != nil {
				return nil, fmt.Errorf("queue: listener pool: %w", err)
			}
			q.listenPool, q.listens = pool, true
		}
	}
	drv, err := driverWith(st, q.listenPool)
	if err != nil {
		q.closePool()
		return nil, err
	}
	rc := &river.Config{
		Logger:       cfg.Logger,
		MaxAttempts:  10, // with River's attempt⁴ s backoff, about a day of retries
		RetryPolicy:  cfg.RetryPolicy,
		PeriodicJobs: cfg.PeriodicJobs,
		// River has no heartbeat: a job is stuck when it has been running
		// longer than any job may, see MaxJobTimeout.
		RescueStuckJobsAfter: RescueAfter,
		// Keep finished jobs a week so "what happened" stays answerable.
		CompletedJobRetentionPeriod: 7 * 24 * time.Hour,
		DiscardedJobRetentionPeriod: 30 * 24 * time.Hour,
	}
	if cfg.Workers != nil {
		poll := cfg.PollInterval
		if poll == 0 {
			poll = 200 * time.Millisecond
		}
		rc.Workers = cfg.Workers
		rc.FetchPollInterval = poll
		rc.FetchCooldown = min(poll, 50*time.Millisecond)
		rc.Queues = map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: cmpOr(cfg.DefaultWorkers, DefaultWorkers)},
			Email:              {MaxWorkers: cmpOr(cfg.EmailWorkers, EmailWorkers)},
			Vendor:             {MaxWorkers: cmpOr(cfg.VendorWorkers, VendorWorkers)},
		}
	}
	client, err := river.NewClient(drv, rc)
	if err != nil {
		q.closePool()
		return nil, fmt.Errorf("queue: new client: %w", err)
	}
	q.client, q.rescue = client, rc.RescueStuckJobsAfter
	return q, nil
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// Listens says whether this queue is woken by LISTEN/NOTIFY (a working queue
// on PostgreSQL) rather than only polling.
func (q *Queue) Listens() bool { return q.listens }

// RescueAfter is River's rescue window this queue was built with.
func (q *Queue) RescueAfter() time.Duration { return q.rescue }

// Start works jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop waits for running jobs to finish (or ctx to end). Once stopped, the
// listener's pool is closed; stopping again does nothing.
func (q *Queue) Stop(ctx context.Context) error {
	if err := q.client.Stop(ctx); err != nil {
		return fmt.Errorf("queue: stop: %w", err)
	}
	q.closePool()
	return nil
}

// Drain stops the queue for a shutdown: running jobs get up to grace to
// finish, then their contexts are cancelled (they are retried later, here or
// on another replica) and Drain waits up to hardGrace more for them to return.
func (q *Queue) Drain(ctx context.Context, grace, hardGrace time.Duration) error {
	soft, cancel := context.WithTimeout(ctx, grace)
	err := q.client.Stop(soft)
	cancel()
	if err == nil {
		q.closePool()
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("queue: drain: %w", err)
	}
	hard, cancel := context.WithTimeout(ctx, hardGrace)
	defer cancel()
	if err := q.client.StopAndCancel(hard); err != nil {
		return fmt.Errorf("queue: drain: jobs still running after cancelling them: %w", err)
	}
	q.closePool()
	return nil
}

func (q *Queue) closePool() {
	if q.listenPool != nil {
		q.closeOnce.Do(q.listenPool.Close)
	}
}

// Enqueue inserts a job in tx, so that it exists exactly when tx commits.
func (q *Queue) Enqueue(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if _, err := q.client.InsertTx(ctx, tx.SQL(), args, opts); err != nil {
		return fmt.Errorf("queue: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// Retry makes a failed, discarded or cancelled job available again at once.
func (q *Queue) Retry(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	row, err := q.client.JobRetry(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("queue: retry job %d: %w", id, err)
	}
	return row, nil
}

// Get returns one job.
func (q *Queue) Get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	row, err := q.client.JobGet(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("queue: get job %d: %w", id, err)
	}
	return row, nil
}

// List returns up to limit jobs in the given states, newest first.
func (q *Queue) List(ctx context.Context, limit int, states ...rivertype.JobState) ([]*rivertype.JobRow, error) {
	p := river.NewJobListParams().First(limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if len(states) > 0 {
		p = p.States(states...)
	}
	res, err := q.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("queue: list jobs: %w", err)
	}
	return res.Jobs, nil
}

// argKey is what LatestByArg accepts as an args field name: it becomes part
// of the SQL, so it is a plain identifier.
var argKey = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// LatestByArg returns, for each of values that has one, the newest job of
// kind whose args field key holds that value, in whatever state; River drops
// finished jobs after their retention, so a value may have none. The SQL is
// the same for both dialects (PostgreSQL jsonb, SQLite JSONB).
func (q *Queue) LatestByArg(ctx context.Context, kind, key string, values []string) (map[string]*rivertype.JobRow, error) {
	if !argKey.MatchString(key) {
		return nil, fmt.Errorf("queue: jobs by arg: %q is not an args field name", key)
	}
	out := make(map[string]*rivertype.JobRow, len(values))
	if len(values) == 0 {
		return out, nil
	}
	params := make([]string, len(values))
	named := river.NamedArgs{}
	for i, v := range values {
		n := "v" + strconv.Itoa(i)
		params[i], named[n] = "@"+n, v
	}
	p := river.NewJobListParams().Kinds(kind).
		Where("args ->> '"+key+"' IN ("+strings.Join(params, ", ")+")", named).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(1000)
	res, err := q.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("queue: jobs of %s by %s: %w", kind, key, err)
	}
	for _, j := range res.Jobs {
		var args map[string]any
		if err := json.Unmarshal(j.EncodedArgs, &args); err != nil {
			return nil, fmt.Errorf("queue: job %d: args: %w", j.ID, err)
		}
		if v, _ := args[key].(string); v != "" && out[v] == nil {
			out[v] = j
		}
	}
	return out, nil
}

// Subscribe reports job events (completed, failed…), for tests and the demo.
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return q.client.Subscribe(kinds...)
}

// worker is a job function with its own timeout.
type worker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	timeout time.Duration
	work    func(ctx context.Context, j *river.Job[T]) error
}

func (w worker[T]) Work(ctx context.Context, j *river.Job[T]) error { return w.work(ctx, j) }
func (w worker[T]) Timeout(*river.Job[T]) time.Duration             { return w.timeout }

// AddWorker adds work to w as the worker of T's jobs; River cancels a job's
// context after timeout. A timeout above MaxJobTimeout panics (a programming
// error, like River's own AddWorker on a duplicate kind): such a job would be
// rescued, and run twice, while still running.
func AddWorker[T river.JobArgs](w *river.Workers, timeout time.Duration, work func(ctx context.Context, j *river.Job[T]) error) {
	if timeout <= 0 || timeout > MaxJobTimeout {
		var zero T
		panic(fmt.Sprintf("queue: worker of %s: timeout %s is not in (0, %s]", zero.Kind(), timeout, MaxJobTimeout))
	}
	river.AddWorker(w, worker[T]{timeout: timeout, work: work})
}
