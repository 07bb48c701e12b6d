package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
)

func TestMalformedBodiesAre400(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key, id := draftLever(t, e, "Acme Corp", "admin@acme.example")
	var vac struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, key, "POST", "/vacancies", map[string]any{"name": "Support"}, &vac)

	targets := []struct{ method, path string }{
		{"POST", "/users"},
		{"POST", "/integrations"},
		{"PATCH", "/integrations/" + id},
		{"PUT", "/integrations/" + id + "/credentials/" + lever.CredentialAPIKey},
		{"POST", "/vacancies"},
		{"PATCH", "/vacancies/" + vac.ID},
	}
	bodies := []struct {
		name, body string
	}{
		{"truncated", `{"name": "x"`},
		{"not JSON", `name=x`},
		{"empty", ``},
		{"two values", `{} {}`},
		{"array instead of object", `[]`},
		{"wrong type", `{"name": 42, "value": 42, "email": 42, "provider": 42}`},
		{"unknown field", `{"colour": "red"}`},
		{"misspelt field", `{"nmae": "x", "valeu": "x", "emial": "x", "provdier": "x"}`},
	}
	for _, tgt := range targets {
		for _, b := range bodies {
			status, _, body := raw(t, e, "Bearer "+key, tgt.method, tgt.path, str(b.body))
			if status != http.StatusBadRequest {
				t.Errorf("%s %s with %s body: %d, want 400: %s", tgt.method, tgt.path, b.name, status, body)
				continue
			}
			var eb errBody
			if err := json.Unmarshal([]byte(body), &eb); err != nil || eb.Error == "" || leaksInternals(eb.Error) {
				t.Errorf("%s %s with %s body: error %q should say in plain words what is wrong", tgt.method, tgt.path, b.name, body)
			}
		}
	}
	// Nothing was created or changed by the refused bodies.
	var vs struct {
		Vacancies []struct {
			Name string `json:"name"`
		} `json:"vacancies"`
	}
	e.MustAPI(http.StatusOK, key, "GET", "/vacancies", nil, &vs)
	if len(vs.Vacancies) != 1 || vs.Vacancies[0].Name != "Support" {
		t.Errorf("vacancies after malformed requests: %+v", vs.Vacancies)
	}
	if got := getIntegration(t, e, key, id); got.Name != "Acme Corp Lever" {
		t.Errorf("integration renamed to %q by a malformed request", got.Name)
	}
}

// TestValidationErrorsAre422WithFields sends well-formed JSON with bad
// values; each is refused with 422 naming the field, and changes nothing.
func TestValidationErrorsAre422WithFields(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key, id := draftLever(t, e, "Acme Corp", "admin@acme.example")
	var vac struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, key, "POST", "/vacancies", map[string]any{"name": "Support", "tag": "Switchboard: Support"}, &vac)
	before := getIntegration(t, e, key, id)

	in := "/integrations/" + id
	badPackage := map[string]any{"modules": []any{}}
	badPackage2 := map[string]any{"modules": []any{map[string]any{"key": "m", "name": "M", "questions": []any{}}}}
	tests := []struct {
		name         string
		method, path string
		body         any
		field        string // must be a key of "fields"
	}{
		{"bad role", "POST", "/users", map[string]string{"email": "u@acme.example", "role": "owner"}, "role"},
		{"empty role", "POST", "/users", map[string]string{"email": "u@acme.example", "role": ""}, "role"},
		{"bad email", "POST", "/users", map[string]string{"email": "not an email", "role": "admin"}, "email"},
		{"email with a display name", "POST", "/users", map[string]string{"email": "U <u@acme.example>", "role": "admin"}, "email"},
		{"unknown provider", "POST", "/integrations", map[string]string{"provider": "workday"}, "provider"},
		{"empty provider", "POST", "/integrations", map[string]string{"provider": ""}, "provider"},
		{"unknown pattern", "PATCH", in, map[string]any{"patterns": []string{"vendor_first"}}, "patterns"},
		{"no patterns", "PATCH", in, map[string]any{"patterns": []string{}}, "patterns"},
		{"empty name", "PATCH", in, map[string]any{"name": "  "}, "name"},
		{"unknown setting", "PATCH", in, map[string]any{"settings": map[string]string{"colour": "red"}}, "settings.colour"},
		{"unknown setting beside a good one", "PATCH", in, map[string]any{"settings": map[string]string{lever.SettingTriggerStage: "Phone Screen", "api_key": "x"}}, "settings.api_key"},
		{"unknown credential", "PUT", in + "/credentials/password", map[string]string{"value": "x"}, "name"},
		{"a setting is not a credential", "PUT", in + "/credentials/" + lever.SettingTriggerStage, map[string]string{"value": "x"}, "name"},
		{"empty credential", "PUT", in + "/credentials/" + lever.CredentialAPIKey, map[string]string{"value": ""}, "value"},
		{"blank credential", "PUT", in + "/credentials/" + lever.CredentialAPIKey, map[string]string{"value": " \t\n"}, "value"},
		{"vacancy without name", "POST", "/vacancies", map[string]any{"tag": "x"}, "name"},
		{"vacancy with empty package", "POST", "/vacancies", map[string]any{"name": "V", "package": badPackage}, "package"},
		{"vacancy with a module without questions", "POST", "/vacancies", map[string]any{"name": "V", "package": badPackage2}, "package"},
		{"good fit above great fit", "POST", "/vacancies", map[string]any{"name": "V", "thresholds": map[string]int{"great_fit": 40, "good_fit": 60}}, "thresholds"},
		{"great fit above 100", "POST", "/vacancies", map[string]any{"name": "V", "thresholds": map[string]int{"great_fit": 101, "good_fit": 60}}, "thresholds"},
		{"negative good fit", "POST", "/vacancies", map[string]any{"name": "V", "thresholds": map[string]int{"great_fit": 50, "good_fit": -1}}, "thresholds"},
		{"relative return URL", "POST", "/vacancies", map[string]any{"name": "V", "return_url": "/thanks"}, "return_url"},
		{"ftp return URL", "POST", "/vacancies", map[string]any{"name": "V", "return_url": "ftp://example.com/x"}, "return_url"},
		{"javascript return URL", "POST", "/vacancies", map[string]any{"name": "V", "return_url": "javascript:alert(1)"}, "return_url"},
		{"hostless return URL", "POST", "/vacancies", map[string]any{"name": "V", "return_url": "https://"}, "return_url"},
		{"negative expiry", "POST", "/vacancies", map[string]any{"name": "V", "expiry_days": -1}, "expiry_days"},
		{"expiry over a year", "POST", "/vacancies", map[string]any{"name": "V", "expiry_days": 366}, "expiry_days"},
		{"update: empty vacancy name", "PATCH", "/vacancies/" + vac.ID, map[string]any{"name": ""}, "name"},
		{"update: bad thresholds", "PATCH", "/vacancies/" + vac.ID, map[string]any{"thresholds": map[string]int{"great_fit": 10, "good_fit": 20}}, "thresholds"},
		{"update: bad expiry", "PATCH", "/vacancies/" + vac.ID, map[string]any{"expiry_days": 1000}, "expiry_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eb := apiErr(t, e, http.StatusUnprocessableEntity, key, tt.method, tt.path, tt.body)
			if msg, ok := eb.Fields[tt.field]; !ok || msg == "" {
				t.Errorf("fields %v do not explain %q", eb.Fields, tt.field)
			}
		})
	}

	// Several problems at once are reported together.
	eb := apiErr(t, e, http.StatusUnprocessableEntity, key, "POST", "/vacancies",
		map[string]any{"name": "", "expiry_days": -5, "return_url": "nope"})
	for _, f := range []string{"name", "expiry_days", "return_url"} {
		if eb.Fields[f] == "" {
			t.Errorf("combined problems: fields %v miss %q", eb.Fields, f)
		}
	}

	// Nothing changed.
	after := getIntegration(t, e, key, id)
	if after.Name != before.Name || len(after.Patterns) != len(before.Patterns) || len(after.Settings) != len(before.Settings) {
		t.Errorf("integration changed by refused requests:\n before %+v\n after  %+v", before, after)
	}
	if set, _ := after.credential(t, lever.CredentialAPIKey); set {
		t.Error("a refused credential was stored")
	}
	var vs struct {
		Vacancies []struct {
			Name       string `json:"name"`
			ExpiryDays int    `json:"expiry_days"`
		} `json:"vacancies"`
	}
	e.MustAPI(http.StatusOK, key, "GET", "/vacancies", nil, &vs)
	if len(vs.Vacancies) != 1 || vs.Vacancies[0].Name != "Support" || vs.Vacancies[0].ExpiryDays != 7 {
		t.Errorf("vacancies after refused requests: %+v", vs.Vacancies)
	}
}

func TestVacancyBoundaries(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key := e.CreateAccount("Acme Corp", "admin@acme.example")
	type vacancy struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		ExpiryDays int    `json:"expiry_days"`
		ReturnURL  string `json:"return_url"`
		Thresholds struct {
			GreatFit int `json:"great_fit"`
			GoodFit  int `json:"good_fit"`
		} `json:"thresholds"`
		Package struct {
			Modules []json.RawMessage `json:"modules"`
		} `json:"package"`
	}
	tests := []struct {
		body       map[string]any
		wantExpiry int
	}{
		{map[string]any{"name": "Default"}, 7},
		{map[string]any{"name": "Zero means default", "expiry_days": 0}, 7},
		{map[string]any{"name": "One day", "expiry_days": 1}, 1},
		{map[string]any{"name": "A year", "expiry_days": 365, "return_url": "http://example.com/done",
			"thresholds": map[string]int{"great_fit": 100, "good_fit": 0}}, 365},
	}
	for _, tt := range tests {
		var v vacancy
		e.MustAPI(http.StatusCreated, key, "POST", "/vacancies", tt.body, &v)
		if v.ExpiryDays != tt.wantExpiry || v.Name != tt.body["name"] || !strings.HasPrefix(v.ID, "vac_") {
			t.Errorf("POST /vacancies %v → %+v, want expiry %d", tt.body, v, tt.wantExpiry)
		}
		if len(v.Package.Modules) != 3 {
			t.Errorf("no package given: %d modules, want the default three-module package", len(v.Package.Modules))
		}
	}
	// Two vacancies cannot share a routing tag, by create or by update.
	e.MustAPI(http.StatusCreated, key, "POST", "/vacancies", map[string]any{"name": "Tagged", "tag": "Switchboard: X"}, nil)
	apiErr(t, e, http.StatusConflict, key, "POST", "/vacancies", map[string]any{"name": "Tagged again", "tag": " Switchboard: X "})
	var y vacancy
	e.MustAPI(http.StatusCreated, key, "POST", "/vacancies", map[string]any{"name": "Other tag", "tag": "Switchboard: Y"}, &y)
	apiErr(t, e, http.StatusConflict, key, "PATCH", "/vacancies/"+y.ID, map[string]any{"tag": "Switchboard: X"})
	e.MustAPI(http.StatusOK, key, "GET", "/vacancies/"+y.ID, nil, &y)
	if y.Name != "Other tag" {
		t.Errorf("refused update changed the vacancy: %+v", y)
	}
}

// TestWriteBackFollowsCapabilities: DESIGN.md has validation follow each
// connector's declared capabilities. Lever declares custom_fields: false, so
// mapping the score onto a custom field can never be honoured.
func TestWriteBackFollowsCapabilities(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key, id := draftLever(t, e, "Acme Corp", "admin@acme.example")
	var p struct {
		Providers []struct {
			Provider     string `json:"provider"`
			CustomFields bool   `json:"custom_fields"`
		} `json:"providers"`
	}
	e.MustAPI(http.StatusOK, key, "GET", "/providers", nil, &p)
	found := false
	for _, pr := range p.Providers {
		if pr.Provider == "lever" {
			found = true
			if pr.CustomFields {
				t.Fatalf("Lever now declares custom fields; this test needs another provider without them")
			}
		}
	}
	if !found {
		t.Fatalf("providers %+v lack lever", p.Providers)
	}
	var out json.RawMessage
	status := e.API(key, "PATCH", "/integrations/"+id, map[string]any{"write_back": map[string]any{
		"score_field": map[string]any{"enabled": true, "field_id": "f1"},
	}}, &out)
	if status != http.StatusUnprocessableEntity {
		if status == http.StatusOK {
			t.Fatal("internal/service/admin.go UpdateIntegration accepts any write_back: a score/label/indicator custom-field mapping is stored for Lever, whose Describe() says custom_fields: false")
		}
		t.Fatalf("PATCH write_back with a custom field on Lever: %d %s, want 422", status, out)
	}
}

// TestStatusFieldFollowsCapabilities: SmartRecruiters has custom fields but
// none for the status (only Workable's Assessments tab takes it), so a
// status mapping there is refused and nothing is stored.
func TestStatusFieldFollowsCapabilities(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key := e.CreateAccount("Acme Corp", "admin@acme.example")
	var in struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, key, "POST", "/integrations", map[string]string{"provider": "smartrecruiters"}, &in)
	eb := apiErr(t, e, http.StatusUnprocessableEntity, key, "PATCH", "/integrations/"+in.ID, map[string]any{"write_back": map[string]any{
		"status_field": map[string]any{"enabled": true, "field_id": "f1"},
		"score_field":  map[string]any{"enabled": true, "field_id": "f2"},
	}})
	if !strings.Contains(eb.Error, "takes no status in a custom field") {
		t.Fatalf("error %q does not say SmartRecruiters takes no status field", eb.Error)
	}
	var got struct {
		WriteBack struct {
			ScoreField struct {
				Enabled bool `json:"enabled"`
			} `json:"score_field"`
		} `json:"write_back"`
	}
	e.MustAPI(http.StatusOK, key, "GET", "/integrations/"+in.ID, nil, &got)
	if got.WriteBack.ScoreField.Enabled {
		t.Error("the refused patch stored its score field")
	}
}

func TestDuplicateLeverIntegrationIs409(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key, id := draftLever(t, e, "Acme Corp", "admin@acme.example")
	eb := apiErr(t, e, http.StatusConflict, key, "POST", "/integrations", map[string]string{"provider": "lever", "name": "Second Lever"})
	if !strings.Contains(eb.Error, "already has") {
		t.Errorf("409 error %q should say the account already has one", eb.Error)
	}
	var list struct {
		Integrations []integrationJSON `json:"integrations"`
	}
	e.MustAPI(http.StatusOK, key, "GET", "/integrations", nil, &list)
	if len(list.Integrations) != 1 || list.Integrations[0].ID != id {
		t.Fatalf("integrations after the conflict: %+v", list.Integrations)
	}
	// Another account may have its own Lever integration.
	draftLever(t, e, "Beta Ltd", "admin@beta.example")
}

// TestVacancyInlineIsEffective: a vacancy's "inline" is what the ATS and the
// pages go by (the flag, or the word "inline" in its name), and "inline_set"
// the flag alone, which "inline" in a create or change sets.
func TestVacancyInlineIsEffective(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key := e.CreateAccount("Acme Corp", "admin@acme.example")
	type vacancy struct {
		ID        string `json:"id"`
		Inline    bool   `json:"inline"`
		InlineSet bool   `json:"inline_set"`
	}
	for _, tt := range []struct {
		body              map[string]any
		inline, inlineSet bool
	}{
		{map[string]any{"name": "Support"}, false, false},
		{map[string]any{"name": "Support (inline)"}, true, false},
		{map[string]any{"name": "Mainline Support"}, false, false},
		{map[string]any{"name": "Quick check", "inline": true}, true, true},
	} {
		var v vacancy
		e.MustAPI(http.StatusCreated, key, "POST", "/vacancies", tt.body, &v)
		var got vacancy
		e.MustAPI(http.StatusOK, key, "GET", "/vacancies/"+v.ID, nil, &got)
		for what, v := range map[string]vacancy{"created": v, "read": got} {
			if v.Inline != tt.inline || v.InlineSet != tt.inlineSet {
				t.Errorf("%v, %s: inline %v inline_set %v, want %v %v", tt.body, what, v.Inline, v.InlineSet, tt.inline, tt.inlineSet)
			}
		}
	}
}
