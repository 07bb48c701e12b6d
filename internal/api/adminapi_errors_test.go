package api_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"testing"

	"switchboard/internal/app/apptest"
)

// internals matches what a client must not read in an error: the store's
// operation names, sentinel suffixes, the JSON decoder's prefix and Go
// package-qualified type names.
var internals = regexp.MustCompile(`store:|: conflict|: not found|json: |\b(api|core|service|assess|store)\.[A-Z]|\bint64\b|\*`)

func leaksInternals(msg string) bool { return internals.MatchString(msg) }

// TestErrorsSayWhatIsWrong pins the exact words of the API's errors for the
// mistakes clients make most: what is wrong in their terms, no internals.
func TestErrorsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key, id := draftLever(t, e, "Acme Corp", "admin@acme.example")
	e.MustAPI(http.StatusCreated, key, "POST", "/vacancies", map[string]any{"name": "Support", "tag": "support"}, nil)
	var other struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, key, "POST", "/vacancies", map[string]any{"name": "Sales", "tag": "sales"}, &other)

	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
		fields                   map[string]string
	}{
		{"conflicting vacancy tag on create", "POST", "/vacancies", `{"name": "Support 2", "tag": "support"}`,
			http.StatusConflict, `another vacancy already has the tag "support"`, nil},
		{"conflicting vacancy tag on update", "PATCH", "/vacancies/" + other.ID, `{"tag": "support"}`,
			http.StatusConflict, `another vacancy already has the tag "support"`, nil},
		{"unknown integration", "GET", "/integrations/int_nope", "",
			http.StatusNotFound, `there is no integration "int_nope" in your account`, nil},
		{"unknown integration validated", "POST", "/integrations/int_nope/validate", "",
			http.StatusNotFound, `there is no integration "int_nope" in your account`, nil},
		{"unknown vacancy", "GET", "/vacancies/vac_nope", "",
			http.StatusNotFound, `there is no vacancy "vac_nope" in your account`, nil},
		{"unknown order", "GET", "/orders/ord_nope", "",
			http.StatusNotFound, `there is no order "ord_nope" in your account`, nil},
		{"second integration of an ATS", "POST", "/integrations", `{"provider": "lever"}`,
			http.StatusConflict, "your account already has a Lever integration: an account has one integration per ATS", nil},
		{"wrong JSON type", "PATCH", "/integrations/" + id, `{"name": 42}`,
			http.StatusBadRequest, `field "name" must be a string, not a number`, map[string]string{"name": "must be a string, not a number"}},
		{"wrong JSON type, nested", "POST", "/vacancies", `{"name": "x", "thresholds": {"great_fit": "high"}}`,
			http.StatusBadRequest, `field "thresholds.great_fit" must be a whole number, not a string`, map[string]string{"thresholds.great_fit": "must be a whole number, not a string"}},
		{"fraction for a whole number", "POST", "/vacancies", `{"name": "x", "expiry_days": 1.5}`,
			http.StatusBadRequest, `field "expiry_days" must be a whole number, not 1.5`, map[string]string{"expiry_days": "must be a whole number, not 1.5"}},
		{"unknown field", "PATCH", "/integrations/" + id, `{"nmae": "x"}`,
			http.StatusBadRequest, `unknown field "nmae": check its spelling`, map[string]string{"nmae": "is not a known field"}},
		{"malformed JSON", "PATCH", "/integrations/" + id, `{name: "x"}`,
			http.StatusBadRequest, "the body is not valid JSON (at byte 2)", nil},
		{"truncated JSON", "PATCH", "/integrations/" + id, `{"name": "x"`,
			http.StatusBadRequest, "the body is not valid JSON: it ends in the middle of a value", nil},
		{"empty body", "PATCH", "/integrations/" + id, ``,
			http.StatusBadRequest, "the body is empty: send a JSON object", nil},
		{"array for an object", "PATCH", "/integrations/" + id, `[]`,
			http.StatusBadRequest, "the body must be a JSON object", nil},
		{"two values", "PATCH", "/integrations/" + id, `{} {}`,
			http.StatusBadRequest, "the body holds more than one JSON value: send one object", nil},
	}
	for _, tt := range tests {
		var body *string
		if tt.body != "" || tt.method != "GET" {
			body = str(tt.body)
		}
		status, _, got := raw(t, e, "Bearer "+key, tt.method, tt.path, body)
		if status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, status, tt.status, got)
			continue
		}
		var eb errBody
		if err := json.Unmarshal([]byte(got), &eb); err != nil {
			t.Errorf("%s: body is not the error shape: %s", tt.name, got)
			continue
		}
		if eb.Error != tt.want {
			t.Errorf("%s: error %q, want %q", tt.name, eb.Error, tt.want)
		}
		if tt.fields != nil && !maps.Equal(eb.Fields, tt.fields) {
			t.Errorf("%s: fields %v, want %v", tt.name, eb.Fields, tt.fields)
		}
		if leaksInternals(eb.Error) {
			t.Errorf("%s: error %q shows internals", tt.name, eb.Error)
		}
	}
	// The details are kept for the operator.
	if log := e.Log(); !regexp.MustCompile(`request refused.*store: create vacancy vac_\w+: conflict`).MatchString(log) {
		t.Errorf("the log lacks the refused create's details:\n%s", log)
	}
}

// TestUnroutedAPIRequestsAnswerJSON: an unknown path under /api is a JSON
// 404 and a known path with another method a JSON 405 naming the methods it
// takes, in the Allow header too; neither needs a key to be told so.
func TestUnroutedAPIRequestsAnswerJSON(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key := e.CreateAccount("Acme Corp", "admin@acme.example")
	tests := []struct {
		method, path string
		status       int
		allow, want  string
	}{
		{"GET", "/nope", http.StatusNotFound, "", "there is no API endpoint /api/v1/nope: see the API reference in the README"},
		{"GET", "/integrations/int_1/nope", http.StatusNotFound, "", "there is no API endpoint /api/v1/integrations/int_1/nope: see the API reference in the README"},
		{"DELETE", "/me", http.StatusMethodNotAllowed, "GET, HEAD", "/api/v1/me does not take DELETE: use GET or HEAD"},
		{"PUT", "/integrations/int_1", http.StatusMethodNotAllowed, "GET, PATCH, HEAD", "/api/v1/integrations/int_1 does not take PUT: use GET or PATCH or HEAD"},
		{"GET", "/orders/ord_1/resend-invitation", http.StatusMethodNotAllowed, "POST", "/api/v1/orders/ord_1/resend-invitation does not take GET: use POST"},
	}
	for _, auth := range []string{"", "Bearer " + key} {
		for _, tt := range tests {
			status, h, got := raw(t, e, auth, tt.method, tt.path, nil)
			if status != tt.status || h.Get("Allow") != tt.allow {
				t.Errorf("%s %s: %d Allow %q, want %d Allow %q: %s", tt.method, tt.path, status, h.Get("Allow"), tt.status, tt.allow, got)
			}
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s %s: Content-Type %q, want application/json", tt.method, tt.path, ct)
			}
			var eb errBody
			if err := json.Unmarshal([]byte(got), &eb); err != nil || eb.Error != tt.want {
				t.Errorf("%s %s: body %s, want error %q", tt.method, tt.path, got, tt.want)
			}
		}
	}
}
