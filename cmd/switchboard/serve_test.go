package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeRefusesABadAllowedATSHost: --allow-ats-host takes host names, not
// URLs, and a wrong one is a usage error before anything is opened.
func TestServeRefusesABadAllowedATSHost(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"https://ats.internal", "ats.internal/v1", "ok.internal,bad/path"} {
		dir := filepath.Join(t.TempDir(), "data")
		r := runCLI(t, "serve", "--data-dir", dir, "--allow-ats-host", v)
		if r.code != 2 || !strings.Contains(r.stderr+fmt.Sprint(r.err), "allow-ats-host") {
			t.Errorf("--allow-ats-host %q: exit %d, err %v, stderr %q; want a usage error naming the flag", v, r.code, r.err, r.stderr)
		}
	}
}
