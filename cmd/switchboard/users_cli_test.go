package main

import (
	"regexp"
	"strings"
	"testing"
)

var (
	linkRe  = regexp.MustCompile(`set-password link \(works once, until \S+\): (https://sb\.example/set-password\?token=sbr_\S+)`)
	userRe  = regexp.MustCompile(`super admin (usr_\S+) `)
	keyIDRe = regexp.MustCompile(`(?m)^(key_\S+)\s+sbk_`)
)

// TestUserAndKeyCommands: the operator's way in and out for users, without
// SQL: a set-password link for an account's first super admin (who has no
// password), roles, deactivation, and listing, rotating and revoking keys.
func TestUserAndKeyCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cli := func(args ...string) result {
		t.Helper()
		return runCLI(t, append(args, "--data-dir", dir, "--base-url", "https://sb.example", "--log-level", "error")...)
	}
	must := func(args ...string) string {
		t.Helper()
		r := cli(args...)
		if r.err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), r.err, r.stderr)
		}
		return r.stdout
	}

	out := must("accounts", "create", "--name", "Acme Corp", "--email", "owner@acme.example")
	if linkRe.FindStringSubmatch(out) == nil || userRe.FindStringSubmatch(out) == nil {
		t.Fatalf("accounts create without --password prints no set-password link:\n%s", out)
	}
	owner := userRe.FindStringSubmatch(out)[1]
	accountID := regexp.MustCompile(`account (acc_\S+)`).FindStringSubmatch(out)[1]
	if out := must("users", "reset-password", "--user", owner); linkRe.FindStringSubmatch(out) == nil {
		t.Fatalf("users reset-password printed:\n%s", out)
	}

	out = must("users", "create", "--account", accountID, "--email", "team@acme.example", "--role", "team_member")
	if linkRe.FindStringSubmatch(out) == nil {
		t.Fatalf("users create without --password prints no set-password link:\n%s", out)
	}
	team := regexp.MustCompile(`user (usr_\S+) `).FindStringSubmatch(out)[1]
	if out := must("users", "create", "--account", accountID, "--email", "pw@acme.example", "--password", "a long enough password"); strings.Contains(out, "set-password link") {
		t.Fatalf("users create with --password still prints a link:\n%s", out)
	}

	if out := must("users", "set-role", "--user", team, "--role", "admin"); !strings.Contains(out, "is now admin") {
		t.Fatalf("users set-role printed:\n%s", out)
	}
	if out := must("users", "set-password", "--user", team, "--password", "another long password"); !strings.Contains(out, "password of user "+team+" set") {
		t.Fatalf("users set-password printed:\n%s", out)
	}

	// Keys: list, rotate (the old one is gone), revoke.
	out = must("keys", "list", "--user", team)
	ids := keyIDRe.FindAllStringSubmatch(out, -1)
	if len(ids) != 1 || !strings.Contains(out, "never") {
		t.Fatalf("keys list printed:\n%s", out)
	}
	old := ids[0][1]
	out = must("keys", "rotate", "--key", old)
	if !regexp.MustCompile(`API key \(shown once\): sbk_\S+`).MatchString(out) {
		t.Fatalf("keys rotate printed:\n%s", out)
	}
	out = must("keys", "list", "--user", team)
	ids = keyIDRe.FindAllStringSubmatch(out, -1)
	if len(ids) != 1 || ids[0][1] == old {
		t.Fatalf("keys after rotating %s:\n%s", old, out)
	}
	must("keys", "revoke", "--key", ids[0][1])
	if out := must("keys", "list", "--user", team); keyIDRe.MatchString(out) {
		t.Fatalf("keys after revoking:\n%s", out)
	}
	if r := cli("keys", "revoke", "--key", ids[0][1]); r.code != 1 || !strings.Contains(r.err.Error(), "not found") {
		t.Fatalf("revoking a revoked key: %v (exit %d)", r.err, r.code)
	}

	// Deactivation, and the last super admin stays.
	if out := must("users", "deactivate", "--user", team); !strings.Contains(out, "is deactivated") {
		t.Fatalf("users deactivate printed:\n%s", out)
	}
	if out := must("users", "list", "--account", accountID); !regexp.MustCompile(`team@acme\.example\s+admin\s+deactivated`).MatchString(out) {
		t.Fatalf("users list printed:\n%s", out)
	}
	if r := cli("users", "deactivate", "--user", owner); r.code != 1 || !strings.Contains(r.err.Error(), "last super admin") {
		t.Fatalf("deactivating the last super admin: %v (exit %d)", r.err, r.code)
	}
	if r := cli("users", "set-role", "--user", owner, "--role", "admin"); r.code != 1 || !strings.Contains(r.err.Error(), "last super admin") {
		t.Fatalf("demoting the last super admin: %v (exit %d)", r.err, r.code)
	}

	// The operator flag: set by email, shown in users list, taken away.
	if out := must("users", "set-operator", "--email", "OWNER@acme.example"); !strings.Contains(out, "is an operator") {
		t.Fatalf("users set-operator printed:\n%s", out)
	}
	if out := must("users", "list", "--account", accountID); !regexp.MustCompile(`owner@acme\.example\s+super_admin\s+active\s+\S+\s+yes`).MatchString(out) {
		t.Fatalf("users list after set-operator printed:\n%s", out)
	}
	if out := must("users", "set-operator", "--email", "owner@acme.example", "--off"); !strings.Contains(out, "no longer an operator") {
		t.Fatalf("users set-operator --off printed:\n%s", out)
	}
	if out := must("users", "list", "--account", accountID); !regexp.MustCompile(`owner@acme\.example\s+super_admin\s+active\s+\S+\s+no`).MatchString(out) {
		t.Fatalf("users list after set-operator --off printed:\n%s", out)
	}
	if r := cli("users", "set-operator", "--email", "nobody@acme.example"); r.code != 1 || !strings.Contains(r.err.Error(), "no user nobody@acme.example") {
		t.Fatalf("set-operator of an unknown email: %v (exit %d)", r.err, r.code)
	}

	// Usage errors exit 2 before the database is touched.
	for _, args := range [][]string{
		{"users", "set-operator"},
		{"users", "set-role", "--user", team},
		{"users", "set-role", "--user", team, "--role", "owner"},
		{"users", "deactivate"},
		{"keys", "revoke"},
		{"keys", "list", "--user", team, "extra"},
	} {
		if r := cli(args...); r.code != 2 {
			t.Errorf("%q: exit %d (%v), want 2", args, r.code, r.err)
		}
	}
}
