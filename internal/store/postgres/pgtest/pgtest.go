// Package pgtest gives tests a fresh, empty PostgreSQL database on the
// throwaway server named by SWITCHBOARD_TEST_DATABASE_URL (.ci/pg.sh starts
// one). Without that variable a test is skipped, except in CI, where
// PostgreSQL must never be skipped silently.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvURL names the variable holding an admin URL of the test server.
const EnvURL = "SWITCHBOARD_TEST_DATABASE_URL"

// FreshDatabase creates an empty database for tb, dropped when tb ends, and
// returns its URL.
func FreshDatabase(tb testing.TB) string {
	tb.Helper()
	raw := os.Getenv(EnvURL)
	if raw == "" {
		const msg = EnvURL + " is not set; start a server with `eval \"$(bash .ci/pg.sh)\"` to run the PostgreSQL tests"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg + " (CI=true: refusing to skip)")
		}
		tb.Skip(msg)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("%s must be a postgres:// URL (got error %v)", EnvURL, err)
	}
	admin, err := sql.Open("pgx", raw)
	if err != nil {
		tb.Fatalf("open admin connection: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	name := "switchboard_test_" + hex.EncodeToString(b[:])
	// Names cannot be parameters; this one is generated above.
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	fresh := *u
	fresh.Path = "/" + name
	return fresh.String()
}
