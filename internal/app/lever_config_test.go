package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
)

// setupLeverByHand does what SetupLever does up to enabling, which the
// caller then attempts itself.
func setupLeverByHand(e *apptest.Env) (apiKey, integrationID string) {
	e.T.Helper()
	apiKey = e.CreateAccount("Acme Corp", "admin@acme.example")
	var in struct {
		ID string `json:"id"`
	}
	e.MustAPI(http.StatusCreated, apiKey, "POST", "/integrations", map[string]string{"provider": "lever"}, &in)
	e.Lever.AddAPIKey(apptest.LeverAPIKey)
	e.MustAPI(http.StatusOK, apiKey, "PATCH", "/integrations/"+in.ID, map[string]any{"settings": map[string]string{
		lever.SettingBaseURL: e.LeverURL, lever.SettingTriggerStage: apptest.TriggerStageName}}, nil)
	for name, v := range map[string]string{lever.CredentialAPIKey: apptest.LeverAPIKey, lever.CredentialStageChangeToken: apptest.StageChangeToken} {
		e.MustAPI(http.StatusOK, apiKey, "PUT", "/integrations/"+in.ID+"/credentials/"+name, map[string]string{"value": v}, nil)
	}
	return apiKey, in.ID
}

type apiChecks struct {
	Error  string `json:"error"`
	Checks []struct {
		Name    string `json:"name"`
		OK      bool   `json:"ok"`
		Problem string `json:"problem"`
	} `json:"checks"`
}

// TestLeverPrivateAddressRefused: run as operators do by default (no private
// network), Switchboard will not call an ATS on a loopback address: enabling
// a Lever integration pointed at one fails with a clear check, no request
// leaves, and the integration stays a draft.
func TestLeverPrivateAddressRefused(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect, DenyPrivateNetwork: true})
		apiKey, id := setupLeverByHand(e)

		var out apiChecks
		if status := e.API(apiKey, "POST", "/integrations/"+id+"/enable", nil, &out); status != http.StatusUnprocessableEntity {
			t.Fatalf("enable: %d %+v, want 422", status, out)
		}
		var failed []string
		for _, c := range out.Checks {
			if !c.OK {
				failed = append(failed, c.Name+": "+c.Problem)
			}
		}
		if len(failed) != 1 || !strings.HasPrefix(failed[0], "Lever accepts the API key: ") ||
			!strings.Contains(failed[0], "not a public address") || !strings.Contains(failed[0], "--allow-private-network") {
			t.Errorf("failed checks %q, want only the API call, refused as not public", failed)
		}
		if n := e.Lever.RequestCount("GET", "/stages"); n != 0 {
			t.Errorf("%d requests reached the private address", n)
		}
		var view struct {
			Status string `json:"status"`
		}
		e.MustAPI(http.StatusOK, apiKey, "GET", "/integrations/"+id, nil, &view)
		if view.Status != "draft" {
			t.Errorf("integration status %q, want draft", view.Status)
		}
	})
}

// TestLeverPrivateAddressNotRetried: a destination refused by policy will
// be refused again; the Lever client should not back off and retry it (in
// production that is ~7 s of sleeps inside the admin's "enable" request, and
// a job classified "retry" instead of "fix configuration"). SQLite only: no
// storage is involved.
func TestLeverPrivateAddressNotRetried(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{DenyPrivateNetwork: true})
	apiKey, id := setupLeverByHand(e)
	var out apiChecks
	if status := e.API(apiKey, "POST", "/integrations/"+id+"/validate", nil, &out); status != http.StatusOK {
		t.Fatalf("validate: %d", status)
	}
	if ds := e.Sleeps.Durations(); len(ds) != 0 {
		t.Errorf("the client waited %v to retry a destination refused by policy", ds)
	}
}

// TestLeverEnabledSettingsAreValidated: UpdateIntegration promises that a
// change to an enabled integration's settings is validated like enabling is,
// and that nothing changes if it fails. A mistyped trigger stage must be
// refused, not silently stop every order.
func TestLeverEnabledSettingsAreValidated(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, dialect string) {
		e := apptest.New(t, apptest.Options{Dialect: dialect})
		f := e.SetupLever(apptest.LeverOptions{})
		var raw json.RawMessage
		status := e.API(f.APIKey, "PATCH", "/integrations/"+f.IntegrationID,
			map[string]any{"settings": map[string]string{lever.SettingTriggerStage: "Phone Screem"}}, &raw)
		if status != http.StatusUnprocessableEntity {
			t.Errorf("PATCH a mistyped trigger stage on an enabled integration: %d %s, want 422", status, raw)
		}
		var view struct {
			Settings map[string]string `json:"settings"`
		}
		e.MustAPI(http.StatusOK, f.APIKey, "GET", "/integrations/"+f.IntegrationID, nil, &view)
		if got := view.Settings[lever.SettingTriggerStage]; got != apptest.TriggerStageName {
			t.Errorf("trigger stage is now %q, want %q unchanged", got, apptest.TriggerStageName)
		}
		// And candidates keep being invited.
		opp, _, err := e.Lever.CreateOpportunity(context.Background(), "Ada Lovelace", "ada@example.com", f.PostingID)
		if err != nil {
			t.Fatal(err)
		}
		if ds, err := e.Lever.MoveStage(context.Background(), opp.ID, f.TriggerStage); err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
			t.Fatalf("stage change delivery: %s, %v", outcome(ds), err)
		}
		e.WaitIdle()
		if total, _ := orders(e, f.APIKey); total != 1 || len(e.Mail.Messages()) != 1 {
			t.Errorf("after the refused change: %d orders, %d emails; want 1 and 1", total, len(e.Mail.Messages()))
		}
	})
}
