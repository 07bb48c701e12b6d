package identity

import (
	"go/build"
	"strings"
	"testing"
)

// TestDependsOnlyOnItsDomain pins the cut: identity builds on the store, the
// domain and the secret helpers, never on the service or any caller, so the
// service and every handler can take the core.User it resolves.
func TestDependsOnlyOnItsDomain(t *testing.T) {
	t.Parallel()
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"switchboard/internal/core":   true,
		"switchboard/internal/secret": true,
		"switchboard/internal/store":  true,
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "switchboard/") && !allowed[imp] {
			t.Errorf("identity imports %s; it may import only core, secret and store of Switchboard's packages", imp)
		}
	}
}
