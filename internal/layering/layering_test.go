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
	// core is vendor-neutral: a vacancy lists its package's parts, the
	// result is Switchboard's own. The engine's configuration of a vacancy
	// (questions, thresholds) is store.EngineVacancy; what imports assess is
	// the engine, the store (that type and EngineResult) and the surfaces
	// that edit or show the questions: service's vacancy editing, api, ui,
	// web's candidate pages, report, demo.
	"core":         {},
	"identity":     {"core", "secret", "store"},
	"vendors":      {"core", "secret", "stdwebhook", "store", "strictjson", "vendorapi/result", "vendorapi/wire"},
	"integrations": {"ats", "core", "secret", "store"},
	"ats":          {"ats/atshttp", "core", "netguard"},
	"ats/atshttp":  {"netguard"},
	// What connector tests share: steps in memory.
	"ats/atstest": {},
	// The scaffolding of partner endpoints: the seam, no wire.
	"ats/partnerhttp": {"ats"},
	// Connectors sit together under ats/ and know only the seam.
	"ats/ashby":           {"ats", "ats/atshttp", "ats/partnerhttp", "core", "strictjson"},
	"ats/greenhouse":      {"ats", "ats/atshttp", "ats/partnerhttp", "core"},
	"ats/lever":           {"ats", "ats/atshttp", "core", "netguard"},
	"ats/smartrecruiters": {"ats", "ats/atshttp", "ats/partnerhttp", "core", "httpform"},
	"ats/workable":        {"ats", "ats/atshttp", "ats/partnerhttp", "core"},
	// Simulators share their connector's wire types and simkit, nothing
	// else of Switchboard.
	"atssim/ashbysim":      {"ats/ashby", "atssim/simkit"},
	"atssim/greenhousesim": {"ats/greenhouse", "atssim/simkit"},
	"atssim/workablesim":   {"ats/workable", "atssim/simkit"},
	"store":                {"assess", "core"},
	"store/sqlstore":       {"core", "store", "store/sqlcodec"},
	"vendorapi":            {"core", "vendorapi/result", "vendorapi/wire"},
	"vendorapi/result":     {"core", "strictjson"},
	// The built-in engine is a vendor: it reaches orders through its own
	// Orders interface (the service implements it), never a connector.
	"engine": {"assess", "ats", "core", "mail", "queue", "report", "secret", "store"},
	// The order path knows the engine only as service.Engine (wired by
	// app). It still imports assess for editing the engine's questions and
	// thresholds of a vacancy (vacancies.go, store.EngineVacancy).
	"service": {"assess", "ats", "core", "delivery", "integrations", "mail", "metrics", "netguard", "queue",
		"report", "store", "vendorapi/result", "vendorapi/wire", "vendors"},
	"vendorapi/wire": {},
	"delivery":       {"ats/atshttp", "core", "netguard", "stdwebhook", "vendorapi/wire"},
	"stdwebhook":     {},
	"strictjson":     {},
	"httpform":       {},
	"netguard":       {},
	// The conformance suite knows no ATS: connectors and their simulators
	// come in only through the drivers, which are its tests.
	"conformance": {"app/apptest", "ats", "candidatebot", "core", "mail/mailtest"},
	// vendorapitest holds the API to its document in tests.
	"vendorapi/vendorapitest": {"openapicheck", "vendorapi"},
	"openapicheck":            {},
	// Shared ATS budgets (memory, PostgreSQL) know nothing of Switchboard.
	"budget": {},
	// Ranking is pure: the seam's applicant in, scores and reasons out.
	"review/rank": {"ats"},
	// Applicant review reaches ATSs through the seam only, and the
	// assessment half through the store (ListCandidateResults).
	"review": {"ats", "core", "queue", "review/rank", "secret", "store"},
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
