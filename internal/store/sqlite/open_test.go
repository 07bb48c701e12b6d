package sqlite

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenConfiguresPools checks what the package doc promises about the two
// pools, which the dialect-neutral suite cannot see.
func TestOpenConfiguresPools(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}

	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("stat data dir: %v", err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("data dir mode %o, want 700", perm)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err != nil {
		t.Errorf("database file: %v", err)
	}

	for _, tc := range []struct {
		pool, pragma, want string
	}{
		{"writer", "journal_mode", "wal"},
		{"writer", "foreign_keys", "1"},
		{"writer", "busy_timeout", "10000"},
		{"writer", "synchronous", "1"}, // NORMAL
		{"writer", "query_only", "0"},
		{"reader", "journal_mode", "wal"},
		{"reader", "foreign_keys", "1"},
		{"reader", "busy_timeout", "10000"},
		{"reader", "query_only", "1"},
	} {
		db := s.writer
		if tc.pool == "reader" {
			db = s.reader
		}
		var got string
		if err := db.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("%s: pragma %s: %v", tc.pool, tc.pragma, err)
		}
		if got != tc.want {
			t.Errorf("%s: pragma %s = %s, want %s", tc.pool, tc.pragma, got, tc.want)
		}
	}
	if n := s.writer.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer max open connections %d, want 1", n)
	}
	if n := s.reader.Stats().MaxOpenConnections; n < 2 {
		t.Errorf("reader max open connections %d, want several", n)
	}

	_, err = s.reader.ExecContext(ctx, `INSERT INTO accounts (id, name, created_at) VALUES ('a', 'a', 1)`)
	if err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("write through the reader: got %v, want a read-only error", err)
	}

	// The job queue keeps its own tables; the migrations must not create any.
	var river int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name LIKE 'river%'`).Scan(&river); err != nil {
		t.Fatalf("count river tables: %v", err)
	}
	if river != 0 {
		t.Errorf("%d river tables, want 0", river)
	}

	migrations, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var applied int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatalf("count migrations: %v", err)
	}
	if applied != len(migrations) {
		t.Errorf("%d migrations recorded, want %d", applied, len(migrations))
	}
}

func TestOpenPathRejectsQuestionMark(t *testing.T) {
	if _, err := OpenPath(t.Context(), filepath.Join(t.TempDir(), "x?.db")); err == nil {
		t.Fatal("want an error for a path with '?'")
	}
}

// TestTwoStoresOneFile opens the same file twice, as two processes would, and
// migrates both at once: write transactions take turns instead of failing.
func TestTwoStoresOneFile(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "shared.db")
	var stores [2]*Store
	for i := range stores {
		s, err := OpenPath(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		stores[i] = s
	}
	a, b := stores[0], stores[1]
	errs := make(chan error, 2)
	go func() { errs <- a.Migrate(ctx) }()
	go func() { errs <- b.Migrate(ctx) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("migrate: %v", err)
		}
	}
}

// TestOpenKeepsFilesToOwner: inside a data directory that already exists the
// database and its -wal and -shm files are created 0600, and a database left
// readable by an earlier version is restricted.
func TestOpenKeepsFilesToOwner(t *testing.T) {
	for _, existing := range []os.FileMode{0, 0o644} {
		ctx := t.Context()
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, FileName)
		if existing != 0 {
			if err := os.WriteFile(path, nil, existing); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, existing); err != nil {
				t.Fatal(err)
			}
		}
		s, err := Open(ctx, dir)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		for _, name := range []string{FileName, FileName + "-wal", FileName + "-shm"} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("existing %04o: %v", existing, err)
			}
			if perm := fi.Mode().Perm(); perm != 0o600 {
				t.Errorf("existing %04o: %s mode %04o, want 0600", existing, name, perm)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenRefusesSharedDataDir(t *testing.T) {
	for _, mode := range []os.FileMode{0o777, 0o775, os.ModeSticky | 0o777} {
		dir := t.TempDir()
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		s, err := Open(t.Context(), dir)
		if err == nil {
			s.Close()
			t.Fatalf("mode %04o: opened a database in a directory others can write", mode)
		}
		if !strings.Contains(err.Error(), "chmod 700") {
			t.Errorf("mode %04o: error %q does not say how to fix it", mode, err)
		}
		if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
			t.Errorf("mode %04o: database file created: %v", mode, err)
		}
	}
}
