package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"switchboard/internal/app/apptest"
	"switchboard/internal/ats/lever"
	"switchboard/internal/core"
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

// TestInboundFailureRetry: a failed webhook lists its event and job, and its
// Retry button (for those who act on orders, with the form's CSRF token)
// processes it again once the cause is fixed: the order is made, and the
// failure leaves the list. Retrying an event that did not fail changes
// nothing and says why.
func TestInboundFailureRetry(t *testing.T) {
	t.Parallel()
	e := apptest.New(t, apptest.Options{})
	f := e.SetupLever(apptest.LeverOptions{})
	ctx := context.Background()
	setKey := func(key string) { e.SetLeverAPIKey(f, key) }
	setKey("not-the-key")
	e.LeverToTrigger(f, "Ada Lovelace", "ada@example.com")
	e.WaitIdle()
	var v struct {
		InboundFailures []struct {
			EventID string `json:"event_id"`
			JobID   int64  `json:"job_id"`
		} `json:"inbound_failures"`
	}
	e.MustAPI(http.StatusOK, f.APIKey, "GET", "/integrations/"+f.IntegrationID, nil, &v)
	if len(v.InboundFailures) != 1 || v.InboundFailures[0].JobID == 0 {
		t.Fatalf("inbound failures %+v, want one with its job", v.InboundFailures)
	}
	ev, job := v.InboundFailures[0].EventID, v.InboundFailures[0].JobID
	account := mustUser(t, e, "admin@acme.example").AccountID
	orders := func() int {
		t.Helper()
		p, err := e.App.Store.ListOrders(ctx, account, storeFilter())
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	page := "/integrations/" + f.IntegrationID
	action := page + "/inbound/" + ev + "/retry"

	// A limited team member sees the failure but no button, and may not post.
	addUser(t, e, "admin@acme.example", "viewer@acme.example", core.RoleLimitedTeamMember)
	viewer := newBrowser(t, e.URL)
	viewer.signIn("viewer@acme.example", testPassword)
	if resp, body := viewer.get(page); resp.StatusCode == http.StatusOK && strings.Contains(body, action) {
		t.Error("a limited team member is offered Retry")
	}
	if resp, _ := viewer.post(action, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("retry by a limited team member: %d, want 403", resp.StatusCode)
	}

	setPassword(t, e, "admin@acme.example")
	b := newBrowser(t, e.URL)
	b.signIn("admin@acme.example", testPassword)
	_, body := b.get(page)
	if !strings.Contains(body, `action="`+action+`"`) || !strings.Contains(body, fmt.Sprintf("job %d", job)) || !strings.Contains(body, ev) {
		t.Fatalf("the failure shows no Retry form, event id or job %d", job)
	}
	// Without the form's token nothing happens.
	if resp, _ := b.post(action, url.Values{"csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("retry without the CSRF token: %d, want 403", resp.StatusCode)
	}
	e.WaitIdle()
	if n := orders(); n != 0 {
		t.Fatalf("%d orders before the fix", n)
	}

	setKey(apptest.LeverAPIKey)
	resp, body := b.post(action, nil)
	body = html.UnescapeString(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf("processed again in a moment (job %d)", job)) {
		t.Fatalf("retry: %d, want the integration page saying job %d runs again", resp.StatusCode, job)
	}
	e.WaitIdle()
	if n := orders(); n != 1 || len(e.Mail.Messages()) != 1 {
		t.Errorf("after the retry: %d orders, %d emails; want 1 and 1", n, len(e.Mail.Messages()))
	}
	if _, body := b.get(page); strings.Contains(body, `id="inbound-failures"`) {
		t.Error("the processed event is still listed as failed")
	}

	// Done now: a second retry is refused and changes nothing.
	_, body = b.post(action, nil)
	if body = html.UnescapeString(body); !strings.Contains(body, "cannot be retried: its processing did not fail") {
		t.Errorf("second retry, want it refused with the reason")
	}
	e.WaitIdle()
	if n := orders(); n != 1 || len(e.Mail.Messages()) != 1 {
		t.Errorf("after a second retry: %d orders, %d emails; want 1 and 1", n, len(e.Mail.Messages()))
	}
}
