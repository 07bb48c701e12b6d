// Package postgres implements store.Store on PostgreSQL through pgx's
// database/sql adapter, for installs with several replicas or more load than
// one SQLite file takes.
//
// One pool serves reads and writes; Postgres' MVCC needs no split. Creates
// report uniqueness conflicts with ON CONFLICT DO NOTHING rather than a failed
// statement, because a failed statement aborts the whole transaction and
// callers commonly go on after ErrConflict (read what is there instead).
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"switchboard/internal/store"
	"switchboard/internal/store/sqlstore"
)

var _ store.Store = (*Store)(nil)

// Store is a Switchboard database in PostgreSQL.
type Store struct {
	sqlstore.Queries
	db *sql.DB
}

// Open connects to databaseURL (a postgres:// URL or key=value DSN as pgx
// accepts) and checks the connection. The schema is not touched: call
// Migrate.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	// Enough for the web handlers and the job queue's workers together,
	// well below Postgres' default max_connections of 100 per replica.
	db.SetMaxOpenConns(25)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("store: connect to postgres: %w", err), db.Close())
	}
	return &Store{Queries: sqlstore.New(dialect, db, db), db: db}, nil
}

// Dialect returns "postgres".
func (s *Store) Dialect() string { return "postgres" }

// Writer returns the pool; in Postgres it also serves reads.
func (s *Store) Writer() *sql.DB { return s.db }

// Close closes the pool.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close postgres: %w", err)
	}
	return nil
}

// InTx runs fn in a read-committed transaction. Version-checked updates make
// read-modify-write safe at that level: a lost race is ErrConflict.
func (s *Store) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return dialect.InTx(ctx, s.db, fn)
}
