package api_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
)

func setCred(t *testing.T, e *apptest.Env, key, id, name, value string) integrationJSON {
	t.Helper()
	var out integrationJSON
	e.MustAPI(http.StatusOK, key, "PUT", "/integrations/"+id+"/credentials/"+name, map[string]string{"value": value}, &out)
	return out
}

func patchSettings(t *testing.T, e *apptest.Env, key, id string, settings map[string]string) integrationJSON {
	t.Helper()
	var out integrationJSON
	e.MustAPI(http.StatusOK, key, "PATCH", "/integrations/"+id, map[string]any{"settings": settings}, &out)
	return out
}

// failing returns the problems of the failing checks, by check name.
func failing(eb errBody) map[string]string {
	out := map[string]string{}
	for _, c := range eb.Checks {
		if !c.OK {
			out[c.Name] = c.Problem
		}
	}
	return out
}

func TestCredentialsAreWriteOnly(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key, id := draftLever(t, e, "Acme Corp", "admin@acme.example")
	// The simulator accepts this key, so the integration can be enabled and
	// every endpoint exercised with the secrets in place.
	const apiKey = "lever-key-Q7ZP-do-not-show"
	const token = "stage-token-M4XK-do-not-show"
	e.Lever.AddAPIKey(apiKey)
	secrets := []string{apiKey, token}

	var bodies []string
	record := func(method, path string, in any) json.RawMessage {
		var out json.RawMessage
		e.API(key, method, path, in, &out)
		bodies = append(bodies, method+" "+path+": "+string(out))
		return out
	}

	created := getIntegration(t, e, key, id)
	for _, c := range created.Credentials {
		if c.Set || c.SetAt != "" {
			t.Fatalf("a new integration shows credential %s as set: %+v", c.Name, c)
		}
	}

	in := "/integrations/" + id
	// The base URL first: pointing it at another host clears the credentials.
	record("PATCH", in, map[string]any{"settings": map[string]string{lever.SettingBaseURL: e.LeverURL, lever.SettingTriggerStage: apptest.TriggerStageName}})
	record("PUT", in+"/credentials/"+lever.CredentialAPIKey, map[string]string{"value": apiKey})
	out := record("PUT", in+"/credentials/"+lever.CredentialStageChangeToken, map[string]string{"value": "  " + token + "\n"})
	var afterPut integrationJSON
	if err := json.Unmarshal(out, &afterPut); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{lever.CredentialAPIKey, lever.CredentialStageChangeToken} {
		set, setAt := afterPut.credential(t, name)
		if !set {
			t.Errorf("after PUT, %s is not shown as set", name)
		}
		at, err := time.Parse("2006-01-02 15:04 UTC", setAt)
		if err != nil || at.Sub(e.Clock.Now()).Abs() > time.Minute {
			t.Errorf("%s set_at = %q (%v), want the time it was set, %v", name, setAt, err, e.Clock.Now())
		}
	}
	if set, setAt := afterPut.credential(t, lever.CredentialApplicationCreateToken); set || setAt != "" {
		t.Errorf("an unset credential shows set=%v set_at=%q", set, setAt)
	}

	record("GET", in, nil)
	record("GET", "/integrations", nil)
	record("GET", "/providers", nil)
	record("POST", in+"/validate", nil)
	enabled := record("POST", in+"/enable", nil)
	if !strings.Contains(string(enabled), `"status": "enabled"`) {
		t.Fatalf("enable with the good key: %s", enabled)
	}
	record("POST", in+"/disable", nil)

	// Setting it again moves set_at.
	e.Clock.Advance(3 * time.Hour)
	again := setCred(t, e, key, id, lever.CredentialAPIKey, apiKey)
	_, at1 := afterPut.credential(t, lever.CredentialAPIKey)
	_, at2 := again.credential(t, lever.CredentialAPIKey)
	if at1 == at2 {
		t.Errorf("re-setting the key did not move set_at (%s)", at2)
	}

	for _, b := range bodies {
		for _, s := range secrets {
			if strings.Contains(b, s) {
				t.Errorf("a response shows a credential value: %s", b)
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(e.Log(), s) {
			t.Errorf("Switchboard's log contains the credential value %q", s)
		}
	}
}

func TestEnableWithoutCredentialsIs422AndStaysDraft(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key, id := draftLever(t, e, "Acme Corp", "admin@acme.example")

	eb := apiErr(t, e, http.StatusUnprocessableEntity, key, "POST", "/integrations/"+id+"/enable", nil)
	bad := failing(eb)
	for _, name := range []string{"API key is set", "candidateStageChange signature token is set", "trigger stage is set"} {
		if bad[name] == "" {
			t.Errorf("failing checks %v miss %q with a problem", bad, name)
		}
	}
	for _, c := range eb.Checks {
		if c.OK && c.Problem != "" {
			t.Errorf("passing check %q carries a problem %q", c.Name, c.Problem)
		}
	}
	if !strings.Contains(eb.Error, "API key is set") {
		t.Errorf("error %q should name the failing checks", eb.Error)
	}
	if got := getIntegration(t, e, key, id); got.Status != "draft" {
		t.Fatalf("after a refused enable the integration is %q, want draft", got.Status)
	}

	// validate gives the same checklist with 200 and changes nothing.
	var v struct {
		OK     bool `json:"ok"`
		Checks []struct {
			Name string `json:"name"`
			OK   bool   `json:"ok"`
		} `json:"checks"`
	}
	e.MustAPI(http.StatusOK, key, "POST", "/integrations/"+id+"/validate", nil, &v)
	if v.OK || len(v.Checks) != len(eb.Checks) {
		t.Errorf("validate: ok=%v with %d checks, want false with %d", v.OK, len(v.Checks), len(eb.Checks))
	}
}

func TestEnableChecksLever(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	e.Lever.AddAPIKey(apptest.LeverAPIKey)

	// A port nobody listens on: bound, then closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + "/v1"
	ln.Close()

	tests := []struct {
		name        string
		apiKey      string
		baseURL     string
		trigger     string
		failCheck   string // "" when enabling must work
		wantProblem []string
	}{
		{name: "wrong API key", apiKey: "not-a-lever-key", baseURL: e.LeverURL, trigger: apptest.TriggerStageName,
			failCheck: "Lever accepts the API key", wantProblem: []string{"refused the API key", "401"}},
		{name: "unreachable base URL", apiKey: apptest.LeverAPIKey, baseURL: closedURL, trigger: apptest.TriggerStageName,
			failCheck: "Lever accepts the API key", wantProblem: []string{"cannot reach Lever", closedURL}},
		{name: "trigger stage unknown to Lever", apiKey: apptest.LeverAPIKey, baseURL: e.LeverURL, trigger: "Coffee Chat",
			failCheck: `trigger stage "Coffee Chat" exists in Lever`, wantProblem: []string{"Phone Screen"}},
		{name: "all good", apiKey: apptest.LeverAPIKey, baseURL: e.LeverURL, trigger: apptest.TriggerStageName},
		{name: "all good, trigger stage by id", apiKey: apptest.LeverAPIKey, baseURL: e.LeverURL, trigger: triggerStageID(t, e)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, id := draftLever(t, e, "Account "+tt.name, "admin"+string(rune('a'+i))+"@acme.example")
			patchSettings(t, e, key, id, map[string]string{lever.SettingBaseURL: tt.baseURL, lever.SettingTriggerStage: tt.trigger})
			setCred(t, e, key, id, lever.CredentialAPIKey, tt.apiKey)
			setCred(t, e, key, id, lever.CredentialStageChangeToken, "token")

			if tt.failCheck == "" {
				var out integrationJSON
				e.MustAPI(http.StatusOK, key, "POST", "/integrations/"+id+"/enable", nil, &out)
				if out.Status != "enabled" {
					t.Fatalf("enable answered status %q", out.Status)
				}
				if got := getIntegration(t, e, key, id); got.Status != "enabled" {
					t.Fatalf("stored status %q, want enabled", got.Status)
				}
				return
			}
			eb := apiErr(t, e, http.StatusUnprocessableEntity, key, "POST", "/integrations/"+id+"/enable", nil)
			bad := failing(eb)
			problem, ok := bad[tt.failCheck]
			if !ok {
				t.Fatalf("failing checks %v, want %q among them", bad, tt.failCheck)
			}
			for _, w := range tt.wantProblem {
				if !strings.Contains(problem, w) {
					t.Errorf("problem %q should mention %q", problem, w)
				}
			}
			if len(bad) != 1 {
				t.Errorf("only %q should fail, got %v", tt.failCheck, bad)
			}
			if got := getIntegration(t, e, key, id); got.Status != "draft" {
				t.Errorf("after a refused enable the integration is %q, want draft", got.Status)
			}
		})
	}
}

func TestDisableKeepsConfiguration(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	patchSettings(t, e, f.APIKey, f.IntegrationID, map[string]string{lever.SettingTagPrefix: "Assessments"})
	before := getIntegration(t, e, f.APIKey, f.IntegrationID)
	if before.Status != "enabled" {
		t.Fatalf("fixture integration is %q", before.Status)
	}

	var out integrationJSON
	e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/disable", nil, &out)
	if out.Status != "disabled" {
		t.Fatalf("disable answered status %q", out.Status)
	}
	after := getIntegration(t, e, f.APIKey, f.IntegrationID)
	if after.Status != "disabled" {
		t.Fatalf("stored status %q", after.Status)
	}
	b1, _ := json.Marshal([]any{before.Name, before.Patterns, before.Settings, before.WebhookURL, before.Credentials})
	b2, _ := json.Marshal([]any{after.Name, after.Patterns, after.Settings, after.WebhookURL, after.Credentials})
	if string(b1) != string(b2) {
		t.Fatalf("disable changed the configuration:\n before %s\n after  %s", b1, b2)
	}

	// A disabled integration refuses webhooks and makes no order.
	ctx := t.Context()
	opp, _, err := e.Lever.CreateOpportunity(ctx, "Ada Lovelace", "ada@example.com", f.PostingID)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := e.Lever.MoveStage(ctx, opp.ID, f.TriggerStage)
	if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusConflict {
		t.Fatalf("webhook to a disabled integration: %+v %v, want one 409", ds, err)
	}
	e.WaitIdle()
	if l := listOrders(t, e, f.APIKey, nil); l.Total != 0 {
		t.Fatalf("a disabled integration made orders: %+v", l)
	}

	// Enabling again needs nothing re-entered.
	e.MustAPI(http.StatusOK, f.APIKey, "POST", "/integrations/"+f.IntegrationID+"/enable", nil, &out)
	if out.Status != "enabled" {
		t.Fatalf("re-enable: %q", out.Status)
	}
}

func TestPatchSettingsMergesAndEmptyDeletes(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	key, id := draftLever(t, e, "Acme Corp", "admin@acme.example")
	defaults := getIntegration(t, e, key, id).Settings
	if defaults[lever.SettingTagPrefix] != "Switchboard" {
		t.Fatalf("default settings %v lack tag_prefix=Switchboard", defaults)
	}

	got := patchSettings(t, e, key, id, map[string]string{lever.SettingTriggerStage: "  Phone Screen  ", lever.SettingPerformAs: "user-1"})
	if got.Settings[lever.SettingTriggerStage] != "Phone Screen" || got.Settings[lever.SettingPerformAs] != "user-1" ||
		got.Settings[lever.SettingTagPrefix] != "Switchboard" {
		t.Fatalf("after the first PATCH: %v (values trimmed, defaults kept)", got.Settings)
	}
	got = patchSettings(t, e, key, id, map[string]string{lever.SettingPerformAs: ""})
	if _, ok := got.Settings[lever.SettingPerformAs]; ok || got.Settings[lever.SettingTriggerStage] != "Phone Screen" {
		t.Fatalf(`after deleting perform_as with "": %v`, got.Settings)
	}
	// A PATCH without settings leaves them alone.
	var renamed integrationJSON
	e.MustAPI(http.StatusOK, key, "PATCH", "/integrations/"+id, map[string]any{"name": "Lever EU"}, &renamed)
	if renamed.Name != "Lever EU" || renamed.Settings[lever.SettingTriggerStage] != "Phone Screen" {
		t.Fatalf("rename: %+v", renamed)
	}
}

// TestPatchEnabledIntegrationIsValidated checks the promise of
// service.UpdateIntegration's doc comment: "A change to an enabled
// integration's settings is validated like enabling is; if it fails nothing
// changes."
func TestPatchEnabledIntegrationIsValidated(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})

	var out json.RawMessage
	status := e.API(f.APIKey, "PATCH", "/integrations/"+f.IntegrationID,
		map[string]any{"settings": map[string]string{lever.SettingTriggerStage: "No Such Stage"}}, &out)
	got := getIntegration(t, e, f.APIKey, f.IntegrationID)
	if status != http.StatusUnprocessableEntity || got.Settings[lever.SettingTriggerStage] != apptest.TriggerStageName {
		if status == http.StatusOK {
			t.Fatal("internal/service/admin.go UpdateIntegration does not validate settings changes of an enabled integration (its doc comment says it does): a trigger stage Lever does not have is stored and the integration stays enabled")
		}
		t.Fatalf("PATCH an enabled integration to a missing trigger stage: %d %s; stored trigger stage %q",
			status, out, got.Settings[lever.SettingTriggerStage])
	}
	var eb errBody
	_ = json.Unmarshal(out, &eb)
	if len(failing(eb)) == 0 || got.Status != "enabled" {
		t.Fatalf("want 422 with the failing checks and the integration unchanged: %s, status %q", out, got.Status)
	}
}
