package layering

import (
	"go/build"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "switchboard/internal/"

// allowed lists, per package (relative to internal/), the only Switchboard
// packages it may import directly. A package missing here is not checked.
var allowed = map[string][]string{
	// core still holds the engine's package definition on a vacancy until
	// packages move behind the vendor seam (issue 8); results are neutral.
	"core":             {"assess"},
	"identity":         {"core", "secret", "store"},
	"integrations":     {"ats", "core", "secret", "store"},
	"ats":              {"ats/atshttp", "core"},
	"ats/atshttp":      {"netguard"},
	"lever":            {"ats", "ats/atshttp", "core", "netguard"},
	"smartrecruiters":  {"ats", "ats/atshttp", "core", "httpform", "netguard"},
	"store/sqlstore":   {"core", "store", "store/sqlcodec"},
	"vendorapi":        {"core", "vendorapi/result", "vendorapi/wire"},
	"vendorapi/result": {"core", "strictjson"},
	// vendorapitest holds the API to its document in tests.
	"vendorapi/vendorapitest": {"openapicheck", "vendorapi"},
	"openapicheck":            {},
	"vendorapi/wire":          {},
	"stdwebhook":              {},
	"strictjson":              {},
	"httpform":                {},
	"netguard":                {},
}

func TestImportsFollowTheLayers(t *testing.T) {
	t.Parallel()
	_, file, _, _ := runtime.Caller(0)
	internal := filepath.Dir(filepath.Dir(file))
	for pkg, may := range allowed {
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			p, err := build.ImportDir(filepath.Join(internal, filepath.FromSlash(pkg)), 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range p.Imports {
				rel, ok := strings.CutPrefix(imp, module)
				if ok && !slices.Contains(may, rel) {
					t.Errorf("%s imports %s; it may import only %v of Switchboard's packages", pkg, rel, may)
				}
			}
		})
	}
}
