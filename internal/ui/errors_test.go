package ui_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPackageJSONProblemsAreReadable: JSON typed into the vacancy editor is
// answered in the words of the JSON, not of the Go types it is read into.
func TestPackageJSONProblemsAreReadable(t *testing.T) {
	t.Parallel()
	_, b := signedInAdmin(t)

	tests := []struct{ pkg, want string }{
		{`{"modules": "all"}`, `Package: field "modules" must be a list, not a string`},
		{`{"modules": [{"weight": "heavy"}]}`, `Package: field "modules.weight" must be a whole number, not a string`},
		{`{"moduls": []}`, `Package: unknown field "moduls": check its spelling`},
		{`{"modules": [}`, `Package: it is not valid JSON (at byte 14)`},
		{`{"modules": [`, `Package: it is not valid JSON: it ends in the middle of a value`},
	}
	for _, tt := range tests {
		b.get("/vacancies/new")
		resp, body := b.post("/vacancies/new", url.Values{"name": {"Support"}, "great_fit": {"80"}, "good_fit": {"60"}, "package": {tt.pkg}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("package %s: %d, want 422", tt.pkg, resp.StatusCode)
			continue
		}
		if text := html.UnescapeString(body); !strings.Contains(text, tt.want) {
			t.Errorf("package %s: page lacks %q", tt.pkg, tt.want)
		}
		if strings.Contains(body, "json: ") || strings.Contains(body, "assess.") {
			t.Errorf("package %s: page shows the decoder's internals", tt.pkg)
		}
	}
}
