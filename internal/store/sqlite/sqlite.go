// Package sqlite implements store.Store on a single SQLite file with the
// pure-Go modernc.org/sqlite driver, for single-node installs.
//
// SQLite allows one writer at a time, so the Store keeps two pools: a writer
// pool of exactly one connection, whose transactions take the write lock up
// front (BEGIN IMMEDIATE) and therefore never fail with SQLITE_BUSY half-way,
// and a read-only pool of several connections that WAL mode lets read while
// the writer writes. Inside InTx every statement goes through the one writer
// connection; taking another writer connection there would wait forever.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"switchboard/internal/store"
	"switchboard/internal/store/sqlstore"
)

// FileName is the database file Open uses inside its directory.
const FileName = "switchboard.db"

var _ store.Store = (*Store)(nil)

// Store is a Switchboard database in one SQLite file.
type Store struct {
	sqlstore.Queries
	writer *sql.DB
	reader *sql.DB
}

// Open opens (creating if needed) dir/switchboard.db, creating dir with mode
// 0700 when it does not exist. A dir other users can write is refused: they
// could replace the database. The schema is not touched: call Migrate.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return nil, fmt.Errorf("store: data directory %s is writable by other users (mode %04o), who could replace the database; restrict it with: chmod 700 %s", dir, perm, dir)
	}
	return OpenPath(ctx, filepath.Join(dir, FileName))
}

// OpenPath opens (creating if needed) the SQLite database at path, which it
// makes readable by its owner only. The schema is not touched: call Migrate.
func OpenPath(ctx context.Context, path string) (*Store, error) {
	// The driver cuts the DSN at the first '?', so such a path cannot work.
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("store: open sqlite %q: path must not contain '?'", path)
	}
	if err := ownerOnly(path); err != nil {
		return nil, err
	}
	common := url.Values{}
	// busy_timeout first (the driver orders it first too): setting WAL mode
	// needs a lock another process may hold.
	common.Add("_pragma", "busy_timeout(10000)")
	common.Add("_pragma", "foreign_keys(ON)")
	common.Add("_pragma", "synchronous(NORMAL)")

	w := cloneValues(common)
	w.Add("_pragma", "journal_mode(WAL)")
	w.Set("_txlock", "immediate")
	writer, err := sql.Open("sqlite", path+"?"+w.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite writer %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	// Connect the writer first: it creates the file and switches it to WAL,
	// which the read-only connections could not do.
	if err := writer.PingContext(ctx); err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("store: open sqlite writer %s: %w", path, err)
	}

	r := cloneValues(common)
	r.Add("_pragma", "query_only(1)")
	reader, err := sql.Open("sqlite", path+"?"+r.Encode())
	if err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("store: open sqlite reader %s: %w", path, err)
	}
	n := max(4, runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	if err := reader.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("store: open sqlite reader %s: %w", path, err), reader.Close(), writer.Close())
	}

	return &Store{Queries: sqlstore.New(dialect, reader, writer), writer: writer, reader: reader}, nil
}

// ownerOnly creates the database file with mode 0600, or takes group and
// other access away from an existing one (and from its -wal and -shm files),
// before SQLite opens it: SQLite creates a new database 0644 whatever the
// umask, and gives the -wal and -shm files the database file's mode.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("store: open sqlite %s: %w", p, err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(p, perm&0o700); err != nil {
				return fmt.Errorf("store: restrict %s to its owner: %w", p, err)
			}
		}
	}
	return nil
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// Dialect returns "sqlite".
func (s *Store) Dialect() string { return "sqlite" }

// Writer returns the single-connection read-write pool. While an InTx
// transaction is open this pool's only connection is taken.
func (s *Store) Writer() *sql.DB { return s.writer }

// Close closes both pools.
func (s *Store) Close() error {
	if err := errors.Join(s.reader.Close(), s.writer.Close()); err != nil {
		return fmt.Errorf("store: close sqlite: %w", err)
	}
	return nil
}

// InTx runs fn in an immediate (write-locked) transaction on the writer.
func (s *Store) InTx(ctx context.Context, fn func(store.Tx) error) error {
	return dialect.InTx(ctx, s.writer, fn)
}
