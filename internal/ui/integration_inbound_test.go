package ui_test

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/lever"
)

// TestInboundFailuresShown: a stored webhook that cannot be resolved (the
// API key is wrong, the trigger stage does not exist) makes no order and is
// on no order's timeline; the integration's page and its API view list it
// with the reason, so an admin sees why nothing happened.
func TestInboundFailuresShown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		break_ func(e *apptest.Env, f apptest.LeverFixture)
		want   string // in the failure's reason
	}{
		{"wrong API key", func(e *apptest.Env, f apptest.LeverFixture) {
			e.MustAPI(http.StatusOK, f.APIKey, "PUT", "/integrations/"+f.IntegrationID+"/credentials/"+lever.CredentialAPIKey,
				map[string]string{"value": "not-the-key"}, nil)
		}, "401"},
		{"unknown trigger stage", func(e *apptest.Env, f apptest.LeverFixture) {
			// As when the stage is renamed in Lever after validation passed
			// (the API validates a change of an enabled integration).
			ctx := context.Background()
			in, err := e.App.Store.GetIntegration(ctx, f.IntegrationID)
			if err != nil {
				e.T.Fatal(err)
			}
			in.Settings[lever.SettingTriggerStage] = "Gone Stage"
			if err := e.App.Store.UpdateIntegration(ctx, in); err != nil {
				e.T.Fatal(err)
			}
		}, `trigger stage "Gone Stage" does not exist`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := apptest.New(t, apptest.Options{})
			f := e.SetupLever(apptest.LeverOptions{})
			opp, _, err := e.Lever.CreateOpportunity(context.Background(), "Ada Lovelace", "ada@example.com", f.PostingID)
			if err != nil {
				t.Fatal(err)
			}
			tc.break_(e, f)
			ds, err := e.Lever.MoveStage(context.Background(), opp.ID, f.TriggerStage)
			if err != nil || len(ds) != 1 || ds[0].StatusCode != http.StatusOK {
				t.Fatalf("stage change: %v %v", ds, err)
			}
			e.WaitIdle()

			var v struct {
				InboundFailures []struct {
					EventID string `json:"event_id"`
					Kind    string `json:"kind"`
					Failure string `json:"failure"`
				} `json:"inbound_failures"`
			}
			e.MustAPI(http.StatusOK, f.APIKey, "GET", "/integrations/"+f.IntegrationID, nil, &v)
			if len(v.InboundFailures) != 1 || v.InboundFailures[0].Kind != lever.EventCandidateStageChange ||
				!strings.Contains(v.InboundFailures[0].Failure, tc.want) {
				t.Fatalf("API inbound failures %+v, want one candidateStageChange failing with %q", v.InboundFailures, tc.want)
			}

			t.Logf("failure shown: %s", v.InboundFailures[0].Failure)
			setPassword(t, e, "admin@acme.example")
			b := newBrowser(t, e.URL)
			b.signIn("admin@acme.example", testPassword)
			_, page := b.get("/integrations/" + f.IntegrationID)
			page = html.UnescapeString(page)
			if !strings.Contains(page, `id="inbound-failures"`) || !strings.Contains(page, "Recent inbound failures") ||
				!strings.Contains(page, v.InboundFailures[0].Failure) {
				t.Errorf("the integration page does not show the failure %q", v.InboundFailures[0].Failure)
			}
		})
	}
}
