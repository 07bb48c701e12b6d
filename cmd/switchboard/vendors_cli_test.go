package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestVendorCommandUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"packages": [{"id": "a", "title": "A"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no subcommand", []string{"vendors"}, "vendors: missing subcommand"},
		{"keys without subcommand", []string{"vendors", "keys"}, "vendors keys: missing subcommand"},
		{"unknown keys subcommand", []string{"vendors", "keys", "frob"}, `unknown command "vendors keys frob"`},
		{"create without a name", []string{"vendors", "create", "--data-dir", data}, "vendors create: --name is required"},
		{"create with a bad kind", []string{"vendors", "create", "--data-dir", data, "--name", "Acme", "--kind", "survey"}, `--kind "survey": use assessment or background_check`},
		{"disable without an id", []string{"vendors", "disable", "--data-dir", data}, "vendors disable: give ID"},
		{"revoke without a key id", []string{"vendors", "keys", "revoke", "--data-dir", data, "--vendor", "vnd_x"}, "vendors keys revoke: give KEYID"},
		{"revoke without a vendor", []string{"vendors", "keys", "revoke", "--data-dir", data, "key_x"}, "--vendor is required"},
		{"link without an account", []string{"vendors", "link", "--data-dir", data, "--vendor", "vnd_x"}, "--account is required"},
		{"packages without a file", []string{"vendors", "packages", "set", "--data-dir", data, "--vendor", "vnd_x"}, "--file is required"},
		{"packages from a missing file", []string{"vendors", "packages", "set", "--data-dir", data, "--vendor", "vnd_x", "--file", filepath.Join(dir, "nope.json")}, "no such file"},
		{"packages with a misspelt field", []string{"vendors", "packages", "set", "--data-dir", data, "--vendor", "vnd_x", "--file", bad}, `unknown field "title"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.args...)
			if r.err == nil || r.code != 2 {
				t.Fatalf("run(%q) = %v (exit %d), want a usage error", tt.args, r.err, r.code)
			}
			if !strings.Contains(r.err.Error(), tt.wantErr) {
				t.Errorf("run(%q): %q, want it to mention %q", tt.args, r.err, tt.wantErr)
			}
		})
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("usage errors left a data directory behind: %v", err)
	}
}

func TestVendorGroupHelp(t *testing.T) {
	t.Parallel()
	r := runCLI(t, "vendors", "help")
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, c := range []string{"  create", "  keys create", "  keys revoke KEYID", "  packages set", "  disable ID"} {
		if !strings.Contains(r.stdout, c) {
			t.Errorf("vendors help does not list %q:\n%s", c, r.stdout)
		}
	}
	if r := runCLI(t, "vendors", "keys", "-h"); r.err != nil || !strings.Contains(r.stdout, "  revoke KEYID") {
		t.Errorf("vendors keys -h: %v\n%s", r.err, r.stdout)
	}
}

// TestVendorCommands: the operator creates a vendor, manages its keys,
// links it to an account, sets its static packages and disables it.
func TestVendorCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cli := func(args ...string) result {
		t.Helper()
		return runCLI(t, append(args, "--data-dir", dir, "--log-level", "error")...)
	}
	must := func(args ...string) string {
		t.Helper()
		r := cli(args...)
		if r.err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), r.err, r.stderr)
		}
		return r.stdout
	}

	r := cli("vendors", "create", "--name", "Acme Checks", "--kind", "background_check")
	if r.err != nil {
		t.Fatalf("vendors create: %v\n%s", r.err, r.stderr)
	}
	m := regexp.MustCompile(`vendor (vnd_\S+) \(Acme Checks, background_check\)\nAPI key \(shown once\): (svk_\S+)`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("vendors create printed:\n%s", r.stdout)
	}
	vendor := m[1]
	if r := cli("vendors", "create", "--name", "acme checks"); r.err == nil || !strings.Contains(errorText(r.err), "another vendor has this name") {
		t.Errorf("a second vendor of the same name: %v", r.err)
	}
	if out := must("vendors", "list"); !strings.Contains(out, vendor) || !strings.Contains(out, "active") {
		t.Errorf("vendors list:\n%s", out)
	}

	out := must("vendors", "keys", "create", "--vendor", vendor)
	key := regexp.MustCompile(`key (vkey_\S+) of vendor ` + vendor + `\nAPI key \(shown once\): svk_`).FindStringSubmatch(out)
	if key == nil {
		t.Fatalf("vendors keys create printed:\n%s", out)
	}
	if out := must("vendors", "keys", "list", "--vendor", vendor); strings.Count(out, "vkey_") != 2 {
		t.Errorf("vendors keys list shows %d keys, want 2:\n%s", strings.Count(out, "vkey_"), out)
	}
	must("vendors", "keys", "revoke", "--vendor", vendor, key[1])
	if out := must("vendors", "keys", "list", "--vendor", vendor); strings.Contains(out, key[1]) {
		t.Errorf("a revoked key is still listed:\n%s", out)
	}

	acc := regexp.MustCompile(`account (acc_\S+)`).FindStringSubmatch(must("accounts", "create", "--name", "Acme Corp", "--email", "owner@acme.example"))[1]
	if out := must("vendors", "link", "--vendor", vendor, "--account", acc); !strings.Contains(out, "linked to account "+acc) {
		t.Errorf("vendors link printed:\n%s", out)
	}
	if out := must("vendors", "link", "--vendor", vendor, "--account", acc); !strings.Contains(out, "already linked") {
		t.Errorf("vendors link again printed:\n%s", out)
	}

	file := filepath.Join(t.TempDir(), "packages.json")
	if err := os.WriteFile(file, []byte(`{"packages": [{"id": "crim", "name": "Criminal record", "description": "7 years"}, {"id": "emp", "name": "Employment", "type": "background_check"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := must("vendors", "packages", "set", "--vendor", vendor, "--file", file); !strings.Contains(out, "2 static packages") {
		t.Errorf("vendors packages set printed:\n%s", out)
	}
	if err := os.WriteFile(file, []byte(`{"packages": [{"id": "crim", "name": ""}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := cli("vendors", "packages", "set", "--vendor", vendor, "--file", file); r.err == nil || !strings.Contains(errorText(r.err), "packages[0].name: is required") {
		t.Errorf("a package without a name: %v", r.err)
	}

	must("vendors", "unlink", "--vendor", vendor, "--account", acc)
	if r := cli("vendors", "unlink", "--vendor", vendor, "--account", acc); r.err == nil || !strings.Contains(errorText(r.err), "is not linked") {
		t.Errorf("unlinking again: %v", r.err)
	}
	if out := must("vendors", "disable", vendor); !strings.Contains(out, "is disabled") {
		t.Errorf("vendors disable printed:\n%s", out)
	}
	if out := must("vendors", "list"); !strings.Contains(out, "disabled") {
		t.Errorf("vendors list after disabling:\n%s", out)
	}
	if out := must("vendors", "enable", vendor); !strings.Contains(out, "is active") {
		t.Errorf("vendors enable printed:\n%s", out)
	}
}
