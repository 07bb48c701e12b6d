package integrations

import (
	"go/build"
	"strings"
	"testing"
)

// TestDependsOnlyOnItsDomain pins the cut: integrations builds on the
// connector seam, the store, the domain and the secret helpers, never on the
// service (the order side) or any caller; the service reaches it through an
// interface of its own, and answers partner orders through PartnerOrders.
func TestDependsOnlyOnItsDomain(t *testing.T) {
	t.Parallel()
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"switchboard/internal/ats":    true,
		"switchboard/internal/core":   true,
		"switchboard/internal/secret": true,
		"switchboard/internal/store":  true,
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "switchboard/") && !allowed[imp] {
			t.Errorf("integrations imports %s; it may import only ats, core, secret and store of Switchboard's packages", imp)
		}
	}
}
