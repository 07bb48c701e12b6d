package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"switchboard/internal/app"
	"switchboard/internal/core"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe to write from a running command while
// the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type result struct {
	err            error
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr lockedBuffer
	err := run(ctx, args, &stdout, &stderr)
	r := result{err: err, stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		r.code = exitCode(err)
	}
	return r
}

var wantCommands = []string{"serve", "demo", "migrate", "validate", "accounts create", "users create", "jobs list", "jobs retry"}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"help", "-h", "--help"} {
		r := runCLI(t, arg)
		if r.err != nil {
			t.Fatalf("%s: %v", arg, r.err)
		}
		if r.stderr != "" {
			t.Errorf("%s wrote to stderr: %q", arg, r.stderr)
		}
		for _, c := range wantCommands {
			if !strings.Contains(r.stdout, "  "+c) {
				t.Errorf("%s: usage does not list %q:\n%s", arg, c, r.stdout)
			}
		}
		if !strings.Contains(r.stdout, "SWITCHBOARD_DATA_DIR") {
			t.Errorf("%s: usage does not explain the environment variables", arg)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name      string
		args      []string
		wantErr   string
		wantUsage bool // the general usage on stderr
	}{
		{"no arguments", nil, "no command given", true},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`, true},
		{"a flag instead of a command", []string{"--data-dir", dir}, `unknown command "--data-dir"`, true},
		{"accounts without subcommand", []string{"accounts"}, "missing subcommand", false},
		{"users without subcommand", []string{"users"}, "missing subcommand", false},
		{"jobs without subcommand", []string{"jobs"}, "missing subcommand", false},
		{"unknown subcommand", []string{"accounts", "delete"}, `unknown command "accounts delete"`, false},
		{"unknown flag", []string{"serve", "--no-such-flag"}, "no-such-flag", false},
		{"flag without value", []string{"migrate", "--data-dir"}, "data-dir", false},
		{"bad bool flag", []string{"serve", "--data-dir", dir, "--allow-private-network=maybe"}, "allow-private-network", false},
		{"users create with a bad role", []string{"users", "create", "--data-dir", dir, "--account", "acc_x", "--email", "u@acme.example", "--role", "owner"}, `unknown role "owner"`, false},
		{"jobs retry with a non-number", []string{"jobs", "retry", "--data-dir", dir, "notanumber"}, `"notanumber" is not a job id`, false},
		{"jobs retry with a number and garbage", []string{"jobs", "retry", "--data-dir", dir, "12abc"}, `"12abc" is not a job id`, false},
		{"jobs retry without id", []string{"jobs", "retry", "--data-dir", dir}, "jobs retry: give ID", false},
		{"jobs retry with two ids", []string{"jobs", "retry", "--data-dir", dir, "1", "2"}, `jobs retry takes ID, not also ["2"]`, false},
		{"a stray word before flags", []string{"serve", "extra-arg", "--data-dir", dir, "--listen", "127.0.0.1:0"}, `serve takes no arguments, only flags: unexpected ["extra-arg"]`, false},
		{"a stray word after flags", []string{"migrate", "--data-dir", dir, "extra"}, `migrate takes no arguments, only flags: unexpected ["extra"]`, false},
		{"a stray word after --", []string{"jobs", "list", "--data-dir", dir, "--", "--all"}, `jobs list takes no arguments, only flags: unexpected ["--all"]`, false},
		{"validate with a stray word", []string{"validate", "--integration", "int_x", "--data-dir", dir, "now"}, `validate takes no arguments, only flags: unexpected ["now"]`, false},
		{"group with a flag first", []string{"accounts", "--data-dir", dir, "create"}, "accounts: give the subcommand before the flags", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.args...)
			if r.err == nil {
				t.Fatalf("run(%q) = nil, want a usage error; stdout %q", tt.args, r.stdout)
			}
			if r.code != 2 {
				t.Errorf("run(%q): exit code %d, want 2 (%v)", tt.args, r.code, r.err)
			}
			if !strings.Contains(r.err.Error(), tt.wantErr) {
				t.Errorf("run(%q): error %q, want it to mention %q", tt.args, r.err, tt.wantErr)
			}
			if tt.wantUsage && !strings.Contains(r.stderr, "Usage:") {
				t.Errorf("run(%q): no usage on stderr: %q", tt.args, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("run(%q) printed to stdout: %q", tt.args, r.stdout)
			}
		})
	}
}

func TestCommandHelpListsFlagsWithEnvNames(t *testing.T) {
	t.Parallel()
	common := []string{"data-dir", "database-url", "secret-key", "base-url", "log-level"}
	tests := []struct {
		args  []string
		flags []string
	}{
		{[]string{"serve", "-h"}, append([]string{"listen", "smtp-url", "mail-from", "allow-private-network", "allow-ats-host", "metrics-listen", "metrics-token", "inbound-retention", "workers", "email-workers", "vendor-workers", "db-max-conns"}, common...)},
		{[]string{"serve", "--help"}, append([]string{"listen", "smtp-url", "mail-from", "allow-private-network", "allow-ats-host", "metrics-listen", "metrics-token", "inbound-retention", "workers", "email-workers", "vendor-workers", "db-max-conns"}, common...)},
		{[]string{"migrate", "-h"}, common},
		{[]string{"validate", "-h"}, append([]string{"integration", "vacancy", "allow-private-network", "allow-ats-host"}, common...)},
		{[]string{"accounts", "create", "-h"}, append([]string{"name", "email", "password", "json"}, common...)},
		{[]string{"users", "create", "-h"}, append([]string{"account", "email", "name", "role", "password"}, common...)},
		{[]string{"jobs", "list", "-h"}, common},
		{[]string{"demo", "-h"}, []string{"listen", "once", "verbose"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tt.args...)
			if !errors.Is(r.err, flag.ErrHelp) || r.code != 0 {
				t.Fatalf("run(%q) = %v (exit %d), want flag.ErrHelp and exit 0", tt.args, r.err, r.code)
			}
			if !strings.HasPrefix(r.stderr, "Usage: switchboard "+tt.args[0]) {
				t.Errorf("help does not start with the command's usage line:\n%s", r.stderr)
			}
			blocks := flagBlocks(r.stderr)
			if len(blocks) != len(tt.flags) {
				t.Errorf("help lists %d flags, want %d:\n%s", len(blocks), len(tt.flags), r.stderr)
			}
			for _, f := range tt.flags {
				env := "($SWITCHBOARD_" + strings.ToUpper(strings.ReplaceAll(f, "-", "_")) + ")"
				if b, ok := blocks[f]; !ok || strings.Count(b, env) != 1 {
					t.Errorf("help does not list -%s with %s once: %q", f, env, b)
				}
			}
		})
	}
}

// flagBlocks splits flag.PrintDefaults output into each flag's text.
func flagBlocks(help string) map[string]string {
	blocks := map[string]string{}
	cur := ""
	for _, line := range strings.Split(help, "\n") {
		if rest, ok := strings.CutPrefix(line, "  -"); ok {
			cur = strings.Fields(rest)[0]
			blocks[cur] = line
			continue
		}
		if cur != "" && strings.HasPrefix(line, "    ") {
			blocks[cur] += "\n" + line
		}
	}
	return blocks
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	for i := range 2 {
		r := runCLI(t, "migrate", "--data-dir", dir, "--log-level", "error")
		if r.err != nil {
			t.Fatalf("migrate run %d: %v\n%s", i+1, r.err, r.stderr)
		}
		if strings.TrimSpace(r.stdout) != "database (sqlite) is up to date" {
			t.Errorf("migrate run %d printed %q", i+1, r.stdout)
		}
	}
	for _, f := range []string{"switchboard.db", "secret.key"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("after migrate: %v", err)
		}
	}
}

func TestDatabaseURLMustBePostgres(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "migrate", "--data-dir", t.TempDir(), "--database-url", "mysql://x")
	if r.err == nil || r.code != 1 || !strings.Contains(r.err.Error(), "postgres://") {
		t.Fatalf("migrate with a mysql URL: %v (exit %d)", r.err, r.code)
	}
}

// TestPostgresNeedsASharedSecretKey: replicas on one PostgreSQL database must
// share the key, so none is generated per replica.
func TestPostgresNeedsASharedSecretKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCLI(t, "migrate", "--data-dir", dir, "--database-url", "postgres://127.0.0.1:1/none")
	if r.err == nil || !strings.Contains(r.err.Error(), "--secret-key") {
		t.Fatalf("migrate on PostgreSQL without a key: %v (exit %d)", r.err, r.code)
	}
	if _, err := os.Stat(filepath.Join(dir, "secret.key")); !os.IsNotExist(err) {
		t.Errorf("a key was generated in the data dir: %v", err)
	}
}

// The tests below set environment variables and so are not parallel.

func TestEnvSetsFlagAndCommandLineWins(t *testing.T) {
	fromEnv := t.TempDir()
	t.Setenv("SWITCHBOARD_DATA_DIR", fromEnv)
	t.Setenv("SWITCHBOARD_LOG_LEVEL", "error")

	r := runCLI(t, "migrate")
	if r.err != nil {
		t.Fatalf("migrate with SWITCHBOARD_DATA_DIR: %v", r.err)
	}
	if _, err := os.Stat(filepath.Join(fromEnv, "switchboard.db")); err != nil {
		t.Fatalf("SWITCHBOARD_DATA_DIR was not used: %v", err)
	}
	if r.stderr != "" {
		t.Errorf("SWITCHBOARD_LOG_LEVEL=error did not quiet the log: %q", r.stderr)
	}

	fromFlag := t.TempDir()
	other := t.TempDir()
	t.Setenv("SWITCHBOARD_DATA_DIR", other)
	r = runCLI(t, "migrate", "--data-dir", fromFlag)
	if r.err != nil {
		t.Fatalf("migrate --data-dir: %v", r.err)
	}
	if _, err := os.Stat(filepath.Join(fromFlag, "switchboard.db")); err != nil {
		t.Fatalf("--data-dir did not win over SWITCHBOARD_DATA_DIR: %v", err)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 0 {
		t.Fatalf("SWITCHBOARD_DATA_DIR was used although --data-dir was given: %v", entries)
	}
}

func TestBadEnvValueNamesTheVariable(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, env, value string
		args             []string
	}{
		{name: "bool flag", env: "SWITCHBOARD_ALLOW_PRIVATE_NETWORK", value: "maybe", args: []string{"serve", "--data-dir", dir}},
		{name: "demo bool flag", env: "SWITCHBOARD_ONCE", value: "twice", args: []string{"demo"}},
		{name: "log level", env: "SWITCHBOARD_LOG_LEVEL", value: "loud", args: []string{"migrate", "--data-dir", dir}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(tt.env, tt.value)
			r := runCLI(t, tt.args...)
			if r.err == nil {
				t.Fatalf("run(%q) with %s=%s succeeded", tt.args, tt.env, tt.value)
			}
			if !strings.Contains(r.err.Error(), tt.env) || r.code != 2 {
				t.Fatalf("run(%q) with %s=%s: %q (exit %d), want an error naming %s and exit 2", tt.args, tt.env, tt.value, r.err, r.code, tt.env)
			}
		})
	}
	// Nothing was opened or created on the way.
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused command touched the data directory: %v", entries)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

var apiKeyRe = regexp.MustCompile(`API key \(shown once\): (sbk_\S+)`)

// TestAccountsCreateThenServe creates an account on the command line, serves
// the same data directory and uses the printed API key, then stops the server
// by cancelling its context.
func TestAccountsCreateThenServe(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SWITCHBOARD_DATA_DIR", dir)
	t.Setenv("SWITCHBOARD_LOG_LEVEL", "warn")

	r := runCLI(t, "accounts", "create", "--name", "Acme Corp", "--email", "owner@acme.example")
	if r.err != nil {
		t.Fatalf("accounts create: %v\n%s", r.err, r.stderr)
	}
	m := apiKeyRe.FindStringSubmatch(r.stdout)
	accountID := regexp.MustCompile(`account (acc_\S+) \(Acme Corp\)`).FindStringSubmatch(r.stdout)
	if m == nil || accountID == nil || !strings.Contains(r.stdout, "super admin usr_") {
		t.Fatalf("accounts create printed:\n%s", r.stdout)
	}
	superKey := m[1]

	r = runCLI(t, "users", "create", "--account", accountID[1], "--email", "viewer@acme.example", "--role", "limited_team_member")
	if r.err != nil {
		t.Fatalf("users create: %v", r.err)
	}
	um := apiKeyRe.FindStringSubmatch(r.stdout)
	if um == nil || !strings.Contains(r.stdout, "viewer@acme.example, limited_team_member") {
		t.Fatalf("users create printed:\n%s", r.stdout)
	}
	viewerKey := um[1]

	// users create for an account that does not exist fails (exit 1).
	r = runCLI(t, "users", "create", "--account", "acc_nosuchaccount", "--email", "x@acme.example")
	if r.err == nil || r.code != 1 || !strings.Contains(r.err.Error(), "not found") {
		t.Errorf("users create for a missing account: %v (exit %d)", r.err, r.code)
	}
	// accounts create without a name is refused and prints no key.
	r = runCLI(t, "accounts", "create", "--email", "second@acme.example")
	if r.err == nil || r.code == 0 || !strings.Contains(r.err.Error(), "name") || strings.Contains(r.stdout, "sbk_") {
		t.Errorf("accounts create without --name: %v (exit %d) %q", r.err, r.code, r.stdout)
	}

	// The command line's --listen wins over SWITCHBOARD_LISTEN, which
	// points at a port nobody will serve.
	addr := freeAddr(t)
	t.Setenv("SWITCHBOARD_LISTEN", freeAddr(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", addr, "--base-url", "http://" + addr}, &stdout, &stderr)
	}()

	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer /healthz on %s: %v\n%s", addr, err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	get := func(key, path string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(superKey, "/api/v1/me"); code != 200 || !strings.Contains(body, "owner@acme.example") || !strings.Contains(body, `"super_admin"`) {
		t.Fatalf("GET /me with the printed key: %d %s", code, body)
	}
	if code, body := get(viewerKey, "/api/v1/me"); code != 200 || !strings.Contains(body, "limited_team_member") {
		t.Fatalf("GET /me with the user's key: %d %s", code, body)
	}
	if code, _ := get(viewerKey, "/api/v1/integrations"); code != http.StatusForbidden {
		t.Errorf("limited team member listing integrations: %d, want 403", code)
	}
	if code, _ := get("sbk_wrong", "/api/v1/me"); code != http.StatusUnauthorized {
		t.Errorf("a wrong key: %d, want 401", code)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after cancel = %v, want nil (graceful shutdown)\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of cancel")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after serve returned")
	}
	if strings.Contains(stderr.String(), superKey) || strings.Contains(stderr.String(), viewerKey) {
		t.Error("the serve log contains an API key")
	}
	// serve recorded its base URL for the commands run beside it.
	a, err := app.Open(context.Background(), app.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(context.Background())
	if got := a.Service.BaseURL(); got != base {
		t.Errorf("base URL after serve = %q, want %q", got, base)
	}
}

func TestJobsListOnFreshDatabase(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "jobs", "list", "--data-dir", t.TempDir(), "--log-level", "error")
	if r.err != nil {
		t.Fatal(r.err)
	}
	fields := strings.Fields(r.stdout)
	if strings.Join(fields, " ") != "ID KIND STATE ATTEMPT LAST ERROR" {
		t.Fatalf("jobs list on an empty queue printed %q, want only the header", r.stdout)
	}
}

func TestJobsRetryUnknownJob(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "jobs", "retry", "--data-dir", t.TempDir(), "--log-level", "error", "4242")
	if r.err == nil || r.code != 1 || !strings.Contains(r.err.Error(), "4242") {
		t.Fatalf("jobs retry 4242 on an empty queue: %v (exit %d)", r.err, r.code)
	}
	if strings.Contains(r.stdout, "queued") {
		t.Errorf("claims to have queued a missing job: %q", r.stdout)
	}
}

// TestUsageErrorsTouchNoDatabase: a mistyped command line is refused before
// anything is opened, so it cannot create a data directory (and a new secret
// key) wherever it happens to run.
func TestUsageErrorsTouchNoDatabase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cmd, args []string // flags go between the command and its arguments
	}{
		{[]string{"users", "create"}, []string{"--account", "acc_x", "--email", "u@acme.example", "--role", "owner"}},
		{[]string{"jobs", "retry"}, []string{"notanumber"}},
		{[]string{"jobs", "retry"}, nil},
		{[]string{"serve"}, []string{"extra-arg", "--listen", "127.0.0.1:0"}},
		{[]string{"migrate"}, []string{"extra"}},
	}
	for _, tt := range tests {
		args := append(append(append([]string{}, tt.cmd...), "--data-dir", "DIR", "--log-level", "error"), tt.args...)
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "data")
			args := slices.Clone(args)
			args[slices.Index(args, "DIR")] = dir
			r := runCLI(t, args...)
			if r.code != 2 {
				t.Fatalf("run(%q): %v (exit %d), want exit 2", args, r.err, r.code)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("cmd/switchboard/admin.go runAdmin opens the app (creating the data directory, secret.key and the database) before validating --role and the jobs retry id, so a usage error still creates ./data")
			}
		})
	}
}

// TestValidateReportsEachCheck: the operator's validate lists every check and
// exits non-zero when one fails; a missing --integration is a usage error.
func TestValidateReportsEachCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if r := runCLI(t, "validate", "--data-dir", dir); r.code != 2 {
		t.Fatalf("validate without --integration: exit %d (%v)", r.code, r.err)
	}

	in := seedLever(t, dir, "")

	r := runCLI(t, "validate", "--data-dir", dir, "--integration", in.ID)
	if r.code != 1 || !strings.Contains(r.stdout, "✗ API key is set: enter the Lever API key") || !strings.Contains(r.stdout, "✓ API base URL is an absolute URL") {
		t.Fatalf("validate a Lever integration without credentials: exit %d (%v)\n%s", r.code, r.err, r.stdout)
	}
	if r := runCLI(t, "validate", "--data-dir", dir, "--integration", "int_missing"); r.code != 1 || r.err == nil || !strings.Contains(r.err.Error(), "not found") {
		t.Fatalf("validate an unknown integration: exit %d (%v)", r.code, r.err)
	}
}

// TestValidatePrintsTheServersWebhookURL: validate's webhook URL is built
// from the base URL the server runs with (recorded by serve), or from
// --base-url when given, not from a default of its own.
func TestValidatePrintsTheServersWebhookURL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := seedLever(t, dir, "https://switchboard.acme.example")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "https://switchboard.acme.example"},
		{[]string{"--base-url", "https://other.acme.example"}, "https://other.acme.example"},
	} {
		r := runCLI(t, append([]string{"validate", "--data-dir", dir, "--log-level", "error", "--integration", in.ID}, tt.args...)...)
		if want := "  webhook URL: " + tt.want + "/hooks/lever/" + in.ID + "\n"; !strings.Contains(r.stdout, want) {
			t.Errorf("validate %v printed:\n%s\nwant the line %q", tt.args, r.stdout, want)
		}
	}
}

// TestStrayArgumentsShowUsage: a word a command does not take is refused
// with the command's usage, and the flags around it are still read.
func TestStrayArgumentsShowUsage(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "serve", "extra-arg", "--listen", "127.0.0.1:0", "--data-dir", filepath.Join(t.TempDir(), "data"))
	if r.code != 2 || !strings.HasPrefix(r.stderr, "Usage: switchboard serve") || !strings.Contains(r.stderr, "-listen") {
		t.Errorf("serve extra-arg: exit %d, stderr %q; want exit 2 with serve's usage", r.code, r.stderr)
	}
	// Flags after the argument count: the id is read and the data
	// directory given after it is the one opened.
	dir := t.TempDir()
	r = runCLI(t, "jobs", "retry", "4242", "--data-dir", dir, "--log-level", "error")
	if r.code != 1 || !strings.Contains(r.err.Error(), "4242") {
		t.Errorf("jobs retry 4242 --data-dir …: %v (exit %d), want exit 1 for a missing job", r.err, r.code)
	}
	if _, err := os.Stat(filepath.Join(dir, "switchboard.db")); err != nil {
		entries, _ := os.ReadDir(dir)
		t.Errorf("the --data-dir after the argument was not used: %v (%v)", err, entries)
	}
}

// TestGroupHelpListsSubcommands: "accounts -h" and the like answer with the
// group's subcommands, from the same table as the main usage.
func TestGroupHelpListsSubcommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		group string
		subs  []string
	}{
		{"accounts", []string{"create"}},
		{"users", []string{"create"}},
		{"jobs", []string{"list", "retry ID"}},
	}
	for _, tt := range tests {
		for _, h := range []string{"-h", "--help", "help"} {
			r := runCLI(t, tt.group, h)
			if r.err != nil || r.stderr != "" {
				t.Errorf("%s %s: %v, stderr %q; want help on stdout and exit 0", tt.group, h, r.err, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, "Usage: switchboard "+tt.group+" <subcommand> [flags]") {
				t.Errorf("%s %s: help starts %q", tt.group, h, r.stdout)
			}
			for _, c := range commands {
				sub, ok := strings.CutPrefix(c.name, tt.group+" ")
				if ok && !strings.Contains(r.stdout, "\n  "+strings.TrimSpace(sub+" "+c.args)+" ") {
					t.Errorf("%s %s: help does not list %q:\n%s", tt.group, h, sub, r.stdout)
				}
			}
			for _, s := range tt.subs {
				if !strings.Contains(r.stdout, "\n  "+s+" ") {
					t.Errorf("%s %s: help does not list %q:\n%s", tt.group, h, s, r.stdout)
				}
			}
		}
		// Without a subcommand the same list goes to stderr, exit 2.
		if r := runCLI(t, tt.group); r.code != 2 || !strings.Contains(r.stderr, "Subcommands:") {
			t.Errorf("%s alone: exit %d, stderr %q", tt.group, r.code, r.stderr)
		}
	}
}

// TestAccountsCreateJSON: --json prints what was created, the key
// included, as one JSON object a script can read.
func TestAccountsCreateJSON(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "accounts", "create", "--data-dir", t.TempDir(), "--log-level", "error", "--name", "Acme Corp", "--email", "owner@acme.example", "--json")
	if r.err != nil {
		t.Fatalf("accounts create --json: %v\n%s", r.err, r.stderr)
	}
	var out map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	if !strings.HasPrefix(out["account_id"], "acc_") || out["account_name"] != "Acme Corp" || !strings.HasPrefix(out["user_id"], "usr_") ||
		out["email"] != "owner@acme.example" || out["role"] != "super_admin" || !strings.HasPrefix(out["api_key"], "sbk_") {
		t.Errorf("accounts create --json printed %v", out)
	}
}

func TestErrorTextIsThePublicMessage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCLI(t, "validate", "--data-dir", dir, "--log-level", "error", "--integration", "int_nope")
	if r.code != 1 || errorText(r.err) != `validate: there is no integration "int_nope"` {
		t.Errorf("validate an unknown integration: exit %d, reads %q", r.code, errorText(r.err))
	}
	if got := errorText(errors.New("plain")); got != "plain" {
		t.Errorf("errorText of a plain error = %q", got)
	}
}

// seedLever makes an account with a draft Lever integration in dir. With a
// servedBaseURL it records that URL as serve does.
func seedLever(t *testing.T, dir, servedBaseURL string) core.Integration {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir, BaseURL: servedBaseURL, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	_, admin, _, err := a.Identity.CreateAccount(ctx, "Acme Corp", "admin@acme.example", "")
	if err != nil {
		t.Fatal(err)
	}
	in, err := a.Integrations.CreateIntegration(ctx, admin, "lever", "")
	if err != nil {
		t.Fatal(err)
	}
	if servedBaseURL != "" {
		if err := a.RecordBaseURL(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return in
}
