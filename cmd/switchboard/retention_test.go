package main

import (
	"os"
	"strings"
	"testing"
)

// TestInboundRetentionIsChecked: a retention too short to keep replays away
// (or not a duration) is refused with exit 2, naming the flag or variable,
// before anything is opened.
func TestInboundRetentionIsChecked(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, env string
		args      []string
		want      string
	}{
		{"flag too short", "", []string{"serve", "--data-dir", dir, "--inbound-retention", "1h"}, "--inbound-retention"},
		{"variable too short", "23h", []string{"serve", "--data-dir", dir}, "SWITCHBOARD_INBOUND_RETENTION"},
		{"variable not a duration", "30 days", []string{"serve", "--data-dir", dir}, "SWITCHBOARD_INBOUND_RETENTION"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("SWITCHBOARD_INBOUND_RETENTION", tc.env)
			}
			r := runCLI(t, tc.args...)
			if r.err == nil || r.code != 2 || !strings.Contains(r.err.Error()+r.stderr, tc.want) {
				t.Fatalf("run(%q): %v (exit %d) %s, want exit 2 naming %s", tc.args, r.err, r.code, r.stderr, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused serve touched the data directory: %v", entries)
	}
}
